"""Explorers are plugins: a package installed beside scout adds one through an entry point, and
`scout ask --explorer` runs it like a built-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_scout
from plugin_site import install_plugin

TOY = '''
from scout.bundle import Span
from scout.explorer import Answer, ToolCall


class Toy:
    """Greps once for its argument, then cites the first match's enclosing definition."""

    name = "toy"

    def __init__(self, word):
        self.word = word

    def decide(self, state, ctx):
        if not state.turns:
            return [ToolCall("grep", {"pattern": self.word, "fixed": True})]
        hits = [h for o in state.observations if o.result for h in o.result.hits]
        return Answer([Span(h.path, h.start_line, h.end_line, 1.0, "toy", h.symbol) for h in hits[:1]])


def explorer(arg):
    return Toy(arg or "csrf")
'''


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    return install_plugin(tmp_path_factory.mktemp("toy"), "scout_toy", TOY, {"toy": "scout_toy:explorer"})


def run(args: list[str], site: Path) -> subprocess.CompletedProcess:
    return run_scout(*args, env={"PYTHONPATH": str(site)})


def test_an_installed_package_adds_an_explorer_that_scout_ask_runs(plugin_site, sample_repo):
    out = run(
        ["ask", "anything", "-r", str(sample_repo), "--explorer", "toy:request.headers.get", "--json"],
        plugin_site,
    )
    assert out.returncode == 0, out.stderr
    bundle = json.loads(out.stdout)
    assert bundle["explorer"] == "toy"
    [span] = bundle["answer"]
    assert (span["path"], span["start_line"], span["symbol"]) == (
        "shop/auth/middleware.py",
        12,
        "CsrfMiddleware.__call__",
    )
    assert bundle["stats"]["tool_calls"] == 1


def test_help_and_errors_list_the_plugin_beside_the_built_ins(plugin_site, sample_repo):
    assert "toy" in run(["ask", "--help"], plugin_site).stdout
    bad = run(["ask", "q", "-r", str(sample_repo), "--explorer", "nope"], plugin_site)
    assert bad.returncode == 2
    assert "unknown explorer 'nope'" in bad.stderr and "toy" in bad.stderr and "heuristic" in bad.stderr


def test_auto_names_scout_own_explorers_as_pyproject_registers_them():
    """`auto` loads scout's explorers without reading the entry points (60-70 ms a command): its
    table must say what pyproject.toml registers."""
    from scout.explorer.registry import BUILT_IN
    from scout.plugins import EXPLORERS, registered

    assert {name: registered(EXPLORERS)[name].value for name in BUILT_IN} == BUILT_IN


def test_a_command_that_shows_no_help_reads_no_entry_points(sample_repo):
    """The explorers' names are read for --help only; an ask never imports importlib.metadata."""
    probe = (
        "import sys; sys.argv = ['scout', 'ask', 'where is the csrf token checked', '-r', sys.argv[1]]\n"
        "from scout.cli import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "print('importlib.metadata' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(sample_repo)], capture_output=True, text=True, timeout=120
    )
    assert out.stderr.strip().splitlines()[-1] == "False", out.stderr
