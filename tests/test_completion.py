"""`scout completion bash|zsh|fish`: each script is printed, and the completions it asks for come back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_scout


@pytest.mark.parametrize(
    ("shell", "hook"),
    [("bash", "complete -o default -F _scout_completion scout"), ("zsh", "compdef _scout_completion scout"),
     ("fish", "complete --command scout")],
)  # fmt: skip
def test_each_shell_gets_a_script_for_scout(shell, hook):
    out = run_scout("completion", shell)
    assert out.returncode == 0 and out.stderr == ""
    assert hook in out.stdout and "_SCOUT_COMPLETE=complete_" + shell in out.stdout


def test_an_unknown_shell_is_a_usage_error():
    out = run_scout("completion", "tcsh")
    assert out.returncode == 2 and out.stdout == "" and "tcsh" in out.stderr


def test_the_completion_protocol_answers_each_shell():
    bash = run_scout(env={"_SCOUT_COMPLETE": "complete_bash", "COMP_WORDS": "scout ca", "COMP_CWORD": "1"})
    assert bash.stdout.split() == ["cache"]
    zsh = run_scout(env={"_SCOUT_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "scout cache pr"})
    assert '"prune"' in zsh.stdout
    fish = run_scout(
        env={
            "_SCOUT_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "scout comp",
        }
    )
    assert fish.stdout.split("\t")[0] == "completion"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_a_subcommand_through_the_script(tmp_path):
    """The real thing: bash sources the script and calls `scout` (here a wrapper for this checkout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "scout"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m scout "$@"\n')
    wrapper.chmod(0o755)
    script = run_scout("completion", "bash").stdout
    line = 'COMP_WORDS=(scout cache pr); COMP_CWORD=2; _scout_completion scout; echo "${COMPREPLY[@]}"'
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"{script}\n{line}"],
        capture_output=True,
        text=True,
        env=os.environ | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        cwd=Path.cwd(),
        timeout=60,
    )
    assert out.stdout.split() == ["prune"], out.stderr


@pytest.mark.parametrize(
    ("shell", "where"),
    [
        ("bash", ".local/share/bash-completion/completions/scout"),
        ("zsh", ".zfunc/_scout"),
        ("fish", ".config/fish/completions/scout.fish"),
    ],
)
def test_install_writes_the_script_where_the_shell_loads_it_even_in_a_fresh_home(tmp_path, shell, where):
    """issue 24: README's completion step failed on a fresh home, whose completions folder did not
    exist yet."""
    home = tmp_path / "home"
    home.mkdir()
    fresh = {"HOME": str(home), "XDG_DATA_HOME": None, "XDG_CONFIG_HOME": None}
    out = run_scout("completion", shell, "--install", env=fresh)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"wrote {home / where}: ")
    assert (home / where).read_text() == run_scout("completion", shell).stdout
