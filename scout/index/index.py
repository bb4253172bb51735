"""The persistent, incremental index: files, tree-sitter tags and chunks in one SQLite file, the
chunks' terms in flat files beside it (`bags`).

It lives under the user's cache directory (SCOUT_CACHE_DIR overrides), one index per repository
root, never inside the repository. A file whose size or mtime changed is re-read; if its hash is
unchanged only its stat is refreshed; when nothing changed nothing is written. Parsed files are
written `BATCH_FILES` at a time, each batch one transaction: an interrupted run (Ctrl-C) keeps the
batches it finished and loses at most one, never half of one, and the next run parses only what
is still missing. A changed file costs its own rows: its old chunks become dead records in the
bag files, its new ones are appended. A corrupt or old-schema index is rebuilt with a one-line
warning.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # Windows: SQLite's lock alone (one writer per batch)
    fcntl = None  # type: ignore[assignment]

from scout.config import cache_root
from scout.errors import ScoutError
from scout.index import bags, bm25, statcheck, store, terms, vectors
from scout.index.files import (
    DEFAULT_MAX_FILE_BYTES,
    FileInfo,
    chunking_key,
    generated_or_vendored,
    list_files,
    stat_file,
    stat_files,
)
from scout.index.freshness import GitState, changed_paths, git_state, settings_key, watch
from scout.index.parsing import Progress, parse
from scout.index.records import Definition, FileRecord, Reference
from scout.models import adaptation
from scout.models import embedder as embedder_module
from scout.repo import Repo

log = logging.getLogger("scout.index")


@contextmanager
def _one_writer(path: Path, wait_ms: int):
    """One process at a time updates an index, from reading what changed to removing the term
    files a compaction left: SQLite's write lock covers each batch, not the term files' appends
    and removals between them, and two updates interleaving there lost committed rows."""
    if fcntl is None:
        yield
        return
    with open(path.with_name(f"{path.name}.writer"), "a") as handle:
        deadline = time.monotonic() + wait_ms / 1000
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusyError(f"another scout process is updating the index {path.name}") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class IndexBusyError(ScoutError):
    """Another process holds the index's write lock; its last complete state still answers."""


# From this many files a look at the tree beside an answer runs in a child process: below it the
# child's start (~20 ms) costs more than the stats it takes off the answer's interpreter.
CHILD_LOOK_FILES = 20_000
PACK_MIN_FILES = 1000  # an update that writes this many files, and half the index, repacks it
BUSY_WAIT_MS = 3000  # how long a query waits for another process's index update before answering
BATCH_FILES = 500  # parsed files per write transaction: what an interrupt can lose, at most
DEAD_SLACK = 64  # rows ranked beyond the limit, so that a few deleted chunks do not shorten a list
_SHIPPED = object()  # the embedder is the package's own, loaded when first needed


@dataclass(frozen=True)
class UpdateStats:
    files: int
    added: int
    changed: int
    removed: int
    seconds: float
    walked: bool = True  # False when git (or the directories' mtimes) said what changed
    unsearched: int = 0  # of `files`, the binary, minified and oversized ones: listed, never searched


@dataclass
class _Changes:
    """What an update has to do, and what to record with its last batch."""

    known: dict[str, tuple[int, int, str]]  # what the index has of the files concerned
    removed: list[str]
    parse: list[FileInfo]
    touched: list[FileInfo]  # stat changed, bytes did not
    meta: dict[str, str] = field(default_factory=dict)  # meta to write with the last batch
    watch: dict[str, tuple[int, int]] | None = None  # the walk's watch list (None: keep the old)
    walked: bool = True

    @property
    def files_changed(self) -> bool:
        return bool(self.removed or self.parse or self.touched)


def index_path(repo: Repo, cache_dir: Path | None = None) -> Path:
    digest = hashlib.sha1(str(repo.root).encode()).hexdigest()[:16]
    return (cache_dir or cache_root()) / "index" / f"{repo.root.name or 'root'}-{digest}.sqlite"


