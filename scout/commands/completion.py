"""`scout completion bash|zsh|fish`: the shell's completion script, from typer; `--install` writes it
where that shell loads completions from.

The script calls `scout` back with `_SCOUT_COMPLETE` set; typer's completion classes answer that
call (`scout.cli` registers them whenever it is set). Both come from typer's private modules,
which is safe only because typer is pinned (pyproject.toml).
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import COMPLETE_VAR, PROG, command_app

app = command_app()


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


HINTS = {Shell.zsh: "add `fpath+=~/.zfunc` before `compinit` in ~/.zshrc"}
EXAMPLES = """Examples: scout completion bash --install   (then open a new shell)

\b
  eval "$(scout completion bash)"   (in ~/.bashrc, instead of --install)
  zsh:  scout completion zsh --install    (~/.zfunc/_scout; fpath+=~/.zfunc before compinit)
  fish: scout completion fish --install   (~/.config/fish/completions/scout.fish)"""


def install_path(shell: Shell) -> Path:
    """Where each shell looks for a user's completion scripts, by the XDG variables it honours."""
    home = Path.home()
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return {
        Shell.bash: data / "bash-completion" / "completions" / PROG,
        Shell.zsh: home / ".zfunc" / f"_{PROG}",
        Shell.fish: config / "fish" / "completions" / f"{PROG}.fish",
    }[shell]


@app.command(epilog=EXAMPLES)
def completion(
    shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")],
    install: Annotated[
        bool, typer.Option("--install", help="Write it where SHELL loads completions from (folders made).")
    ] = False,
) -> None:
    """Print the completion script for SHELL: commands, options and file names complete on Tab."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value)
    if not install:
        typer.echo(script)
        return
    path = install_path(shell)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script + "\n", encoding="utf-8")
    hint = f"; {HINTS[shell]}" if shell in HINTS else ""
    typer.echo(f"wrote {path}: {shell.value} completes scout in new shells{hint}")
