"""The stat half of a freshness check outside git, in the standard library alone.

Outside git an index is fresh while every directory and ignore file on its watch list, and every
indexed file, has the stat it had (`freshness`). In a monorepo that is ~100k `stat` calls, ~0.4 s
of one interpreter; a warm `scout ask` looks while it answers (`Workspace.open(overlap=True)`), and
in a thread those calls would take turns with the answer for the interpreter lock. So for a large
index the look runs as a child process, `python -I -S statcheck.py INDEX ROOT MAX_BYTES`, which
imports nothing but the standard library (~20 ms to start) and prints what it found as JSON.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

CHILD_TIMEOUT_S = 60

Stamp = tuple[int, int]  # (mtime_ns, size) of a watched directory or ignore file


def unchanged(root: str, watched: Iterable[tuple[str, Stamp]]) -> bool:
    """Whether there is a watch list and every directory and ignore file on it is as it was."""
    prefix = root + os.sep
    seen = False
    for rel, (mtime, size) in watched:
        try:
            st = os.stat(prefix + rel)
        except OSError:
            return False
        if st.st_mtime_ns != mtime or st.st_size != size:
            return False
        seen = True
    return seen


def stat_path(root: str, rel: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of a regular file of the repository, following a link only where it stays
    inside; None for anything else."""
    path = os.path.join(root, rel)
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            real = os.path.realpath(path)
            if not (real == root or real.startswith(root + os.sep)):
                return None  # a link that leaves the repository is never followed
            st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def stale(
    root: str, stamps: Iterable[tuple[str, int, int]], max_bytes: int
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Of files known by (path, size, mtime_ns): those whose stat differs now, as (path, size,
    mtime_ns), and those gone (or grown past `max_bytes`). One `lstat` a plain file, nothing
    made for an unchanged one: this is the loop a warm query outside git runs."""
    prefix = root + os.sep
    changed, gone = [], []
    for rel, size, mtime in stamps:
        try:
            st = os.lstat(prefix + rel)
        except OSError:
            gone.append(rel)
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size == size and st.st_mtime_ns == mtime:
            continue
        now = (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else stat_path(root, rel)
        if now is None or now[0] > max_bytes:
            gone.append(rel)
        elif now != (size, mtime):
            changed.append((rel, *now))  # a link whose target is unchanged is not
    return changed, gone


def look(conn: sqlite3.Connection, root: str, max_bytes: int) -> dict:
    """What a look at the tree found: {"watched": False} when a watched directory or ignore file
    changed (only a walk can tell what), else the indexed files changed and gone."""
    watched = ((p, (m, s)) for p, m, s in conn.execute("SELECT path, mtime_ns, size FROM watch"))
    if not unchanged(root, watched):
        return {"watched": False}
    changed, gone = stale(root, conn.execute("SELECT path, size, mtime_ns FROM files"), max_bytes)
    return {"watched": True, "changed": changed, "gone": gone}


def look_in_child(index: Path, root: str, max_bytes: int) -> dict | None:
    """`look`, run by a child interpreter; None when it could not say (the caller looks itself)."""
    args = [sys.executable, "-I", "-S", __file__, str(index), root, str(max_bytes)]
    try:
        out = subprocess.run(args, capture_output=True, timeout=CHILD_TIMEOUT_S, check=True)
        found = json.loads(out.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return found if isinstance(found, dict) and "watched" in found else None


def main(argv: list[str]) -> int:
    index, root, max_bytes = argv
    conn = sqlite3.connect(index, timeout=10)
    try:
        found = look(conn, root, int(max_bytes))
    finally:
        conn.close()
    sys.stdout.write(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
