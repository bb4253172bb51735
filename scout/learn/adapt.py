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
from scout.index.conventions import changed_files, conventions
from scout.index.lexical import terms
from scout.learn.mine import MineOptions, sources
from scout.models import adaptation
from scout.models.adaptation import Adaptation
from scout.models.embedder import Embedder
from scout.models.history import History, Votes, lift

HOLDOUT = 7  # one example in this many is held out to choose alpha
# what a question may rhyme with (docstrings and test names are the code's own words, which BM25 reads)
HISTORY_SOURCES = ("commit", "issue")
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
    max_trials: int = 200  # held-out commits the explorer answers to choose the history's weight
    weights: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)  # the history prior's, tried against none
    mixes: tuple[float, ...] = (0.0, 0.5, 1.0)  # the share of its vote from a candidate's own definition
    # the best reading must beat the shipped one by this many standard errors of the paired gain:
    # the best of 31 tries on a few dozen commits beats it by luck alone (20 held-out commits chose
    # a weight of 4 for a gain of 0.003 and lost three answers in five questions)
    margin: float = 2.0


@dataclass
class Example:
    words: Counter
    gold: list[int]  # chunk ids
    source: str
    heldout: bool = False
    time: str = ""  # a commit's date (ISO), "" for what HEAD's tree says
    query: str = ""


