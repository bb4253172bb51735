"""Fitting the learned explorer's small networks on recorded explorations (`examples`).

1. The expansion scorer: for every graph link the explorer could have followed after its first
   turn, did following it reach a gold definition the first turn had not found? Pointwise.
2. The head: the exploration replayed with only the links the scorer picks, every candidate
   region described by its features; listwise, a softmax over one task's candidates, each task
   weighted as `scout.learn.balance` says (by language and source) when asked.
3. The calibrators, on the dev repositories: the ranking calibrator, the head's output → the
   probability that a region is gold (mostly inside a gold definition), which the stop rule is
   fitted on; the lines calibrator, the same inputs → the probability that the lines the explorer
   would cite touch the task's change (`cited_labels`), what a span's `confidence` reports and
   what the benchmarks score a span by; and the file calibrator (`fileconfidence`).
4. The within-file ranker (`scout.learn.within`): the head's inputs again, listwise over one
   file's candidates at a time; it orders each file's leads.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from scout.explorer.evidence import Region
from scout.explorer.features import TRAIN_NAMES, featurize
from scout.explorer.fileconfidence import FILE_CALIBRATION, FILE_SHAPE, FILE_TOP, file_rows
from scout.explorer.heuristic import penalty
from scout.explorer.model import (
    CALIBRATION_EVIDENCE,
    CALIBRATION_FEATURES,
    EXPAND_MIN,
    EXPANSION_NAMES,
    EXPANSIONS,
    calibration_rows,
    candidates,
    cite,
    collect,
    expansion_options,
    prelim,
)
from scout.explorer.query import analyze_query
from scout.learn.build import read_tasks
from scout.learn.data import DataDir
from scout.learn.examples import Recording, first_turn_only, is_gold, link_results, with_links
from scout.learn.progress import Eta
from scout.models.mlp import MLP, mean_of, softmax

log = logging.getLogger("scout.learn")

FOUND_BEFORE = 20  # a gold region among the first turn's best this many is already found


@dataclass
class Group:
    """One task's candidates: feature rows and gold labels, in the head's order of input."""

    rows: list[list[float]]
    labels: list[int]
    split: str
    regions: list[Region]
    gold: list
    changed: list = field(default_factory=list)  # [path, start, end] hunks the task's change touched
    repo: str = ""
    source: str = ""  # where the task was mined (commit, issue, docstring, ...): what a weight reads
    task: str = ""  # the task's id: its changed lines are looked up by it
    paths: list[str] = field(default_factory=list)  # each candidate's file (the within-file ranker's groups)


def cited_labels(g: Group) -> list[int]:
    """What a span's confidence predicts, per candidate: do the lines the explorer would cite from
    it (`cite`) touch the task's change, what the benchmarks score a span by? A region inside a
    long gold function whose cited window misses the change is not the answer to an issue. Without
    the change's lines (`changed` empty), the region label: mostly inside a gold definition."""
    if not g.changed:
        return g.labels
    out = []
    for r in g.regions:
        start, end = cite(r)
        out.append(int(any(p == r.path and start <= e and s <= end for p, s, e in g.changed)))
    return out


def changed_lines(data: DataDir, repos: list[str]) -> dict[str, list]:
    """Each task's hunks ([path, start, end], as mined), by task id; none for a repository whose
    tasks file is not in the data folder."""
    listed = {r["repo"] for r in data.entries() if "tasks.jsonl.gz" in r.get("files", {})}
    tasks = (t for repo in repos if repo in listed for t in read_tasks(data, repo))
    return {t["id"]: t.get("gold_ranges") or [] for t in tasks}


def with_changes(data: DataDir, groups: list[Group]) -> None:
    """Each group's changed lines (`Group.changed`), from its task as mined: what the lines
    calibrator's label reads."""
    changed = changed_lines(data, sorted({g.repo for g in groups}))
    for g in groups:
        g.changed = changed.get(g.task, [])


