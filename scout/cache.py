"""The index cache on disk: whose each index is, its size, when it was last used, and removing them.

Each index is `<cache>/index/<name>-<hash>.sqlite` (plus SQLite's `-wal` and `-shm` while in use,
and its term files `<index>.g<n>.rows|bags|pieces`).
Its tables belong to the index stage, and the hash cannot be turned back into a path, so scout
writes a sidecar `<index>.json` (`{"root": ..., "created": ...}`) whenever it opens an index and
touches it on every later open: its mtime, or a newer write to the index, is when the index was
last used. An index without a sidecar (made by an older scout) lists with an unknown repository.

Nothing here deletes a path that is not an index file (or its companions) directly inside the
cache's `index/` directory.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("scout.cache")

# what SQLite and scout keep beside an index
COMPANIONS = ("-wal", "-shm", ".json", ".writer", ".adapt", ".conventions")
BAG_FILES = ".g*"  # ... and the index's term files (`scout.index.bags`: <index>.g<generation>.<kind>)
MB = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    index: Path
    root: Path | None  # None: no sidecar says whose index this is
    created: float | None
    bytes: int  # the index with its -wal, -shm and sidecar
    last_used: float
    files: int | None  # None: the index could not be read (being rebuilt, or corrupt)
    adapted: float | None = None  # when `scout adapt` last wrote its adaptation; None: not adapted

    @property
    def exists(self) -> bool:
        """Whether the repository is still there (False when unknown)."""
        return self.root is not None and self.root.is_dir()

    def to_dict(self) -> dict:
        return {
            "root": str(self.root) if self.root else None,
            "index": str(self.index),
            "bytes": self.bytes,
            "files": self.files,
            "last_used": _iso(self.last_used),
            "created": _iso(self.created) if self.created else None,
            "exists": self.exists,
            "adapted": _iso(self.adapted) if self.adapted else None,
        }


def sidecar(index: Path) -> Path:
    return index.with_name(index.name + ".json")


def opened(index: Path, root: Path, max_mb: int | None = None) -> None:
    """Scout has just opened (and refreshed) `index` for `root`: record that, then keep the cache
    under `max_mb` by evicting the least recently used other indexes. Never fatal: a cache that
    cannot be tidied still answers."""
    try:
        record(index, root)
        if max_mb:
            enforce_cap(index.parent, max_mb * MB, keep=index)
    except OSError as exc:
        log.warning("cannot update the index cache in %s: %s", index.parent, exc)


def record(index: Path, root: Path) -> None:
    side = sidecar(index)
    try:
        if json.loads(side.read_text(encoding="utf-8")).get("root") == str(root):
            os.utime(side)  # last used: now
            return
    except (OSError, ValueError, AttributeError):
        pass  # missing, unreadable or not ours: write it afresh
    tmp = side.with_name(f"{side.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"root": str(root), "created": time.time()}) + "\n", encoding="utf-8")
    os.replace(tmp, side)  # atomic: a concurrent `scout cache list` never reads half a file


def entries(index_dir: Path) -> list[Entry]:
    """Every index in the directory, most recently used first."""
    if not index_dir.is_dir():
        return []
    found = [entry(p) for p in sorted(index_dir.glob("*.sqlite")) if p.is_file()]
    return sorted(found, key=lambda e: e.last_used, reverse=True)


def entry(index: Path) -> Entry:
    root, created = _read_sidecar(index)
    stats = {}
    for path in _files(index):
        try:
            stats[path.name] = path.stat()
        except OSError:
            continue  # not there (or just removed by another scout)
    # -shm is left out of "last used": a reader maps it, and that says nothing about use.
    used = [st.st_mtime for name, st in stats.items() if not name.endswith(("-shm", ".adapt"))] or [0.0]
    size = sum(st.st_size for st in stats.values())
    adapted = stats.get(index.name + ".adapt")
    return Entry(index, root, created, size, max(used), files_indexed(index), adapted and adapted.st_mtime)


def files_indexed(index: Path) -> int | None:
    """How many files the index holds, read without changing anything on disk."""
    # Read-only mode creates -wal/-shm when they are missing (and leaves them); immutable mode
    # creates nothing but would not see a -wal's unmerged pages, so it is only used without one.
    wal = index.with_name(index.name + "-wal").exists()
    uri = f"{index.as_uri()}?{'mode=ro' if wal else 'immutable=1'}"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM files").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def remove(index: Path) -> int:
    """Delete an index and its companions; the bytes freed. Refuses anything not shaped like one."""
    if index.suffix != ".sqlite" or index.parent.name != "index":
        raise ValueError(f"not an index file: {index}")
    freed = 0
    for path in _files(index):
        try:
            size = path.stat().st_size
            path.unlink()
            freed += size
        except FileNotFoundError:
            continue  # another scout removed it first
    return freed


def _files(index: Path) -> list[Path]:
    """The index file and everything that belongs to it."""
    return [
        index,
        *(index.with_name(index.name + s) for s in COMPANIONS),
        *index.parent.glob(index.name + BAG_FILES),
    ]


def enforce_cap(index_dir: Path, max_bytes: int, keep: Path) -> list[Entry]:
    """Evict least recently used indexes (never `keep`) until the cache fits in `max_bytes`."""
    present = entries(index_dir)
    total = sum(e.bytes for e in present)
    evicted = []
    for old in reversed(present):  # least recently used first
        if total <= max_bytes:
            break
        if old.index == keep:
            continue
        total -= remove(old.index)
        evicted.append(old)
        log.info("cache over %d MB: evicted %s (%s)", max_bytes // MB, old.index.name, old.root or "unknown")
    return evicted


def _read_sidecar(index: Path) -> tuple[Path | None, float | None]:
    try:
        data = json.loads(sidecar(index).read_text(encoding="utf-8"))
        return Path(data["root"]), float(data.get("created") or 0) or None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, None


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))
