"""What the commands share: their common options, and reading a query, a repository, a yes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from scout.bundle import MIN_BUDGET
from scout.commands.app import COMPLETE_VAR
from scout.config import Settings
from scout.errors import EMPTY_QUERY, ScoutError
from scout.explorer.registry import explorer_names


def showing_help() -> bool:
    """Whether this process may print an option's help: `--help`, or a shell asking for
    completions (which show the descriptions)."""
    return "--help" in sys.argv[1:] or bool(os.environ.get(COMPLETE_VAR))


def explorer_help() -> str:
    # Every registered explorer (plugins included) is named only where help is shown: reading the
    # entry points cost each `scout ask` 60-70 ms (importlib.metadata and a scan of every package).
    registered = f": {', '.join(explorer_names())}" if showing_help() else ""
    return (
        "auto (the learned explorer that ships with scout), heuristic, or NAME[:ARG] of another "
        f"registered explorer{registered} (e.g. openai:MODEL@URL, anthropic:MODEL, hf:PATH, scripted:FILE)."
    )


EXPLORER_HELP = explorer_help()

RepoOpt = Annotated[Path, typer.Option("--repo", "-r", help="Repository root to explore.")]
# Commands that also take the repository positionally: the option's default must tell "not given".
RepoFlag = Annotated[
    Path | None,
    typer.Option("--repo", "-r", help="Repository root to explore [default: .].", show_default=False),
]
RepoArg = Annotated[
    Path | None,
    typer.Argument(metavar="REPO", help="Repository root, like --repo [default: .].", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
ExplorerOpt = Annotated[str | None, typer.Option(help=EXPLORER_HELP)]
BudgetOpt = Annotated[
    int | None,
    typer.Option(
        min=MIN_BUDGET,
        help=f"Token budget of the bundle, at least {MIN_BUDGET} [default: {Settings.budget}].",
    ),
]
SpansOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="At most this many places, answer and leads together; more than the default asks the "
        f"learned explorer for a longer ranking of leads [default: {Settings.max_spans}].",
    ),
]
TurnsOpt = Annotated[
    int | None, typer.Option(min=1, help=f"Explorer turn budget [default: {Settings.max_turns}].")
]
TrajOpt = Annotated[Path | None, typer.Option(help="Write the explorer's tool calls as JSON Lines.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]


def read_query(text: str | None, issue_file: str | None = None) -> str:
    """The query: TEXT, the contents of ISSUE_FILE ('-' reads stdin), or both with TEXT first."""
    if issue_file:
        if issue_file == "-":
            body = sys.stdin.read()
        else:
            path = Path(issue_file)
            if not path.is_file():
                raise ScoutError(f"issue file not found: {issue_file}")
            body = path.read_text(encoding="utf-8", errors="replace")
        text = f"{text}\n\n{body}" if text else body
    if not text or not text.strip():
        raise ScoutError(EMPTY_QUERY, hint="give a question, or --issue-file FILE ('-' reads stdin)")
    return text


def pick_repo(positional: Path | None, option: Path | None) -> Path:
    """The repository given positionally or with --repo (the same one twice is fine), else '.'."""
    if positional is not None and option is not None and not _same(positional, option):
        raise ScoutError(
            f"two repositories given: {positional} and --repo {option}", hint="give the repository once"
        )
    return positional or option or Path(".")


def _same(a: Path, b: Path) -> bool:
    return a.expanduser().resolve() == b.expanduser().resolve()


def confirmed(question: str, yes: bool, refusal: str) -> bool:
    """--yes, or the person at the terminal says yes; without a terminal, refuse (exit 2) rather
    than guess, and say how to go ahead."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise ScoutError(refusal, hint="pass --yes when not on a terminal")
    return typer.confirm(question, default=False, err=True)


def emit_json(data: object) -> None:
    typer.echo(dumped(data))


def dumped(data: object) -> str:
    """The JSON every command prints: indented, non-ASCII as itself."""
    return json.dumps(data, indent=2, ensure_ascii=False)
