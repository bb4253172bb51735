"""`scout mine`: training tasks from git history."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import app
from scout.errors import ScoutError
from scout.learn.gitlog import resolve_git_dir
from scout.learn.mine import MineOptions, mine, repo_name

log = logging.getLogger("scout.learn.mine")


def excluded_repos(files: list[Path]) -> set[str]:
    """Repository names in benchmark task files (JSON Lines with a `repo` field)."""
    names = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.add(json.loads(line)["repo"].lower())
    return names


@app.command("mine", epilog="Example: scout mine .mirrors/python-attrs+attrs --out .train/tasks.jsonl")
def mine_cmd(
    git_dirs: Annotated[list[Path], typer.Argument(help="Git directories (bare or work trees) to mine.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the tasks here, as JSON Lines.")],
    name: Annotated[
        str | None, typer.Option(help="owner/name for a single repository [default: from the path].")
    ] = None,
    exclude_from: Annotated[
        list[Path] | None, typer.Option(help="Benchmark JSONL files whose repositories must not be mined.")
    ] = None,
    append: Annotated[bool, typer.Option(help="Append to --out instead of replacing it.")] = False,
    max_commits: Annotated[int, typer.Option(help="Newest commits scanned per repository.")] = 5000,
    max_tasks: Annotated[int, typer.Option(help="Commit tasks kept per repository.")] = 1500,
    max_doc_tasks: Annotated[int, typer.Option(help="Docstring questions per repository.")] = 300,
    rev: Annotated[str, typer.Option(help="Mine history reachable from this revision.")] = "HEAD",
) -> None:
    """Turn commits that fix or change behaviour (and docstrings) into localisation tasks."""
    if name and len(git_dirs) > 1:
        raise ScoutError("--name names a single repository; give one git directory")
    excluded = excluded_repos(exclude_from or [])
    opts = MineOptions(max_commits=max_commits, max_tasks=max_tasks, max_doc_tasks=max_doc_tasks, rev=rev)
    out.parent.mkdir(parents=True, exist_ok=True)
    total = 0
    with out.open("a" if append else "w", encoding="utf-8") as sink:
        for path in git_dirs:
            git_dir = resolve_git_dir(path)
            repo = name or repo_name(git_dir)
            counts = {"commit": 0, "docstring": 0}
            for task in mine(git_dir, repo, opts, excluded):
                sink.write(json.dumps(task, ensure_ascii=False) + "\n")
                counts[task["source"]] += 1
            total += sum(counts.values())
            typer.echo(
                f"{repo}: {counts['commit']} commit tasks, {counts['docstring']} docstring tasks", err=True
            )
    typer.echo(f"wrote {total} tasks to {out}")
    raise typer.Exit(0 if total else 1)
