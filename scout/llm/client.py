"""One HTTP client (httpx) for both dialects: timeouts, bounded retries, one-line errors, usage.

Retried: HTTP 429 and 5xx (waiting as long as `Retry-After` asks, capped) and connections dropped
mid-reply. Not retried: a refused connection or a timeout (asking again would only wait again),
and other 4xx, which the same request would get again.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from scout.errors import ScoutError
from scout.llm.cache import ResponseCache
from scout.llm.chat import Message, Reply, Usage
from scout.llm.config import ModelSpec, provider_module
from scout.retry import backoff, retry_after

log = logging.getLogger("scout.llm")

MAX_WAIT = 60.0  # never sleep longer than this for one retry, whatever Retry-After says
CONNECT_TIMEOUT = 10.0


class LLMError(ScoutError):
    """A model endpoint could not be reached, refused the request, or kept failing."""


@dataclass
class _Retry:
    wait: float
    reason: str


class ChatClient:
    """`chat()` against an OpenAI-compatible or Anthropic endpoint; `usage` sums what it cost."""

    def __init__(
        self,
        spec: ModelSpec,
        timeout: float = 120.0,
        retries: int = 3,
        cache: ResponseCache | None = None,
        stream: bool = False,
        temperature: float = 0.0,
    ) -> None:
        self.spec = spec
        self.name = spec.label
        self.retries = max(0, retries)
        self.cache = cache
        self.wire = provider_module(spec.provider)
        self.stream = stream and self.wire.STREAMS
        self.temperature = temperature
        self.usage = Usage()
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)))

    def chat(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str = "auto",
        max_tokens: int | None = None,
    ) -> Reply:
        url, headers, body = self._request(messages, tools, tool_choice, max_tokens)
        key = ResponseCache.key(url, body) if self.cache and self.temperature == 0 else None
        cached = self.cache.get(key) if self.cache and key else None
        if cached is not None:
            self.usage.cache_hits += 1
            log.info("%s: reply served from cache", self.name)
            return cached
        reply = self._send(url, headers, body)
        self.usage.add(reply.usage)
        log.info(
            "%s: %d prompt + %d completion tokens",
            self.name,
            reply.usage.prompt_tokens,
            reply.usage.completion_tokens,
        )
        if self.cache and key:
            self.cache.put(key, reply)
        return reply

    def close(self) -> None:
        self._http.close()

    def _request(self, messages, tools, tool_choice, max_tokens) -> tuple[str, dict[str, str], dict]:
        spec, wire = self.spec, self.wire
        data = wire.body(spec, messages, tools, tool_choice, max_tokens, self.temperature, self.stream)
        return wire.endpoint(spec), wire.headers(spec), data

    def _send(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        for attempt in range(self.retries + 1):
            outcome = self._attempt(url, headers, body)
            if isinstance(outcome, Reply):
                return outcome
            if attempt == self.retries:
                raise LLMError(f"model endpoint {url} failed {attempt + 1} times; last: {outcome.reason}")
            log.warning("%s; retrying in %.1fs", outcome.reason, outcome.wait)
            time.sleep(outcome.wait if outcome.wait >= 0 else backoff(attempt, 1.0, MAX_WAIT))
        raise AssertionError("unreachable")

    def _attempt(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> Reply | _Retry:
        try:
            with self._http.stream("POST", url, headers=headers, json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    return self._failure(url, response)
                if body.get("stream"):
                    return self.wire.parse_stream(response.iter_lines())
                response.read()
                return self._parse(response)
        except httpx.ConnectError as exc:
            raise LLMError(
                f"cannot reach the model endpoint {url}: {_reason(exc)}",
                hint="is the server running? check base_url / SCOUT_BASE_URL",
            ) from None
        except httpx.TimeoutException:
            raise LLMError(f"the model endpoint {url} timed out", hint="raise llm_timeout") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            return _Retry(-1, f"connection dropped: {_reason(exc)}")
        except ValueError as exc:  # JSON that does not parse, in a body or an event stream
            raise LLMError(f"the model endpoint {url} sent an unreadable reply: {exc}") from None

    def _parse(self, response: httpx.Response) -> Reply:
        return self.wire.parse(response.json())

    def _failure(self, url: str, response: httpx.Response) -> _Retry:
        status, detail = response.status_code, _detail(response)
        if status == 429 or status >= 500:
            after = retry_after(response.headers.get("retry-after"))
            wait = -1 if after is None else min(MAX_WAIT, after)
            return _Retry(wait, f"HTTP {status}: {detail}")
        if status in (401, 403):
            key_var = self.wire.KEY_VARIABLE
            raise LLMError(
                f"the model endpoint {url} refused the API key (HTTP {status}): {detail}",
                hint=f"set {key_var} or SCOUT_API_KEY",
            )
        if status == 404:
            raise LLMError(
                f"model {self.spec.model!r} or endpoint {url} not found (HTTP 404): {detail}",
                hint="check the model name and base_url",
            )
        raise LLMError(f"the model endpoint {url} rejected the request (HTTP {status}): {detail}")


def _detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip().replace("\n", " ")[:200] or response.reason_phrase
    err = data.get("error", data) if isinstance(data, dict) else data
    message = err.get("message") if isinstance(err, dict) else err
    return str(message or json.dumps(data))[:200]


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.split("] ", 1)[-1]  # "[Errno 111] Connection refused" -> "Connection refused"
