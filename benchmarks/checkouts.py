"""Checkouts of each task's base_commit, materialised once from a local git directory and reused.

Layout under the cache directory:

    checkouts/<owner>__<name>/<commit>/       the tree (`git archive | tar -x`, no .git)
    checkouts/<owner>__<name>/<commit>.json   written once the tree and its index are ready
    scout/                                    scout's cache_dir: one index per checkout
    locks/<commit>.lock                       one process prepares a commit at a time

Indexing hundreds of checkouts from scratch is slow, so a new checkout's index starts as a copy
of the ready index of the same repository nearest in commit date: `Index.update()` then re-hashes
every file but re-parses only those whose content differs.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from scout import git as scout_git
from scout.api import Workspace
from scout.config import load_settings
from scout.errors import ScoutError
from scout.index import conventions as changelogs
from scout.index import copy_index, index_path
from scout.learn.snapshots import materialise as extract
from scout.repo import Repo

log = logging.getLogger("benchmarks.checkouts")


class MissingRepo(Exception):
    """The task's repository (or its base commit) is not available locally."""


@dataclass(frozen=True)
class Prepared:
    workspace: Workspace
    seconds: float
    seeded_from: str | None  # commit whose index was copied, None when indexed from scratch
    skipped_files: list[str]  # blobs absent from the git directory (large files left out of a mirror)


def default_cache() -> Path:
    env = os.environ.get("SCOUT_BENCH_CACHE")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("scout-bench"))


def load_mirrors(path: Path | None) -> dict[str, Path]:
    """{owner/name: git dir} from --mirrors or SCOUT_BENCH_MIRRORS (a JSON object); {} if neither."""
    source = path or os.environ.get("SCOUT_BENCH_MIRRORS")
    if not source:
        return {}
    data = json.loads(Path(source).expanduser().read_text(encoding="utf-8"))
    return {repo: Path(d).expanduser() for repo, d in data.items()}


def git(git_dir: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    return scout_git.run(git_dir, *args, bare=True, input=input, timeout=120)


class Checkouts:
    def __init__(self, cache: Path, mirrors: dict[str, Path]) -> None:
        self.cache = cache
        self.mirrors = mirrors

    def prepare(self, repo: str, commit: str, subdir: str | None = None) -> Prepared:
        """The checkout of `repo` at `commit` with its index up to date; MissingRepo if unavailable.
        With `subdir`, the workspace (and its index) is that folder of the checkout alone."""
        git_dir = self.mirrors.get(repo)
        if git_dir is None or not git_dir.exists():
            raise MissingRepo(f"no git directory for {repo}")
        if git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
            raise MissingRepo(f"{repo} has no commit {commit}")
        started = time.perf_counter()
        with self._lock(commit):
            tree = self._tree_dir(repo, commit)
            marker = tree.with_suffix(".json")
            info = json.loads(marker.read_text()) if marker.exists() else None
            if info is None:
                skipped = [] if tree.exists() else materialise(git_dir, commit, tree)
                date = commit_date(git_dir, commit)
                seed = None if subdir else self._seed(repo, commit, date, tree)
                info = {"commit": commit, "date": date, "seeded_from": seed, "skipped_files": skipped}
            root = tree / subdir if subdir else tree
            if not root.is_dir():
                raise MissingRepo(f"{repo} at {commit} has no folder {subdir}")
            workspace = Workspace.open(root, settings=self.settings(root))
            as_a_clone(workspace, git_dir, commit)
            if not marker.exists():
                marker.write_text(json.dumps(info))
        return Prepared(workspace, time.perf_counter() - started, info["seeded_from"], info["skipped_files"])

    def settings(self, tree: Path):
        return load_settings(tree).merged(cache_dir=str(self.cache / "scout"))

    def _tree_dir(self, repo: str, commit: str) -> Path:
        return self.cache / "checkouts" / repo.replace("/", "__") / commit

    def _seed(self, repo: str, commit: str, date: int, tree: Path) -> str | None:
        """Copy the nearest ready index of the same repository into place; its commit, or None."""
        target = index_path(Repo.open(tree), self.cache / "scout")
        if target.exists():
            return None
        ready = []
        for marker in self._tree_dir(repo, commit).parent.glob("*.json"):
            info = json.loads(marker.read_text())
            source = index_path(Repo.open(marker.with_suffix("")), self.cache / "scout")
            if source.exists():
                ready.append((abs(info["date"] - date), info["commit"], source))
        if not ready:
            return None
        _, seed_commit, source = min(ready)
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_index(source, target)
        return seed_commit

    @contextmanager
    def _lock(self, commit: str) -> Iterator[None]:
        path = self.cache / "locks" / f"{commit}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def as_a_clone(workspace: Workspace, git_dir: Path, commit: str) -> None:
    """What a clone checked out at `commit` would tell scout that an exported tree cannot: its
    commit, and the conventions its history up to that commit holds (`scout.index.conventions`),
    learnt here from the git directory and kept where the ask looks for them."""
    workspace.repo.__dict__["commit"] = commit  # `Repo.commit` is a cached property
    index = workspace.index.path
    if changelogs.stored(index, commit) is None:
        history = changelogs.changed_files(git_dir, commit, changelogs.MAX_COMMITS)
        changelogs.keep(index, commit, changelogs.conventions(history))


def commit_date(git_dir: Path, commit: str) -> int:
    out = git(git_dir, "show", "-s", "--format=%ct", commit)
    return int(out.stdout.decode().strip() or 0)


def materialise(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """`scout.learn.snapshots.materialise`, its failure a MissingRepo for the harness."""
    try:
        return extract(git_dir, commit, dest)
    except ScoutError as exc:
        raise MissingRepo(str(exc)) from None
