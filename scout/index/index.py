"""The persistent, incremental index: files, tree-sitter tags and lexical postings in one SQLite file.

It lives under the user's cache directory (SCOUT_CACHE_DIR overrides), one file per repository
root, never inside the repository. A file whose size or mtime changed is re-read; if its hash is
unchanged only its stat is refreshed. Parsed files are written `BATCH_FILES` at a time, each batch
one transaction: an interrupted run (Ctrl-C) keeps the batches it finished and loses at most one,
never half of one, and the next run parses only what is still missing. A corrupt or old-schema file
is rebuilt with a one-line warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.config import cache_root
from scout.errors import ScoutError
from scout.index import store, vectors
from scout.index.files import DEFAULT_MAX_FILE_BYTES, FileInfo, list_files, stat_file
from scout.index.freshness import GitState, changed_paths, git_state, settings_key
from scout.index.records import Definition, FileRecord, Reference
from scout.index.vectors import VectorCache
from scout.models import embedder as embedder_module
from scout.repo import Repo

log = logging.getLogger("scout.index")


class IndexBusyError(ScoutError):
    """Another process holds the index's write lock; its last complete state still answers."""


BUSY_WAIT_MS = 3000  # how long a query waits for another process's index update before answering
PARALLEL_THRESHOLD = 64  # below this many changed files, a process pool costs more than it saves
BATCH_FILES = 500  # parsed files per write transaction: what an interrupt can lose, at most
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class UpdateStats:
    files: int
    added: int
    changed: int
    removed: int
    seconds: float
    walked: bool = True  # False when git said what changed and the tree was not listed


def index_path(repo: Repo, cache_dir: Path | None = None) -> Path:
    digest = hashlib.sha1(str(repo.root).encode()).hexdigest()[:16]
    return (cache_dir or cache_root()) / "index" / f"{repo.root.name or 'root'}-{digest}.sqlite"


