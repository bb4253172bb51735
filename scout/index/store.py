"""SQLite schema and queries behind `Index`. Plain functions over a connection, no state."""

from __future__ import annotations

import logging
import os
import sqlite3
import string
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from scout.index import bags
from scout.index.records import Definition, FileRecord, Reference

log = logging.getLogger("scout.index")

SCHEMA_VERSION = "15"  # bump when what a file yields changes (tags queries, chunking), not only the tables

# Chunks' terms live in flat files beside this one (`bags`); `terms` names them (looked up by name,
# so the name is stored once) and `df` counts in how many live chunks each is (BM25's document
# frequency). A chunk's symbol and kind are its definition's (`def_id`; none for a module
# window). References are stored a file at a time (`refs`: its distinct names and kinds and one
# entry per reference, in columns, compressed: a tenth of one row per reference), with `ref_names`
# saying which files use a name; a file's references go in one delete. A definition is found by
# its name's ASCII lower case (`defs_name`), and a file's definitions by their id range in `files`
# (ids are given a file at a time): no second copy of the name, no index by file. A definition's
# kind is a number for the common ones (`DEF_KINDS`; INT affinity keeps any other as text) and a
# file's hash is its 20 bytes: a monorepo has half a million definitions and 90k files.
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INT, mtime_ns INT,
                   sha1 BLOB, lang TEXT, chunked INT, lines INT, chunk_lo INT, chunk_hi INT,
                   def_lo INT, def_hi INT);
CREATE TABLE defs(id INTEGER PRIMARY KEY, file_id INT, name TEXT, kind INT,
                  start_line INT, end_line INT, name_line INT, parent TEXT, head_end INT);
CREATE INDEX defs_name ON defs(lower(name));
CREATE TABLE refs(file_id INTEGER PRIMARY KEY, packed BLOB);
CREATE TABLE ref_names(name TEXT, file_id INT, PRIMARY KEY(name, file_id)) WITHOUT ROWID;
CREATE TABLE chunks(id INTEGER PRIMARY KEY, file_id INT, start_line INT, end_line INT, def_id INT);
CREATE TABLE terms(term TEXT PRIMARY KEY, id INT NOT NULL) WITHOUT ROWID;
CREATE TABLE df(id INTEGER PRIMARY KEY, n INT NOT NULL);
CREATE TABLE watch(path TEXT PRIMARY KEY, mtime_ns INT, size INT) WITHOUT ROWID;
"""
DEF_KINDS = (
    "function", "method", "class", "field", "constant", "macro", "module", "impl", "struct", "type",
    "variable", "enum", "interface", "trait", "extension",
)  # fmt: skip
_KIND_CODE = {k: i for i, k in enumerate(DEF_KINDS)}
REF_ENTRY = np.dtype([("name", "<u4"), ("line", "<u4"), ("kind", "<u1")])
REF_LEVEL = 6  # zlib's level for a file's references: its default, a third of the raw size


BUSY_MS = 30_000  # how long a statement waits for another process's write lock


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: every write goes through `writing()`, one transaction."""
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: a batch's inserts into the terms B-tree stay in memory
    return conn