def expansion_examples(recs: list[Recording]) -> tuple[list[list[float]], list[int]]:
    rows, labels = [], []
    for rec in recs:
        facts = analyze_query(rec.query)
        first = collect(facts, first_turn_only(rec.state))
        strengths = prelim(first, facts)
        ranked = sorted(first.regions.values(), key=lambda r: -strengths[id(r)])[:FOUND_BEFORE]
        found = {(r.path, r.start_line, r.end_line) for r in ranked if is_gold(r, rec.gold)}
        results = link_results(rec.state)
        for seed, relation, row in expansion_options(first, facts):
            obs = results.get((seed.path, seed.start_line, relation))
            hits = obs.result.hits if obs is not None and obs.result is not None else []
            new = [h for h in hits if (h.path, h.start_line, h.end_line) not in found]
            reached = any(is_gold(Region(h.path, h.start_line, h.end_line), rec.gold) for h in new)
            rows.append(row)
            labels.append(int(reached))
    return rows, labels


def replay(rec: Recording, expansion: MLP, names: tuple[str, ...] = TRAIN_NAMES) -> Group:
    """The recorded exploration with only the links the scorer would follow, as head inputs."""
    facts = analyze_query(rec.query)
    first = collect(facts, first_turn_only(rec.state))
    options = expansion_options(first, facts)
    keep: set[tuple] = set()
    if options:
        probs = expansion.sigmoid([row for _, _, row in options])
        ranked = sorted(zip(probs, options, strict=True), key=lambda t: -t[0])[:EXPANSIONS]
        keep = {(seed.path, seed.start_line, rel) for p, (seed, rel, _) in ranked if p >= EXPAND_MIN}
    evidence = collect(facts, with_links(rec.state, keep))
    pool = candidates(evidence, facts)
    rows = featurize(pool, evidence, facts, partial(penalty, facts), names)
    labels = [int(is_gold(r, rec.gold)) for r in pool]
    return Group(rows, labels, rec.split, pool, rec.gold, repo=rec.repo, source=rec.source, task=rec.id,
                 paths=[r.path for r in pool])  # fmt: skip


def fit_net(
    data, names: tuple[str, ...], hidden: int, mode: str, seed: int = 0, epochs: int = 30, lr: float = 3e-3,
    weights: list[float] | None = None,
) -> MLP:  # fmt: skip
    """Train an `MLP`: `mode` "listwise" takes [(rows, labels)] groups, "pointwise" (rows, labels).
    A listwise fit takes a weight per group (`weights`, mean 1: `scout.learn.balance`)."""
    import torch

    torch.manual_seed(seed)
    if mode == "listwise":
        weights = weights if weights is not None else [1.0] * len(data)
        groups = [(r, y, w) for (r, y), w in zip(data, weights, strict=True) if any(y) and not all(y)]
        flat = np.asarray([x for r, _, _ in groups for x in r], dtype=np.float64)
    else:
        flat = np.asarray(data[0], dtype=np.float64)
    mean, std = flat.mean(0), flat.std(0) + 1e-6
    if hidden:
        net = torch.nn.Sequential(
            torch.nn.Linear(len(names), hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
        )
    else:
        net = torch.nn.Sequential(torch.nn.Linear(len(names), 1))
    optim = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    rng = random.Random(seed)
    if mode == "listwise":
        batches = [(torch.tensor((np.asarray(r) - mean) / std, dtype=torch.float32),
                    torch.tensor(y).bool(), w) for r, y, w in groups]  # fmt: skip
    else:
        x = torch.tensor((flat - mean) / std, dtype=torch.float32)
        y = torch.tensor(data[1], dtype=torch.float32)
    for epoch in range(epochs):
        if mode == "listwise":
            rng.shuffle(batches)
            for i in range(0, len(batches), 32):
                chunk = batches[i : i + 32]
                loss = sum(w * _listwise(torch, net(x).squeeze(-1), y) for x, y, w in chunk) / len(chunk)
                optim.zero_grad()
                loss.backward()
                optim.step()
        else:
            order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed + epoch))
            for i in range(0, len(x), 256):
                idx = order[i : i + 256]
                loss = torch.nn.functional.binary_cross_entropy_with_logits(net(x[idx]).squeeze(-1), y[idx])
                optim.zero_grad()
                loss.backward()
                optim.step()
    log.info("fitted a %s net over %d inputs on %d examples", mode, len(names), len(flat))
    return _export(net, names, mean, std, hidden)


def _listwise(torch, logits, positives):
    return torch.logsumexp(logits, 0) - torch.logsumexp(logits[positives], 0)


def _export(net, names, mean, std, hidden) -> MLP:
    if hidden:
        first, last = net[0], net[2]
        w1 = first.weight.detach().numpy().T.astype(np.float64)
        b1 = first.bias.detach().numpy().astype(np.float64)
    else:
        last, w1, b1 = net[0], None, None
    return MLP(tuple(names), mean, std, w1, b1, last.weight.detach().numpy()[0].astype(np.float64),
               float(last.bias.detach()[0]))  # fmt: skip


