"""Reranker training examples: mined tasks → the candidates scout's own tools find, labelled.

Candidate generation needs an index, and one checkout per task's parent commit would cost hours.
So each training repository gets one checkout and one scout index at its newest commit, and a
task's gold is mapped onto that snapshot by (path, qualified name) of its gold functions; tasks
whose gold definitions no longer exist there are dropped. Candidates are exactly what the model
policy would rerank (the heuristic's probes, pooled into regions), so hard negatives come from the
tools themselves.
"""

from __future__ import annotations

import json
import logging
import random
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scout.explorer.evidence import _cap
from scout.explorer.heuristic import gather, probe_turn
from scout.explorer.loop import Answer, Limits, State, ToolCall, explore
from scout.explorer.model import Candidate, candidates
from scout.explorer.query import analyze_query
from scout.models.reranker import RerankerConfig
from scout.tools import ToolContext

log = logging.getLogger("scout.learn.train")

POOL = 48  # candidates kept per task; the policy reads the first TOP_K of them


@dataclass
class Recorder:
    """The model policy's probes without a model: it keeps the candidates and answers nothing."""

    cfg: RerankerConfig
    name: str = "recorder"
    found: list[Candidate] = field(default_factory=list)

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        facts = analyze_query(state.query)
        calls = probe_turn(facts, state)
        if calls:
            return calls
        self.found = candidates(gather(facts, state), facts, ctx, POOL, self.cfg)
        return Answer([])


def checkout(git_dir: Path, dest: Path) -> str:
    """Materialise HEAD of a (bare) repository once; returns its commit."""
    sha = subprocess.run(
        ["git", f"--git-dir={git_dir}", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    stamp = dest.parent / f"{dest.name}.commit"  # beside the tree: not indexed
    if not (stamp.is_file() and stamp.read_text() == sha):
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.Popen(["git", f"--git-dir={git_dir}", "archive", sha], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, check=True)
        archive.wait()
        stamp.write_text(sha)
    return sha


def snapshot_gold(index, task: dict) -> list[tuple[str, int, int]]:
    """The task's gold functions as they are in the indexed snapshot."""
    spans = []
    for path, names in (task.get("gold_functions") or {}).items():
        defs = index.outline(path)
        for name in names:
            spans += [(path, d.start_line, d.end_line) for d in defs if d.qualname == name][:1]
    return spans


def hits_gold(region, gold: list[tuple[str, int, int]]) -> int:
    """1 when the region's citation (`_cap`) overlaps a gold definition, else 0: the label."""
    start, end = _cap(region)
    return int(any(p == region.path and start <= e and s <= end for p, s, e in gold))


def labelled(ws, task: dict, cfg: RerankerConfig) -> dict | None:
    gold = snapshot_gold(ws.index, task)
    if not gold:
        return None
    recorder = Recorder(cfg)
    explore(task["query"], ws.ctx, recorder, Limits(with_code=False))
    cands = []
    for c in recorder.found:
        label = hits_gold(c.region, gold)
        cands.append({"text": c.text, "h": round(c.heuristic, 4), "label": label, "path": c.region.path})
    gold_files = sorted({p for p, _, _ in gold})
    keys = ("id", "repo", "split", "source", "query")
    return {**{k: task[k] for k in keys}, "gold_files": gold_files, "candidates": cands}


@dataclass
class HeadRecorder:
    """The model policy up to its answer: candidates, cross-encoder logits and the head's features."""

    scorer: object
    name: str = "head-recorder"
    regions: list = field(default_factory=list)
    rows: list = field(default_factory=list)

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        from scout.explorer.model import ModelPolicy

        policy = ModelPolicy(scorer=self.scorer)
        step = policy.probe(state)
        if isinstance(step, list):
            return step
        evidence, facts = step
        cands, _, self.rows = policy.read(state.query, evidence, facts, ctx, self.scorer)
        self.regions = [c.region for c in cands]
        return Answer([])


def head_example(ws, task: dict, scorer) -> dict | None:
    """One task's feature rows for the head, labelled by overlap with the gold definitions."""
    gold = snapshot_gold(ws.index, task)
    if not gold:
        return None
    recorder = HeadRecorder(scorer)
    explore(task["query"], ws.ctx, recorder, Limits(with_code=False))
    labels = [hits_gold(r, gold) for r in recorder.regions]
    keys = ("id", "repo", "split", "source")
    return {
        **{k: task[k] for k in keys},
        "rows": [[round(x, 5) for x in row] for row in recorder.rows],
        "labels": labels,
    }


def sample(tasks: list[dict], per_repo: int, seed: int) -> dict[str, list[dict]]:
    """Up to `per_repo` tasks per repository, docstring questions at most a quarter of them."""
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for t in tasks:
        by_repo[t["repo"]].append(t)
    rng = random.Random(seed)
    out = {}
    for repo, items in sorted(by_repo.items()):
        docs = [t for t in items if t["source"] == "docstring"]
        commits = [t for t in items if t["source"] != "docstring"]
        rng.shuffle(docs)
        rng.shuffle(commits)
        n_docs = min(len(docs), per_repo // 4)
        out[repo] = commits[: per_repo - n_docs] + docs[:n_docs]
    return out


def mirror_for(mirrors: Path, repo: str) -> Path:
    for candidate in (mirrors / repo.replace("/", "+") / "repo", mirrors / repo.split("/")[-1]):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no git directory for {repo} under {mirrors}")


def build(
    tasks_file: Path,
    mirrors: Path,
    work: Path,
    per_repo: int,
    seed: int = 0,
    make=None,
    exclude: frozenset[str] = frozenset(),
) -> Iterator[dict]:
    """Labelled examples for every sampled task, repository by repository.

    `make(ws, task)` turns one task into an example (default: the reranker's `labelled`); tasks
    whose id is in `exclude` are not sampled (the head must not learn from the cross-encoder's
    own training tasks, where its logits are too good)."""
    from scout.api import Workspace

    tasks = [json.loads(line) for line in tasks_file.read_text(encoding="utf-8").splitlines() if line]
    tasks = [t for t in tasks if t["id"] not in exclude]
    if make is None:
        cfg = RerankerConfig()
        make = lambda ws, task: labelled(ws, task, cfg)  # noqa: E731
    for repo, items in sample(tasks, per_repo, seed).items():
        root = work / "checkouts" / repo.replace("/", "+")
        checkout(mirror_for(mirrors, repo), root)
        ws = Workspace.open(root)
        kept = 0
        try:
            for task in items:
                example = make(ws, task)
                if example:
                    kept += 1
                    yield example
        finally:
            ws.close()
        log.info("%s: %d of %d tasks have gold in the snapshot", repo, kept, len(items))
