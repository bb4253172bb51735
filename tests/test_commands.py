"""The command table (`scout.commands`): `scout --help` by group, commands loaded only when used,
old spellings that still run, and a `--help` that teaches on every command."""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_scout
from typer.testing import CliRunner

from scout.commands import BY_NAME, COMMANDS, RENAMED, SECTIONS
from scout.commands.app import app, load_command

HEAVY = ("numpy", "sqlite3", "tree_sitter")  # an index, a model or a parser: none needed to start


def imported(stderr: str) -> set[str]:
    """Top-level module names in `python -X importtime` output."""
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", stderr, re.M)
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_import_no_index_model_or_parser(argv):
    """issue 21: `scout --version` imported numpy (through the progress bar's type, then the index)."""
    out = run_scout(*argv, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert out.returncode == 0
    loaded = imported(out.stderr)
    assert "typer" in loaded, "the import log is unreadable"
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_help_shows_every_command_under_its_group():
    out = run_scout("--help")
    assert out.returncode == 0 and out.stderr == ""
    sections = re.split(r"^(\S[^:\n]*):$", out.stdout, flags=re.M)
    listed = {sections[i]: sections[i + 1] for i in range(1, len(sections) - 1, 2)}
    for name in SECTIONS:
        shown = re.findall(r"^  (\S+)  ", listed[name], re.M)
        assert shown == [c.name for c in COMMANDS if c.section == name]
    assert "Examples:" in out.stdout


def test_an_old_spelling_runs_the_new_command_with_one_notice_on_stderr(sample_repo):
    old = run_scout("grep", "compare_digest", str(sample_repo), "--json")
    new = run_scout("tools", "grep", "compare_digest", str(sample_repo), "--json")
    assert old.returncode == new.returncode == 0, old.stderr
    assert old.stdout == new.stdout and json.loads(old.stdout)["hits"]  # stdout stays clean JSON
    assert old.stderr.splitlines() == [
        "scout: `scout grep` is now `scout tools grep`; the old name goes in the next release",
        *new.stderr.splitlines(),
    ]
    train = run_scout("train", "--help")
    assert train.returncode == 0 and train.stdout.startswith("Usage: scout learn train ")


def test_every_old_spelling_names_a_command_that_exists():
    for old, (group, name) in RENAMED.items():
        assert old not in BY_NAME, f"{old} is a command again: drop its old spelling"
        assert name in load_command(BY_NAME[group]).commands, (old, group, name)


def every_command() -> list[list[str]]:
    argvs = []
    for entry in COMMANDS:
        if entry.group:
            argvs += [[entry.name, sub] for sub in load_command(entry).commands]
        argvs.append([entry.name])
    return argvs


@pytest.mark.parametrize("argv", every_command(), ids=" ".join)
def test_every_help_ends_with_an_example_of_that_command(argv):
    out = CliRunner().invoke(app, [*argv, "--help"], prog_name="scout")
    assert out.exit_code == 0, out.output
    tail = out.output[out.output.rindex("Example") :]
    assert f"scout {' '.join(argv)}" in " ".join(tail.split()), tail


def test_the_explorer_option_says_what_ships():
    """issue 24: `--explorer` help said "the learned explorer if installed"; it always ships."""
    text = " ".join(CliRunner().invoke(app, ["ask", "--help"], prog_name="scout").output.split())
    assert "if installed" not in text and "the learned explorer that ships with scout" in text
