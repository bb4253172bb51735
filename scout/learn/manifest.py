"""The training repositories: a JSON list of {"repo", "split", "head", ...} (data/repos.json).

An entry names its git directory with "git_dir", or the directory is found under a mirrors
folder laid out as `owner+name/repo` or `owner+name` (the layout `fetch` and `git clone --mirror`
into such names give), or in a mirrors map {"owner/name": "/path/to/git/dir"} (the benchmarks'
format).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scout.errors import ScoutError


@dataclass(frozen=True)
class Source:
    repo: str  # owner/name
    git_dir: Path
    split: str  # "train" or "dev"
    head: str = "HEAD"
    language: str = ""


def read_manifest(
    path: Path,
    mirrors: Path | None = None,
    splits: tuple[str, ...] = ("train", "dev"),
    only: set[str] | None = None,
) -> list[Source]:
    """The manifest's repositories (`only` these, when given) with their git directories found."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ScoutError(f"cannot read the repository manifest {path}: {exc}") from None
    out = []
    for row in rows:
        if row.get("split", "train") not in splits or (only and row["repo"] not in only):
            continue
        git_dir = Path(row["git_dir"]) if row.get("git_dir") else git_dir_for(row["repo"], mirrors)
        out.append(Source(row["repo"], git_dir, row.get("split", "train"), row.get("head", "HEAD"),
                          row.get("language", "")))  # fmt: skip
    return out


def git_dir_for(repo: str, mirrors: Path | None) -> Path:
    if mirrors is None:
        raise ScoutError(f"no git_dir for {repo} in the manifest", hint="pass --mirrors DIR or a mirrors map")
    if mirrors.is_file():
        found = json.loads(mirrors.read_text(encoding="utf-8")).get(repo)
        if found:
            return Path(found)
    flat = repo.replace("/", "+")
    for candidate in (mirrors / flat / "repo", mirrors / flat):
        if candidate.exists():
            return candidate
    raise ScoutError(f"no git directory for {repo} under {mirrors}", hint="fetch it, or fix --mirrors")
