"""Training examples from mined tasks, answered on each repository's snapshot with scout's own tools.

Two kinds: question → code pairs for the embedder (`embedding_pairs`), and recorded explorations
for the explorer's learned parts (`record`): the learned explorer's first turn, then a second turn
that follows *every* graph link it could have chosen, so that `scout.learn.fit` can label each
link by whether it reached the answer and replay the turn with only the links a scorer picks.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scout.api import Workspace
from scout.explorer.evidence import Region
from scout.explorer.heuristic import first_turn, penalty, second_turn
from scout.explorer.loop import Answer, Limits, Observation, State, ToolCall, explore
from scout.explorer.model import collect, expansion_options, focus_calls, related_call, semantic_call
from scout.explorer.query import analyze_query
from scout.index.lexical import terms
from scout.learn.embedtrain import Pair, Vocabulary
from scout.learn.snapshots import gold_spans
from scout.tools import ToolContext

log = logging.getLogger("scout.learn")

Span = tuple[str, int, int]
EXPLORED_FILES = 10  # files per recording whose every definition is kept with its cosine
SOURCE_SHARE = {
    "commit": 0.35,
    "issue": 0.15,
    "docstring": 0.15,
    "docquestion": 0.15,
    "readme": 0.1,
    "test": 0.1,
}


def sample_tasks(tasks: list[dict], per_repo: int, seed: int) -> dict[str, list[dict]]:
    """Up to `per_repo` tasks per repository, spread over the mined sources (`SOURCE_SHARE`),
    the share of a source that has too few tasks going to the others."""
    rng = random.Random(seed)
    by_repo: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for t in tasks:
        by_repo[t["repo"]][t.get("source", "commit")].append(t)
    out = {}
    for repo, sources in sorted(by_repo.items()):
        for items in sources.values():
            rng.shuffle(items)
        chosen = [
            t for s, items in sources.items() for t in items[: int(per_repo * SOURCE_SHARE.get(s, 0.1))]
        ]
        rest = [t for items in sources.values() for t in items if t not in chosen]
        rng.shuffle(rest)
        out[repo] = (chosen + rest)[:per_repo]
    return out


def is_gold(region: Region, gold: list[Span]) -> bool:
    """The region lies mostly inside a gold definition: citing it cites the answer, not a whole
    class or module around it."""
    size = region.end_line - region.start_line + 1
    for path, start, end in gold:
        if path == region.path:
            inter = min(end, region.end_line) - max(start, region.start_line) + 1
            if inter > 0 and inter * 2 >= size:
                return True
    return False


def embedding_pairs(ws: Workspace, tasks: list[dict], negatives: int = 2) -> list[dict]:
    """(query, gold chunk) pairs as term counts, with BM25's best non-gold chunks as hard
    negatives: {"task", "query", "positive": {term: n}, "negatives": [{term: n}]}."""
    from scout.tools import call_tool

    pairs = []
    for task in tasks:
        gold = gold_spans(ws, task)
        ids = [cid for cid in (ws.index.chunk_id(*g) for g in gold) if cid is not None]
        if not ids:
            continue
        query = _query_text(task["query"])
        hits = call_tool(ws.ctx, "bm25", {"query": query, "limit": 10}).hits
        wrong = [ws.index.chunk_id(h.path, h.start_line, h.end_line) for h in hits]
        wrong = [cid for cid in wrong if cid is not None and cid not in ids][:negatives]
        bags = ws.index.chunk_bags(ids + wrong)
        for cid in ids[:2]:
            negs = [bags[w] for w in wrong]
            pairs.append({"task": task["id"], "query": query, "positive": bags[cid], "negatives": negs})
    return pairs


def to_pair(repo: str, raw: dict, vocab: Vocabulary) -> Pair:
    """A stored pair as the embedder's training input, in `vocab`'s rows."""
    negatives = [vocab.bag(n) for n in raw["negatives"]]
    return Pair(repo, vocab.query_bag(raw["query"]), vocab.bag(raw["positive"]), negatives)


def _query_text(query: str) -> str:
    facts = analyze_query(query)
    return f"{facts.focus}\n{facts.text}"  # what the explorer's semantic call sends


@dataclass
class Chunk:
    """A definition of an explored file, as the index chunks it."""

    start: int
    end: int
    symbol: str | None
    kind: str
    counts: dict[str, int]


@dataclass
class Recording:
    """One task explored with every graph link followed; `fit` replays it."""

    id: str
    repo: str
    split: str
    source: str
    query: str
    gold: list[Span]
    state: State
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)  # explored file → its chunks
    cosines: dict[str, list[float]] = field(default_factory=dict)  # ...and each one's cosine to the query


class Recorder:
    """The learned explorer's turns, but turn 2 follows every link of every seed."""

    name = "recorder"

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        facts = analyze_query(state.query)
        if not state.turns:
            return first_turn(facts) + [semantic_call(facts)]
        if len(state.turns) == 1:
            evidence = collect(facts, state)
            links = [related_call(seed, rel) for seed, rel, _ in expansion_options(evidence, facts)]
            return second_turn(state) + focus_calls(evidence, facts) + links
        return Answer([])


