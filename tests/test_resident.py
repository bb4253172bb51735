"""`scout ask` answered by a running `scout mcp` over its Unix socket (scout.resident): the same
output as in-process, fresh after an edit, declined whenever it could differ, never used when stale
or not private."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SCOUT, run_scout, scout_env

from scout.resident import socket_path

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets")
QUESTION = "where is the CSRF token checked"
REQUIRE = {"SCOUT_RESIDENT": "require"}
LOCAL = {"SCOUT_RESIDENT": "0"}


def start_server(repo: Path, *flags: str) -> subprocess.Popen:
    """A stdio `scout mcp` for REPO (its stdin held open), once its socket accepts."""
    server = subprocess.Popen(
        [*SCOUT, "mcp", "--repo", str(repo), "--workers", "0", *flags],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=scout_env(),
    )  # fmt: skip
    path = Path(socket_path(repo.resolve()))
    deadline = time.monotonic() + 60
    while not listening(path):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"no socket: {server.stderr.read().decode() if server.stderr else ''}")
        time.sleep(0.05)
    return server


def listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def stop(server: subprocess.Popen) -> None:
    assert server.stdin is not None
    server.stdin.close()  # end of the stdio stream: the server shuts down
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    if server.stderr:
        server.stderr.close()


def without_timings(text: str) -> dict:
    data = json.loads(text)
    data.pop("stats", None)
    return data


@pytest.fixture
def served(sample_repo):
    run_scout("index", str(sample_repo))
    server = start_server(sample_repo)
    yield sample_repo
    stop(server)


def test_the_server_answers_as_the_cli_would(served):
    through = run_scout("ask", QUESTION, str(served), "--json", env=REQUIRE)
    here = run_scout("ask", QUESTION, str(served), "--json", env=LOCAL)
    assert through.returncode == here.returncode == 0, through.stderr
    assert without_timings(through.stdout) == without_timings(here.stdout)
    assert "csrf" in through.stdout
    # Markdown, the repository as the working directory, a relative issue file
    (served / "issue.md").write_text("The CSRF token check rejects valid tokens\n")
    md = run_scout("ask", "-f", "issue.md", "--budget", "600", cwd=served, env=REQUIRE)
    assert md.returncode == 0, md.stderr
    assert md.stdout == run_scout("ask", "-f", "issue.md", "--budget", "600", cwd=served, env=LOCAL).stdout
    cut = run_scout("ask", QUESTION, "--budget", "120", cwd=served, env=REQUIRE)  # the note comes too
    assert cut.returncode == 0 and "left out to fit the budget of 120 tokens" in cut.stderr
    assert cut.stderr == run_scout("ask", QUESTION, "--budget", "120", cwd=served, env=LOCAL).stderr


def test_an_edit_is_seen_by_the_next_ask(served):
    (served / "shop" / "refunds.py").write_text(
        "def issue_refund_voucher(order):\n    return order.total * 0.9\n"
    )
    out = run_scout("ask", "issue_refund_voucher", str(served), "--json", env=REQUIRE)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answer"][0]["path"] == "shop/refunds.py"


def test_what_could_differ_is_answered_here(served, tmp_path):
    # options the server does not take, another environment, a usage error, another repository
    heuristic = run_scout("ask", QUESTION, str(served), "--json", "--explorer", "heuristic")
    assert heuristic.returncode == 0 and json.loads(heuristic.stdout)["explorer"] == "heuristic"
    assert run_scout("ask", QUESTION, str(served), "--explorer", "heuristic", env=REQUIRE).returncode == 2
    budget = run_scout("ask", QUESTION, str(served), env={**REQUIRE, "SCOUT_BUDGET": "700"})
    assert budget.returncode == 2 and "no scout server answered" in budget.stderr
    usage = run_scout("ask", QUESTION, str(served), "--budget", "5")
    assert usage.returncode == 2 and "--budget" in usage.stderr
    other = tmp_path / "other"
    (other / "pkg").mkdir(parents=True)
    (other / "pkg" / "tokens.py").write_text("def check_csrf_token(token):\n    return bool(token)\n")
    assert run_scout("ask", QUESTION, str(other), env=REQUIRE).returncode == 2
    assert run_scout("ask", QUESTION, str(other)).returncode == 0


def test_a_stale_or_shared_socket_is_never_used(sample_repo, tmp_path):
    run_scout("index", str(sample_repo))
    server = start_server(sample_repo)
    server.send_signal(signal.SIGKILL)  # no clean-up: the socket file stays, nobody listens
    stop(server)
    path = Path(socket_path(sample_repo.resolve()))
    assert path.exists()
    started = time.monotonic()
    assert run_scout("ask", QUESTION, str(sample_repo)).returncode == 0  # answered here, at once
    assert time.monotonic() - started < 30
    assert run_scout("ask", QUESTION, str(sample_repo), env=REQUIRE).returncode == 2
    replacement = start_server(sample_repo)  # takes the stale socket over
    assert run_scout("ask", QUESTION, str(sample_repo), env=REQUIRE).returncode == 0
    stop(replacement)
    assert not path.exists()  # a server that stops removes its socket

    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # others may enter: neither side uses it
    server = start_server_in(sample_repo, shared)
    assert (
        run_scout(
            "ask", QUESTION, str(sample_repo), env={**REQUIRE, "SCOUT_RUNTIME_DIR": str(shared)}
        ).returncode
        == 2
    )
    stop(server)


def start_server_in(repo: Path, runtime: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [*SCOUT, "mcp", "--repo", str(repo), "--workers", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=scout_env({"SCOUT_RUNTIME_DIR": str(runtime)}),
    )  # fmt: skip
    assert server.stderr is not None
    line = b""
    ready, _, _ = select.select([server.stderr], [], [], 60)
    if ready:
        line = server.stderr.readline()
    assert b"is not private to this user" in line  # said once, at start
    assert not list(runtime.iterdir())  # it would not listen where others can enter
    return server


def test_scout_serve_answers_until_idle(sample_repo):
    run_scout("index", str(sample_repo))
    server = subprocess.Popen(
        [*SCOUT, "serve", "--repo", str(sample_repo), "--idle", "0.1", "--workers", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=scout_env(),
    )  # fmt: skip
    path = Path(socket_path(sample_repo.resolve()))
    deadline = time.monotonic() + 60
    while not listening(path) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    out = run_scout("ask", QUESTION, str(sample_repo), "--json", env=REQUIRE)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answer"]
    assert server.wait(timeout=60) == 0  # six seconds without a question: it stops by itself
    assert server.stderr is not None
    said = server.stderr.read().decode()
    server.stderr.close()
    assert "answering `scout ask` for" in said and "stopping" in said
    assert not path.exists()


def test_scout_serve_stops_cleanly_on_sigterm_and_refuses_a_second_server(sample_repo):
    run_scout("index", str(sample_repo))
    first = start_server(sample_repo)  # a `scout mcp` answers for it already
    second = run_scout("serve", "--repo", str(sample_repo), "--workers", "0")
    assert second.returncode == 2 and "another scout server answers" in second.stderr
    stop(first)
    server = subprocess.Popen(
        [*SCOUT, "serve", "--repo", str(sample_repo), "--workers", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=scout_env(),
    )  # fmt: skip
    path = Path(socket_path(sample_repo.resolve()))
    deadline = time.monotonic() + 60
    while not listening(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    assert not path.exists()
