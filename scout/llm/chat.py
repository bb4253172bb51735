"""What a chat model returns, in one shape for every provider and for local models.

Messages travel in the OpenAI chat-completions shape (`role`, `content`, `tool_calls`,
`tool_call_id`), the most widely spoken dialect; the Anthropic wire module translates.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

Message = dict[str, Any]


@dataclass
class Usage:
    """Token usage as the provider reported it, summed over requests."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0  # requests that reached the model
    cache_hits: int = 0  # replies served from the on-disk cache instead

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.requests += other.requests
        self.cache_hits += other.cache_hits


@dataclass
class RequestedCall:
    """A tool call the model asked for; `arguments` is the JSON text exactly as the model wrote it."""

    id: str
    name: str
    arguments: str


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[RequestedCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reply:
        return cls(
            d.get("text", ""),
            [RequestedCall(**c) for c in d.get("tool_calls", [])],
            d.get("finish_reason"),
            Usage(**d.get("usage", {})),
        )

    def as_message(self) -> Message:
        """The reply as the assistant turn to append to the conversation."""
        msg: Message = {"role": "assistant", "content": self.text or None}
        if self.tool_calls:
            msg["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        else:
            msg["content"] = self.text
        return msg


class Chat(Protocol):
    """Anything that answers a conversation: a remote endpoint or a local model."""

    name: str
    usage: Usage

    def chat(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str = "auto",
        max_tokens: int | None = None,
    ) -> Reply: ...


def tool_message(call_id: str, content: str) -> Message:
    return {"role": "tool", "tool_call_id": call_id, "content": content}
