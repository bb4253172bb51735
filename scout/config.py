"""Settings, layered: defaults < the repository's file < the user's file < SCOUT_* env < flags.

The repository's file (`scout.toml`, or `[tool.scout]` in `pyproject.toml`) comes with whatever
was cloned, so it is untrusted: it may tune retrieval (`REPO_SETTINGS`), never choose an
explorer, a model, an endpoint or a cache location, the way git ignores hooks shipped inside a
clone. Anything else it sets is ignored with a one-line warning, and so is anything it gets wrong
(an unknown key, a value of the wrong type, a file that is no TOML): a repository cannot stop scout.
Its numbers are held to `REPO_RANGES`. The user's own file (`~/.config/scout/config.toml`, or
`$SCOUT_CONFIG`) may set everything, and a mistake there is an error: it is the user's to fix.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from scout.errors import ScoutError

log = logging.getLogger("scout.config")


DEFAULT_BUDGET = 4000  # bundle tokens (scout-tokens/1), the same on every surface
MAX_CONFIG_BYTES = 1_000_000  # a settings file (or pyproject.toml) larger than this is not read


@dataclass(frozen=True)
class Settings:
    explorer: str = "auto"  # auto = the learned model when its weights are present, else heuristic
    budget: int = DEFAULT_BUDGET
    max_spans: int = 12
    max_turns: int = 4
    max_file_bytes: int = 1_000_000  # larger files are skipped by the index and tools
    semantic: bool = True  # keep a vector per chunk for the semantic tool (the learned explorer uses it)
    index_vendored: bool = False  # also search generated HTML and vendored trees (always listed)
    code: bool = True  # include span text in bundles
    redact: bool = True  # mask secrets in every line scout hands on (docs/security.md)
    cache_dir: str | None = None  # where indexes live; default: the platform's user cache dir
    cache_max_mb: int | None = None  # evict least recently used indexes beyond this; None: no cap
    github_retries: int = 5  # `scout triage`: retries on GitHub 5xx, 429 and rate limits
    github_backoff_ms: int = 1000  # `scout triage`: first retry's wait, doubled each time; Retry-After wins
    model: str | None = None  # LLM for `--explorer llm`, plan and patch
    base_url: str | None = None  # OpenAI-compatible endpoint for that model
    llm_timeout: int = 120  # seconds one model request may take
    llm_retries: int = 3  # retries on 429 / 5xx / dropped connections
    llm_cache: bool = True  # reuse responses to identical deterministic requests (temperature 0)
    llm_stream: bool = False  # ask OpenAI-compatible endpoints to stream (SSE)
    max_repairs: int = 2  # `scout patch`: how often a diff that does not apply goes back to the model
    mcp_max_tokens: int = 20_000  # `scout mcp`: no tool result is longer (several clients reject > 25k)
    mcp_refresh_seconds: int = 2  # `scout mcp`: re-index changed files at most this often (0: every call)
    server: str | None = None  # `scout ask`: a running `scout mcp --http` to ask (its URL, or "auto")

    def merged(self, **overrides: Any) -> Settings:
        """These settings with every non-None override applied (command-line flags)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


# What a repository's own file may set: how much to retrieve and show, nothing that picks code,
# an endpoint, a key or a place on disk, nor `redact`: a clone must not turn off secret masking.
REPO_SETTINGS = frozenset({"budget", "max_spans", "max_turns", "max_file_bytes", "code", "index_vendored"})
# The numbers a repository's file may choose (inclusive); outside them it gets the nearer bound and
# a warning. Above them a clone could make every bundle huge or the index read gigabyte files.
REPO_RANGES = {
    "budget": (100, 32_000),  # tokens; 100 is the bundle's own minimum (scout.bundle.MIN_BUDGET)
    "max_spans": (1, 100),
    "max_turns": (1, 20),
    "max_file_bytes": (1_000, 10_000_000),
}