def record(ws: Workspace, task: dict) -> Recording | None:
    gold = gold_spans(ws, task)
    if not gold:
        return None
    recorder = _Capture(Recorder())
    explore(task["query"], ws.ctx, recorder, Limits(max_turns=2, with_code=False))
    state = recorder.state
    if state is None:  # the first turn read past the token limit: the loop answered without a second
        return None
    for obs in state.observations:
        if obs.result is not None:
            obs.result.text = ""  # only the hits are replayed
    rec = Recording(task["id"], task["repo"], task.get("split", "train"), task.get("source", "commit"),
                    task["query"], gold, state)  # fmt: skip
    _explored_files(ws, rec)
    return rec


def _explored_files(ws: Workspace, rec: Recording) -> None:
    """Every definition of the best files the exploration reached, with its terms and its cosine
    to the query: what a feature over a whole file's definitions needs, kept so no repository is.
    (Module-level windows are left out: they are never a definition to choose.)"""
    facts = analyze_query(rec.query)
    evidence = collect(facts, rec.state)
    files = evidence.file_scores(lambda p: penalty(facts, p))
    best = sorted(files, key=lambda p: (-files[p], p))[:EXPLORED_FILES]
    vector = ws.index.embedder.embed(Counter(terms(_query_text(rec.query))), query=True)
    for path in best:
        rows = sorted(
            (r for r in ws.index.semantic(vector, 10_000, path) if r[3]), key=lambda r: (r[1], r[2])
        )
        if not rows:
            continue
        ids = [ws.index.chunk_id(path, s, e) for _, s, e, *_ in rows]
        bags = ws.index.chunk_bags([i for i in ids if i is not None])
        found = zip(rows, ids, strict=True)
        rec.chunks[path] = [
            Chunk(s, e, sym, kind, bags.get(cid, {})) for (_, s, e, sym, kind, _), cid in found
        ]
        rec.cosines[path] = [float(r[5]) for r in rows]


class _Capture:
    """Keeps the loop's state when the wrapped policy answers (the loop does not hand it out)."""

    def __init__(self, policy) -> None:
        self.policy = policy
        self.name = policy.name
        self.state: State | None = None

    def decide(self, state: State, ctx: ToolContext):
        decision = self.policy.decide(state, ctx)
        if isinstance(decision, Answer):
            self.state = state
        return decision


def first_turn_only(state: State) -> State:
    return State(state.query, [state.turns[0]], turns_left=1)


def with_links(state: State, keep: set[tuple]) -> State:
    """The recorded state with only the graph links in `keep` ((path, line, relation)) followed."""
    turn2 = [o for o in state.turns[1] if o.call.tool != "related" or _link(o) in keep]
    return State(state.query, [state.turns[0], turn2], turns_left=0)


def _link(obs: Observation) -> tuple:
    a = obs.call.args
    return (a["path"], a["line"], a["relation"])


def link_results(state: State) -> dict[tuple, Observation]:
    return {_link(o): o for o in state.turns[1] if o.call.tool == "related"} if len(state.turns) > 1 else {}
