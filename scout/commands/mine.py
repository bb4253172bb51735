"""`scout learn mine`: training tasks from git history, docs and tests."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scout.commands.app import command_app
from scout.errors import ScoutError

if TYPE_CHECKING:
    from scout.learn.manifest import Source

log = logging.getLogger("scout.learn.mine")
app = command_app()
SOURCES = ("commit", "issue", "docstring", "docquestion", "readme", "test")


def excluded_repos(files: list[Path]) -> set[str]:
    """Repository names in benchmark task files (JSON Lines with a `repo` field)."""
    names = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                names.add(json.loads(line)["repo"].lower())
    return names


def sources_from(
    git_dirs: list[Path], name: str | None, manifest: Path | None, mirrors: Path | None = None
) -> list[Source]:
    """The repositories to mine: the manifest's entries (with their split and head), or git
    directories named by --name or their path (split by name hash, head from --rev)."""
    from scout.learn.gitlog import resolve_git_dir  # the mining code loads only when it runs
    from scout.learn.manifest import Source, read_manifest
    from scout.learn.mine import repo_name

    if manifest and git_dirs:
        raise ScoutError("give either git directories or --manifest, not both")
    if manifest:
        return read_manifest(manifest, mirrors)
    if not git_dirs:
        raise ScoutError("give the git directories to mine, or --manifest FILE")
    if name and len(git_dirs) > 1:
        raise ScoutError("--name names a single repository; give one git directory")
    out = []
    for path in git_dirs:
        git_dir = resolve_git_dir(path)
        out.append(Source(name or repo_name(git_dir), git_dir, split="", head=""))  # split by name hash
    return out


@app.command(
    "mine",
    epilog="\b\nExamples:\n"
    "  scout learn mine --data data --mirrors .mirrors --only pallets/jinja   (the committed data)\n"
    "  scout learn mine --manifest repos.json --out tasks.jsonl   (tasks only, as JSON Lines)",
)
def mine_cmd(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the tasks here, as JSON Lines.")
    ] = None,
    git_dirs: Annotated[
        list[Path] | None, typer.Argument(help="Git directories (bare or work trees) to mine.")
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help='JSON list of {"repo", "split", "head", "git_dir"?} to mine instead of paths.'),
    ] = None,
    mirrors: Annotated[
        Path | None,
        typer.Option(help="Where the manifest's git directories are (owner+name/ under it, or a JSON map)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="owner/name for a single repository [default: from the path].")
    ] = None,
    exclude_from: Annotated[
        list[Path] | None, typer.Option(help="Benchmark JSONL files whose repositories must not be mined.")
    ] = None,
    append: Annotated[bool, typer.Option(help="Append to --out instead of replacing it.")] = False,
    max_commits: Annotated[int, typer.Option(help="Newest commits scanned per repository.")] = 5000,
    max_tasks: Annotated[int, typer.Option(help="Commit tasks kept per repository.")] = 1500,
    max_issue_tasks: Annotated[int, typer.Option(help="Issue-like commit bodies per repository.")] = 300,
    max_doc_tasks: Annotated[int, typer.Option(help="Docstring questions per repository.")] = 300,
    max_docquestion_tasks: Annotated[
        int, typer.Option(help="Docstrings asked as plain questions per repository.")
    ] = 150,
    max_readme_tasks: Annotated[int, typer.Option(help="README/docs sections per repository.")] = 100,
    max_test_tasks: Annotated[int, typer.Option(help="Test names per repository.")] = 200,
    rev: Annotated[
        str, typer.Option(help="Mine history reachable from this revision (a manifest's head wins).")
    ] = "HEAD",
    data: Annotated[
        Path | None,
        typer.Option(
            help="Build the committed training data in this folder (its repos.json is the manifest)."
        ),
    ] = None,
    only: Annotated[
        list[str] | None, typer.Option(help="With --data: just this repository (repeatable).")
    ] = None,
    step: Annotated[
        list[str] | None, typer.Option(help="With --data: tasks, pairs, recordings [default: tasks, pairs].")
    ] = None,
    work: Annotated[Path, typer.Option(help="With --data: checkouts, indexes and embedders go here.")] = Path(
        ".train"
    ),
    force: Annotated[bool, typer.Option(help="With --data: redo files the manifest already lists.")] = False,
) -> None:
    """Turn commits that fix or change behaviour, docstrings, docs sections and test names into
    localisation tasks. A repository that fails is skipped and reported; the others are written.
    With --data, each repository's tasks, terms, pairs and recordings go into its own folder of the
    committed training data, resumable repository by repository (data/README.md)."""
    from scout.learn.gitlog import resolve_git_dir
    from scout.learn.mine import MineOptions, check_allowed, mine

    excluded = excluded_repos(exclude_from or [])
    opts = MineOptions(
        max_commits=max_commits, max_tasks=max_tasks, max_doc_tasks=max_doc_tasks,
        max_docquestion_tasks=max_docquestion_tasks, max_readme_tasks=max_readme_tasks,
        max_test_tasks=max_test_tasks, max_issue_tasks=max_issue_tasks, rev=rev,
    )  # fmt: skip
    if data is not None:
        _build_data(data, mirrors, only or [], set(step or ["tasks", "pairs"]), work, opts, excluded, force)
        return
    if out is None:
        raise ScoutError("give --out FILE for the tasks, or --data DIR for the committed data")
    sources = sources_from(git_dirs or [], name, manifest, mirrors)
    out.parent.mkdir(parents=True, exist_ok=True)
    total, failed = 0, []
    with out.open("a" if append else "w", encoding="utf-8") as sink:
        for source in sources:
            try:
                check_allowed(source.repo, excluded)
            except ScoutError as exc:
                typer.echo(f"{source.repo}: refused: {exc}", err=True)
                continue
            started = time.monotonic()
            try:  # a repository's tasks are written whole or not at all
                git_dir = resolve_git_dir(source.git_dir)
                tasks = list(
                    mine(git_dir, source.repo, replace(opts, rev=source.head or rev), excluded, source.split)
                )
            except Exception as exc:  # noqa: BLE001 - one broken repository must not end a long run
                log.debug("mining %s failed", source.repo, exc_info=True)
                failed.append(source.repo)
                typer.echo(f"{source.repo}: failed: {type(exc).__name__}: {exc}", err=True)
                continue
            for task in tasks:
                sink.write(json.dumps(task, ensure_ascii=False) + "\n")
            sink.flush()
            total += len(tasks)
            typer.echo(_summary(source.repo, tasks, time.monotonic() - started), err=True)
    typer.echo(f"wrote {total} tasks to {out}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    raise typer.Exit(0 if total and not failed else 1)


def _build_data(data_dir: Path, mirrors, only: list[str], steps: set[str], work: Path, opts, excluded, force):
    from scout.learn.build import build
    from scout.learn.data import DataDir
    from scout.learn.manifest import read_manifest

    logging.getLogger("scout.learn").setLevel(logging.INFO)
    unknown = steps - {"tasks", "pairs", "recordings"}
    if unknown:
        raise ScoutError(f"unknown --step {', '.join(sorted(unknown))}", hint="tasks, pairs or recordings")
    data = DataDir(data_dir)
    missing = set(only) - {r["repo"] for r in data.entries()}
    if missing:
        raise ScoutError(
            f"not in {data.manifest_path}: {', '.join(sorted(missing))}", hint="add it there first"
        )
    sources = read_manifest(data.manifest_path, mirrors, only=set(only))
    embedders = _recording_embedders(data, work) if "recordings" in steps else None
    failed = build(data, sources, steps, work, opts, excluded, force, embedders)
    typer.echo(f"{len(sources) - len(failed)} of {len(sources)} repositories done in {data_dir}", err=True)
    if failed:
        raise ScoutError(f"failed: {', '.join(failed)}")


def _recording_embedders(data, work: Path):
    """The embedder and its folds from the data's pairs (trained, or reused from `work`)."""
    from scout.learn.pipeline import Plan, embedders

    embedder, folds, _ = embedders(Plan(data.root, work), data, data.entries(), measure=False)
    return embedder, folds


def _summary(repo: str, tasks: list[dict], seconds: float) -> str:
    counts = Counter(t["source"] for t in tasks)
    split = tasks[0]["split"] if tasks else "-"
    parts = ", ".join(f"{counts[s]} {s}" for s in SOURCES)
    return f"{repo} ({split}): {parts} tasks in {seconds:.0f}s"
