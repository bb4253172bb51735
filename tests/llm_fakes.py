"""Loopback model servers for tests: they speak the OpenAI chat-completions protocol (plain JSON,
or server-sent events in chunked transfer encoding when the request asks to stream) or Anthropic's
Messages API, and answer each request with the next entry of a per-test script."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Text:
    text: str


@dataclass
class Calls:
    """Tool calls: (name, args) pairs; args as a dict, or a str sent verbatim (invalid JSON)."""

    calls: list[tuple[str, dict[str, Any] | str]]
    text: str = ""


@dataclass
class Error:
    status: int
    message: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)


def calls(*pairs: tuple[str, dict[str, Any] | str]) -> Calls:
    return Calls(list(pairs))


class FakeModel:
    def __init__(self, script: list[Text | Calls | Error], protocol: str = "openai") -> None:
        self.script = list(script)
        self.protocol = protocol
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # clients closing keep-alive sockets
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        return f"{base}/v1" if self.protocol == "openai" else base

    def __enter__(self) -> FakeModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_entry(self, request: dict[str, Any]) -> Text | Calls | Error:
        with self._lock:
            self.requests.append(request)
            return self.script.pop(0) if self.script else Error(500, "the test's script is exhausted")

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


def _handler(fake: FakeModel) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            headers = {k.lower(): v for k, v in self.headers.items()}
            entry = fake.next_entry({"path": self.path, "headers": headers, "body": body})
            if isinstance(entry, Error):
                self._send_json(entry.status, {"error": {"message": entry.message}}, entry.headers)
            elif fake.protocol == "anthropic":
                self._send_json(200, anthropic_reply(entry, body))
            elif body.get("stream"):
                self._send_events(openai_events(entry, body))
            else:
                self._send_json(200, openai_reply(entry, body))

        def _send_json(self, status: int, data: dict, headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def _send_events(self, events: list[dict | str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in [*events, "[DONE]"]:
                data = f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

    return Handler


def _args_text(args: dict[str, Any] | str) -> str:
    return args if isinstance(args, str) else json.dumps(args)


def _usage(body: dict) -> dict[str, int]:
    return {"prompt_tokens": len(json.dumps(body)) // 4, "completion_tokens": 20}


def openai_reply(entry: Text | Calls, body: dict) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": entry.text or None}
    if isinstance(entry, Calls):
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": _args_text(a)}}
            for i, (n, a) in enumerate(entry.calls)
        ]
    finish = "tool_calls" if isinstance(entry, Calls) else "stop"
    choice = {"index": 0, "message": message, "finish_reason": finish}
    return {"id": "chatcmpl-1", "object": "chat.completion", "choices": [choice], "usage": _usage(body)}


def openai_events(entry: Text | Calls, body: dict) -> list[dict]:
    """The reply as streamed deltas: text in 7-character pieces, tool arguments in three parts."""

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": entry.text[i : i + 7]}) for i in range(0, len(entry.text), 7)]
    for i, (name, args) in enumerate(entry.calls if isinstance(entry, Calls) else []):
        text = _args_text(args)
        head = {
            "index": i,
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        events.append(chunk({"tool_calls": [head]}))
        third = max(1, len(text) // 3)
        for part in (text[:third], text[third : 2 * third], text[2 * third :]):
            events.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]}))
    events.append(chunk({}, "tool_calls" if isinstance(entry, Calls) else "stop"))
    events.append({"object": "chat.completion.chunk", "choices": [], "usage": _usage(body)})
    return events


def anthropic_reply(entry: Text | Calls, body: dict) -> dict:
    content: list[dict[str, Any]] = [{"type": "text", "text": entry.text}] if entry.text else []
    for i, (name, args) in enumerate(entry.calls if isinstance(entry, Calls) else []):
        content.append({"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": args})
    stop = "tool_use" if isinstance(entry, Calls) else "end_turn"
    usage = {"input_tokens": len(json.dumps(body)) // 4, "output_tokens": 20}
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": stop,
        "usage": usage,
    }
