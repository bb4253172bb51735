"""`scout adapt`: learn a repository's words and past changes from its history, kept beside its index."""

from __future__ import annotations

import atexit
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import command_app
from scout.commands.options import JsonOpt, RepoArg, RepoFlag, emit_json, pick_repo
from scout.config import load_settings
from scout.errors import ScoutError
from scout.repo import Repo

log = logging.getLogger("scout.adapt")
app = command_app()


@app.command(
    epilog="Example: scout adapt ~/src/django    scout adapt --clear    scout adapt --commits 1000 --json"
)
def adapt(
    repo_path: RepoArg = None,
    repo: RepoFlag = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the repository's adaptation.")] = False,
    commits: Annotated[int, typer.Option(min=1, help="Read at most this many of the newest commits.")] = 3000,
    rev: Annotated[str, typer.Option(help="Learn from the history up to this revision.")] = "HEAD",
    keep_data: Annotated[
        Path | None,
        typer.Option(help="Also write the mined questions here (tasks.jsonl); else none are kept."),
    ] = None,
    if_stale: Annotated[
        bool,
        typer.Option(
            "--if-stale", help="Do nothing when an adaptation for this HEAD and these weights exists."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Adapt scout to a repository: mine its history and HEAD (commit messages beside the code
    they changed, docstrings, test names) and learn which code its words mean, and which files
    past commits like a question changed, locally. How much of each to use is chosen on the
    newest commits, held out. The result (a few MB) sits beside the index and is used by every
    later ask; `--clear` removes it."""
    root = Repo.open(pick_repo(repo_path, repo))
    settings = load_settings(root.root)
    cache = Path(settings.cache_dir).expanduser() if settings.cache_dir else None
    from scout.index import index_path
    from scout.models.adaptation import path_for

    target = path_for(index_path(root, cache))
    if clear:
        _clear(root, target, as_json)
        return
    result = run(root, settings, cache, target, commits, rev, keep_data, if_stale)
    if as_json:
        emit_json(result)
    elif result.get("skipped"):
        typer.echo(f"{root.root} is already adapted to {result['head'][:12]} ({result['skipped']})")
    else:
        typer.echo(summary(root.root, result))


def run(root: Repo, settings, cache, target: Path, commits: int, rev: str, keep_data: Path | None,
        if_stale: bool) -> dict:  # fmt: skip
    """Index, mine, fit and save; the adaptation's description."""
    from scout.commands.progress import progress_bar
    from scout.index import open_index
    from scout.learn.adapt import AdaptOptions, adapt
    from scout.learn.gitlog import git, resolve_git_dir

    try:
        git_dir = resolve_git_dir(root.root)
        head = git(git_dir, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    except ScoutError:
        raise ScoutError(
            f"no git history at {root.root} (rev {rev})", hint="adaptation learns from commits"
        ) from None
    with progress_bar("indexing") as progress:
        index = open_index(root, cache, settings.max_file_bytes, refresh=True, progress=progress,
                           semantic=settings.semantic, vendored=settings.index_vendored)  # fmt: skip
    if index.embedder is None:
        raise ScoutError("adaptation needs the embedder weights", hint="reinstall scout-context")
    if if_stale and _fresh(target, head, index.embedder):
        return {"target": str(target), "head": head, "skipped": "fresh"}
    started = time.perf_counter()
    kept: list[dict] | None = [] if keep_data else None
    with _Steps() as step:
        found, report = adapt(index, git_dir, head, AdaptOptions(max_commits=commits, rev=head), step, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    found.save(target)
    if keep_data and kept is not None:
        _keep(keep_data, kept)
    return {
        "repo": str(root.root),
        "target": str(target),
        "bytes": target.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
        **found.meta,
    }


def summary(root: Path, r: dict) -> str:
    """One line: what was mined, what was kept, and what it did to the held-out commits."""
    kept = [f"{r['terms']:,} adapted words"] if r["terms"] else []
    if r.get("history"):
        kept.append(f"{r['history']:,} past commits voting at weight {r['history_weight']:g}")
    for c in r.get("conventions") or []:
        kept.append(f"{c['path']} as a lead of issues ({c['share']:.0%} of the changes edit it)")
    trials = r.get("trial_mrr") or {}
    gain, noise = r.get("trial_gain") or (0.0, 0.0)
    if trials and not kept:
        effect = (
            f"; on {r['trials']} held-out commits nothing beat the unadapted answers by twice the noise "
            f"(MRR {gain:+.3f} ± {noise:.3f}), so it changes nothing"
        )
    elif trials:
        shipped = trials["none 0 0"]
        effect = f"; held-out commits' MRR {shipped:.3f} → {shipped + gain:.3f} (± {noise:.3f})"
    else:
        effect = untested(r)
    return (
        f"adapted {root}: {r['examples']:,} examples from {r['tasks']:,} mined questions; kept "
        f"{' and '.join(kept) or 'nothing'}{effect} ({r['bytes'] / 1e6:.1f} MB, {r['seconds']:.0f} s)"
        f" → {r['target']}"
    )


def untested(r: dict) -> str:
    """Why nothing was checked against held-out commits: too few of them, or none at all."""
    from scout.learn.adapt import HISTORY_SOURCES

    if not any((r.get("sources") or {}).get(s) for s in HISTORY_SOURCES):
        return "; no commits to learn from (a shallow clone? `git fetch --unshallow`)"
    if r["terms"]:
        return "; too few commits to hold some out, so the words are kept untested"
    return ""


def _fresh(target: Path, head: str, embedder) -> bool:
    from scout.models.adaptation import Adaptation

    try:
        found = Adaptation.load(target)
    except ValueError:
        return False
    return found.meta.get("head") == head and found.fits(embedder)


def _keep(folder: Path, tasks: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "tasks.jsonl"
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    os.replace(tmp, out)


def _clear(root: Repo, target: Path, as_json: bool) -> None:
    existed = target.exists()
    target.unlink(missing_ok=True)
    if as_json:
        emit_json({"repo": str(root.root), "removed": existed, "target": str(target)})
    elif existed:
        typer.echo(f"removed the adaptation of {root.root}")
    else:
        typer.echo(f"scout: {root.root} has no adaptation", err=True)
    if not existed:
        raise typer.Exit(1)


class _Steps:
    """Progress of mining and fitting: a bar on a terminal, else a line per phase on stderr."""

    def __init__(self) -> None:
        self.phase, self.bar, self.task, self.tty = "", None, None, sys.stderr.isatty()
        self.started = time.perf_counter()

    def __enter__(self) -> _Steps:
        if self.tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), transient=True)  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("adapting", total=None)
        return self

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=phase, completed=done, total=total or None)
        elif phase != self.phase:
            print(f"scout: {phase}…", file=sys.stderr, flush=True)
        self.phase = phase

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
        if exc[0] is None and not self.tty:
            print(
                f"scout: adapted in {time.perf_counter() - self.started:.1f} s", file=sys.stderr, flush=True
            )


def adapt_in_background(repos: list[Path]) -> list[subprocess.Popen]:
    """`scout mcp --adapt`: each served repository adapted by a separate process at the lowest
    CPU priority (so only idle cores serve it, and no call waits on it), when its adaptation is
    missing or older than its HEAD or the weights. Its output goes to stderr only: stdout is the
    protocol's."""
    started = []
    for repo in repos:
        argv = [sys.executable, "-m", "scout", "adapt", str(repo), "--if-stale"]
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=None,
                preexec_fn=_lowest_priority if os.name == "posix" else None,
            )  # fmt: skip
        except OSError as exc:
            log.warning("cannot adapt %s in the background: %s", repo, exc)
            continue
        started.append(proc)
        atexit.register(_stop, proc)
    return started


def _lowest_priority() -> None:
    os.nice(19)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
