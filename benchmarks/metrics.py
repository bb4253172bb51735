"""Scoring one prediction against one task's gold, and summarising scores over tasks.

Pure functions over plain values (paths, line ranges, (path, qualname) pairs), so every formula in
benchmarks/README.md can be checked by hand. A task with no prediction scores 0 everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

Range = tuple[str, int, int]  # path, start, end: 1-based inclusive
Line = tuple[str, int]
MODULE = "<module>"  # gold_functions' name for module-level edits
BETA_F05 = 0.5  # SWE-grep's reward weighs precision above recall


def line_set(ranges: Iterable[Sequence]) -> set[Line]:
    """Every (path, line) inside the ranges; overlapping or duplicate ranges count once."""
    return {(path, n) for path, start, end in ranges for n in range(int(start), int(end) + 1)}


def prf(predicted: set, gold: set, beta: float = 1.0) -> tuple[float, float, float]:
    """Precision, recall and F-beta of a predicted set against a gold set (0 when either is empty)."""
    if not predicted or not gold:
        return 0.0, 0.0, 0.0
    hit = len(predicted & gold)
    precision, recall = hit / len(predicted), hit / len(gold)
    if hit == 0:
        return precision, recall, 0.0
    b2 = beta * beta
    return precision, recall, (1 + b2) * precision * recall / (b2 * precision + recall)


def distinct(items: Iterable) -> list:
    """Items in first-seen order, repeats dropped: a ranking."""
    return list(dict.fromkeys(items))


def all_in_top(gold: set, ranked: Sequence, k: int) -> float:
    """1.0 when every gold item is among the first k distinct ranked items (Acc@k), else 0.0."""
    if not gold:
        return 0.0
    return 1.0 if gold <= set(distinct(ranked)[:k]) else 0.0


def file_scores(
    files: Sequence[str], gold_files: Iterable[str], asserted: Sequence[str] | None = None
) -> dict[str, float]:
    """P/R/F1 over the files a system asserts (its answer tier; all its files when it has no
    tiers), Acc@k over its full ranking (answer, then leads)."""
    gold = set(gold_files)
    p, r, f1 = prf(set(files if asserted is None else asserted), gold)
    out = {"file_p": p, "file_r": r, "file_f1": f1}
    out.update({f"file_acc@{k}": all_in_top(gold, files, k) for k in (1, 3, 5)})
    return out


def line_scores(spans: Iterable[Sequence], gold_ranges: Iterable[Sequence]) -> dict[str, float]:
    predicted, gold = line_set(spans), line_set(gold_ranges)
    p, r, f1 = prf(predicted, gold)
    f05 = prf(predicted, gold, BETA_F05)[2]
    return {"line_p": p, "line_r": r, "line_f1": f1, "line_f0.5": f05}


def source_file_scores(
    files: Sequence[str], gold_files: Iterable[str], asserted: Sequence[str] | None
) -> dict:
    """File scores against the gold files scout can parse (changelogs and docs edited with a fix
    left out), keys prefixed `src_`; {} when no gold file is source."""
    from scout.index.languages import language_for

    gold = [f for f in gold_files if language_for(f)]
    if not gold:
        return {}
    return {f"src_{k}": v for k, v in file_scores(files, gold, asserted).items()}


def hit_scores(ranked: Sequence[Sequence], gold_ranges: Iterable[Sequence]) -> dict[str, float]:
    """Whether any of the first k ranked spans (answer, then leads) shares a line with the gold:
    "is an answer among the first k places", the plain-question benchmark's measure."""
    hits = span_hits(ranked, gold_ranges)
    return {f"hit@{k}": float(any(hits[:k])) for k in (1, 5)}


def span_hits(spans: Iterable[Sequence], gold_ranges: Iterable[Sequence]) -> list[bool]:
    """For each span, whether it shares a line with the gold: what a span's confidence predicts."""
    gold = line_set(gold_ranges)
    return [bool(line_set([s]) & gold) for s in spans]


def function_scores(functions: Sequence[tuple[str, str]], gold: set[tuple[str, str]]) -> dict[str, float]:
    """Function Acc@5/@10; empty (not scored) when the task has no gold function."""
    if not gold:
        return {}
    return {f"fn_acc@{k}": all_in_top(gold, [tuple(f) for f in functions], k) for k in (5, 10)}


def gold_function_set(gold_functions: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(path, qualname) pairs; `<module>` (an edit outside every definition) is not a function."""
    return {
        (path, name) for path, names in (gold_functions or {}).items() for name in names if name != MODULE
    }


def edits_outside_functions(gold_functions: dict[str, list[str]]) -> bool:
    return any(MODULE in names for names in (gold_functions or {}).values())


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), 0 for no values."""
    return float(np.percentile(list(values), q)) if values else 0.0


def mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


# --- semble's benchmark (benchmarks/semble.py) --------------------------------------------------
# Its rule, read from MinishLab/semble's benchmarks/metrics.py and data.py: each target (the
# `relevant` labels, then the `secondary` ones, weighted alike) takes the rank of the first result
# that covers it; a rank within the first k counts 1 however many targets share it; the ideal is
# min(k, number of targets) hits at the top.
SEMBLE_K = 10
Place = tuple[str, int | None, int | None]  # a result or a target: path, start, end (None: whole file)


def semble_path_match(found: str, label: str) -> bool:
    """The same path, or one a suffix of the other at a `/`: semble's results are relative to the
    folder it searched, its labels to the repository root."""
    found, label = found.replace("\\", "/"), label.replace("\\", "/")
    return found == label or found.endswith(f"/{label}") or label.endswith(f"/{found}")


def semble_covers(result: Place, target: Place) -> bool:
    """A result covers a target in its file whose lines (when both have lines) overlap it."""
    path, start, end = result
    label, first, last = target
    if not semble_path_match(path, label):
        return False
    if first is None or last is None or start is None or end is None:
        return True
    return not (end < first or start > last)


def semble_ndcg(results: Sequence[Place], targets: Sequence[Place], k: int = SEMBLE_K) -> float:
    """NDCG@k of a ranking against a query's targets, by semble's rule (above); 0 with no target."""
    if not targets:
        return 0.0
    top = results[:k]
    ranks = {next((i for i, r in enumerate(top, 1) if semble_covers(r, t)), None) for t in targets}
    dcg = sum(1 / math.log2(rank + 1) for rank in ranks if rank is not None)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(k, len(targets)) + 1))
    return dcg / ideal
