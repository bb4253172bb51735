"""SQLite schema and queries behind `Index`. Plain functions over a connection, no state."""

from __future__ import annotations

import logging
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scout.index.records import Definition, FileRecord, Reference

log = logging.getLogger("scout.index")

SCHEMA_VERSION = "6"  # bump when what a file yields changes (tags queries, chunking), not only the tables
K1, B = 1.5, 0.75  # Okapi BM25 parameters (rank-bm25's defaults)

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INT, mtime_ns INT,
                   sha1 TEXT, lang TEXT, chunked INT, lines INT);
CREATE TABLE defs(id INTEGER PRIMARY KEY, file_id INT, name TEXT, lname TEXT, kind TEXT,
                  start_line INT, end_line INT, name_line INT, parent TEXT, head_end INT);
CREATE INDEX defs_lname ON defs(lname);
CREATE INDEX defs_file ON defs(file_id);
CREATE TABLE refs(file_id INT, name TEXT, kind TEXT, line INT);
CREATE INDEX refs_name ON refs(name);
CREATE INDEX refs_file ON refs(file_id);
CREATE TABLE chunks(id INTEGER PRIMARY KEY, file_id INT, start_line INT, end_line INT,
                    symbol TEXT, kind TEXT, length INT);
CREATE INDEX chunks_file ON chunks(file_id);
CREATE TABLE postings(term TEXT, chunk_id INT, tf INT, PRIMARY KEY(term, chunk_id)) WITHOUT ROWID;
CREATE TABLE chunk_terms(chunk_id INTEGER PRIMARY KEY, terms TEXT, tfs TEXT);
CREATE TABLE vectors(chunk_id INTEGER PRIMARY KEY, file_id INT, v BLOB);
CREATE INDEX vectors_file ON vectors(file_id);
"""


BUSY_MS = 30_000  # how long a statement waits for another process's write lock


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode: every write goes through `writing()`, one transaction."""
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: bulk inserts into the postings B-tree stay in memory
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
                    _create(conn)
        finally:
            conn.close()
        return
    log.warning("index %s is %s; rebuilding it", path, state)
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
            row = (
                conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                if "meta" in tables
                else None
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return "corrupt"
    if not tables:
        return "empty"
    if not row or row[0] != SCHEMA_VERSION:
        return f"from schema version {row[0] if row else '?'} (want {SCHEMA_VERSION})"
    return "ok"


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


# --- writes -----------------------------------------------------------------------------------


def file_stats(conn: sqlite3.Connection) -> dict[str, tuple[int, int, str]]:
    return {p: (s, m, h) for p, s, m, h in conn.execute("SELECT path, size, mtime_ns, sha1 FROM files")}


def delete_files(conn: sqlite3.Connection, paths: Iterable[str]) -> None:
    for path in paths:
        row = conn.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
        if not row:
            continue
        fid = row[0]
        _delete_postings(conn, fid)
        for table in ("chunks", "defs", "refs", "vectors"):
            conn.execute(f"DELETE FROM {table} WHERE file_id=?", (fid,))
        conn.execute("DELETE FROM files WHERE id=?", (fid,))


def _delete_postings(conn: sqlite3.Connection, fid: int) -> None:
    # A chunk_id index on postings would cost a third of a cold build; chunk_terms lists each
    # chunk's terms so its postings can be deleted through the (term, chunk_id) key instead.
    rows = conn.execute(
        "SELECT t.chunk_id, t.terms FROM chunk_terms t JOIN chunks c ON c.id=t.chunk_id WHERE c.file_id=?",
        (fid,),
    ).fetchall()
    conn.executemany(
        "DELETE FROM postings WHERE term=? AND chunk_id=?", [(t, cid) for cid, ts in rows for t in ts.split()]
    )
    conn.executemany("DELETE FROM chunk_terms WHERE chunk_id=?", [(cid,) for cid, _ in rows])


def insert_records(conn: sqlite3.Connection, records: list[FileRecord]) -> list[int]:
    """Insert files with ids assigned here, so every table is one executemany; returns the new
    chunks' ids, in the records' order."""
    fid = _next_id(conn, "files")
    cid = _next_id(conn, "chunks")
    files, defs, refs, chunks, postings, chunk_terms = [], [], [], [], [], []
    for r in records:
        files.append((fid, r.path, r.size, r.mtime_ns, r.sha1, r.lang, int(r.chunked), r.lines))
        defs += [
            (fid, d.name, d.name.lower(), d.kind, d.start_line, d.end_line, d.name_line, d.parent, d.head_end)
            for d in r.defs
        ]
        refs += [(fid, x.name, x.kind, x.line) for x in r.refs]
        for c in r.chunks:
            chunks.append((cid, fid, c.start_line, c.end_line, c.symbol, c.kind, c.length))
            postings += [(t, cid, n) for t, n in c.counts.items()]
            chunk_terms.append((cid, " ".join(c.counts), " ".join(map(str, c.counts.values()))))
            cid += 1
        fid += 1
    conn.executemany("INSERT INTO files VALUES (?,?,?,?,?,?,?,?)", files)
    conn.executemany(
        "INSERT INTO defs(file_id, name, lname, kind, start_line, end_line, name_line, parent, head_end)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        defs,
    )
    conn.executemany("INSERT INTO refs VALUES (?,?,?,?)", refs)
    conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?)", chunks)
    conn.executemany("INSERT INTO postings VALUES (?,?,?)", postings)
    conn.executemany("INSERT INTO chunk_terms VALUES (?,?,?)", chunk_terms)
    return [row[0] for row in chunks]


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]


