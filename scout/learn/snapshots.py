"""One checkout and one scout index per training repository, at the manifest's head commit.

Candidate generation needs an index, and one checkout per task's parent commit would cost hours;
so tasks are answered on the newest snapshot, their gold mapped onto it by (path, qualified name)
(`gold_spans`), and those whose gold no longer exists there are dropped.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from scout import git
from scout.api import Workspace
from scout.config import Settings
from scout.errors import ScoutError
from scout.learn.manifest import Source

log = logging.getLogger("scout.learn")


def checkout(git_dir: Path, dest: Path, rev: str = "HEAD") -> str:
    """Materialise `rev` of a (bare) repository once; returns its commit."""
    sha = _git(git_dir, "rev-parse", rev).decode().strip()
    stamp = dest.parent / f"{dest.name}.commit"  # beside the tree: not indexed
    if not (stamp.is_file() and stamp.read_text() == sha):
        shutil.rmtree(dest, ignore_errors=True)
        materialise(git_dir, sha, dest)
        stamp.write_text(sha)
    return sha


def materialise(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Extract the tree of `commit` into `dest` (atomically); the paths left out because their
    blobs are missing from the git directory."""
    tmp = dest.with_name(f"{dest.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    missing = missing_blobs(git_dir, commit)
    excludes = [f":(exclude,literal){p}" for p in missing]
    tmp.mkdir(parents=True)
    archive = git.start(git_dir, "archive", commit, "--", ".", *excludes, bare=True, stderr=git.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", str(tmp)], stdin=archive.stdout, capture_output=True)
    archive.stdout.close()
    err = archive.stderr.read().decode("utf-8", "replace")
    archive.stderr.close()
    if archive.wait() != 0 or tar.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ScoutError(f"git archive {commit} failed: {err.strip() or tar.stderr.decode()[:200]}")
    tmp.rename(dest)
    if missing:
        log.warning(
            "%s: %d file(s) missing from the git dir, left out: %s", commit[:12], len(missing), missing[:3]
        )
    return missing


def missing_blobs(git_dir: Path, commit: str) -> list[str]:
    """Paths in `commit`'s tree whose blob is not in the object store (e.g. large files a mirror
    left out); `git archive` would fail on them."""
    listing = _git(git_dir, "ls-tree", "-r", "-z", commit).decode("utf-8", "replace")
    entries = []
    for item in filter(None, listing.split("\0")):
        meta, path = item.split("\t", 1)
        _, kind, sha = meta.split()
        if kind == "blob":
            entries.append((sha, path))
    check = _git(git_dir, "cat-file", "--batch-check", input="\n".join(s for s, _ in entries).encode())
    status = check.decode().splitlines()
    return [path for (_, path), line in zip(entries, status, strict=False) if line.endswith(" missing")]


def _git(git_dir: Path, *args: str, input: bytes | None = None) -> bytes:
    out = git.run(git_dir, *args, bare=True, input=input, timeout=600)
    if out.returncode != 0:
        raise ScoutError(
            f"git {args[0]} failed in {git_dir}: {out.stderr.decode('utf-8', 'replace').strip()[:200]}"
        )
    return out.stdout


def open_snapshot(source: Source, work: Path) -> Workspace:
    """The source's checkout with an up-to-date index (built on first use), under `work`."""
    root = work / "checkouts" / source.repo.replace("/", "+")
    checkout(source.git_dir, root, source.head)
    return Workspace.open(root, Settings(cache_dir=str(work / "cache")))


def gold_spans(ws: Workspace, task: dict) -> list[tuple[str, int, int]]:
    """The task's gold definitions as they stand in the snapshot: (path, start, end)."""
    spans = []
    for path, names in (task.get("gold_functions") or {}).items():
        defs = ws.index.outline(path)
        for name in names:
            spans += [(path, d.start_line, d.end_line) for d in defs if d.qualname == name][:1]
    return spans
