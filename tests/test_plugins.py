"""Explorers are plugins: a package installed beside scout adds one through an entry point, and
`scout ask --explorer` runs it like a built-in."""

from __future__ import annotations

import json
import subprocess
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