class Index:
    """Read access for the tools (see `store` for the queries) plus `update()`."""

    def __init__(
        self,
        repo: Repo,
        path: Path,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        semantic: bool = True,
        vendored: bool = False,
    ) -> None:
        self.repo = repo
        self.path = path
        self.max_bytes = max_bytes
        self.vendored = vendored  # chunk generated HTML and vendored trees too
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._embedder: object = _SHIPPED if semantic else None
        self._shipped = semantic  # the embedder is the package's own (not one set by training)
        self._view_lock = threading.Lock()
        self._view: tuple[str | None, bags.View] | None = None

    @classmethod
    def open(
        cls,
        repo: Repo,
        cache_dir: Path | None = None,
        max_bytes: int = DEFAULT_MAX_FILE_BYTES,
        semantic: bool = True,
        vendored: bool = False,
    ) -> Index:
        path = index_path(repo, cache_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        store.ensure_schema(path)
        return cls(repo, path, max_bytes, semantic, vendored)

    @property
    def db(self) -> sqlite3.Connection:
        """One connection per thread: tools run in parallel threads."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store.connect(self.path)
            self._local.conn = conn
        return conn

    @property
    def embedder(self) -> embedder_module.Embedder | None:
        """What reads terms as meaning: the package's weights (loaded on first use), None when
        semantic search is off or the weights are not installed, or whatever was set here."""
        if self._embedder is _SHIPPED:
            self._embedder = embedder_module.shipped()
        return self._embedder  # type: ignore[return-value]

    @embedder.setter
    def embedder(self, value: embedder_module.Embedder | None) -> None:
        self._embedder = value
        self._shipped = False

    def embed_query(self, counts: Mapping[str, int]) -> np.ndarray:
        """A query's unit vector: the embedder's, through this repository's adaptation (`scout
        adapt`) when one is beside the index and fits the weights; zeros without an embedder."""
        embedder = self.embedder
        if embedder is None:
            return np.zeros(0, dtype=np.float32)
        if self._digest() == store.get_meta(self.db, "embedder"):
            embedder.known(self._term_rows(counts))
        return adaptation.query_vector(embedder, self.path, counts)

    def _term_rows(self, counts: Mapping[str, int]) -> dict[str, tuple[tuple[int, ...], float]]:
        """The embedder rows (and each one's share) of the terms this index holds, from its pieces:
        what `Embedder.rows` would find, without reading the embedder's vocabulary."""
        pieces = self.view().pieces
        out = {}
        for term, i in store.term_ids(self.db, counts).items():
            if i >= len(pieces):  # added by a write after this view was mapped: the embedder knows it
                continue
            rows = tuple(int(r) for r in pieces[i] if r >= 0)
            out[term] = (rows, 1.0 / len(rows) if rows else 0.0)
        return out

    # --- updates ------------------------------------------------------------------------------

    def update(self, progress: Progress | None = None, wait_ms: int = store.BUSY_MS) -> UpdateStats:
        """Bring the index in line with the files on disk; only changed files are re-read.

        Files are parsed outside the write lock, then written a batch per transaction; the last
        one records what git (or the walk) said (`freshness`), so a run cut short is walked in
        full next time. Another process holding the lock longer than `wait_ms` raises
        IndexBusyError and leaves this index as the other writer makes it."""
        started = time.perf_counter()
        with self._write_lock, _one_writer(self.path, wait_ms):
            todo = self._changes()
            digest = self._digest()
            if not todo.files_changed and not self._meta_differs(todo, digest):
                files, unsearched = self._counts()
                return UpdateStats(files, 0, 0, 0, time.perf_counter() - started, todo.walked, unsearched)
            added = changed = 0
            last = max(0, len(todo.parse) - 1) // BATCH_FILES  # _analyze's batches: numbered 0..last
            removed, touched = todo.removed, todo.touched
            parsed = parse(str(self.repo.root), todo.parse, self.vendored, progress, BATCH_FILES)
            with closing(parsed) as batches:
                for number, records in enumerate(batches):
                    self._write(removed, records, touched, todo if number == last else None, digest, wait_ms)
                    removed, touched = [], []
                    added += sum(1 for r in records if r.path not in todo.known)
                    changed += len(records)
            self._maintain(digest, wait_ms)
            files, unsearched = self._counts()
            if changed >= PACK_MIN_FILES and changed >= files / 2:
                store.pack(self.db)  # most of the index was written just now, in no order
        seconds = time.perf_counter() - started
        return UpdateStats(files, added, changed - added, len(todo.removed), seconds, todo.walked, unsearched)

    def complete(self) -> bool:
        """Whether an update has finished here: its last batch records what git or the walk said,
        every earlier one (and a build cut short) leaves both blank."""
        return bool(store.get_meta(self.db, "git_state") or store.get_meta(self.db, "watch_settings"))

    def pending(self) -> bool:
        """Whether `update()` would write anything: its look at the tree, read-only and without
        the write lock, so that a query can run it beside its answer (`Workspace.ask`)."""
        todo = self._changes(apart=True)
        return todo.files_changed or self._meta_differs(todo, self._digest())

    def _changes(self, apart: bool = False) -> _Changes:
        """The files as they are now, against the index: from what git says changed when it can
        say, else from the indexed files' own stats while no watched directory changed, else
        from a full walk. `apart`: this process has other work meanwhile, so a large index's
        stats are looked at by a child process."""
        settings = settings_key(self.max_bytes, self.repo)
        meta = {"chunking": chunking_key(self.vendored)}
        state = git_state(self.repo, settings)
        if state is not None:
            meta["git_state"] = state.to_json()
            old = GitState.from_json(store.get_meta(self.db, "git_state"))
            paths = changed_paths(self.repo, old, state)
            if paths is not None:
                known = store.file_stats(self.db, paths)
                if not any(p not in known and (self.repo.root / p).is_file() for p in paths):
                    current = stat_files(self.repo, paths, self.max_bytes)
                    return self._against(known, current, meta, None, walked=False)
            return self._walk(meta, with_watch=False)
        meta["git_state"] = ""
        meta["watch_settings"] = settings
        if store.get_meta(self.db, "watch_settings") == settings:
            found = self._look(apart)
            if found["watched"]:
                changed = [FileInfo(*row) for row in found["changed"]]
                known = store.file_stats(self.db, [f.path for f in changed] + found["gone"])
                return self._against(known, {f.path: f for f in changed}, meta, None, walked=False)
        return self._walk(meta, with_watch=True)

    def _look(self, apart: bool) -> dict:
        """`statcheck.look` at the tree, in a child process when `apart` and the index is large."""
        root = str(self.repo.root)
        if apart and self._files() >= CHILD_LOOK_FILES:
            found = statcheck.look_in_child(self.path, root, self.max_bytes)
            if found is not None:
                return found
        return statcheck.look(self.db, root, self.max_bytes)

    def _files(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]

    def _walk(self, meta: dict[str, str], with_watch: bool) -> _Changes:
        since = time.time_ns()
        listed = list_files(self.repo, self.max_bytes)
        current = {f.path: f for f in listed}
        watched = watch(self.repo, list(current), since) if with_watch else {}
        return self._against(store.file_stats(self.db), current, meta, watched, walked=True)

    def _stat(self, path: str) -> FileInfo | None:
        info = stat_file(self.repo, path)
        return info if info is not None and info.size <= self.max_bytes else None

    def _against(
        self, known: dict[str, tuple[int, int, str]], current: dict[str, FileInfo], meta: dict[str, str],
        watched: dict[str, tuple[int, int]] | None, walked: bool,
    ) -> _Changes:  # fmt: skip
        """What to do to bring `known` (the index's rows for these paths) to `current`."""
        removed = [p for p in known if p not in current]
        stale = [f for p, f in current.items() if known.get(p, (None, None))[:2] != (f.size, f.mtime_ns)]
        # A touched file whose bytes did not change costs a hash, not a parse.
        touched = [f for f in stale if f.path in known and self._sha1(f.path) == known[f.path][2]]
        touched_paths = {f.path for f in touched}
        parse = [f for f in stale if f.path not in touched_paths]
        if store.get_meta(self.db, "chunking") != meta["chunking"]:
            parse += self._rechunked(known, {f.path for f in parse})
        return _Changes(known, removed, parse, touched, meta, watched, walked)

    def _rechunked(self, known: dict[str, tuple[int, int, str]], parsing: set[str]) -> list[FileInfo]:
        """The setting that keeps generated HTML and vendored files out of the chunks changed:
        every such file is read again (and `known` learns of it)."""
        everything = store.file_stats(self.db)
        redo = []
        for path, stats in everything.items():
            if path in parsing or not generated_or_vendored(path) or (info := self._stat(path)) is None:
                continue
            known[path] = stats
            redo.append(info)
        return redo

    def _meta_differs(self, todo: _Changes, digest: str) -> bool:
        """Whether anything besides the files needs writing: git's state, the watch list, the
        chunking setting, the embedder."""
        if todo.watch is not None and todo.watch != store.watched(self.db):
            return True
        meta = todo.meta | self._embedder_meta(digest)
        return any(store.get_meta(self.db, k) != v for k, v in meta.items())

    def _embedder_meta(self, digest: str) -> dict[str, str]:
        """What says which embedder made the pieces and norms (and, for the package's own, the
        file it was read from, so that an unchanged file is not hashed again)."""
        stamp = embedder_module.file_stamp() if self._shipped and digest else None
        return {"embedder": digest, "embedder_file": stamp or ""}

    def _write(
        self, removed: list[str], records: list[FileRecord], touched: list[FileInfo], last: _Changes | None,
        digest: str, wait_ms: int,
    ) -> None:  # fmt: skip
        """One transaction: files gone, files parsed, stats refreshed; what git or the walk said
        only with the last batch (until then, the index says a walk is needed)."""
        try:
            with store.writing(self.db, wait_ms):
                state = self._state()
                meta = last.meta if last else {"git_state": "", "watch_settings": ""}
                if state.rows == 0 or store.get_meta(self.db, "embedder") == digest:
                    meta = meta | self._embedder_meta(digest)  # what is written is made with it
                dead = store.delete_files(self.db, removed + [r.path for r in records])
                state = terms.forget(self.db, self.path, state, dead)
                state = terms.add(self.db, self.path, state, records, self.embedder)
                store.set_meta(self.db, "bags", state.to_json())
                store.refresh_stats(self.db, touched)
                if removed or records or touched:
                    store.set_meta(self.db, "updated_at", str(time.time()))
                for key, value in meta.items():
                    store.set_meta(self.db, key, value)
                if last is None or last.watch is not None:
                    store.set_watched(self.db, last.watch if last else {})
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise IndexBusyError(f"another scout process is updating the index {self.path.name}") from None

    def _state(self) -> bags.State:
        return bags.State.from_json(store.get_meta(self.db, "bags"))

    def _digest(self) -> str:
        """Which embedder made (or would make) the pieces and norms; "" for none. The package's
        own weights are hashed only when their file changed since the index last said, loaded or
        not: a query asks (`embed_query`), and hashing the 19 MB file cost a one-off ask ~90 ms."""
        if self._shipped:
            stamp = embedder_module.file_stamp()
            if stamp is None:
                return ""
            if stamp == store.get_meta(self.db, "embedder_file"):
                return store.get_meta(self.db, "embedder") or ""
        embedder = self.embedder
        return embedder.digest if embedder is not None else ""

    def _maintain(self, digest: str, wait_ms: int) -> None:
        """Remake pieces and norms for another embedder, or drop dead records once they are many:
        both write the next generation of the bag files from the live chunks."""
        if store.get_meta(self.db, "embedder") == digest and not self._state().needs_compacting:
            return
        with store.writing(self.db, wait_ms):
            state = self._state()
            reembed = store.get_meta(self.db, "embedder") != digest
            state = terms.rewrite(self.db, self.path, state, self.embedder, reembed)
            store.set_meta(self.db, "bags", state.to_json())
            for key, value in self._embedder_meta(digest).items():
                store.set_meta(self.db, key, value)
        for stale in bags.older_files(self.path, state.gen):  # outside the lock: never a newer one
            stale.unlink(missing_ok=True)

    def _counts(self) -> tuple[int, int]:
        """How many files the index lists, and how many of them it never searches (binary,
        minified, oversized), in one pass over the files."""
        row = self.db.execute("SELECT COUNT(*), COALESCE(SUM(chunked = 0), 0) FROM files").fetchone()
        return row[0], row[1]

    def _sha1(self, path: str) -> str | None:
        try:
            return hashlib.sha1((self.repo.root / path).read_bytes()).hexdigest()
        except OSError:
            return None

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
        """Top chunks by Okapi BM25 for query terms with query-side weights, optionally within one
        file: rows (path, start_line, end_line, symbol, kind, score, matched terms space-separated)."""
        view = self.view()
        found = store.term_stats(self.db, weights)
        query = {i: bm25.idf(view.state.live, df) * weights[t] for t, (i, df) in found.items() if df}
        if not query:
            return []
        rows = self._rows_in(view, path)
        scores = bm25.scores(view, query, rows)
        names = {i: t for t, (i, _) in found.items()}
        order = {t: n for n, t in enumerate(weights)}
        matching = np.flatnonzero(scores) if rows is None else rows[scores[rows] != 0]
        out = []
        for row, score, info in self._best(view, scores, limit, matching):
            held = sorted((names[i] for i in bm25.matched(view, row, set(query))), key=order.__getitem__)
            out.append((*info, score, " ".join(held)))
        return out

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        found = store.term_stats(self.db, terms)
        return {t: found[t][1] if t in found else 0 for t in terms}

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """BM25's idf of each of the terms `words` some live chunk holds (the rest are left out)."""
        found = store.term_stats(self.db, words)
        live = self.view().state.live
        return {t: bm25.idf(live, df) for t, (_, df) in found.items() if df}

    def chunk_id(self, path: str, start: int, end: int) -> int | None:
        """The chunk whose span is exactly path:start-end (a definition's), if any."""
        return store.chunk_id(self.db, path, start, end)

    def chunk_bags(self, ids: list[int] | None = None) -> dict[int, dict[str, int]]:
        """Chunk id → its terms with their counts (what its vector and its BM25 score are made of)."""
        view = self.view()
        live = store.live_chunk_ids(self.db) if ids is None else np.unique(np.asarray(ids, dtype=np.int64))
        rows = view.positions(live)
        positions, which = view.entries(rows)
        entries = view.bags[positions]
        terms, tfs = bags.term_of(entries), bags.tf_of(entries)
        names = store.term_names(self.db, np.unique(terms).tolist())
        out: dict[int, dict[str, int]] = {int(view.ids[r]): {} for r in rows}
        for at, term, tf in zip(which.tolist(), terms.tolist(), tfs.tolist(), strict=True):
            out[int(view.ids[rows[at]])][names[term]] = tf
        return out

    def semantic(self, query: np.ndarray, limit: int = 30, path: str | None = None) -> list[tuple]:
        """Chunks nearest to a query vector: rows (path, start_line, end_line, symbol, kind, cosine),
        best first, optionally within one file."""
        embedder = self.embedder
        if embedder is None or not query.any():
            return []
        view = self.view()
        rows = self._rows_in(view, path)
        scores = vectors.cosines(embedder, query, view, rows)
        pool = np.arange(len(scores)) if rows is None else rows
        return [(*info, score) for _, score, info in self._best(view, scores, limit, pool)]

    def view(self) -> bags.View:
        """The committed bag files, mapped again only when a write has moved them."""
        text = store.get_meta(self.db, "bags")
        with self._view_lock:
            if self._view is None or self._view[0] != text:
                for _ in range(3):
                    try:
                        self._view = (text, bags.View(self.path, bags.State.from_json(text)))
                        break
                    except FileNotFoundError:  # a compaction removed them after we read the state
                        text = store.get_meta(self.db, "bags")
                else:
                    raise ScoutError(f"the index {self.path.name} lost its term files; run `scout index`")
            return self._view[1]  # type: ignore[index]

    def _rows_in(self, view: bags.View, path: str | None) -> np.ndarray | None:
        if path is None:
            return None
        return view.positions(np.asarray(store.chunk_ids_in(self.db, path), dtype=np.int64))

    def _best(
        self, view: bags.View, scores: np.ndarray, limit: int, pool: np.ndarray
    ) -> list[tuple[int, float, tuple]]:
        """(row, score, chunk info) of the `limit` best live chunks among the rows in `pool`, best
        first (ties: older first). Rows of deleted chunks still score; they are skipped here."""
        want = limit
        while True:
            k = min(len(pool), want + DEAD_SLACK)
            top = pool if k == len(pool) else pool[np.argpartition(-scores[pool], k - 1)[:k]]
            order = top[np.lexsort((view.ids[top], -scores[top]))]
            info = store.chunks_by_id(self.db, view.ids[order].tolist())
            live = [
                (int(r), float(scores[r]), info[i])
                for r, i in zip(order, view.ids[order].tolist(), strict=True)
                if i in info
            ]
            if len(live) >= limit or k == len(pool):
                return live[:limit]
            want *= 4

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def copy_index(source: Path, target: Path) -> None:
    """A consistent copy of an index that may be open, even being written: its SQLite file as of
    one moment, then the term files that state committed (they only grow), and then the copy is
    put in place. A copy that a compaction raced reads as missing its term files: rebuilt."""
    tmp = target.with_name(target.name + ".seed")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        state = bags.State.from_json(store.get_meta(dst, "bags"))
    finally:
        src.close()
        dst.close()
    for stale in bags.stale_files(target, -1):
        stale.unlink()
    for kind in bags.KINDS:
        if bags.file_for(source, state.gen, kind).exists():
            shutil.copyfile(bags.file_for(source, state.gen, kind), bags.file_for(target, state.gen, kind))
    tmp.replace(target)


def open_index(
    repo: Repo,
    cache_dir: Path | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    refresh: bool = True,
    progress: Progress | None = None,
    semantic: bool = True,
    vendored: bool = False,
) -> Index:
    """Open (creating or repairing) the index for `repo` and, by default, bring it up to date. When
    another process is updating it, answer from its last complete state rather than wait long."""
    index = Index.open(repo, cache_dir, max_bytes, semantic, vendored)
    if refresh:
        refresh_index(index, progress)
    return index


def refresh_index(index: Index, progress: Progress | None = None) -> None:
    """`update()`, but when another process is updating the index, go on with its last complete
    state rather than wait long."""
    try:
        index.update(progress, wait_ms=BUSY_WAIT_MS)
    except IndexBusyError as exc:
        if not index.paths():
            raise  # nothing to answer from yet: wait for the other process's build
        log.warning("%s; answering from its last complete update", exc)
