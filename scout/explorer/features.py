"""What the learned head sees of a candidate region: the heuristic's evidence, broken down.

The heuristic adds its evidence up with hand-set weights; the head learns how much each kind is
worth, beside the cross-encoder's reading of the text (`scout.models.reranker`). Every feature is cheap:
it comes from the evidence the tools already returned, never from another tool call.
"""

from __future__ import annotations

import math
import re

from scout.explorer.evidence import Evidence, Region, Signal
from scout.explorer.query import QueryFacts
from scout.index.files import is_doc_path, is_test_path
from scout.index.lexical import terms

# Evidence signals → the feature their scores add up in.
SIGNAL_FEATURES = {
    Signal.BM25: "bm25",
    Signal.BM25_IN_FILE: "focus",
    Signal.DEFINITION: "defines",
    Signal.IDENTIFIER: "uses",
    Signal.QUOTED: "quoted",
    Signal.TRACEBACK: "traceback",
}
NAMES = (
    "heuristic",
    "heuristic_rank",
    "bm25",
    "focus",
    "defines",
    "uses",
    "quoted",
    "traceback",
    "file_bonus",
    "penalty",
    "test",
    "doc",
    "lines",
    "is_definition",
    "file_rank",
    "file_score",
    "file_regions",
    "name_overlap",
    "path_overlap",
    "logit",
    "logit_gap",
)
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def reason_sums(region: Region) -> dict[str, float]:
    sums = dict.fromkeys(SIGNAL_FEATURES.values(), 0.0)
    for signal, score in region.signal_sums().items():
        if signal in SIGNAL_FEATURES:
            sums[SIGNAL_FEATURES[signal]] += score
    return sums


def featurize(
    regions: list[Region],
    heuristic: list[float],
    logits: list[float],
    evidence: Evidence,
    facts: QueryFacts,
    penalty,
) -> list[list[float]]:
    """One row of `NAMES` per region; `heuristic` holds each region's score relative to the best."""
    files = evidence.file_scores(penalty)
    file_order = {p: i for i, p in enumerate(sorted(files, key=lambda p: -files[p]))}
    top_file = max(files.values(), default=1.0) or 1.0
    per_file: dict[str, int] = {}
    for r in evidence.regions.values():
        per_file[r.path] = per_file.get(r.path, 0) + 1
    top_bonus = max(evidence.file_bonus.values(), default=0.0) or 1.0
    query_words = set(terms(facts.focus or facts.text))
    best_logit = max(logits, default=0.0)
    rows = []
    for rank, (r, h, logit) in enumerate(zip(regions, heuristic, logits, strict=True)):
        sums = reason_sums(r)
        name_words = set(terms(" ".join(WORD.findall(r.symbol or ""))))
        path_words = set(terms(r.path.replace("/", " ").replace(".", " ")))
        rows.append([
            h,
            math.log1p(rank),
            sums["bm25"],
            sums["focus"],
            sums["defines"],
            sums["uses"],
            sums["quoted"],
            sums["traceback"],
            evidence.file_bonus.get(r.path, 0.0) / top_bonus,
            penalty(r.path),
            float(is_test_path(r.path)),
            float(is_doc_path(r.path)),
            math.log1p(r.end_line - r.start_line + 1),
            float(r.symbol is not None),
            math.log1p(file_order.get(r.path, len(file_order))),
            files.get(r.path, 0.0) / top_file,
            math.log1p(per_file.get(r.path, 0)),
            len(name_words & query_words) / max(len(name_words), 1),
            len(path_words & query_words) / max(len(path_words), 1),
            logit,
            logit - best_logit,
        ])  # fmt: skip
    return rows
