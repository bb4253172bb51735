"""`scout ask --server`: ask a running `scout mcp --http` instead of opening the index here.

A warm server has its index open, its weights loaded and its freshness checked every few seconds,
so a question costs one local HTTP request: the CLI skips start-up work it would otherwise repeat.
`--server URL` names one; `--server auto` (or `server = "auto"` in the user config) uses the one
`scout mcp --http` announced in the cache directory, when it is alive and serves the repository.
Anything else (no server, not serving this repository, busy, unreachable) falls back to answering
here, with one line on stderr saying why.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from scout.config import cache_root

ANNOUNCE = "server.json"
TIMEOUT_S = 120


def announce(url: str, repos: list[str]) -> Path:
    """Write the running server's address where `--server auto` looks for it."""
    path = cache_root() / ANNOUNCE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid(), "repos": repos}), encoding="utf-8")
    tmp.replace(path)
    return path


def withdraw(path: Path) -> None:
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def server_url(choice: str) -> str | None:
    """The URL to ask: `choice` itself, or for "auto" the announced server if its process lives."""
    if choice != "auto":
        return choice.rstrip("/")
    try:
        data = json.loads((cache_root() / ANNOUNCE).read_text(encoding="utf-8"))
        os.kill(int(data["pid"]), 0)
        return str(data["url"]).rstrip("/")
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Unavailable(Exception):
    """The server cannot answer this question; the CLI answers it itself."""


def ask_remote(url: str, repo: Path, query: str, **limits) -> dict:
    """The server's {"bundle", "markdown", "found"} for `query` about `repo`, or Unavailable."""
    body = json.dumps({"query": query, "repo": str(repo.resolve()), **limits}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/scout/ask", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - a URL the user gave
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = _error(exc)
        raise Unavailable(f"the scout server at {url} said {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Unavailable(f"cannot reach the scout server at {url}: {getattr(exc, 'reason', exc)}") from None


def _error(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read()).get("error", exc.reason)
    except (ValueError, AttributeError):
        return str(exc.reason)
