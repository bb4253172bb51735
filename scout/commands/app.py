"""The root `scout` application: global options, and commands found in `scout.commands.COMMANDS`
and loaded only when used.

Kept light on purpose: `scout --version`, `scout --help` and shell completion import this module
and typer, nothing of the index, the models or the parsers.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from scout import __version__
from scout.commands import BY_NAME, COMMANDS, RENAMED, SECTIONS, Command

PROG = "scout"
COMPLETE_VAR = "_SCOUT_COMPLETE"  # the completion scripts call `scout` back with this set
STATE = {"debug": False}
HELP = "A context scout for coding agents: find the code that answers a question, cheaply."


def command_app(**settings: Any) -> typer.Typer:
    """A Typer for one command module, rendered like the root (plain text, our own errors)."""
    defaults = {"rich_markup_mode": None, "pretty_exceptions_enable": False, "add_completion": False}
    return typer.Typer(**(defaults | settings))


class _Loaded(Mapping[str, Any]):
    """The table's commands by name, each module imported on first access."""

    def __init__(self) -> None:
        self._done: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._done:
            self._done[name] = load_command(BY_NAME[name])
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(BY_NAME)

    def __len__(self) -> int:
        return len(BY_NAME)


def load_command(entry: Command) -> Any:
    module = importlib.import_module(f"scout.commands.{entry.module}")
    group = typer.main.get_group(module.app)
    if entry.group:
        group.name = entry.name
        return group
    return group.commands[entry.name]


class Commands(TyperGroup):
    """The root group: lists the table by section, and runs old spellings with a notice."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Loaded()  # type: ignore[assignment]

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:
        width = max(len(c.name) for c in COMMANDS)
        for section in SECTIONS:
            rows = [(c.name.ljust(width), c.summary) for c in COMMANDS if c.section == section]
            with formatter.section(section):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        if args and args[0] in RENAMED:
            new = " ".join(RENAMED[args[0]])
            print(
                f"scout: `scout {args[0]}` is now `scout {new}`; the old name goes in the next release",
                file=sys.stderr,
            )
            args = [*RENAMED[args[0]], *args[1:]]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name=PROG,
    cls=Commands,
    help=HELP,
    epilog="\b\nExamples:\n  scout ask 'where is the CSRF token checked' ~/src/django\n"
    "  scout install --dry-run\n  scout tools --help",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scout {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    STATE["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        stream=sys.stderr,
        format="scout: %(levelname)s: %(message)s",
    )