@contextmanager
def writing(conn: sqlite3.Connection, wait_ms: int = BUSY_MS) -> Iterator[sqlite3.Connection]:
    """One write transaction, its lock taken before anything is read (BEGIN IMMEDIATE): one writer
    at a time across processes, and readers (WAL) see either all of it or none of it. Raises
    sqlite3.OperationalError ("database is locked") when another writer holds it past `wait_ms`."""
    conn.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
    finally:
        conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_schema(path: Path) -> None:
    """Create the schema in a new file, or rebuild one that is corrupt or from another version.

    Creation is one transaction under the write lock, so a process that opens the file meanwhile
    sees no tables ("empty": it waits for the lock and finds them made), never half a schema."""
    state = _state(path)
    if state == "ok":
        return
    if state == "empty":
        conn = connect(path)
        try:
            with writing(conn):
                if not _tables(conn):
                    _remove_bags(path)  # an earlier index's, left by whatever removed it
                    _create(conn)
        finally:
            conn.close()
        return
    log.warning("index %s is %s; rebuilding it", path, state)
    _remove_bags(path)
    fresh = path.with_name(f"{path.name}.{os.getpid()}.new")
    conn = connect(fresh)
    try:
        with writing(conn):
            _create(conn)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(fresh, path)  # atomic: a reader has the old file or the new one, never neither
    for suffix in ("-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)


def _remove_bags(path: Path) -> None:
    # Unlinked, never truncated: a process that still maps them keeps reading what it mapped.
    for stale in bags.stale_files(path, -1):
        stale.unlink(missing_ok=True)


def _create(conn: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _state(path: Path) -> str:
    """ "ok", "empty" (new, or being created by another process), or why it must be rebuilt."""
    if not path.exists() or path.stat().st_size == 0:
        return "empty"
    try:
        conn = sqlite3.connect(path, timeout=BUSY_MS / 1000)
        try:
            tables = _tables(conn)
            version = get_meta(conn, "schema_version") if "meta" in tables else None
            complete = version != SCHEMA_VERSION or _bags_complete(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return "corrupt"
    if not tables:
        return "empty"
    if version != SCHEMA_VERSION:
        return f"from schema version {version or '?'} (want {SCHEMA_VERSION})"
    return "ok" if complete else "missing the term files beside it"


def _bags_complete(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether the bag files hold what the index says it committed (a copy of the SQLite file
    alone, or a disk that lost them, does not). Asked again when the answer is no and the state
    moved meanwhile: another process's compaction removes the files of the state it replaced."""
    seen: object = object()  # unequal to every value, None (a new index's: no build committed) too
    while (text := get_meta(conn, "bags")) != seen:
        state = bags.State.from_json(text)
        if all(_holds(path, state, kind) for kind in bags.KINDS):
            return True
        seen = text
    return False


def _holds(path: Path, state: bags.State, kind: str) -> bool:
    need = state.count(kind) * bags.KINDS[kind].itemsize
    if state.count(kind) <= (1 if kind == "pieces" else 0):
        return True  # nothing committed yet (the pieces' first record is a placeholder)
    try:
        return bags.file_for(path, state.gen, kind).stat().st_size >= need
    except OSError:
        return False


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


# --- writes -----------------------------------------------------------------------------------


def file_stats(
    conn: sqlite3.Connection, paths: Iterable[str] | None = None
) -> dict[str, tuple[int, int, str]]:
    """Path → (size, mtime_ns, sha1 in hex) of every indexed file, or of those of `paths` indexed."""
    sql = "SELECT path, size, mtime_ns, sha1 FROM files"
    if paths is None:
        return {p: (s, m, h and h.hex()) for p, s, m, h in conn.execute(sql)}
    out = {}
    for part in _parts(list(paths)):
        rows = conn.execute(f"{sql} WHERE path IN ({','.join('?' * len(part))})", part)
        out.update({p: (s, m, h and h.hex()) for p, s, m, h in rows})
    return out


def file_stamps(conn: sqlite3.Connection) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every indexed file, streamed: a monorepo's 96k rows are checked
    as they come, never held as one list."""
    return conn.execute("SELECT path, size, mtime_ns FROM files")


def delete_files(conn: sqlite3.Connection, paths: Iterable[str]) -> list[tuple[int, int]]:
    """Remove files and all they yielded; returns the chunk id ranges [lo, hi) they had."""
    removed = []
    for path in paths:
        row = conn.execute(
            "SELECT id, chunk_lo, chunk_hi, def_lo, def_hi FROM files WHERE path=?", (path,)
        ).fetchone()
        if not row:
            continue
        fid, lo, hi, def_lo, def_hi = row
        packed = conn.execute("SELECT packed FROM refs WHERE file_id=?", (fid,)).fetchone()
        if packed:
            names = _unpack_refs(packed[0])[0]
            conn.executemany("DELETE FROM ref_names WHERE name=? AND file_id=?", [(n, fid) for n in names])
        conn.execute("DELETE FROM refs WHERE file_id=?", (fid,))
        conn.execute("DELETE FROM defs WHERE id>=? AND id<?", (def_lo, def_hi))
        conn.execute("DELETE FROM chunks WHERE id>=? AND id<?", (lo, hi))
        conn.execute("DELETE FROM files WHERE id=?", (fid,))
        if hi > lo:
            removed.append((lo, hi))
    return removed


def insert_records(conn: sqlite3.Connection, records: list[FileRecord], first_chunk: int) -> int:
    """Insert files with ids assigned here, so every table is one executemany; their chunks get
    ids from `first_chunk` on, in the records' order. Returns the next free chunk id."""
    fid = _next_id(conn, "files")
    did = _next_id(conn, "defs")
    cid = first_chunk
    files, defs, refs, names, chunks = [], [], [], [], []
    for r in records:
        files.append(
            (
                fid,
                r.path,
                r.size,
                r.mtime_ns,
                bytes.fromhex(r.sha1) if r.sha1 else None,
                r.lang,
                int(r.chunked),
                r.lines,
                cid,
                cid + len(r.chunks),
                did,
                did + len(r.defs),
            )
        )
        defs += [
            (
                did + i,
                fid,
                d.name,
                _KIND_CODE.get(d.kind, d.kind),
                d.start_line,
                d.end_line,
                d.name_line,
                d.parent,
                d.head_end,
            )
            for i, d in enumerate(r.defs)
        ]
        if r.refs:
            distinct, packed = _pack_refs(r.refs)
            refs.append((fid, packed))
            names += [(n, fid) for n in distinct]
        for c in r.chunks:
            chunks.append(
                (cid, fid, c.start_line, c.end_line, did + c.definition if c.definition >= 0 else None)
            )
            cid += 1
        fid += 1
        did += len(r.defs)
    conn.executemany("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", files)
    conn.executemany("INSERT INTO defs VALUES (?,?,?,?,?,?,?,?,?)", defs)
    conn.executemany("INSERT INTO refs VALUES (?,?)", refs)
    conn.executemany("INSERT INTO ref_names VALUES (?,?)", names)
    conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?)", chunks)
    return cid


def _pack_refs(refs: list[Reference]) -> tuple[list[str], bytes]:
    """A file's distinct reference names, and its references packed: the names and kinds once
    each, then the entries column by column (name numbers, line steps, kind numbers), compressed:
    columns of small steps are what zlib shrinks best."""
    flat = [(r.name.replace("\n", " "), r.kind.replace("\n", " "), r.line) for r in refs]
    names = {n: i for i, n in enumerate(dict.fromkeys(n for n, _, _ in flat))}
    kinds = {k: i for i, k in enumerate(dict.fromkeys(k for _, k, _ in flat))}
    text = "\n".join(names).encode() + b"\0" + "\n".join(kinds).encode() + b"\0"
    lines = np.array([line for _, _, line in flat], dtype=np.int64)
    columns = (
        np.array([names[n] for n, _, _ in flat], dtype="<u4").tobytes()
        + np.diff(lines, prepend=0).astype("<i4").tobytes()
        + np.array([kinds[k] for _, k, _ in flat], dtype="<u1").tobytes()
    )
    return list(names), zlib.compress(text + columns, REF_LEVEL)


def _unpack_refs(packed: bytes) -> tuple[list[str], list[str], np.ndarray]:
    """A file's distinct reference names, its distinct kinds, and its entries (REF_ENTRY)."""
    raw = zlib.decompress(packed)
    names_end = raw.index(b"\0")
    kinds_end = raw.index(b"\0", names_end + 1)
    names, kinds = raw[:names_end].decode(), raw[names_end + 1 : kinds_end].decode()
    columns = memoryview(raw)[kinds_end + 1 :]
    count = len(columns) // 9
    entries = np.empty(count, dtype=REF_ENTRY)
    entries["name"] = np.frombuffer(columns[: 4 * count], dtype="<u4")
    entries["line"] = np.cumsum(np.frombuffer(columns[4 * count : 8 * count], dtype="<i4"))
    entries["kind"] = np.frombuffer(columns[8 * count :], dtype="<u1")
    return _split(names), _split(kinds), entries


def _split(joined: str) -> list[str]:
    return joined.split("\n") if joined else []


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]


def pack(conn: sqlite3.Connection) -> None:
    """Rewrite the file with its B-trees full (VACUUM): a build inserts names and terms in no
    order, which leaves their pages part empty (8 of a monorepo's 145 MB; ~1 s to rewrite)."""
    conn.execute("VACUUM")  # readers keep their snapshot meanwhile (WAL)


def refresh_stats(conn: sqlite3.Connection, files: Iterable) -> None:
    """New size/mtime for files whose content hash is unchanged (anything with those attributes)."""
    conn.executemany(
        "UPDATE files SET size=?, mtime_ns=? WHERE path=?",
        [(f.size, f.mtime_ns, f.path) for f in files],
    )


def term_ids(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, int]:
    """Term → id for those of `terms` the index has."""
    out = {}
    for part in _parts(list(terms)):
        rows = conn.execute(f"SELECT term, id FROM terms WHERE term IN ({','.join('?' * len(part))})", part)
        out.update(rows)
    return out


def term_stats(conn: sqlite3.Connection, terms: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Term → (id, document frequency) for those of `terms` the index has."""
    out = {}
    for part in _parts(list(terms)):
        rows = conn.execute(
            "SELECT t.term, t.id, d.n FROM terms t JOIN df d ON d.id=t.id"
            f" WHERE t.term IN ({','.join('?' * len(part))})",
            part,
        )
        out.update((t, (i, n)) for t, i, n in rows)
    return out


def term_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    """Id → term for these ids (a scan of the terms: for training and tests, not queries)."""
    wanted = set(ids)
    return {i: t for t, i in conn.execute("SELECT term, id FROM terms") if i in wanted}


def all_terms(conn: sqlite3.Connection) -> list[str]:
    """Every term, by id (ids are dense from 1)."""
    return [t for (t,) in conn.execute("SELECT term FROM terms ORDER BY id")]


def add_terms(conn: sqlite3.Connection, terms: list[str], first_id: int) -> None:
    conn.executemany("INSERT INTO terms VALUES (?, ?)", [(t, first_id + i) for i, t in enumerate(terms)])
    conn.executemany("INSERT INTO df VALUES (?, 0)", [(first_id + i,) for i in range(len(terms))])


def count_chunks(conn: sqlite3.Connection, ids: np.ndarray, counts: np.ndarray) -> None:
    """Add `counts` (negative: remove) to the document frequencies of term `ids`."""
    conn.executemany("UPDATE df SET n=n+? WHERE id=?", zip(counts.tolist(), ids.tolist(), strict=True))


def live_chunk_ids(conn: sqlite3.Connection) -> np.ndarray:
    return np.fromiter((i for (i,) in conn.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)


def watched(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    return dict(watch_stamps(conn))


def watch_stamps(conn: sqlite3.Connection) -> Iterator[tuple[str, tuple[int, int]]]:
    """(path, (mtime_ns, size)) of the watch list, streamed (`freshness.unchanged` stops at the
    first change)."""
    return ((p, (m, s)) for p, m, s in conn.execute("SELECT path, mtime_ns, size FROM watch"))


def set_watched(conn: sqlite3.Connection, entries: dict[str, tuple[int, int]]) -> None:
    conn.execute("DELETE FROM watch")
    conn.executemany("INSERT INTO watch VALUES (?,?,?)", [(p, m, s) for p, (m, s) in entries.items()])


def chunk_id(conn: sqlite3.Connection, path: str, start: int, end: int) -> int | None:
    row = conn.execute(
        "SELECT c.id FROM files f JOIN chunks c ON c.id>=f.chunk_lo AND c.id<f.chunk_hi"
        " WHERE f.path=? AND c.start_line=? AND c.end_line=?",
        (path, start, end),
    ).fetchone()
    return row[0] if row else None


def chunk_ids_in(conn: sqlite3.Connection, path: str) -> list[int]:
    rows = conn.execute(
        "SELECT c.id FROM files f JOIN chunks c ON c.id>=f.chunk_lo AND c.id<f.chunk_hi WHERE f.path=?",
        (path,),
    )
    return [r[0] for r in rows]


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


def _parts(items: list, size: int = 900) -> Iterator[list]:
    """`items` in slices small enough for one statement's parameters."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- reads ------------------------------------------------------------------------------------

DEF_COLUMNS = "d.name, d.kind, f.path, d.start_line, d.end_line, d.name_line, d.parent, d.head_end"
# a definition's qualified name (`Definition.qualname`): what its chunk is called
SYMBOL = "CASE WHEN d.parent IS NULL OR d.parent = '' THEN d.name ELSE d.parent || '.' || d.name END"


def _defs(rows: Iterable[tuple]) -> list[Definition]:
    return [_definition(row) for row in rows]


def _definition(row: tuple) -> Definition:
    name, kind, *rest = row
    return Definition(name, kind_name(kind), *rest)


def kind_name(kind: int | str) -> str:
    return DEF_KINDS[kind] if isinstance(kind, int) else kind


def definitions(
    conn: sqlite3.Connection, name: str, fuzzy: bool = False, limit: int = 50
) -> list[Definition]:
    """Exact matches but for ASCII case first; with `fuzzy`, then names containing `name`."""
    lowered = _ascii_lower(name)
    sql = f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id WHERE lower(d.name)=?"
    out = _defs(conn.execute(sql + " ORDER BY f.path, d.start_line LIMIT ?", (lowered, limit)))
    if fuzzy and len(out) < limit:
        like = f"%{lowered.replace('_', '')}%"
        rows = conn.execute(
            f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id"
            " WHERE replace(lower(d.name), '_', '') LIKE ? AND lower(d.name) != ?"
            " ORDER BY length(d.name), f.path LIMIT ?",
            (like, lowered, limit - len(out)),
        )
        out += _defs(rows)
    return out


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _ascii_lower(name: str) -> str:
    """What SQLite's lower() makes of a name (it folds ASCII letters only)."""
    return name.translate(_ASCII_LOWER)


def references(conn: sqlite3.Connection, name: str, limit: int = 100) -> list[Reference]:
    rows = conn.execute(
        "SELECT f.path, r.packed FROM ref_names n JOIN refs r ON r.file_id=n.file_id"
        " JOIN files f ON f.id=n.file_id WHERE n.name=? ORDER BY f.path",
        (name,),
    )
    out: list[Reference] = []
    for path, packed in rows:
        names, kinds, entries = _unpack_refs(packed)
        out += _references(path, names, kinds, entries[entries["name"] == names.index(name)])
        if len(out) >= limit:
            break
    return out[:limit]


def references_within(conn: sqlite3.Connection, path: str, start: int, end: int) -> list[Reference]:
    """The references on lines start..end of one file, in line order."""
    row = conn.execute(
        "SELECT r.packed FROM files f JOIN refs r ON r.file_id=f.id WHERE f.path=?", (path,)
    ).fetchone()
    if not row:
        return []
    names, kinds, entries = _unpack_refs(row[0])
    return _references(path, names, kinds, entries[(entries["line"] >= start) & (entries["line"] <= end)])


def _references(path: str, names: list[str], kinds: list[str], entries: np.ndarray) -> list[Reference]:
    """These unpacked entries of one file as references, in line order (then as stored)."""
    entries = entries[np.argsort(entries["line"], kind="stable")]
    return [Reference(names[n], kinds[k], path, int(line)) for n, line, k in entries.tolist()]


def outline(conn: sqlite3.Connection, path: str) -> list[Definition]:
    rows = conn.execute(
        f"SELECT {DEF_COLUMNS} FROM files f JOIN defs d ON d.id>=f.def_lo AND d.id<f.def_hi WHERE f.path=?"
        " ORDER BY d.start_line, -d.end_line",
        (path,),
    )
    return _defs(rows)


def enclosing(conn: sqlite3.Connection, path: str, line: int) -> Definition | None:
    """The innermost definition whose span contains `line`."""
    row = conn.execute(
        f"SELECT {DEF_COLUMNS} FROM files f JOIN defs d ON d.id>=f.def_lo AND d.id<f.def_hi"
        " WHERE f.path=? AND d.start_line<=? AND d.end_line>=?"
        " ORDER BY d.end_line - d.start_line LIMIT 1",
        (path, line, line),
    ).fetchone()
    return _definition(row) if row else None


def paths(conn: sqlite3.Connection) -> list[str]:
    return [p for (p,) in conn.execute("SELECT path FROM files ORDER BY path")]


def chunks_by_id(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple]:
    """id → (path, start_line, end_line, symbol, kind) for those of the given chunks that exist."""
    out = {}
    for part in _parts(ids):
        rows = conn.execute(
            f"SELECT c.id, f.path, c.start_line, c.end_line, {SYMBOL}, coalesce(d.kind, 'module')"
            " FROM chunks c JOIN files f ON f.id = c.file_id LEFT JOIN defs d ON d.id = c.def_id"
            f" WHERE c.id IN ({','.join('?' * len(part))})",
            part,
        )
        out.update(
            (i, (path, start, end, symbol, kind_name(kind))) for i, path, start, end, symbol, kind in rows
        )
    return out
