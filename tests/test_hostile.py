"""Issue 20: nothing a repository contains runs a command through scout or stalls it.

The corpus is `benchmarks.hostile.build`: every program door in git's config and every hook writes a
marker file, 40 KB lines of secret-sounding words sit in the definitions the question and the issue
name, CODEOWNERS and label globs are greedy beside a 64-character directory, and scout.toml holds
out-of-range numbers and an unknown key. Each surface (`scout index`, `scout ask`, MCP
`find_context` over stdio, `scout triage --dry-run`) must finish and write no marker. Timing ratios
are measured by the benchmark, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import anyio
import pytest
from conftest import SCOUT, run_scout, scout_env
from mcp import Client, StdioServerParameters

from benchmarks.hostile import LONG_DIR, PARTS, QUESTION, build, event, stir

TIMEOUT_S = 60  # generous: each surface takes about a second on the clean twin
SURFACES = ("index", "ask", "mcp", "triage")


def scout(repo: Path, surface: str, work: Path) -> str:
    """Run one surface on `repo` as a user would; its stdout. Fails on a non-zero exit or past the
    timeout."""
    if surface == "mcp":
        return find_context(repo)
    env: dict[str, str | None] = {}
    argv = {
        "index": ["index", str(repo), "--json"],
        "ask": ["ask", QUESTION, str(repo), "--json"],
        "triage": ["triage", "--event", str(event(work / "event.json")), "--repo", str(repo), "--dry-run"],
    }[surface]
    if surface == "triage":  # no token, no API: --dry-run prints the comment it would post
        env = {k: None for k in os.environ if k.startswith("GITHUB_")} | {"GITHUB_TOKEN": ""}
    out = run_scout(*argv, env=env, timeout=TIMEOUT_S)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    return out.stdout


def find_context(repo: Path) -> str:
    params = StdioServerParameters(
        command=SCOUT[0], args=[*SCOUT[1:], "mcp", "--repo", str(repo)], env=scout_env()
    )

    async def main() -> str:
        with anyio.fail_after(TIMEOUT_S):
            async with Client(params, mode="legacy", read_timeout_seconds=TIMEOUT_S) as client:
                result = await client.call_tool("find_context", {"query": QUESTION})
        assert not result.is_error, result.content
        return json.dumps(result.structured_content)

    try:
        return anyio.run(main)
    except TimeoutError:
        raise subprocess.TimeoutExpired("scout mcp", TIMEOUT_S) from None


def corpus(tmp_path: Path, parts=PARTS) -> tuple[Path, Path]:
    markers = tmp_path / "markers"
    return build(tmp_path / "repo", markers, parts), markers


def test_the_corpus_is_live_plain_git_runs_its_programs(tmp_path):
    """The positive control: the doors are real, so their staying shut under scout means something."""
    repo, markers = corpus(tmp_path, ("doors",))
    for args in (("status", "--porcelain"), ("log", "-p"), ("diff", "HEAD")):
        subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=TIMEOUT_S)
    fired = {p.name for p in markers.iterdir()}
    assert {"fsmonitor", "filter-clean", "filter-process", "included-clean", "textconv"} <= fired
    assert "hook-post-index-change" in fired


@pytest.mark.parametrize("surface", SURFACES)
def test_no_program_a_repository_names_runs_and_its_settings_stop_nothing(tmp_path, surface):
    """git's config and hooks (fsmonitor, filters, textconv, external diff, pagers, ssh, askpass,
    credential helper, gpg, editor, an included file's drivers) and out-of-range settings."""
    repo, markers = corpus(tmp_path, ("doors", "settings"))
    out = scout(repo, surface, tmp_path)
    stir(repo)  # the files look changed again: a second run must read them through git once more
    again = scout(repo, surface, tmp_path)
    assert sorted(p.name for p in markers.iterdir()) == []
    if surface in ("ask", "mcp"):
        assert "shop/auth/session_keys.py" in out and "shop/auth/session_keys.py" in again


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_finishes_on_the_whole_hostile_corpus(tmp_path, surface):
    repo, markers = corpus(tmp_path)
    out = scout(repo, surface, tmp_path)
    assert sorted(p.name for p in markers.iterdir()) == []
    if surface == "triage":
        assert f"{LONG_DIR}/csrf_cache.py" in out
    elif surface in ("ask", "mcp"):
        assert "shop/auth/session_keys.py" in out
