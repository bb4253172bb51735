"""`scout grep`, `scout symbols`, `scout outline`: the tools, one call each, from the shell."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import JsonOpt, RepoOpt, app, emit_json
from scout.commands.ask import open_workspace
from scout.tools import ToolResult, call_tool


def _run(repo: Path, tool: str, args: dict, as_json: bool) -> None:
    ws = open_workspace(repo)
    try:
        result: ToolResult = call_tool(ws.ctx, tool, args)
    finally:
        ws.close()
    if as_json:
        emit_json(
            {
                "tool": tool,
                "args": args,
                "hits": [asdict(h) for h in result.hits],
                "truncated": result.truncated,
            }
        )
    else:
        typer.echo(result.text)
    raise typer.Exit(0 if result.hits else 1)


@app.command(epilog="Example: scout grep 'def check_token' --glob '*.py' --repo ~/src/django")
def grep(
    pattern: Annotated[str, typer.Argument(help="Regex (Rust syntax), or a literal with --fixed.")],
    repo: RepoOpt = Path("."),
    path: Annotated[str | None, typer.Option(help="Only under this repo path.")] = None,
    glob: Annotated[str | None, typer.Option(help="Only files matching this glob.")] = None,
    fixed: Annotated[bool, typer.Option("--fixed", "-F", help="Literal string, not a regex.")] = False,
    ignore_case: Annotated[bool, typer.Option("--ignore-case", "-i")] = False,
    max_matches: Annotated[int, typer.Option(help="Stop after this many matches.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Search file contents with ripgrep; each match with its enclosing definition."""
    _run(
        repo,
        "grep",
        {
            "pattern": pattern,
            "path": path,
            "glob": glob,
            "fixed": fixed,
            "ignore_case": ignore_case,
            "max_matches": max_matches,
        },
        as_json,
    )


@app.command(epilog="Example: scout symbols CsrfViewMiddleware --references --repo ~/src/django")
def symbols(
    name: Annotated[str, typer.Argument(help="Symbol name (fuzzy: substrings match too).")],
    repo: RepoOpt = Path("."),
    references: Annotated[bool, typer.Option("--references", help="Also list uses.")] = False,
    exact: Annotated[bool, typer.Option("--exact", help="No fuzzy matches.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many of each.")] = 30,
    as_json: JsonOpt = False,
) -> None:
    """Where a symbol is defined (and, with --references, used)."""
    _run(
        repo, "symbols", {"name": name, "references": references, "fuzzy": not exact, "limit": limit}, as_json
    )


@app.command(epilog="Example: scout outline django/middleware/csrf.py --repo ~/src/django")
def outline(
    path: Annotated[str, typer.Argument(help="Repo-relative file path.")],
    repo: RepoOpt = Path("."),
    as_json: JsonOpt = False,
) -> None:
    """The definitions in one file, with their line spans."""
    _run(repo, "outline", {"path": path}, as_json)
