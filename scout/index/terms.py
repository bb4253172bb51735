"""What a write does to the chunks' terms: names them (`terms` table), counts them (`df`) and
writes each chunk's bag (`bags`) with its semantic norm (`vectors`).

Every function runs inside the caller's write transaction and returns the bag state to commit
with it; none rewrites what other files put there, except `rewrite`, which makes the next
generation of the bag files (dead chunks dropped, or another embedder's pieces and norms).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from itertools import chain
from pathlib import Path

import numpy as np

from scout.errors import ScoutError
from scout.index import bags, store, vectors
from scout.index.records import FileRecord
from scout.models.embedder import Embedder

NORM_ROWS = 4096  # chunks whose vectors are summed at a time while remaking every norm


def forget(
    conn: sqlite3.Connection, index: Path, state: bags.State, dead: list[tuple[int, int]]
) -> bags.State:
    """Account for the chunks of deleted files (chunk id ranges [lo, hi)): their terms' document
    frequencies, the corpus statistics, and their entries, now dead."""
    if not dead:
        return state
    view = bags.View(index, state)
    rows = view.positions(np.concatenate([np.arange(lo, hi, dtype=np.int64) for lo, hi in dead]))
    positions, _ = view.entries(rows)
    terms, counts = np.unique(view.terms[positions], return_counts=True)
    store.count_chunks(conn, terms, -counts)
    return replace(
        state,
        live=state.live - len(rows),
        length=state.length - int(view.lengths[rows].sum()),
        dead_bags=state.dead_bags + len(positions),
    )


def add(
    conn: sqlite3.Connection,
    index: Path,
    state: bags.State,
    records: list[FileRecord],
    embedder: Embedder | None,
) -> bags.State:
    """The records' rows in SQLite and their chunks' bags appended to the files (new terms
    named, document frequencies counted); returns the state that counts them, written."""
    first = state.next_chunk
    next_chunk = store.insert_records(conn, records, first)
    chunks = [c for r in records for c in r.chunks]
    if not chunks:
        return replace(state, next_chunk=next_chunk)
    writer = bags.Writer(index, state)
    ids = _term_ids(conn, set(chain.from_iterable(c.counts for c in chunks)), writer, embedder)
    sizes = np.fromiter(map(len, (c.counts for c in chunks)), dtype=np.int64, count=len(chunks))
    named = map(ids.__getitem__, chain.from_iterable(c.counts for c in chunks))
    counted = chain.from_iterable(c.counts.values() for c in chunks)
    total = int(sizes.sum())
    entries = bags.pack(
        np.fromiter(named, dtype=np.uint32, count=total), np.fromiter(counted, dtype=np.int64, count=total)
    )
    start = writer.add("bags", entries)
    rows = np.empty(len(chunks), dtype=bags.ROW)
    rows["id"] = np.arange(first, first + len(chunks))
    rows["length"] = [c.length for c in chunks]
    rows["start"] = start + np.cumsum(sizes) - sizes
    which = np.repeat(np.arange(len(chunks)), sizes)
    rows["norm"] = _norms(embedder, entries, which, len(chunks), lambda used: _pieces_of(index, used, writer))
    writer.add("rows", rows)
    terms, counts = np.unique(bags.term_of(entries), return_counts=True)
    store.count_chunks(conn, terms, counts)
    writer.state = replace(
        writer.state, live=state.live + len(chunks), length=state.length + int(rows["length"].sum()),
        next_chunk=next_chunk,
    )  # fmt: skip
    return writer.flush()


def rewrite(
    conn: sqlite3.Connection, index: Path, state: bags.State, embedder: Embedder | None, reembed: bool
) -> bags.State:
    """The next generation of the bag files: the live chunks only, and with `reembed` every
    term's pieces and every chunk's norm made again by `embedder`. Returns its state."""
    view = bags.View(index, state)
    rows = view.positions(store.live_chunk_ids(conn))
    positions, which = view.entries(rows)
    entries = view.bags[positions]
    sizes = np.bincount(which, minlength=len(rows))
    kept = view.rows[rows].copy()
    kept["start"] = np.cumsum(sizes) - sizes
    pieces = view.pieces.copy()
    if reembed:
        pieces[1:] = _pieces(embedder, store.all_terms(conn))
        for lo in range(0, len(rows), NORM_ROWS):  # a block at a time: a vector per chunk is big
            hi = min(lo + NORM_ROWS, len(rows))
            part = slice(int(kept["start"][lo]), int(kept["start"][hi - 1] + sizes[hi - 1]))
            kept["norm"][lo:hi] = _norms(
                embedder, entries[part], which[part] - lo, hi - lo, pieces.__getitem__
            )
    return bags.write_generation(index, replace(state, dead_bags=0), kept, entries, pieces)


def _term_ids(
    conn: sqlite3.Connection, terms: set[str], writer: bags.Writer, embedder: Embedder | None
) -> dict[str, int]:
    """Ids of these terms, naming the new ones (and queueing their embedder pieces)."""
    ids = store.term_ids(conn, terms)
    new = sorted(terms - ids.keys())
    if new:
        first = writer.add("pieces", _pieces(embedder, new))
        if first + len(new) > bags.MAX_TERM:  # raised before anything is written: the write is dropped
            raise ScoutError(
                f"the repository has more than {bags.MAX_TERM:,} distinct terms, more than an index holds"
            )
        store.add_terms(conn, new, first)
        ids.update((t, first + i) for i, t in enumerate(new))
    return ids


def _pieces(embedder: Embedder | None, terms: list[str]) -> np.ndarray:
    if embedder is None:
        return np.full((len(terms), bags.PIECES), -1, dtype=np.int32)
    return vectors.pieces(embedder, terms)


def _norms(
    embedder: Embedder | None, entries: np.ndarray, which: np.ndarray, chunks: int, pieces_of
) -> np.ndarray:
    """The chunks' semantic norms (0 without an embedder); `pieces_of(term ids)` gives pieces."""
    if embedder is None:
        return np.zeros(chunks, dtype=np.float32)
    used, local = np.unique(bags.term_of(entries), return_inverse=True)
    return vectors.norms(embedder, local, bags.tf_of(entries), which, chunks, pieces_of(used))


def _pieces_of(index: Path, terms: np.ndarray, writer: bags.Writer) -> np.ndarray:
    """The pieces of these term ids, from the committed file or from what is queued."""
    committed = bags.View(index, writer.state).pieces
    out = np.full((len(terms), bags.PIECES), -1, dtype=np.int32)
    old = terms < len(committed)
    out[old] = committed[terms[old]]
    queued = writer.queued("pieces")
    if len(queued):
        out[~old] = queued[terms[~old] - len(committed)]
    return out
