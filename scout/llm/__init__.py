"""Talking to language models: one HTTP client for OpenAI-compatible and Anthropic endpoints,
an on-disk reply cache, and model settings. Imported lazily: `import scout` never pulls in httpx."""

from __future__ import annotations

from scout.config import Settings
from scout.llm.cache import ResponseCache
from scout.llm.chat import Chat, Message, Reply, RequestedCall, Usage, tool_message
from scout.llm.client import ChatClient, LLMError
from scout.llm.config import ModelSpec, cache_dir, model_spec, parse_model

__all__ = [
    "Chat",
    "ChatClient",
    "LLMError",
    "Message",
    "ModelSpec",
    "Reply",
    "RequestedCall",
    "ResponseCache",
    "Usage",
    "client_for",
    "model_spec",
    "parse_model",
    "tool_message",
]


def client_for(settings: Settings, name: str | None = None) -> ChatClient:
    """A client for model `name` (else the configured model), with the settings' timeout,
    retries, streaming and cache (`llm_cache = false` or `--no-cache` turns the cache off)."""
    cache = ResponseCache(cache_dir(settings)) if settings.llm_cache else None
    return ChatClient(
        model_spec(settings, name),
        timeout=float(settings.llm_timeout),
        retries=settings.llm_retries,
        cache=cache,
        stream=settings.llm_stream,
    )
