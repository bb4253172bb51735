"""One constant, one home (issue 24): a default, a path or the test runner is defined once and
imported everywhere else, so no two copies can drift apart."""

from __future__ import annotations

import re

from conftest import ROOT
from typer.testing import CliRunner

from scout.commands.app import app
from scout.config import Settings
from scout.mcp.workers import MAX_WAITING

TESTS = sorted(p for p in (ROOT / "tests").glob("*.py") if p.name != "conftest.py")
SOURCE = sorted((ROOT / "scout").rglob("*.py"))


def offenders(files, pattern: str) -> list[str]:
    """`path: line` for each line matching `pattern`."""
    found = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT).as_posix()}: {line.strip()}")
    return found


def test_only_conftest_starts_scout_or_names_the_checkout_and_its_fixtures():
    assert offenders(TESTS, r'"-m",\s*"scout"') == []  # conftest's run_scout / SCOUT
    assert offenders(TESTS, r"^(ROOT|FIXTURES)\s*=") == []
    assert offenders(TESTS, r"^[^'\"]*Path\(__file__\)\.(resolve\(\)\.)?parents?\b") == []  # code, not quotes


def test_the_weights_folder_is_named_once():
    assert sorted(offenders(SOURCE, r'"weights"')) == [
        'scout/learn/pipeline.py: return work / "weights"',  # a training run's, not the package's
        'scout/models/__init__.py: WEIGHTS_DIR = Path(__file__).parent / "weights"  # shipped; '
        "`scout learn train --install` writes them",
    ]


def test_the_defaults_shown_in_help_are_the_settings():
    ask = " ".join(CliRunner().invoke(app, ["ask", "--help"]).output.split())
    assert f"[default: {Settings.budget}]" in ask and f"[default: {Settings.max_spans}]" in ask
    assert f"[default: {Settings.max_turns}]" in ask
    mcp = " ".join(CliRunner().invoke(app, ["mcp", "--help"]).output.split())
    for value in (Settings.mcp_max_tokens, Settings.mcp_refresh_seconds, MAX_WAITING):
        assert f"[default: {value}]" in mcp


def test_the_explorers_default_limits_are_the_settings():
    """The loop's limits and each policy's span cap had their own 12 and 4."""
    assert offenders(SOURCE, r"\bmax_(spans|turns): int = \d") == [
        "scout/config.py: max_spans: int = 12",
        "scout/config.py: max_turns: int = 4",
        "scout/explorer/model.py: max_spans: int = 10",  # the learned policy's own, smaller cap
        "scout/triage/config.py: max_spans: int = 5  # code locations shown in a comment",  # another
    ]
