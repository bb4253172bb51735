"""Shared fixtures: an isolated cache dir for every test, real repositories on disk, and the one
way tests run the real `scout` CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
SCOUT = [sys.executable, "-m", "scout"]  # this checkout's scout, whichever `scout` is on PATH


def scout_env(env: dict[str, str | None] | None = None) -> dict[str, str]:
    """The test's environment (its isolated cache and config included) with `env` added; a None
    value removes that variable. This checkout comes first on PYTHONPATH, so a subprocess started
    in another directory still runs it."""
    full = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    full["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [full.get("PYTHONPATH")])])
    return full


def run_scout(
    *args: str,
    env: dict[str, str | None] | None = None,
    stdin: str = "",
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess. stdin is never a terminal, so no question can wait for an answer."""
    return subprocess.run(
        [*SCOUT, *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=scout_env(env),
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own SCOUT_CACHE_DIR: indexes never leak between tests."""
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("SCOUT_CONFIG", str(tmp_path_factory.mktemp("config") / "config.toml"))
    # an MCP server a test starts listens for `scout ask` here (scout.resident), not beside the user's
    monkeypatch.setenv("SCOUT_RUNTIME_DIR", str(tmp_path_factory.mktemp("run")))
    for var in ("SCOUT_EXPLORER", "SCOUT_BUDGET", "SCOUT_MODEL", "SCOUT_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


def git(root: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root),
    }
    out = subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env)
    return out.stdout.strip()


def committed_copy(source: Path, root: Path) -> Path:
    """`source` copied to `root` as a git repository with one commit."""
    shutil.copytree(source, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


@pytest.fixture
def sample_repo(tmp_path) -> Path:
    """A copy of tests/fixtures/sample_repo (a tiny shop: CSRF tokens, cart pricing) as a git repo."""
    return committed_copy(FIXTURES / "sample_repo", tmp_path / "sample_repo")