def refresh_stats(conn: sqlite3.Connection, files: Iterable) -> None:
    """New size/mtime for files whose content hash is unchanged (anything with those attributes)."""
    conn.executemany(
        "UPDATE files SET size=?, mtime_ns=? WHERE path=?",
        [(f.size, f.mtime_ns, f.path) for f in files],
    )


def insert_vectors(conn: sqlite3.Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    """(chunk id, int8 vector bytes) pairs; the file id is the chunk's."""
    conn.executemany(
        "INSERT OR REPLACE INTO vectors SELECT ?, file_id, ? FROM chunks WHERE id=?",
        [(cid, v, cid) for cid, v in rows],
    )


def chunk_bags(conn: sqlite3.Connection, chunk_ids: list[int] | None = None) -> Iterable[tuple[int, dict]]:
    """(chunk id, {term: tf}) for the given chunks, or for every chunk."""
    sql = "SELECT chunk_id, terms, tfs FROM chunk_terms"
    if chunk_ids is None:
        rows = conn.execute(sql)
    else:
        rows = (r for i in range(0, len(chunk_ids), 900) for r in conn.execute(
            f"{sql} WHERE chunk_id IN ({','.join('?' * len(chunk_ids[i : i + 900]))})", chunk_ids[i : i + 900]
        ))  # fmt: skip
    for cid, terms, tfs in rows:
        yield cid, dict(zip(terms.split(), map(int, tfs.split()), strict=True))


def chunk_id(conn: sqlite3.Connection, path: str, start: int, end: int) -> int | None:
    row = conn.execute(
        "SELECT c.id FROM chunks c JOIN files f ON f.id=c.file_id"
        " WHERE f.path=? AND c.start_line=? AND c.end_line=?",
        (path, start, end),
    ).fetchone()
    return row[0] if row else None


def chunk_ids_in(conn: sqlite3.Connection, path: str) -> list[int]:
    rows = conn.execute("SELECT c.id FROM chunks c JOIN files f ON f.id=c.file_id WHERE f.path=?", (path,))
    return [r[0] for r in rows]


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row[0] if row else None


# --- reads ------------------------------------------------------------------------------------

DEF_COLUMNS = "d.name, d.kind, f.path, d.start_line, d.end_line, d.name_line, d.parent, d.head_end"


def _defs(rows: Iterable[tuple]) -> list[Definition]:
    return [Definition(*row) for row in rows]


def definitions(
    conn: sqlite3.Connection, name: str, fuzzy: bool = False, limit: int = 50
) -> list[Definition]:
    """Exact (case-insensitive) matches first; with `fuzzy`, then names containing `name`."""
    sql = f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id WHERE d.lname=?"
    out = _defs(conn.execute(sql + " ORDER BY f.path, d.start_line LIMIT ?", (name.lower(), limit)))
    if fuzzy and len(out) < limit:
        like = f"%{name.lower().replace('_', '')}%"
        rows = conn.execute(
            f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id"
            " WHERE replace(d.lname, '_', '') LIKE ? AND d.lname != ?"
            " ORDER BY length(d.name), f.path LIMIT ?",
            (like, name.lower(), limit - len(out)),
        )
        out += _defs(rows)
    return out


def references(conn: sqlite3.Connection, name: str, limit: int = 100) -> list[Reference]:
    rows = conn.execute(
        "SELECT r.name, r.kind, f.path, r.line FROM refs r JOIN files f ON f.id=r.file_id"
        " WHERE r.name=? ORDER BY f.path, r.line LIMIT ?",
        (name, limit),
    )
    return [Reference(*row) for row in rows]


def references_within(conn: sqlite3.Connection, path: str, start: int, end: int) -> list[Reference]:
    """The references on lines start..end of one file, in line order."""
    rows = conn.execute(
        "SELECT r.name, r.kind, f.path, r.line FROM refs r JOIN files f ON f.id=r.file_id"
        " WHERE f.path=? AND r.line BETWEEN ? AND ? ORDER BY r.line",
        (path, start, end),
    )
    return [Reference(*row) for row in rows]


def outline(conn: sqlite3.Connection, path: str) -> list[Definition]:
    rows = conn.execute(
        f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id WHERE f.path=?"
        " ORDER BY d.start_line, -d.end_line",
        (path,),
    )
    return _defs(rows)


def enclosing(conn: sqlite3.Connection, path: str, line: int) -> Definition | None:
    """The innermost definition whose span contains `line`."""
    row = conn.execute(
        f"SELECT {DEF_COLUMNS} FROM defs d JOIN files f ON f.id=d.file_id"
        " WHERE f.path=? AND d.start_line<=? AND d.end_line>=?"
        " ORDER BY d.end_line - d.start_line LIMIT 1",
        (path, line, line),
    ).fetchone()
    return Definition(*row) if row else None


def paths(conn: sqlite3.Connection) -> list[str]:
    return [p for (p,) in conn.execute("SELECT path FROM files ORDER BY path")]


def bm25(
    conn: sqlite3.Connection, weights: dict[str, float], limit: int = 50, path: str | None = None
) -> list[tuple]:
    """Top chunks by Okapi BM25 for query terms with query-side weights, optionally within one file.

    Statistics (document frequencies, average length) stay corpus-wide, so scores within a file
    are comparable with the unfiltered ranking.

    Returns rows (path, start_line, end_line, symbol, kind, score, matched terms space-separated).
    """
    n, avgdl = conn.execute("SELECT COUNT(*), AVG(length) FROM chunks").fetchone()
    if not n or not weights:
        return []
    df = document_frequencies(conn, list(weights))
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items() if d}
    if not idf:
        return []
    values = ",".join("(?,?)" for _ in idf)
    params: list = [x for t in idf for x in (t, idf[t] * weights[t])]
    sql = f"""
        WITH q(term, w) AS (VALUES {values})
        SELECT f.path, c.start_line, c.end_line, c.symbol, c.kind, SUM(
            q.w * p.tf * {K1 + 1} / (p.tf + {K1} * (1 - {B} + {B} * c.length / ?))) AS score,
            group_concat(p.term, ' ')
        FROM q JOIN postings p ON p.term = q.term
        JOIN chunks c ON c.id = p.chunk_id JOIN files f ON f.id = c.file_id
        {"WHERE f.path = ?" if path is not None else ""}
        GROUP BY p.chunk_id ORDER BY score DESC LIMIT ?"""
    return conn.execute(sql, [*params, avgdl, *([path] if path is not None else []), limit]).fetchall()


def document_frequencies(conn: sqlite3.Connection, terms: list[str]) -> dict[str, int]:
    out = {}
    for term in terms:
        (df,) = conn.execute("SELECT COUNT(*) FROM postings WHERE term=?", (term,)).fetchone()
        out[term] = df
    return out


def vectors(conn: sqlite3.Connection) -> tuple[list[int], bytes]:
    """Every chunk vector: the chunk ids and their int8 bytes, concatenated in the same order."""
    ids, blobs = [], []
    for cid, v in conn.execute("SELECT chunk_id, v FROM vectors ORDER BY chunk_id"):
        ids.append(cid)
        blobs.append(v)
    return ids, b"".join(blobs)


def chunks_by_id(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple]:
    """id → (path, start_line, end_line, symbol, kind) for the given chunks."""
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        "SELECT c.id, f.path, c.start_line, c.end_line, c.symbol, c.kind FROM chunks c"
        f" JOIN files f ON f.id = c.file_id WHERE c.id IN ({marks})",
        ids,
    )
    return {row[0]: row[1:] for row in rows}
