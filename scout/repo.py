"""The repository root and the rule every tool obeys: nothing outside it is read."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scout import git
from scout.errors import OutsideRepoError, RepoError, ScoutError

MAX_PATH = 4096  # Linux's PATH_MAX: a longer path names no file, and stat() raises instead of saying so
MAX_NAME = 255  # NAME_MAX, for each component


@dataclass(frozen=True)
class Repo:
    """A local directory that scout explores, read-only."""

    root: Path

    @classmethod
    def open(cls, path: str | Path) -> Repo:
        try:
            p = checked(path).expanduser()
            exists, is_dir = p.exists(), p.is_dir()
        except (OSError, ScoutError) as exc:
            raise RepoError(f"repository not found: {exc}") from None
        if not exists:
            raise RepoError(f"repository not found: {path}")
        if not is_dir:
            raise RepoError(f"repository is not a directory: {path}")
        return cls(p.resolve())

    def resolve(self, path: str | Path) -> Path:
        """Absolute path for a repo-relative (or absolute) path; refuse anything that escapes, and
        anything that is no path at all (a NUL byte, over PATH_MAX), so callers may stat it. A
        backslash separates directories on every platform (see `posix_path`)."""
        p = checked(posix_path(str(path)))
        full = (p if p.is_absolute() else self.root / p).resolve()
        if full != self.root and self.root not in full.parents:
            raise OutsideRepoError(f"path is outside the repository: {path}")
        return full

    def relative(self, path: str | Path) -> str:
        """Repo-relative POSIX path, after the same confinement check as `resolve`."""
        full = self.resolve(path)
        return full.relative_to(self.root).as_posix() or "."

    @cached_property
    def commit(self) -> str | None:
        """HEAD's commit when the root is a git work tree, else None."""
        try:
            out = git.run(self.root, "rev-parse", "--show-toplevel", "--verify", "-q", "HEAD", timeout=5)
        except ScoutError:
            return None  # no git, or one that hangs: a directory without a commit
        lines = out.stdout.decode("utf-8", "replace").split("\n")
        if out.returncode != 0 or len(lines) < 2 or len(lines[1]) != 40:
            return None
        # A directory nested inside someone else's checkout is not that checkout's commit.
        return lines[1] if Path(lines[0]).resolve() == self.root else None


def posix_path(path: str) -> str:
    """`path` with forward slashes and no leading `./`: how scout writes every repository path.

    A backslash is taken for a directory separator everywhere, not only on Windows, because the
    paths scout is handed come from other machines as often as from this one: a Windows CI log or
    tool output (`shop\\auth\\tokens.py`), a model's answer, a CODEOWNERS query. (A POSIX file name
    with a backslash in it cannot be checked out on Windows or named portably; scout gives it up.)
    """
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def checked(path: str | Path) -> Path:
    """`path` as a Path, or a ScoutError when the system could not even look it up: such a path
    comes from a model, a log or a client, and `Path.is_file()` raises on it instead of answering."""
    text = str(path)
    if "\x00" in text:
        raise ScoutError(f"not a path: {text[:80]!r} holds a NUL byte")
    if len(text) > MAX_PATH or any(len(part) > MAX_NAME for part in text.split("/")):
        raise ScoutError(f"not a path: {text[:60]!r}... is too long")
    return Path(path)
