"""`scout ask` and `scout index`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scout.api import Workspace
from scout.commands.app import (
    BudgetOpt,
    ExplorerOpt,
    JsonOpt,
    RepoOpt,
    SpansOpt,
    TrajOpt,
    TurnsOpt,
    app,
    emit_json,
    read_query,
)
from scout.commands.progress import progress_bar
from scout.config import load_settings
from scout.explorer.trajectory import Trajectory
from scout.repo import Repo


def open_workspace(repo: Path, **overrides) -> Workspace:
    root = Repo.open(repo)
    settings = load_settings(root.root).merged(**overrides)
    with progress_bar("indexing") as progress:
        return Workspace.open(root.root, settings, progress=progress)


@app.command(epilog="Example: scout ask 'where is the CSRF token checked' --repo ~/src/django")
def ask(
    query: Annotated[str | None, typer.Argument(help="The question, or a whole issue text.")] = None,
    repo: RepoOpt = Path("."),
    issue_file: Annotated[
        str | None, typer.Option("--issue-file", "-f", help="Read the query from a file ('-' for stdin).")
    ] = None,
    as_json: JsonOpt = False,
    budget: BudgetOpt = None,
    max_spans: SpansOpt = None,
    code: Annotated[bool | None, typer.Option("--code/--no-code", help="Include the cited lines.")] = None,
    explorer: ExplorerOpt = None,
    max_turns: TurnsOpt = None,
    trajectory: TrajOpt = None,
    max_file_bytes: Annotated[int | None, typer.Option(help="Skip files larger than this.")] = None,
    redact: Annotated[
        bool | None,
        typer.Option("--redact/--no-redact", help="Mask secrets (keys, tokens, passwords) in cited lines."),
    ] = None,
) -> None:
    """Find the code that answers QUERY; print an evidence bundle (Markdown, or --json)."""
    text = read_query(query, issue_file)
    ws = open_workspace(
        repo,
        budget=budget,
        max_spans=max_spans,
        code=code,
        explorer=explorer,
        max_turns=max_turns,
        max_file_bytes=max_file_bytes,
        redact=redact,
    )
    traj = Trajectory.to_file(trajectory) if trajectory else None
    try:
        bundle = ws.ask(text, trajectory=traj)
    finally:
        if traj:
            traj.close()
        ws.close()
    if as_json:
        emit_json(bundle.to_dict())
    else:
        typer.echo(bundle.to_markdown() if bundle.found else "no evidence found")
    raise typer.Exit(0 if bundle.found else 1)


@app.command(epilog="Example: scout index --repo ~/src/django")
def index(
    repo: RepoOpt = Path("."),
    as_json: JsonOpt = False,
    max_file_bytes: Annotated[int | None, typer.Option(help="Skip files larger than this.")] = None,
) -> None:
    """Build or refresh the repository's index (only changed files are re-read)."""
    root = Repo.open(repo)
    settings = load_settings(root.root).merged(max_file_bytes=max_file_bytes)
    from scout.index import open_index

    cache = Path(settings.cache_dir).expanduser() if settings.cache_dir else None
    with progress_bar("indexing") as progress:
        idx = open_index(root, cache, settings.max_file_bytes, refresh=False)
        stats = idx.update(progress)
    if as_json:
        emit_json({"index": str(idx.path), **stats.__dict__})
    else:
        typer.echo(
            f"indexed {stats.files} files in {stats.seconds:.2f}s "
            f"({stats.added} added, {stats.changed} changed, {stats.removed} removed) → {idx.path}"
        )
