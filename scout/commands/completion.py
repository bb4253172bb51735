"""`scout completion bash|zsh|fish`: the shell's completion script, from typer.

The script calls `scout` back with `_SCOUT_COMPLETE` set; typer's completion classes answer that
call (they read the variables the script sets), so they are registered whenever it is set. Both
come from typer's private modules, which is safe only because typer is pinned (pyproject.toml).
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated

import typer

from scout.commands.app import app

PROG = "scout"
COMPLETE_VAR = "_SCOUT_COMPLETE"

if os.environ.get(COMPLETE_VAR):  # the shell is asking for completions
    from typer._completion_classes import completion_init

    completion_init()


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


INSTALL = """Example: eval "$(scout completion bash)"   (in ~/.bashrc)

\b
Or install it once:
  bash: scout completion bash > ~/.local/share/bash-completion/completions/scout
  zsh:  scout completion zsh > ~/.zfunc/_scout   (with fpath+=~/.zfunc before compinit in ~/.zshrc)
  fish: scout completion fish > ~/.config/fish/completions/scout.fish"""


@app.command(epilog=INSTALL)
def completion(shell: Annotated[Shell, typer.Argument(help="bash, zsh or fish.")]) -> None:
    """Print the completion script for SHELL: commands, options and file names complete on Tab."""
    from typer._completion_shared import get_completion_script

    typer.echo(get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value))
