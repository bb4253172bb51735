"""Progress on a pipe: one line per phase on stderr, never a byte on stdout (which stays parseable)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, SCOUT, run_scout, scout_env

from scout.progress import TRIVIAL_FILES

STARTED = re.compile(r"^scout: indexing ([\d,]+) files( of [\w.-]+)?…$")
ENDED = re.compile(r"^scout: indexed( [\w.-]+)? in \d+\.\d s$")


@pytest.fixture
def big_repo(sample_repo: Path) -> Path:
    """The sample repository plus enough modules that building its index is not trivial."""
    gen = sample_repo / "gen"
    gen.mkdir()
    for i in range(TRIVIAL_FILES + 20):
        gen.joinpath(f"mod_{i:03d}.py").write_text(f"def helper_{i}(x):\n    return x + {i}\n")
    return sample_repo


def phases(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr
    assert STARTED.match(lines[0]) and ENDED.match(lines[1]), lines
    return lines


def test_index_on_a_pipe_prints_its_phases_on_stderr_and_json_on_stdout(sample_repo):
    out = run_scout("index", "--repo", str(sample_repo), "--json")
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    started, _ = phases(out.stderr)
    assert STARTED.match(started).group(1) == str(stats["added"])
    again = run_scout("index", "--repo", str(sample_repo), "--json")
    assert json.loads(again.stdout)["added"] == 0 and again.stderr == ""  # nothing to do, nothing said


def test_first_ask_on_a_large_repository_says_so_then_warm_asks_are_silent(big_repo):
    ask = (
        "ask",
        "where is the CSRF token checked",
        "--repo",
        str(big_repo),
        "--json",
        "--explorer",
        "heuristic",
    )
    out = run_scout(*ask)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answer"][0]["path"] == "shop/auth/tokens.py"
    started, _ = phases(out.stderr)
    assert int(STARTED.match(started).group(1).replace(",", "")) > TRIVIAL_FILES
    warm = run_scout(*ask)
    assert warm.returncode == 0 and warm.stderr == ""


def test_the_ci_bot_reports_its_index_build_on_stderr(big_repo):
    event = FIXTURES / "events" / "issues-opened.json"
    env = {k: None for k in os.environ if k.startswith("GITHUB_")}  # the CI's own event is not ours
    env |= {"GITHUB_TOKEN": "", "SCOUT_EXPLORER": "heuristic"}
    args = ["--event", str(event), "--repo", str(big_repo), "--dry-run", "--json"]
    out = run_scout("triage", *args, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["action"] == "printed"
    phases(out.stderr)


def test_mcp_server_reports_the_first_index_of_each_repository_on_stderr(big_repo):
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
    call = {"name": "find_context", "arguments": {"query": "where is the CSRF token checked"}}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call},
    ]
    argv = [*SCOUT, "mcp", "--explorer", "heuristic", "--repo", str(big_repo)]
    with subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=scout_env(),
    ) as proc:
        replies = []
        for message in messages:
            proc.stdin.write(json.dumps(message) + "\n")
            proc.stdin.flush()
            if "id" in message:
                replies.append(json.loads(proc.stdout.readline()))
        proc.stdin.close()
        rest, err = proc.stdout.read(), proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    assert rest == ""  # every stdout line was a protocol message
    assert replies[1]["result"]["structuredContent"]["answer"][0]["path"] == "shop/auth/tokens.py"
    started, ended = phases(err)
    assert started.endswith(" of sample_repo…") and ended.startswith("scout: indexed sample_repo in ")
