"""One checkout and one scout index per training repository, at the manifest's head commit.

Candidate generation needs an index, and one checkout per task's parent commit would cost hours;
so tasks are answered on the newest snapshot, their gold mapped onto it by (path, qualified name)
(`gold_spans`), and those whose gold no longer exists there are dropped.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from scout.api import Workspace
from scout.config import Settings
from scout.learn.manifest import Source

log = logging.getLogger("scout.learn")


def checkout(git_dir: Path, dest: Path, rev: str = "HEAD") -> str:
    """Materialise `rev` of a (bare) repository once; returns its commit."""
    sha = subprocess.run(
        ["git", f"--git-dir={git_dir}", "rev-parse", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    stamp = dest.parent / f"{dest.name}.commit"  # beside the tree: not indexed
    if not (stamp.is_file() and stamp.read_text() == sha):
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", f"--git-dir={git_dir}", "archive", sha], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
        archive.wait()
        stamp.write_text(sha)
    return sha


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
