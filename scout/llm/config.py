"""Which model to talk to, where, and with which key.

A model is named `MODEL` (an OpenAI-compatible endpoint at `base_url`), `openai:MODEL@URL` or
`anthropic:MODEL[@URL]`. A plain name that starts with `claude` is taken as Anthropic's. The key
comes from `SCOUT_API_KEY`, else the provider's usual variable; local servers need none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from scout.config import Settings, cache_root
from scout.errors import ScoutError
from scout.plugins import PROVIDERS, load, registered


def provider_module(name: str) -> ModuleType:
    """The module speaking provider `name`'s API (entry point group `scout.providers`)."""
    return load(PROVIDERS, name, "model provider")


@dataclass(frozen=True)
class ModelSpec:
    provider: str  # "openai" (any chat-completions endpoint) or "anthropic" (Messages API)
    model: str
    base_url: str
    api_key: str | None = None

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.model}"


def parse_model(text: str, base_url: str | None = None, env: dict[str, str] | None = None) -> ModelSpec:
    """`MODEL`, `openai:MODEL@URL` or `anthropic:MODEL[@URL]` as a ModelSpec (URL beats base_url)."""
    provider, rest = "openai", text.strip()
    head, sep, tail = rest.partition(":")
    if sep and head in registered(PROVIDERS):
        provider, rest = head, tail
    elif rest.lower().startswith("claude") and not base_url:
        provider = "anthropic"
    model, _, url = rest.partition("@")
    if not model:
        raise ScoutError(f"no model name in {text!r}", hint="e.g. openai:gpt-4o-mini or anthropic:MODEL")
    url = (url or base_url or provider_module(provider).DEFAULT_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ScoutError(f"model URL must start with http:// or https://, got {url!r}")
    key = api_key(provider, env)
    wire = provider_module(provider)
    if key is None and url == wire.DEFAULT_URL.rstrip("/"):
        # a hosted API refuses a request without a key: say so now, not as a network error later
        raise ScoutError(
            f"no API key for {provider}:{model}", hint=f"set {wire.KEY_VARIABLE} or SCOUT_API_KEY"
        )
    return ModelSpec(provider, model, url, key)


def api_key(provider: str, env: dict[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("SCOUT_API_KEY") or env.get(provider_module(provider).KEY_VARIABLE) or None


def model_spec(settings: Settings, name: str | None = None) -> ModelSpec:
    """The model `name` names, else the configured one; a one-line error when there is none."""
    text = name or settings.model
    if not text:
        raise ScoutError(
            "no model configured",
            hint="set SCOUT_MODEL (and SCOUT_BASE_URL), `model` in your ~/.config/scout/config.toml, "
            "or name one: `--explorer llm:MODEL` for ask, `--model MODEL` for plan and patch",
        )
    return parse_model(text, settings.base_url)


def cache_dir(settings: Settings) -> Path:
    return cache_root(settings) / "llm"
