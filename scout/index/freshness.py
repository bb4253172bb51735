"""What changed since the last update, asked of git instead of walking and stat-ing every file.

In a git work tree, `git status` answers from git's own stat cache: the files that differ from
HEAD or are untracked. Whatever was dirty at the last update or is dirty now, plus whatever
commits since then touched, is all that can have changed. When that set holds only files the
index already has (or had), those are checked and the rest of the tree is left alone; anything
new, a change of settings or ignore files, or no git at all means the full walk (`list_files`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from scout import git
from scout.errors import ScoutError
from scout.repo import Repo

GIT_TIMEOUT_S = 10
IGNORE_FILES = (".gitignore", ".ignore", ".scoutignore", ".rgignore")


@dataclass(frozen=True)
class GitState:
    head: str
    dirty: tuple[str, ...]  # paths `git status` lists (modified, deleted, untracked)
    settings: str  # what else decides the file set: a change means a full walk

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> GitState | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(data["head"], tuple(data["dirty"]), data["settings"])
        except (ValueError, KeyError, TypeError):
            return None


def git_state(repo: Repo, settings: str) -> GitState | None:
    """HEAD and the dirty paths of a repository that is a git work tree's root, else None."""
    top = _git(repo, "rev-parse", "--show-toplevel", "--verify", "-q", "HEAD")
    lines = top.split() if top else []
    if len(lines) != 2 or Path(lines[0]).resolve() != repo.root:
        return None  # not a work tree's root (a directory inside one is not its commit's)
    if (repo.root / ".gitmodules").is_file():
        return None  # scout.git keeps `status` out of submodules, so it cannot see their changes
    head = lines[1]
    out = _git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames")
    if out is None:
        return None
    dirty = tuple(sorted(entry[3:] for entry in out.split("\0") if len(entry) > 3))
    return GitState(head, dirty, settings)


def changed_paths(repo: Repo, old: GitState | None, new: GitState | None) -> set[str] | None:
    """Every path that can differ from the index made at `old`, or None when only a walk can tell."""
    if old is None or new is None or old.settings != new.settings:
        return None
    paths = set(old.dirty) | set(new.dirty)
    if old.head != new.head:
        out = _git(repo, "diff", "--name-only", "-z", "--no-renames", old.head, new.head)
        if out is None:
            return None
        paths |= {p for p in out.split("\0") if p}
    if any(p.rsplit("/", 1)[-1] in IGNORE_FILES for p in paths):
        return None  # which files count may have changed anywhere
    return paths


def settings_key(max_bytes: int, repo: Repo) -> str:
    scoutignore = repo.root / ".scoutignore"
    extra = scoutignore.read_bytes() if scoutignore.is_file() else b""
    return hashlib.sha1(f"{max_bytes}".encode() + extra).hexdigest()[:12]


def _git(repo: Repo, *args: str) -> str | None:
    try:
        out = git.run(repo.root, *args, timeout=GIT_TIMEOUT_S)
    except ScoutError:
        return None  # no git, or one past its timeout: the walk still answers
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None
