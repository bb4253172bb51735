"""`scout ask --server`: a running `scout mcp --http` answers the CLI over loopback, the answer is
the one the CLI would give itself, and a server that is not there is no failure."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest
from conftest import SCOUT, run_scout, scout_env

QUESTION = "where is the CSRF token checked"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(sample_repo):
    port = free_port()
    proc = subprocess.Popen(
        [*SCOUT, "mcp", "--http", "--port", str(port), "--repo", str(sample_repo), "--workers", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=scout_env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.communicate(timeout=30)


def spans(out: str) -> list:
    data = json.loads(out)
    return [(s["path"], s["start_line"]) for s in data["answer"] + data["leads"]]


def test_a_running_server_answers_the_cli_as_the_cli_would(sample_repo, server):
    here = run_scout("ask", QUESTION, str(sample_repo), "--json")
    there = run_scout("ask", QUESTION, str(sample_repo), "--json", "--server", server)
    assert there.returncode == 0 and "answering here" not in there.stderr, there.stderr
    assert spans(there.stdout) == spans(here.stdout) and spans(here.stdout)
    auto = run_scout("ask", QUESTION, str(sample_repo), "--json", "--server", "auto")  # the announced one
    assert (
        auto.returncode == 0
        and "answering here" not in auto.stderr
        and spans(auto.stdout) == spans(here.stdout)
    )


def test_a_server_that_is_not_there_is_said_once_and_the_cli_answers(sample_repo):
    out = run_scout(
        "ask", QUESTION, str(sample_repo), "--json", "--server", f"http://127.0.0.1:{free_port()}"
    )
    assert out.returncode == 0 and spans(out.stdout)
    assert "cannot reach the scout server" in out.stderr and "answering here" in out.stderr
