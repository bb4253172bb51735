"""Fit a repository's adaptation (`scout.models.adaptation`) from its own history and HEAD.

The same sources as `scout learn mine` (commit messages beside the definitions they changed,
docstrings, README sections, test names beside the code they call) become (question words, gold
chunks) examples, the gold placed in the repository's current index by path and qualified name.
For each word that at least `min_count` examples use, its query row moves toward the mean vector
of the code those examples were about, away from the mean of all gold code (Rocchio's rule, in
the shipped embedder's space), by an amount that grows with how often the word was seen:

    row(t) = shipped(t) + alpha * n_t / (n_t + shrink) * m * (mean gold of t - mean gold)

`m` puts the move on the scale of a word's own row. A word used about everything (fix, add)
averages to the mean and barely moves; a word the history ties to one place ("frobnication" →
`reticulate_splines`) moves to it. `alpha` is chosen on held-out examples (the newest seventh
of the commits, fitted on the older ones; or one in `HOLDOUT` by a hash of the question): the
value whose semantic ranking of their gold is best, 0 when none beats the shipped embedder (then
the adaptation is empty and answers stay as they were).
numpy only: no torch, minutes on a laptop.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scout.index import Index, store, vectors
from scout.index.lexical import terms
from scout.learn.mine import MineOptions, sources
from scout.models.adaptation import FORMAT, Adaptation
from scout.models.embedder import Embedder, file_stamp

HOLDOUT = 7  # one example in this many is held out to choose alpha
Step = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class AdaptOptions:
    max_commits: int = 3000  # newest commits read
    rev: str = "HEAD"  # mine the history before (and the tree at) this revision
    min_count: int = 2  # a word adapts once this many examples use it
    max_terms: int = 30_000  # the most frequent words kept (30,000 × 256 × 2 bytes = 15 MB)
    max_gold: int = 8  # gold chunks of one example used (a big commit says little about each)
    shrink: float = 2.0
    alphas: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    default_alpha: float = 2.0  # when too few examples are held out to choose
    min_heldout: int = 20
    holdout: str = "newest"  # which examples choose alpha: the newest commits', or "hash": any 1 in 7
    max_heldout: int = 300


@dataclass
class Example:
    words: Counter
    gold: list[int]  # chunk ids
    source: str
    heldout: bool = False
    time: str = ""  # a commit's date (ISO), "" for what HEAD's tree says


@dataclass
class Report:
    tasks: int = 0
    examples: int = 0
    terms: int = 0
    alpha: float = 0.0
    heldout: int = 0
    mrr: dict[str, float] = field(default_factory=dict)  # alpha → held-out MRR
    seconds: dict[str, float] = field(default_factory=dict)


def mine_examples(git_dir: Path, index: Index, opts: AdaptOptions, step: Step,
                  keep: list[dict] | None = None) -> tuple[list[Example], int]:  # fmt: skip
    """Mine the repository (nothing written to disk; the tasks appended to `keep` when given)
    and place each task's gold in the index."""
    mine_opts = MineOptions(max_commits=opts.max_commits, max_tasks=opts.max_commits, rev=opts.rev)
    place = _chunk_places(index)
    out: list[Example] = []
    count = 0
    for count, task in enumerate(sources(git_dir, "local", mine_opts), 1):
        step("mining", count, 0)
        if keep is not None:
            keep.append({k: v for k, v in task.items() if k != "patch"})
        gold = [c for path, names in task.get("gold_functions", {}).items() for n in names
                for c in place.get((path, n), ())][: opts.max_gold]  # fmt: skip
        words = Counter(terms(task["query"]))
        if gold and words:
            out.append(Example(words, gold, task["source"], _held(task["query"]), task.get("created_at", "")))
    if opts.holdout == "newest":
        _hold_newest(out)
    return out, count


def _held(query: str) -> bool:
    return int(hashlib.sha1(query.encode()).hexdigest()[:8], 16) % HOLDOUT == 0


def _hold_newest(examples: list[Example]) -> None:
    """Hold out the newest commits' examples instead: alpha is then chosen the way adaptation is
    used, fitted on the past and asked about what came after."""
    dated = sorted((e for e in examples if e.time), key=lambda e: e.time)
    cut = len(dated) - len(dated) // HOLDOUT
    for e in examples:
        e.heldout = False
    for e in dated[cut:]:
        e.heldout = True


def _chunk_places(index: Index) -> dict[tuple[str, str], list[int]]:
    """(path, qualified name) → the chunk ids of that definition in the index."""
    rows = index.db.execute(
        f"SELECT f.path, {store.SYMBOL}, c.id FROM chunks c JOIN files f ON f.id = c.file_id"
        " JOIN defs d ON d.id = c.def_id"
    )
    out: dict[tuple[str, str], list[int]] = {}
    for path, symbol, chunk in rows:
        out.setdefault((path, symbol), []).append(chunk)
    return out


