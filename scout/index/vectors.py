"""The semantic side of the index: a chunk's vector is its terms' embeddings, weighted (`scout.models`).

The embedder reads a bag of terms as the normalised, weighted sum of its terms' rows in a table.
So a chunk's cosine with a query is a weighted sum of one number per term (that term's rows
against the query), divided by the norm of the chunk's own vector: the index keeps no vectors,
only, per term, the embedder rows it reads as (`bags` pieces) and, per chunk, that norm. A query
scores the table once and every chunk in one pass over the bags, exactly (stored int8 vectors
were a rounded copy of the same number), and a changed file costs its own terms, nothing shared.

The index remembers which embedder made its pieces and norms (`meta.embedder`); when the installed
weights differ, both are remade from the bags, without parsing a file again.
"""

from __future__ import annotations

import numpy as np

from scout.index.bags import PIECES, View, row_sums
from scout.models.embedder import Embedder

TABLE_BLOCK = 16_384  # embedder rows converted to float at a time: a bounded copy, not the table
ENTRY_BLOCK = 512  # (entry, piece) products summed at a time for norms (in cache: 3x faster than 64k)
LOG1P = np.log1p(np.arange(2**16, dtype=np.float64)).astype(np.float32)  # the embedder's sublinear count


def pieces(embedder: Embedder, terms: list[str]) -> np.ndarray:
    """For each term, the embedder rows it reads as (itself, or its word pieces), -1 padded."""
    out = np.full((len(terms), PIECES), -1, dtype=np.int32)
    for i, term in enumerate(terms):
        rows, _ = embedder.rows(term)
        out[i, : len(rows)] = rows
    return out


def norms(embedder: Embedder, terms: np.ndarray, tfs: np.ndarray, which: np.ndarray, chunks: int,
          pieces_of: np.ndarray) -> np.ndarray:  # fmt: skip
    """The norm of each chunk's vector (before it is normalised), from its entries: term ids,
    counts and which chunk (0..chunks-1, ascending) each entry belongs to."""
    rows = pieces_of[terms]  # (entries, PIECES)
    valid = rows >= 0
    count = valid.sum(axis=1)
    share = np.divide(1.0, count, out=np.zeros(len(count), dtype=np.float32), where=count > 0)
    entry, piece = np.nonzero(valid)
    emb = rows[entry, piece]
    weight = embedder.doc_weights[emb] * embedder.scales[emb] * share[entry] * LOG1P[tfs[entry]]
    owner = which[entry]
    table = np.asarray(embedder.table)  # the mapped rows without np.memmap's per-index overhead
    vectors = np.zeros((chunks, embedder.dim), dtype=np.float32)
    for lo in range(0, len(emb), ENTRY_BLOCK):
        part = slice(lo, lo + ENTRY_BLOCK)
        product = table[emb[part]].astype(np.float32) * weight[part, None]
        firsts = np.flatnonzero(np.diff(owner[part], prepend=-1))  # entries are grouped by chunk
        vectors[owner[part][firsts]] += np.add.reduceat(product, firsts, axis=0)
    return np.linalg.norm(vectors, axis=1).astype(np.float32)


def term_scores(
    embedder: Embedder, query: np.ndarray, view: View, terms: np.ndarray | None = None
) -> np.ndarray:
    """Each term's share of a chunk's cosine per unit of weight: its rows (doc-weighted, scaled)
    against the unit query vector, averaged over its pieces. For every term of the view, or for
    the term ids `terms` (then only their rows are read)."""
    table, pieces_of, share = _terms_table(embedder, view)
    if terms is not None:
        pieces_of, share = pieces_of[terms], share[terms]
        needed, pieces_of = np.unique(pieces_of, return_inverse=True)
        pieces_of = pieces_of.reshape(-1, PIECES)
        table = table[needed[needed < len(table)]]
    rows = np.empty(len(table) + 1, dtype=np.float32)
    rows[:-1] = table @ query
    rows[-1] = 0.0  # what a missing piece reads (the highest number, so last when renumbered)
    return rows[pieces_of].sum(axis=1) * share


def _entries(view: View) -> tuple[np.ndarray, np.ndarray] | None:
    """Every entry's term id (int32) and sublinear count (float32) in contiguous arrays, made once
    a process asks the same view a second question (a server): then a question reads the counts
    once in all. A one-off ask reads them from the mapped file instead (a monorepo's arrays are
    190 MB)."""
    asked = view.derived["semantic questions"] = view.derived.get("semantic questions", 0) + 1
    if "entries" not in view.derived and asked >= 2:
        view.derived["entries"] = (view.terms[:].astype(np.int32), LOG1P[view.tfs[:]])
    return view.derived.get("entries")


def _terms_table(embedder: Embedder, view: View) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The embedder rows the view's terms read as (a quarter of the table, for Django), as float32
    with each row's scale and document weight applied; the terms' pieces renumbered into it (the
    last row standing for none); each term's share per piece. Made once per view: a query is then
    one small matrix-vector product."""
    held = view.derived.get("terms_table")
    if held is None or held[0] is not embedder:
        valid = view.pieces >= 0
        used, local = np.unique(view.pieces[valid], return_inverse=True)
        pieces_of = np.full(view.pieces.shape, len(used), dtype=np.int64)
        pieces_of[valid] = local
        table = np.empty((len(used), embedder.dim), dtype=np.float32)
        weight = embedder.scales[used] * embedder.doc_weights[used]
        for lo in range(0, len(used), TABLE_BLOCK):
            block = slice(lo, lo + TABLE_BLOCK)
            np.multiply(embedder.table[used[block]], weight[block, None], out=table[block], dtype=np.float32)
        count = valid.sum(axis=1)
        share = np.divide(1.0, count, out=np.zeros(len(count), dtype=np.float32), where=count > 0)
        held = view.derived["terms_table"] = (embedder, table, pieces_of, share)
    return held[1], held[2], held[3]


def cosines(embedder: Embedder, query: np.ndarray, view: View, rows: np.ndarray | None = None) -> np.ndarray:
    """The cosine of each chunk row of the view (of `rows` only, when given: 0 elsewhere) with a
    unit query vector."""
    dots = np.zeros(len(view.ids))
    if rows is None:
        scores_of = term_scores(embedder, query, view)
        held = _entries(view)
        for terms, tfs, starts, where in view.blocks():
            if held is None:
                dots[where] = row_sums(scores_of[terms] * LOG1P[tfs], starts)
            else:
                part = slice(int(view.starts[where[0]]), int(view.starts[where[0]]) + len(terms))
                dots[where] = row_sums(scores_of[held[0][part]] * held[1][part], starts)
    else:
        for terms, tfs, starts, where in view.blocks(rows):
            held, local = np.unique(terms, return_inverse=True)
            dots[where] = row_sums(term_scores(embedder, query, view, held)[local] * LOG1P[tfs], starts)
    return np.divide(dots, view.norms, out=np.zeros(len(dots)), where=view.norms > 0)
