"""What changed since the last update, asked of git or of directory mtimes instead of a walk.

In a git work tree, `git status` answers from git's own stat cache: the files that differ from
HEAD or are untracked. Whatever was dirty at the last update or is dirty now, plus whatever
commits since then touched, is all that can have changed. When that set holds only files the
index already has (or had), those are checked and the rest of the tree is left alone; anything
new, a change of settings or ignore files means the full walk (`list_files`).

Outside git, a walk records what the file set depends on (`watch`): the mtime of every directory
that holds a listed file and of its subdirectories (adding, removing or renaming an entry changes
its directory's mtime), and the ignore files in them. While none of those changed, the indexed
files are the files, and only their own stats are checked: no `rg --files`, no listing. Those
stat loops are `statcheck`'s, which a warm ask on a large tree runs in a child process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass

from scout import git
from scout.errors import ScoutError
from scout.repo import Repo

GIT_TIMEOUT_S = 10
IGNORE_FILES = (".gitignore", ".ignore", ".scoutignore", ".rgignore")
# `git status --porcelain=v2` entries: how many fields come before the path ("1" changed, "u"
# unmerged, "?" untracked; "2", renames, never comes with --no-renames)
V2_FIELDS = {"1": 7, "u": 9, "?": 0}


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
    """HEAD and the dirty paths of a repository that is a git work tree's root, else None. One
    `git status` says both (porcelain v2's branch header carries HEAD)."""
    if not (repo.root / ".git").exists():
        return None  # not a work tree's root (a directory inside one is not its commit's)
    if (repo.root / ".gitmodules").is_file():
        return None  # scout.git keeps `status` out of submodules, so it cannot see their changes
    out = _git(repo, "status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all", "--no-renames")
    if out is None:
        return None
    head, dirty = None, []
    for entry in out.split("\0"):
        kind, _, rest = entry.partition(" ")
        if kind == "#" and rest.startswith("branch.oid "):
            head = rest.split(" ", 1)[1]
        elif kind in V2_FIELDS:
            dirty.append(rest.split(" ", V2_FIELDS[kind])[-1])
    if head is None or head == "(initial)":
        return None  # no commit yet: nothing to compare the next state with
    return GitState(head, tuple(sorted(dirty)), settings)


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


def watch(repo: Repo, listed: list[str], since_ns: int) -> dict[str, tuple[int, int]]:
    """Path → (mtime_ns, size) of what decides which files a walk lists: every directory holding
    a listed file, its subdirectories (a new file in a directory that held none), and the ignore
    files among them. Hidden directories are never listed, so they are left out. One changed
    since `since_ns` (when the walk began) may have changed after the walk saw it: it is recorded
    as changed, so the next update walks again."""
    held = {""}
    for rel in listed:
        parent = rel.rpartition("/")[0]
        while parent not in held:
            held.add(parent)
            parent = parent.rpartition("/")[0]
    out: dict[str, tuple[int, int]] = {}
    for rel in held:
        try:
            with os.scandir(os.path.join(repo.root, rel)) as entries:
                for entry in entries:
                    child = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.name in IGNORE_FILES or (
                        entry.is_dir(follow_symlinks=False) and entry.name[0] != "."
                    ):
                        out[child] = _stamp(entry.stat(follow_symlinks=False), since_ns)
            out[rel] = _stamp(os.stat(os.path.join(repo.root, rel)), since_ns)
        except OSError:
            continue  # gone while we looked: the next update sees its parent changed
    return out


def _stamp(st: os.stat_result, since_ns: int | None = None) -> tuple[int, int]:
    if since_ns is not None and st.st_mtime_ns >= since_ns:
        return -1, -1  # never equal to a real stamp
    return st.st_mtime_ns, st.st_size
