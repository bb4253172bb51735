"""The repository root and the rule every tool obeys: nothing outside it is read."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scout.errors import OutsideRepoError, RepoError


@dataclass(frozen=True)
class Repo:
    """A local directory that scout explores, read-only."""

    root: Path

    @classmethod
    def open(cls, path: str | Path) -> Repo:
        p = Path(path).expanduser()
        if not p.exists():
            raise RepoError(f"repository not found: {path}")
        if not p.is_dir():
            raise RepoError(f"repository is not a directory: {path}")
        return cls(p.resolve())

    def resolve(self, path: str | Path) -> Path:
        """Absolute path for a repo-relative (or absolute) path; refuse anything that escapes.
        A backslash separates directories on every platform (see `posix_path`)."""
        p = Path(posix_path(str(path)))
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
            out = subprocess.run(
                ["git", "-C", str(self.root), "rev-parse", "--verify", "-q", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        sha = out.stdout.strip()
        toplevel_ok = out.returncode == 0 and len(sha) == 40
        return sha if toplevel_ok and self._is_git_root() else None

    def _is_git_root(self) -> bool:
        # A directory nested inside someone else's checkout is not that checkout's commit.
        out = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.returncode == 0 and Path(out.stdout.strip()).resolve() == self.root


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
