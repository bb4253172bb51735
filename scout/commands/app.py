"""The typer application and the options commands share."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from scout import __version__
from scout.explorer.registry import explorer_names

app = typer.Typer(
    name="scout",
    help="A context scout for coding agents: find the code that answers a question, cheaply.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
STATE = {"debug": False}
EXPLORER_HELP = (
    "auto (the learned explorer if installed, else heuristic), or NAME[:ARG] of a registered explorer: "
    f"{', '.join(explorer_names())} (e.g. openai:MODEL@URL, anthropic:MODEL, hf:PATH, scripted:FILE)."
)

RepoOpt = Annotated[Path, typer.Option("--repo", "-r", help="Repository root to explore.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scout {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    STATE["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        stream=sys.stderr,
        format="scout: %(levelname)s: %(message)s",
    )


def emit_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
