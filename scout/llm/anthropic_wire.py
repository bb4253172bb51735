"""Anthropic's Messages API: the OpenAI-shaped conversation translated to content blocks.

System messages become the top-level `system`; an assistant turn's tool calls become `tool_use`
blocks; consecutive tool results (and any user text after them) merge into one user turn of
`tool_result` blocks, because the API wants user and assistant turns to alternate.
"""

from __future__ import annotations

import json
from typing import Any

from scout.llm.chat import Message, Reply, RequestedCall, Usage
from scout.llm.config import ModelSpec

DEFAULT_URL = "https://api.anthropic.com"
KEY_VARIABLE = "ANTHROPIC_API_KEY"
STREAMS = False
API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096  # the API requires a cap


def endpoint(spec: ModelSpec) -> str:
    base = spec.base_url
    return f"{base}/messages" if base.endswith("/v1") else f"{base}/v1/messages"


def headers(spec: ModelSpec) -> dict[str, str]:
    out = {"anthropic-version": API_VERSION}
    if spec.api_key:
        out["x-api-key"] = spec.api_key
    return out


def body(
    spec: ModelSpec,
    messages: list[Message],
    tools: list[dict[str, Any]] | None,
    tool_choice: str,
    max_tokens: int | None,
    temperature: float,
    stream: bool = False,  # not offered: replies come whole
) -> dict[str, Any]:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    out: dict[str, Any] = {
        "model": spec.model,
        "max_tokens": max_tokens or DEFAULT_MAX_TOKENS,
        "temperature": temperature,
        "messages": _turns([m for m in messages if m["role"] != "system"]),
    }
    if system:
        out["system"] = system
    if tools:
        out["tools"] = [
            {"name": t["name"], "description": t["description"], "input_schema": t["parameters"]}
            for t in tools
        ]
        out["tool_choice"] = {"type": tool_choice}
    return out


def _turns(messages: list[Message]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    for m in messages:
        role = "assistant" if m["role"] == "assistant" else "user"
        blocks = _blocks(m)
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return turns


def _blocks(m: Message) -> list[dict[str, Any]]:
    if m["role"] == "tool":
        content = m["content"]
        block = {"type": "tool_result", "tool_use_id": m["tool_call_id"], "content": content}
        if content.startswith("error:"):
            block["is_error"] = True
        return [block]
    blocks: list[dict[str, Any]] = [{"type": "text", "text": m["content"]}] if m.get("content") else []
    for call in m.get("tool_calls") or []:
        fn = call["function"]
        blocks.append({"type": "tool_use", "id": call["id"], "name": fn["name"], "input": _input(fn)})
    return blocks


def _input(fn: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(fn.get("arguments") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def parse(data: dict[str, Any]) -> Reply:
    text, calls = [], []
    for block in data.get("content") or []:
        if block.get("type") == "text":
            text.append(block.get("text", ""))
        elif block.get("type") == "tool_use":
            calls.append(
                RequestedCall(block.get("id", ""), block.get("name", ""), json.dumps(block.get("input", {})))
            )
    raw = data.get("usage") or {}
    usage = Usage(raw.get("input_tokens") or 0, raw.get("output_tokens") or 0, requests=1)
    return Reply("".join(text), calls, data.get("stop_reason"), usage)
