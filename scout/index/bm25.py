"""Okapi BM25 over the chunks' bags of terms (`bags`), with rank-bm25's parameters.

One pass over the entries scores every chunk that holds a query term; the corpus statistics
(chunks, their average length, each term's document frequency) are the index's own, kept up to
date by every write, so a warm query never rebuilds a corpus. Within one file the statistics stay
corpus-wide, so a chunk scores the same whether its file is asked about or not.
"""

from __future__ import annotations

import math

import numpy as np

from scout.index.bags import View, term_of, tf_of

K1, B = 1.5, 0.75  # rank-bm25's defaults
POSTINGS_AFTER = 8  # corpus-wide questions of one view before the process sorts its entries by term


def idf(chunks: int, df: int) -> float:
    """Lucene's idf: positive for every term, however common."""
    return math.log(1 + (chunks - df + 0.5) / (df + 0.5))


def scores(view: View, weights: dict[int, float], rows: np.ndarray | None = None) -> np.ndarray:
    """Each chunk row's BM25 score (0 where no query term is found) for query term ids with
    their weights (idf included), over every row or only `rows`. A chunk's score is summed term by
    term in the order of `weights` however its entries were found, so a question scores the same
    in every process, to the last bit."""
    state = view.state
    out = np.zeros(len(view.ids))
    if not weights or not state.live:
        return out
    order = np.full(state.pieces, -1, dtype=np.int64)
    order[list(weights)] = np.arange(len(weights))
    w = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    postings = _postings(view) if rows is None else None
    if postings is not None:
        found = [postings[0][postings[1][t] : postings[1][t + 1]] for t in weights]
        hit = np.concatenate(found).astype(np.int64)
        rows_hit = np.searchsorted(view.starts, hit, side="right") - 1
        entries = view.bags[hit]  # gathered once, unpacked twice
        _add(view, out, rows_hit, tf_of(entries), w[order[term_of(entries)]])
        return out
    asked = order >= 0  # a byte a term: the pass over every entry reads and writes as little as it can
    for terms, tfs, starts, where in view.blocks(rows):
        hit = np.flatnonzero(asked[terms])
        rank = order[terms[hit]]
        hit = hit[np.argsort(rank, kind="stable")]  # term by term, in the query's order
        rank = order[terms[hit]]
        rows_hit = where[np.searchsorted(starts, hit, side="right") - 1]
        _add(view, out, rows_hit, tfs[hit], w[rank])
    return out


def _add(view: View, out: np.ndarray, rows: np.ndarray, tfs: np.ndarray, weights: np.ndarray) -> None:
    """Add each found entry's BM25 term to its row's score, in the order given."""
    tf = tfs.astype(np.float64)
    norm = K1 * (1 - B + B * view.lengths[rows] / (view.state.length / view.state.live))
    out += np.bincount(rows, weights=weights * tf * (K1 + 1) / (tf + norm), minlength=len(out))


def _postings(view: View) -> tuple[np.ndarray, np.ndarray] | None:
    """Every entry's position grouped by term (and where each term's run starts), made once a
    process has asked this view POSTINGS_AFTER questions: a server then reads the entries of the
    query's terms only; a one-off ask scans rather than sort."""
    asked = view.derived["bm25 questions"] = view.derived.get("bm25 questions", 0) + 1
    if "postings" not in view.derived and asked >= POSTINGS_AFTER:
        order = np.argsort(view.terms[:], kind="stable").astype(np.int32)
        starts = np.searchsorted(view.terms[order], np.arange(view.state.pieces + 1))
        view.derived["postings"] = (order, starts)
    return view.derived.get("postings")


def matched(view: View, row: int, terms: set[int]) -> list[int]:
    """Which of the query's term ids one chunk row holds, in the order of its entries."""
    return [int(t) for t in view.terms[view.starts[row] : view.ends[row]] if int(t) in terms]
