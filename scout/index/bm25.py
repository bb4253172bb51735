"""Okapi BM25 over the chunks' bags of terms (`bags`), with rank-bm25's parameters.

One pass over the entries scores every chunk that holds a query term; the corpus statistics
(chunks, their average length, each term's document frequency) are the index's own, kept up to
date by every write, so a warm query never rebuilds a corpus. Within one file the statistics stay
corpus-wide, so a chunk scores the same whether its file is asked about or not.
"""

from __future__ import annotations

import math

import numpy as np

from scout.index.bags import View

K1, B = 1.5, 0.75  # rank-bm25's defaults


def idf(chunks: int, df: int) -> float:
    """Lucene's idf: positive for every term, however common."""
    return math.log(1 + (chunks - df + 0.5) / (df + 0.5))


def scores(view: View, weights: dict[int, float], rows: np.ndarray | None = None) -> np.ndarray:
    """Each chunk row's BM25 score (0 where no query term is found) for query term ids with
    their weights (idf included), over every row or only `rows`. One gather per entry finds the
    entries of query terms; only those are scored."""
    state = view.state
    out = np.zeros(len(view.ids))
    if not weights or not state.live:
        return out
    per_term = np.zeros(state.pieces)
    per_term[list(weights)] = list(weights.values())
    asked = per_term != 0  # one byte a term: the pass over every entry reads as little as it can
    avgdl = state.length / state.live
    for terms, tfs, starts, where in view.blocks(rows):
        hit = np.flatnonzero(asked[terms])
        if not len(hit):
            continue
        which = np.searchsorted(starts, hit, side="right") - 1
        tf = tfs[hit].astype(np.float64)
        norm = K1 * (1 - B + B * view.lengths[where[which]] / avgdl)
        gained = per_term[terms[hit]] * tf * (K1 + 1) / (tf + norm)
        out[where] += np.bincount(which, weights=gained, minlength=len(where))
    return out


def matched(view: View, row: int, terms: set[int]) -> list[int]:
    """Which of the query's term ids one chunk row holds, in the order of its entries."""
    return [int(t) for t in view.terms[view.starts[row] : view.ends[row]] if int(t) in terms]