def fit(index: Index, embedder: Embedder, examples: list[Example], opts: AdaptOptions, step: Step,
        report: Report) -> Adaptation:  # fmt: skip
    """The adaptation for these examples, alpha chosen on the held-out ones."""
    docs = _doc_vectors(index, embedder, {c for e in examples for c in e.gold})
    means = np.stack([np.mean([docs[c] for c in e.gold], axis=0) for e in examples]) if examples else None
    train = [i for i, e in enumerate(examples) if not e.heldout]
    held = [i for i, e in enumerate(examples) if e.heldout][: opts.max_heldout]
    alpha = opts.default_alpha
    if len(held) >= opts.min_heldout and means is not None:
        terms_, base, move = _moves(embedder, examples, means, train, opts)
        scorer = _Ranker(index, embedder)
        for i, a in enumerate((0.0, *opts.alphas)):
            step("choosing", i, len(opts.alphas) + 1)
            trial = Adaptation(terms_, base + a * move, {})
            report.mrr[f"{a:g}"] = scorer.mrr(trial, [examples[j] for j in held])
        alpha = max(report.mrr.items(), key=lambda kv: (round(kv[1], 4), -float(kv[0])))[0]
        alpha = float(alpha)
        report.heldout = len(held)
    terms_, rows = [], np.zeros((0, embedder.dim), dtype=np.float32)
    if alpha > 0 and means is not None:
        terms_, base, move = _moves(embedder, examples, means, list(range(len(examples))), opts)
        rows = base + alpha * move
    report.alpha, report.terms, report.examples = alpha, len(terms_), len(examples)
    return Adaptation(list(terms_), rows.astype(np.float32), {})


def _doc_vectors(index: Index, embedder: Embedder, ids: set[int]) -> dict[int, np.ndarray]:
    bags = index.chunk_bags(sorted(ids)) if ids else {}
    return {c: embedder.embed(bag) for c, bag in bags.items()}


def _moves(embedder: Embedder, examples: list[Example], means: np.ndarray, which: list[int],
           opts: AdaptOptions) -> tuple[list[str], np.ndarray, np.ndarray]:  # fmt: skip
    """The adapted words, their shipped rows and the move of each per unit of alpha."""
    counts: Counter = Counter()
    sums: dict[str, np.ndarray] = {}
    for i in which:
        for t in examples[i].words:
            counts[t] += 1
            sums[t] = sums.get(t, 0) + means[i]
    kept = [t for t, n in counts.most_common(opts.max_terms) if n >= opts.min_count]
    if not kept:
        return [], np.zeros((0, embedder.dim), np.float32), np.zeros((0, embedder.dim), np.float32)
    overall = means[which].mean(axis=0)
    base = np.stack([embedder.vector({t: 1}, query=True) / np.log1p(1) for t in kept]).astype(np.float32)
    norms = np.linalg.norm(base, axis=1)
    scale = float(np.median(norms[norms > 0])) if (norms > 0).any() else 1.0
    n = np.array([counts[t] for t in kept], dtype=np.float32)
    centroid = np.stack([sums[t] for t in kept]) / n[:, None]
    move = (n / (n + opts.shrink))[:, None] * scale * (centroid - overall)
    return kept, base, move.astype(np.float32)


class _Ranker:
    """Where the semantic tool would rank an example's best gold chunk, over the whole index."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.embedder, self.view = embedder, index.view()
        self.live = np.zeros(len(self.view.ids), dtype=bool)
        self.live[self.view.positions(store.live_chunk_ids(index.db))] = True

    def mrr(self, adaptation: Adaptation, examples: list[Example]) -> float:
        total = 0.0
        for e in examples:
            q = adaptation.vector(self.embedder, e.words)
            scores = np.where(self.live, vectors.cosines(self.embedder, q, self.view), -np.inf)
            gold = self.view.positions(np.asarray(e.gold, dtype=np.int64))
            if len(gold):
                total += 1.0 / (1 + int((scores > scores[gold].max()).sum()))
        return total / max(len(examples), 1)


def adapt(index: Index, git_dir: Path, head: str, opts: AdaptOptions, step: Step,
          keep: list[dict] | None = None) -> tuple[Adaptation, Report]:  # fmt: skip
    """Mine, fit and describe the adaptation of the repository `index` holds (not saved)."""
    embedder = index.embedder
    if embedder is None:
        raise ValueError("the embedder weights are not installed")
    report = Report()
    started = time.perf_counter()
    examples, report.tasks = mine_examples(git_dir, index, opts, step, keep)
    report.seconds["mine"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    found = fit(index, embedder, examples, opts, step, report)
    report.seconds["fit"] = round(time.perf_counter() - started, 2)
    found.meta = {
        "format": FORMAT,
        "embedder": embedder.digest,
        "embedder_file": file_stamp(embedder.source) if embedder.source else None,
        "created": time.time(),
        "head": head,
        "commits": opts.max_commits,
        "tasks": report.tasks,
        "examples": report.examples,
        "sources": dict(Counter(e.source for e in examples)),
        "terms": report.terms,
        "alpha": report.alpha,
        "heldout": report.heldout,
        "heldout_mrr": report.mrr,
    }
    return found, report
