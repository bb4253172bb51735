"""The OpenAI chat-completions dialect (OpenAI, vLLM, Ollama, LM Studio, LiteLLM, OpenRouter):
request bodies, replies, and replies streamed as server-sent events."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scout.llm.chat import Message, Reply, RequestedCall, Usage
from scout.llm.config import ModelSpec

# What every provider module (entry point group `scout.providers`) defines: these three, then
# endpoint(), headers(), body(), parse() and, when STREAMS, parse_stream().
DEFAULT_URL = "https://api.openai.com/v1"
KEY_VARIABLE = "OPENAI_API_KEY"
STREAMS = True  # can answer as server-sent events


def endpoint(spec: ModelSpec) -> str:
    return f"{spec.base_url}/chat/completions"


def headers(spec: ModelSpec) -> dict[str, str]:
    return {"Authorization": f"Bearer {spec.api_key}"} if spec.api_key else {}


def body(
    spec: ModelSpec,
    messages: list[Message],
    tools: list[dict[str, Any]] | None,
    tool_choice: str,
    max_tokens: int | None,
    temperature: float,
    stream: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {"model": spec.model, "messages": messages, "temperature": temperature}
    if tools:
        out["tools"] = [{"type": "function", "function": t} for t in tools]
        out["tool_choice"] = tool_choice
    if max_tokens:
        out["max_tokens"] = max_tokens
    if stream:
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


def parse(data: dict[str, Any]) -> Reply:
    choice = (data.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    calls = []
    for i, c in enumerate(message.get("tool_calls") or []):
        fn = c.get("function") or {}
        calls.append(_call(c.get("id"), fn.get("name"), fn.get("arguments"), i))
    return Reply(_text(message.get("content")), calls, choice.get("finish_reason"), _usage(data.get("usage")))


def parse_stream(lines: Iterable[str]) -> Reply:
    """Assemble `data: {...}` chunks: content deltas, tool-call fragments by index, final usage."""
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    reply = Reply()
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank separators, `:` keep-alive comments, `event:` lines
        payload = line[5:].strip()
        if payload == "[DONE]":
            break
        chunk = json.loads(payload)
        if chunk.get("usage"):
            reply.usage = _usage(chunk["usage"])
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text.append(_text(delta.get("content")))
            for frag in delta.get("tool_calls") or []:
                _merge(calls.setdefault(frag.get("index", len(calls)), {}), frag)
            reply.finish_reason = choice.get("finish_reason") or reply.finish_reason
    reply.text = "".join(text)
    reply.tool_calls = [
        _call(c.get("id"), c.get("name"), c.get("arguments"), i) for i, c in sorted(calls.items())
    ]
    return reply


def _merge(acc: dict[str, str], frag: dict[str, Any]) -> None:
    fn = frag.get("function") or {}
    if frag.get("id"):
        acc["id"] = frag["id"]
    acc["name"] = acc.get("name", "") + (fn.get("name") or "")
    acc["arguments"] = acc.get("arguments", "") + (fn.get("arguments") or "")


def _call(call_id: str | None, name: str | None, arguments: Any, index: int) -> RequestedCall:
    # Some servers (Ollama) send arguments as an object rather than JSON text.
    args = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return RequestedCall(call_id or f"call_{index}", name or "", args)


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def _usage(raw: dict[str, Any] | None) -> Usage:
    raw = raw or {}
    return Usage(raw.get("prompt_tokens") or 0, raw.get("completion_tokens") or 0, requests=1)