CALIBRATION_TOP = 5  # the calibrator learns from each task's best candidates: the ones it will judge
CALIBRATION_HIDDEN = 8  # a linear calibrator was as well calibrated but never said "sure" (dev, 2-fold)


def calibration_data(
    head: MLP, groups: list[Group], names: tuple[str, ...], lines: bool = False
) -> tuple[list, list[int]]:
    """The best candidates of each dev task: the calibrator's inputs, and whether the region is
    gold (or, with `lines`, whether its cited lines touch the change)."""
    rows, labels = [], []
    for g in groups:
        if not g.rows:
            continue
        logits = head.logits(g.rows)
        cal = calibration_rows(logits, softmax(logits), g.rows, head.features, names)
        cited = cited_labels(g) if lines else g.labels
        for i in np.argsort(-logits, kind="stable")[:CALIBRATION_TOP]:
            rows.append(cal[i])
            labels.append(cited[i])
    return rows, labels


def fit_calibration(head: MLP, dev: list[Group], seed: int = 0) -> tuple[MLP, dict]:
    """The ranking calibrator and the stop rule that goes with it, both from the dev repositories."""
    data = calibration_data(head, dev, _calibration_names(head))
    calibration = fit_net(data, _calibration_names(head), CALIBRATION_HIDDEN, "pointwise", seed, 60)
    return calibration, fit_stop(head, calibration, dev)


def fit_lines_calibration(head: MLP, dev: list[Group], seed: int = 0) -> MLP | None:
    """The lines calibrator (what a span's `confidence` reports) from the dev tasks whose changed
    lines are known; None when none is. It separates right from wrong less sharply than the
    ranking calibrator, so the stop rule keeps that one."""
    known = [g for g in dev if g.changed]
    if not known:
        return None
    data = calibration_data(head, known, _calibration_names(head), lines=True)
    return fit_net(data, _calibration_names(head), CALIBRATION_HIDDEN, "pointwise", seed, 60)


def _calibration_names(head: MLP) -> tuple[str, ...]:
    return tuple(n for n in CALIBRATION_FEATURES if n not in CALIBRATION_EVIDENCE or n in head.features)


# linear was over-sure of the best file (dev, 2-fold by repository: ECE 0.07 against 0.02-0.04)
FILE_HIDDEN = 8


def file_calibration_data(head: MLP, groups: list[Group], names: tuple[str, ...]) -> tuple[list, list[int]]:
    """Each dev task's best `FILE_TOP` files: the file calibrator's inputs, and whether a gold
    definition lies in the file."""
    rows, labels = [], []
    for g in groups:
        if not g.rows:
            continue
        gold = {path for path, _, _ in g.gold}
        table = file_rows([r.path for r in g.regions], head.logits(g.rows), g.rows, head.features, names)
        for path, row in list(table.items())[:FILE_TOP]:
            rows.append(row)
            labels.append(int(path in gold))
    return rows, labels


def fit_file_calibration(head: MLP, dev: list[Group], seed: int = 0, hidden: int = FILE_HIDDEN) -> MLP:
    """The file calibrator (`scout.explorer.fileconfidence`), from the dev repositories."""
    names = tuple(n for n in FILE_CALIBRATION if n in FILE_SHAPE or n in head.features)
    return fit_net(file_calibration_data(head, dev, names), names, hidden, "pointwise", seed, 60)


def top1(head: MLP, groups: list[Group]) -> float:
    scored = [g for g in groups if g.rows]
    return sum(g.labels[int(np.argmax(head.logits(g.rows)))] for g in scored) / max(len(scored), 1)


def replay_all(recs: list[Recording], seed: int = 0, names: tuple[str, ...] = TRAIN_NAMES) -> dict:
    """The expansion scorer and every recording replayed with it: what the head and calibrator
    are fitted on, the slow part of a fit (a training run keeps it: `pipeline`). The scorer is
    fitted unweighted so that one replay serves every weighting of the head."""
    train = [r for r in recs if r.split == "train"]
    dev = [r for r in recs if r.split == "dev"]
    expansion = fit_net(expansion_examples(train), EXPANSION_NAMES, 8, "pointwise", seed)
    eta = Eta("replays", len(recs))
    groups: dict[str, list[Group]] = {"train": [], "dev": []}
    for n, rec in enumerate(train + dev, 1):
        g = replay(rec, expansion, names)
        if rec.split == "train":  # the head's fit reads only rows and labels: a third less to keep
            g.regions, g.gold = [], []
        groups[rec.split].append(g)
        eta.step(n)
    return {"expansion": expansion, "groups": groups}