class Index:
    """Read access for the tools (see `store` for the queries) plus `update()`."""

    def __init__(
        self, repo: Repo, path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES, semantic: bool = True
    ) -> None:
        self.repo = repo
        self.path = path
        self.max_bytes = max_bytes
        self._local = threading.local()
        self._write_lock = threading.Lock()
        # None: no semantic vectors (turned off, or the weights are not installed)
        self.embedder = embedder_module.shipped() if semantic else None
        self._vectors = VectorCache()

    @classmethod
    def open(
        cls,
        repo: Repo,
        cache_dir: Path | None = None,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        semantic: bool = True,
    ) -> Index:
        path = index_path(repo, cache_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        store.ensure_schema(path)
        return cls(repo, path, max_bytes, semantic)

    @property
    def db(self) -> sqlite3.Connection:
        """One connection per thread: tools run in parallel threads."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store.connect(self.path)
            self._local.conn = conn
        return conn

    def update(self, progress: Progress | None = None, wait_ms: int = store.BUSY_MS) -> UpdateStats:
        """Bring the index in line with the files on disk; only changed files are re-read.

        Files are parsed outside the write lock, then written a batch per transaction; the last
        one records what git said (`freshness`), so a run cut short is walked in full next time.
        Another process holding the lock longer than `wait_ms` raises IndexBusyError and leaves
        this index as the other writer makes it."""
        started = time.perf_counter()
        with self._write_lock:
            known = store.file_stats(self.db)
            current, git, walked = self._listing(known)
            removed = [p for p in known if p not in current]
            stale = [f for p, f in current.items() if known.get(p, (None, None))[:2] != (f.size, f.mtime_ns)]
            # A touched file whose bytes did not change costs a hash, not a parse.
            touched = [f for f in stale if f.path in known and self._sha1(f.path) == known[f.path][2]]
            touched_paths = {f.path for f in touched}
            parse = [f for f in stale if f.path not in touched_paths]
            gone, added, changed = len(removed), 0, 0
            last = max(0, len(parse) - 1) // BATCH_FILES  # _analyze's batches: numbered 0..last
            with closing(self._analyze(parse, progress)) as batches:
                for number, records in enumerate(batches):
                    self._write(removed, records, touched, git if number == last else None, wait_ms)
                    removed, touched = [], []
                    added += sum(1 for r in records if r.path not in known)
                    changed += len(records)
            self._vectors.clear()
        return UpdateStats(len(current), added, changed - added, gone, time.perf_counter() - started, walked)

    def _write(
        self, removed: list[str], records: list[FileRecord], touched: list[FileInfo], git: GitState | None,
        wait_ms: int,
    ) -> None:  # fmt: skip
        """One transaction: files gone, files parsed, stats refreshed; `git` only with the last."""
        try:
            with store.writing(self.db, wait_ms):
                store.delete_files(self.db, removed + [r.path for r in records])
                ids = store.insert_records(self.db, records)
                self._embed(records, ids)
                store.refresh_stats(self.db, touched)
                store.set_meta(self.db, "updated_at", str(time.time()))
                store.set_meta(self.db, "git_state", git.to_json() if git else "")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise IndexBusyError(f"another scout process is updating the index {self.path.name}") from None

    def _listing(
        self, known: dict[str, tuple[int, int, str]]
    ) -> tuple[dict[str, FileInfo], GitState | None, bool]:
        """The files as they are now: from what git says changed when it can say (see
        `freshness`), else from a full walk."""
        state = git_state(self.repo, settings_key(self.max_bytes, self.repo))
        old = GitState.from_json(store.get_meta(self.db, "git_state"))
        paths = changed_paths(self.repo, old, state)
        if paths is None or any(p not in known and (self.repo.root / p).is_file() for p in paths):
            return {f.path: f for f in list_files(self.repo, self.max_bytes)}, state, True
        current = {p: FileInfo(p, size, mtime) for p, (size, mtime, _) in known.items()}
        for p in paths:
            info = stat_file(self.repo, p)
            if info is None or info.size > self.max_bytes:
                current.pop(p, None)
            else:
                current[p] = info
        return current, state, False

    def _embed(self, changed: list[FileRecord], ids: list[int]) -> None:
        """Vectors for the new chunks; all of them again when the embedder is not the one that
        made the stored vectors."""
        if self.embedder is None:
            store.set_meta(self.db, "embedder", "")  # whatever vectors remain: remade when turned on
            return
        if store.get_meta(self.db, "embedder") != self.embedder.digest:
            vectors.reembed(self.db, self.embedder)  # the new chunks included: they are stored
        else:
            vectors.embed_records(self.db, self.embedder, changed, ids)

    def _sha1(self, path: str) -> str | None:
        try:
            return hashlib.sha1((self.repo.root / path).read_bytes()).hexdigest()
        except OSError:
            return None

    def _analyze(self, stale: list[FileInfo], progress: Progress | None) -> Iterator[list[FileRecord]]:
        """The stale files parsed, a batch of BATCH_FILES at a time; at least one batch, maybe empty.
        Closing it early cancels the parses not yet started."""
        if not stale:
            yield []
            return
        from scout.index.analyze import analyze_args  # tree-sitter loads only when a file changed

        jobs = [(str(self.repo.root), f.path, f.size, f.mtime_ns) for f in stale]
        if progress:
            progress(0, len(jobs))
        if len(jobs) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
            yield from _batches(map(analyze_args, jobs), len(jobs), progress)
            return
        pool = ProcessPoolExecutor(max_workers=min(os.cpu_count() or 2, 8), initializer=_ignore_sigint)
        try:
            yield from _batches(pool.map(analyze_args, jobs, chunksize=32), len(jobs), progress)
        finally:  # on Ctrl-C: the workers' current chunks finish, the queued ones never start
            pool.shutdown(wait=True, cancel_futures=True)

    # --- reads: everything outside the index sees its tables through these ------------------

    def definitions(self, name: str, fuzzy: bool = False, limit: int = 50) -> list[Definition]:
        return store.definitions(self.db, name, fuzzy, limit)

    def references(self, name: str, limit: int = 100) -> list[Reference]:
        return store.references(self.db, name, limit)

    def references_within(self, path: str, start: int, end: int) -> list[Reference]:
        return store.references_within(self.db, path, start, end)

    def outline(self, path: str) -> list[Definition]:
        return store.outline(self.db, path)

    def enclosing(self, path: str, line: int) -> Definition | None:
        return store.enclosing(self.db, path, line)

    def file_hashes(self) -> dict[str, str]:
        """Path → content hash (sha1) of every indexed file."""
        return {path: sha1 for path, (_, _, sha1) in store.file_stats(self.db).items()}

    def paths(self) -> list[str]:
        return store.paths(self.db)

    def bm25(self, weights: dict[str, float], limit: int = 50, path: str | None = None) -> list[tuple]:
        return store.bm25(self.db, weights, limit, path)

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        return store.document_frequencies(self.db, terms)

    def chunk_id(self, path: str, start: int, end: int) -> int | None:
        """The chunk whose span is exactly path:start-end (a definition's), if any."""
        return store.chunk_id(self.db, path, start, end)

    def chunk_bags(self, ids: list[int] | None = None) -> dict[int, dict[str, int]]:
        """Chunk id → its terms with their counts (what its vector and its BM25 score are made of)."""
        return dict(store.chunk_bags(self.db, ids))

    def semantic(self, query: np.ndarray, limit: int = 30, path: str | None = None) -> list[tuple]:
        """Chunks nearest to a query vector: rows (path, start_line, end_line, symbol, kind, cosine),
        best first, optionally within one file."""
        if path is None:
            near = self._vectors.nearest(self.db, query, limit)
        else:
            near = self._vectors.among(self.db, query, store.chunk_ids_in(self.db, path))[:limit]
        info = store.chunks_by_id(self.db, [cid for cid, _ in near])
        return [(*info[cid], score) for cid, score in near if cid in info]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _batches(
    results: Iterable[FileRecord | None], total: int, progress: Progress | None
) -> Iterator[list[FileRecord]]:
    batch: list[FileRecord] = []
    for done, record in enumerate(results, 1):
        if record is not None:
            batch.append(record)
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)
        if done % BATCH_FILES == 0 or done == total:
            yield batch
            batch = []


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group; the parent alone decides what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def open_index(
    repo: Repo,
    cache_dir: Path | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    refresh: bool = True,
    progress: Progress | None = None,
    semantic: bool = True,
) -> Index:
    """Open (creating or repairing) the index for `repo` and, by default, bring it up to date. When
    another process is updating it, answer from its last complete state rather than wait long."""
    index = Index.open(repo, cache_dir, max_bytes, semantic)
    if refresh:
        try:
            index.update(progress, wait_ms=BUSY_WAIT_MS)
        except IndexBusyError as exc:
            if not index.paths():
                raise  # nothing to answer from yet: wait for the other process's build
            log.warning("%s; answering from its last complete update", exc)
    return index