@dataclass
class Report:
    tasks: int = 0
    examples: int = 0
    terms: int = 0
    alpha: float = 0.0
    heldout: int = 0
    mrr: dict[str, float] = field(default_factory=dict)  # alpha → held-out MRR
    trials: int = 0  # held-out commits the explorer answered
    choice: dict[str, float] = field(default_factory=dict)  # "rows|none weight mix" → their answers' MRR
    weight: float = 0.0  # the history prior's
    mix: float = 0.0
    gain: tuple[float, float] = (0.0, 0.0)  # the best reading's mean paired gain in MRR, its standard error
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
            held = _held(task["query"])
            out.append(Example(words, gold, task["source"], held, task.get("created_at", ""), task["query"]))
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
        report: Report) -> tuple[Adaptation, Adaptation | None]:  # fmt: skip
    """The adaptation for these examples, alpha chosen on the held-out ones; and the same fitted
    without them (None when alpha is 0), which `choose` tries on them."""
    docs = _doc_vectors(index, embedder, {c for e in examples for c in e.gold})
    means = np.stack([np.mean([docs[c] for c in e.gold], axis=0) for e in examples]) if examples else None
    train = [i for i, e in enumerate(examples) if not e.heldout]
    held = [i for i, e in enumerate(examples) if e.heldout][: opts.max_heldout]
    # too few held out to choose by: the default, where commits say what the words mean; from
    # HEAD's docstrings and test names alone (a shallow clone), words the code already says
    commits = any(e.source in HISTORY_SOURCES for e in examples)
    alpha, trial = (opts.default_alpha if commits else 0.0), None
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
        trial = Adaptation(terms_, base + alpha * move, {}) if alpha > 0 else None
    terms_, rows = [], np.zeros((0, embedder.dim), dtype=np.float32)
    if alpha > 0 and means is not None:
        terms_, base, move = _moves(embedder, examples, means, list(range(len(examples))), opts)
        rows = base + alpha * move
    report.alpha, report.terms, report.examples = alpha, len(terms_), len(examples)
    return Adaptation(list(terms_), rows.astype(np.float32), {}), trial


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
    found, trial = fit(index, embedder, examples, opts, step, report)
    found.meta = adaptation.fitted_for(embedder)
    if trial is not None:
        trial.meta = found.meta
    found = choose(index, examples, found, trial, opts, step, report)
    report.seconds["fit"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    step("conventions", 0, 1)
    kept = conventions(changed_files(git_dir, opts.rev, opts.max_commits))
    report.seconds["conventions"] = round(time.perf_counter() - started, 2)
    found.meta |= {
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
        "history": found.history.size if found.history is not None else 0,
        "history_weight": report.weight,
        "history_mix": report.mix,
        "trials": report.trials,
        "trial_mrr": report.choice,
        "trial_gain": list(report.gain),
        "conventions": kept,
    }
    return found, report


def choose(index: Index, examples: list[Example], found: Adaptation, trial: Adaptation | None,
           opts: AdaptOptions, step: Step, report: Report) -> Adaptation:  # fmt: skip
    """Keep the adapted words or not, and weigh the history prior, by how the explorer itself
    answers the held-out commits (the newest seventh): each answered once per way of reading the
    words, its candidates then re-ranked under each weight, scored by the mean reciprocal rank of
    the changed files and definitions. What does not beat the shipped reading by `margin` standard
    errors of the paired gain is not kept."""
    place = {c: key for key, chunks in _chunk_places(index).items() for c in chunks}
    past = [e for e in examples if e.source in HISTORY_SOURCES]
    held = [e for e in past if e.heldout][: opts.max_trials]
    if len(held) < opts.min_heldout:
        return found  # too little to judge the history by: the adapted words alone, as chosen
    before = History.build((e.words, _places(e, place)) for e in past if not e.heldout)
    none = Adaptation([], found.rows[:0], found.meta, before)  # weight 0: what it finds, not yet how much
    readings = {"none": none}
    if trial is not None and trial.terms:
        readings["rows"] = Adaptation(trial.terms, trial.rows, found.meta, before)
    pools = {name: _answer(index, reading, held, step) for name, reading in readings.items()}
    votes = [before.votes(e.words) for e in held]
    golds = [{place[c] for c in e.gold if c in place} for e in held]
    ranks = {
        f"{name} {w:g} {mix:g}": _reciprocal_ranks(answered, votes, golds, w, mix)
        for name, answered in pools.items()
        for w, mix in [(0.0, 0.0), *((w, m) for w in opts.weights for m in opts.mixes)]
    }
    report.choice = {key: float(rr.mean()) for key, rr in ranks.items()}
    best, report.gain = pick(ranks, opts.margin)
    name, weight, mix = best.split()
    weight, mix = float(weight), float(mix)
    report.trials, report.weight, report.mix = len(held), weight, mix
    if name == "none":
        found, report.alpha, report.terms = Adaptation([], found.rows[:0], found.meta), 0.0, 0
    if weight > 0:
        found.history = History.build(((e.words, _places(e, place)) for e in past), weight, mix)
    return found


def _places(e: Example, place: dict[int, tuple[str, str]]) -> list[tuple[str, str]]:
    return [place[c] for c in e.gold if c in place]


def _answer(index: Index, reading: Adaptation, held: list[Example], step: Step) -> list[list]:
    """Each held-out commit's message asked of the explorer with these adapted words and the
    history before it at weight 0 (its definitions looked at, no vote added): its candidates as
    (path, symbol, head logit)."""
    from scout.explorer.loop import explore
    from scout.explorer.model import ModelPolicy
    from scout.tools import ToolContext

    ctx, out = ToolContext(index.repo, index, redact=False), []
    policy = ModelPolicy(trace=[])
    with adaptation.trying(index.path, reading):
        for i, e in enumerate(held):
            step("choosing", i, len(held))
            policy.trace = []
            explore(e.query, ctx, policy)
            out.append(policy.trace[-1] if policy.trace else [])
    return out


def _reciprocal_ranks(answered: list[list], votes: list[Votes], golds: list[set], weight: float,
                      mix: float) -> np.ndarray:  # fmt: skip
    """Per held-out commit, the mean of the reciprocal ranks of its first changed file and its first
    changed definition, the candidates ordered by logit plus what the history adds."""
    out = np.zeros(len(answered))
    for i, (pool, vote, gold) in enumerate(zip(answered, votes, golds, strict=True)):
        ranked = sorted(pool, key=lambda c: -(c[2] + lift(vote, c[0], c[1], weight, mix)))
        files = list(dict.fromkeys(path for path, _, _ in ranked))
        gold_files = {path for path, _ in gold}
        out[i] += next((1 / (j + 1) for j, p in enumerate(files) if p in gold_files), 0.0) / 2
        out[i] += next((1 / (j + 1) for j, c in enumerate(ranked) if (c[0], c[1]) in gold), 0.0) / 2
    return out


def pick(ranks: dict[str, np.ndarray], margin: float) -> tuple[str, tuple[float, float]]:
    """The reading ("rows|none weight mix") whose answers rank best, and its paired gain over the
    shipped one ("none 0 0") with that gain's standard error; the shipped reading instead when the
    gain is under `margin` standard errors. Ties go to the simpler reading: no adapted words, then
    the smaller weight."""
    mean = {key: round(float(rr.mean()), 4) for key, rr in ranks.items()}
    best = max(mean, key=lambda k: (mean[k], k.startswith("none"), -float(k.split()[1])))
    gain = _paired_gain(ranks[best], ranks["none 0 0"])
    if gain[0] <= 0 or gain[0] < margin * gain[1]:
        return "none 0 0", gain  # not clearly better than the shipped answers: change nothing
    return best, gain


def _paired_gain(tried: np.ndarray, shipped: np.ndarray) -> tuple[float, float]:
    """The mean of the per-commit differences and its standard error."""
    diff = tried - shipped
    if len(diff) < 2:
        return float(diff.mean()) if len(diff) else 0.0, float("inf")
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