def cache_root(settings: Settings | None = None) -> Path:
    """Where indexes and caches live: the `cache_dir` setting, else SCOUT_CACHE_DIR, else the
    platform's user cache directory (~/.cache/scout on Linux)."""
    if settings is not None and settings.cache_dir:
        return Path(settings.cache_dir).expanduser()
    env = os.environ.get("SCOUT_CACHE_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("scout"))


def user_config_path(env: dict[str, str] | os._Environ[str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("SCOUT_CONFIG"):
        return Path(env["SCOUT_CONFIG"]).expanduser()
    return Path(platformdirs.user_config_dir("scout")) / "config.toml"


def load_settings(repo_root: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    settings = Settings()
    if repo_root is not None:
        settings = settings.merged(**_repo_values(repo_root))
    user = user_config_path(env)
    if user.is_file():
        settings = settings.merged(**_coerce(_read_toml(user), str(user)))
    return settings.merged(**_env_values(env))


def _repo_values(root: Path) -> dict[str, Any]:
    for name, key in (("scout.toml", None), ("pyproject.toml", "tool")):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = _repo_table(path, key)
        except ScoutError as exc:
            _warn("ignoring the repository's settings: %s", exc)
            return {}
        if data:
            return _repo_settings(data, path)
    return {}


def _repo_table(path: Path, key: str | None) -> dict[str, Any]:
    data = _read_toml(path)
    if key:  # `tool` that is not a table holds nothing of ours; `tool.scout` must be one
        tool = data.get(key, {})
        data = tool.get("scout", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ScoutError(f"[tool.scout] in {path} must be a table, got {data!r}")
    return data


def _repo_settings(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """What the repository's file may set, converted and held to REPO_RANGES; a warning per key
    that is unknown, refused or of the wrong type."""
    types = {f.name: str(f.type) for f in fields(Settings)}
    out: dict[str, Any] = {}
    for raw_key, raw in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in types:
            _warn("ignoring unknown setting %r in %s", str(raw_key)[:80], path)
        elif key not in REPO_SETTINGS:
            _warn(
                "ignoring %s = ... in %s: a repository may not set it (set it in %s, SCOUT_%s or a flag)",
                key, path, user_config_path(), key.upper(),
            )  # fmt: skip
        else:
            try:
                out[key] = _clamped(key, _convert(raw, types[key], key, str(path)), path)
            except ScoutError as exc:
                _warn("%s; ignoring it", exc)
    return out


def _clamped(key: str, value: Any, path: Path) -> Any:
    if key not in REPO_RANGES:
        return value
    low, high = REPO_RANGES[key]
    held = min(max(value, low), high)
    if held != value:
        _warn("%s = %s in %s is outside %s..%s; using %s", key, value, path, low, high, held)
    return held


_warned: set[str] = set()


def _warn(message: str, *args: Any) -> None:
    # Settings are loaded more than once a command (and on every call in a server): say it once.
    text = message % args
    if text not in _warned:
        _warned.add(text)
        log.warning("%s", text)


def _read_toml(path: Path) -> dict[str, Any]:
    # TOMLDecodeError and UnicodeDecodeError are ValueErrors, as is a 5,000-digit number; arrays
    # nested 100,000 deep are a RecursionError.
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ScoutError(f"cannot read {path}: larger than {MAX_CONFIG_BYTES} bytes")
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError, RecursionError) as exc:
        raise ScoutError(f"cannot read {path}: {str(exc)[:200]}") from None


def _env_values(env: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    values = {
        f.name: env[f"SCOUT_{f.name.upper()}"] for f in fields(Settings) if f"SCOUT_{f.name.upper()}" in env
    }
    return _coerce(values, "environment")


def _coerce(values: dict[str, Any], source: str) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, raw in values.items():
        key = key.replace("-", "_")
        if key not in types:
            raise ScoutError(f"unknown setting {key!r} in {source}")
        out[key] = _convert(raw, str(types[key]), key, source)
    return out


def _convert(raw: Any, typ: str, key: str, source: str) -> Any:
    """`raw` as the setting's type, or a one-line ScoutError: a file may hold any TOML value (a
    table, an array, a date, inf), the environment any string."""
    wanted = {"int": "an integer", "bool": "true or false"}.get(typ.split(" ")[0], "a string")
    wrong = ScoutError(f"setting {key} in {source} must be {wanted}, got {raw!r:.80}")
    if not isinstance(raw, (str, int, float)):  # bool is an int
        raise wrong
    if typ.startswith("int"):
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise wrong  # true is not a budget; 2.5 is not a count; inf and nan are neither
        try:
            return int(raw)
        except ValueError:
            raise wrong from None
    if typ.startswith("bool"):
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
    return str(raw)
