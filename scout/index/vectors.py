"""The semantic side of the index: one int8 vector per chunk, from the embedder (`scout.models`).

Vectors are written in the same transaction as the chunks they belong to. The index remembers
which embedder made them (`meta.embedder`); when the installed weights differ, every vector is
remade from the stored term counts, without parsing a file again. Queries compare one vector
against all chunks: a matrix product over int8 rows read once per process and kept until the
index changes.
"""

from __future__ import annotations

import sqlite3
import threading

import numpy as np

from scout.index import store
from scout.index.records import FileRecord
from scout.models.embedder import Embedder, quantize

BATCH = 2000  # chunks embedded per write while remaking every vector


def embed_records(
    conn: sqlite3.Connection, embedder: Embedder, records: list[FileRecord], ids: list[int]
) -> None:
    """Vectors for freshly inserted records whose chunks got `ids`, in order."""
    bags = [c.counts for r in records for c in r.chunks]
    if bags:
        vecs = quantize(embedder.embed_many(bags))
        store.insert_vectors(conn, zip(ids, (v.tobytes() for v in vecs), strict=True))


def reembed(conn: sqlite3.Connection, embedder: Embedder) -> int:
    """Remake every chunk's vector with `embedder` (its weights changed); returns how many."""
    conn.execute("DELETE FROM vectors")
    done = 0
    batch: list[tuple[int, dict]] = []
    for item in store.chunk_bags(conn):
        batch.append(item)
        if len(batch) >= BATCH:
            done += _write(conn, embedder, batch)
            batch = []
    done += _write(conn, embedder, batch)
    store.set_meta(conn, "embedder", embedder.digest)
    return done


def _write(conn: sqlite3.Connection, embedder: Embedder, batch: list[tuple[int, dict]]) -> int:
    if not batch:
        return 0
    vecs = quantize(embedder.embed_many(bag for _, bag in batch))
    store.insert_vectors(conn, ((cid, v.tobytes()) for (cid, _), v in zip(batch, vecs, strict=True)))
    return len(batch)


class VectorCache:
    """All chunk vectors as one float32 matrix, reloaded when the index's `updated_at` moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def nearest(self, conn: sqlite3.Connection, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(chunk id, cosine) of the `limit` chunks nearest to a unit `query` vector, best first."""
        ids, matrix = self._load(conn)
        if not len(ids) or not query.any():
            return []
        scores = matrix @ query
        k = min(limit, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def among(
        self, conn: sqlite3.Connection, query: np.ndarray, chunk_ids: list[int]
    ) -> list[tuple[int, float]]:
        """(chunk id, cosine) for just these chunks (one file's, say), best first."""
        ids, matrix = self._load(conn)
        wanted = np.asarray(sorted(chunk_ids), dtype=np.int64)
        rows = np.searchsorted(ids, wanted)
        found = rows < len(ids)
        found[found] = ids[rows[found]] == wanted[found]
        rows, wanted = rows[found], wanted[found]
        if not len(rows) or not query.any():
            return []
        scores = matrix[rows] @ query
        order = np.argsort(-scores, kind="stable")
        return [(int(wanted[i]), float(scores[i])) for i in order]

    def _load(self, conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
        stamp = store.get_meta(conn, "updated_at")
        with self._lock:
            if stamp != self._stamp or self._stamp is None:
                ids, blob = store.vectors(conn)
                raw = np.frombuffer(blob, dtype=np.int8)
                dim = len(raw) // max(len(ids), 1)
                self._ids = np.asarray(ids, dtype=np.int64)
                if ids:
                    matrix = raw.reshape(len(ids), dim).astype(np.float32)
                    np.divide(matrix, 127.0, out=matrix)  # in place: a second copy doubled the peak
                    self._matrix = matrix
                self._stamp = stamp
            return self._ids, self._matrix

    def clear(self) -> None:
        with self._lock:
            self._stamp = None