def fit_nets(replayed: dict, seed: int = 0, names: tuple[str, ...] = TRAIN_NAMES,
             weights: list[float] | None = None, heads: int = 1,
             keep: tuple[MLP, ...] = ()) -> dict:  # fmt: skip
    """The head (each training group weighted by `weights`, all alike when None; `heads` of them,
    seeds `seed`, `seed` + 1, ..., averaged into one net, which is then averaged with each head
    in `keep` as an equal), then on `replay_all`'s dev groups the ranking calibrator and the stop
    rule, the file calibrator, and the lines calibrator (when the dev groups' changed lines are
    known: `with_changes`); and the within-file ranker (`scout.learn.within`) on the same
    training groups and features as the head."""
    from scout.learn.within import fit_within

    groups = replayed["groups"]
    # 16 hidden units: 32 fitted the dev repositories as well but ranked a region with every kind of
    # evidence far below its caller, extrapolating where training had few examples
    data = [(g.rows, g.labels) for g in groups["train"]]
    fitted = mean_of([fit_net(data, names, 16, "listwise", seed + k, weights=weights) for k in range(heads)])
    head = mean_of([*keep, fitted])
    calibration, stop = fit_calibration(head, groups["dev"], seed)
    files = fit_file_calibration(head, groups["dev"], seed)
    lines = fit_lines_calibration(head, groups["dev"], seed)
    within = fit_within(groups["train"], names, seed)
    nets = {"head": head, "calibration": calibration, "stop": stop, "files": files, "lines": lines,
            "within": within}  # fmt: skip
    return {**replayed, **nets}


STOP_GRID = {
    "min_confidence": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "relative": (0.0, 0.3, 0.5, 0.7),
    "max_answer": (1, 2, 3, 4),
}


def fit_stop(head: MLP, calibration: MLP, groups: list[Group]) -> dict:
    """The stop rule's thresholds that give the best mean of file F1 and line F0.5 on `groups`
    (the dev repositories), cited the way the explorer cites."""
    from itertools import product

    from scout.explorer.model import STOP_RULE, disjoint

    scored = []
    for g in groups:
        if not g.rows or not any(g.labels):
            continue
        logits = head.logits(g.rows)
        cal = calibration_rows(logits, softmax(logits), g.rows, head.features, calibration.features)
        conf = calibration.sigmoid(cal)
        order = sorted(range(len(g.regions)), key=lambda i: -logits[i])
        ranked = disjoint([g.regions[i] for i in order])
        confs = {id(g.regions[i]): float(conf[i]) for i in order}
        scored.append((ranked, confs, g.gold))
    best, best_value = dict(STOP_RULE), -1.0
    for tau, rho, k in product(*STOP_GRID.values()):
        value = sum(_stop_value(ranked, confs, gold, tau, rho, k) for ranked, confs, gold in scored)
        if value > best_value:
            best_value = value
            best = {**STOP_RULE, "min_confidence": tau, "relative": rho, "max_answer": k}
    best["dev_value"] = round(best_value / max(len(scored), 1), 4)
    return best


def _stop_value(ranked, confs, gold, tau, rho, k) -> float:
    top = confs[id(ranked[0])]
    chosen = [ranked[0]] + [r for r in ranked[1:k] if confs[id(r)] >= max(tau, rho * top)]
    files = {r.path for r in chosen}
    gold_files = {p for p, _, _ in gold}
    file_f1 = _f(len(files & gold_files), len(files), len(gold_files), 1.0)
    cited = {(r.path, n) for r in chosen for n in range(cite(r)[0], cite(r)[1] + 1)}
    wanted = {(p, n) for p, s, e in gold for n in range(s, e + 1)}
    line_f05 = _f(len(cited & wanted), len(cited), len(wanted), 0.5)
    return (file_f1 + line_f05) / 2


def _f(hit: int, predicted: int, gold: int, beta: float) -> float:
    if not hit:
        return 0.0
    p, r = hit / predicted, hit / gold
    return (1 + beta**2) * p * r / (beta**2 * p + r)
