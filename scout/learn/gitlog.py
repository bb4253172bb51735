"""Read-only git plumbing for mining: a commit log with its diffs, streamed, and blobs by name.

Works on bare git directories (what `fetch` returns) as well as work trees. One `git log -p`
process streams every commit; one `git cat-file --batch` process serves every blob, so mining a
repository with thousands of commits costs two subprocesses, not thousands.
"""

from __future__ import annotations

import logging
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scout import git as gitrun
from scout.errors import RepoError, ScoutError

log = logging.getLogger("scout.learn")
RECORD = gitrun.RECORD  # starts a commit's header line in our --format
FIELD = "\x1f"
LOG_FORMAT = f"{RECORD}%H %P{FIELD}%ct{FIELD}%an{FIELD}%B{FIELD}"
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Hunk:
    old_start: int
    old_len: int
    changed: list[int] = field(default_factory=list)  # pre-image lines removed, or inserted after
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def old_range(self) -> tuple[int, int]:
        """The hunk's pre-image lines (with their context), 1-based inclusive."""
        start = max(1, self.old_start)
        return start, max(start, self.old_start + self.old_len - 1)


@dataclass
class FileDiff:
    path: str  # pre-image path
    new_path: str
    status: str = "M"  # A added, D deleted, M modified, B binary
    hunks: list[Hunk] = field(default_factory=list)


@dataclass
class Commit:
    sha: str
    parents: list[str]
    time: int
    author: str
    message: str
    files: list[FileDiff] = field(default_factory=list)
    diff_lines: int = 0  # raw diff length, to skip huge commits cheaply
    diff: str = ""

    @property
    def parent(self) -> str | None:
        return self.parents[0] if len(self.parents) == 1 else None


def git(git_dir: Path, *args: str, timeout: float = 120) -> str:
    return gitrun.output(git_dir, *args, bare=True, timeout=timeout)


def resolve_git_dir(path: str | Path) -> Path:
    """A bare repository's directory, or a work tree's `.git`, as an absolute path."""
    p = Path(path).expanduser().resolve()
    try:
        out = gitrun.output(p, "rev-parse", "--git-dir")
    except ScoutError:
        raise RepoError(f"not a git repository: {path}") from None
    found = Path(out.strip())
    return found if found.is_absolute() else (p / found).resolve()


def commits(
    git_dir: Path, rev: str = "HEAD", max_count: int = 5000, max_diff_lines: int = 3000
) -> Iterator[Commit]:
    """Non-merge commits reachable from `rev`, newest first, each with its parsed diff."""
    args = ["log", "--no-merges", "--no-renames", "--no-color",
            "-p", "-U3", f"--format={LOG_FORMAT}", f"--max-count={max_count}", rev, "--"]  # fmt: skip
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nobody reads it until git is done
        proc = gitrun.start(git_dir, *args, bare=True, stderr=errors.fileno())
        read = 0
        try:
            block: list[str] = []
            for raw in proc.stdout:  # type: ignore[union-attr]
                line = raw.decode("utf-8", "replace").rstrip("\n")
                if line.startswith(RECORD) and block:
                    read += 1
                    yield _parse(block, max_diff_lines)
                    block = []
                block.append(line)
            if block:
                read += 1
                yield _parse(block, max_diff_lines)
            _stopped_early(proc, errors, read)
        finally:
            gitrun.stop(proc)
            proc.stdout.close()  # type: ignore[union-attr]


def _stopped_early(proc, errors, read: int) -> None:
    """Say so when `git log` died before the end of the history: a clone missing objects (a
    partial clone offline, a damaged one) would otherwise look like a short history."""
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return
    if code != 0:
        errors.seek(0)
        said = errors.read(4096).decode("utf-8", "replace").strip().splitlines()
        log.warning("git log stopped after %d commits: %s", read, said[0] if said else f"exit {code}")


def _parse(block: list[str], max_diff_lines: int) -> Commit:
    text = "\n".join(block)
    head, _, rest = text.partition(FIELD)
    when, author, rest = rest.split(FIELD, 2)
    message, _, diff = rest.partition(FIELD)
    shas = head.lstrip(RECORD).split()
    diff_lines = diff.splitlines()
    commit = Commit(shas[0], shas[1:], int(when or 0), author, message.strip(), diff_lines=len(diff_lines))
    if len(diff_lines) <= max_diff_lines:
        commit.files = parse_diff(diff_lines)
        commit.diff = diff.strip("\n")
    return commit


def parse_diff(lines: list[str]) -> list[FileDiff]:
    """Files and hunks of a unified diff (`git diff --no-renames -U3` output)."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    hunk: Hunk | None = None
    old_line = 0
    for line in lines:
        if line.startswith("diff --git "):
            current, hunk = None, None
        elif line.startswith("--- ") and hunk is None:
            path = line[4:]
            current = FileDiff(path[2:] if path.startswith("a/") else "", "")
            files.append(current)
        elif line.startswith("+++ ") and current is not None and hunk is None:
            new = line[4:]
            current.new_path = new[2:] if new.startswith("b/") else ""
            current.status = "A" if not current.path else "D" if not current.new_path else "M"
        elif (m := HUNK.match(line)) and current is not None:
            hunk = Hunk(int(m[1]), int(m[2]) if m[2] is not None else 1)
            current.hunks.append(hunk)
            old_line = hunk.old_start
        elif hunk is not None and line[:1] in (" ", "-", "+"):
            old_line = _hunk_line(hunk, line, old_line)
    return files


def _hunk_line(hunk: Hunk, line: str, old_line: int) -> int:
    if line.startswith("-"):
        hunk.removed.append(line[1:])
        hunk.changed.append(old_line)
        return old_line + 1
    if line.startswith("+"):
        hunk.added.append(line[1:])
        hunk.changed.append(max(1, old_line - 1))  # an insertion belongs to the line above it
        return old_line
    return old_line + 1


class Blobs:
    """File contents at any revision, through one long-lived `git cat-file --batch`."""

    def __init__(self, git_dir: Path) -> None:
        self.proc = gitrun.start(git_dir, "cat-file", "--batch", bare=True, stdin=gitrun.PIPE)

    def read(self, rev: str, path: str) -> bytes | None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{rev}:{path}\n".encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) != 3:  # "<name> missing"
            return None
        data = self.proc.stdout.read(int(header[2]) + 1)
        return data[:-1] if header[1] == b"blob" else None

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
