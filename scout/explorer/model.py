"""The learned explorer (the default): cheap probes, meaning, the code graph, and a learned head.

Turn 1 runs the heuristic's probes (BM25, symbol lookups, greps for identifiers and quoted text,
globs for named paths) and the semantic tool (static embeddings), all at once. Turn 2 decides
where to look next: BM25 within the best files, outlines of files a traceback names, and graph
expansions (callers, callees, base classes, subclasses) of the best candidates so far, the
expansions chosen by a learned scorer (which link, from which candidate, tends to reach the
answer). Then every candidate region is described by its evidence (`features`), the head ranks
them, a calibrator turns the ranking into the probability that each is right, and the answer
cites the confident ones (see `answer`).

Everything runs in numpy on weights shipped in the package (`scout/models/weights/`); no model
is loaded from anywhere else, and nothing here needs torch.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import numpy as np

from scout.bundle import NOTHING_SOLID, Span
from scout.config import Settings
from scout.errors import ScoutError
from scout.explorer import generated
from scout.explorer.evidence import SCORED, Evidence, Reason, Region, Signal
from scout.explorer.features import EXTRA, NAMES, featurize, heuristic_score
from scout.explorer.fileconfidence import file_confidences, file_features
from scout.explorer.focus import Texts
from scout.explorer.heuristic import first_turn, gather, penalty, second_turn
from scout.explorer.lookup import definitions
from scout.explorer.loop import Answer, State, ToolCall
from scout.explorer.preamble import without_preambles
from scout.explorer.query import QueryFacts, analyze_query
from scout.explorer.wrappers import unwrapped
from scout.index import conventions as changelogs
from scout.index.lexical import e_forms, terms
from scout.models import adaptation
from scout.models.history import History, Votes, lift
from scout.models.mlp import MLP, WEIGHTS, read_weights, softmax
from scout.tools import ToolContext

log = logging.getLogger("scout.explorer")

SEMANTIC_K = 60  # chunks the semantic tool returns in turn 1
SEEDS = 6  # candidates whose graph links the expansion scorer considers
EXPANSIONS = 4  # links followed at most
EXPAND_MIN = 0.05  # a link less likely than this to reach the answer is not followed
RELATED_LIMIT = 8
FOCUS_FILES = 3  # the best files so far are searched again, one by one
FOCUS_LIMIT = 8
POOL = 150  # candidates the head scores
HISTORY_MIN = 0.3  # a definition the history votes for less than this is not looked at
HISTORY_FILES = 4  # files outlined for the history's definitions
RRF_K = 10  # reciprocal-rank fusion of the heuristic's and the semantic tool's orders
RELATIONS = ("callers", "callees", "bases", "subclasses")
GRAPH_SIGNALS = {"caller": Signal.CALLER, "callee": Signal.CALLEE, "base": Signal.BASE,
                 "subclass": Signal.SUBCLASS}  # fmt: skip
CLASS_KINDS = frozenset({"class", "interface", "struct", "trait", "enum"})
EXPANSION_NAMES = (
    "seed_rank",
    "seed_heuristic",
    "seed_cosine",
    "seed_cosine_seen",
    "seed_is_class",
    "seed_kind_known",
    "seed_test",
    "seed_lines",
    "seed_defines",
    "callers",
    "callees",
    "bases",
    "subclasses",
    "class_link",
    "query_words",
    "query_idents",
)


@dataclass(frozen=True)
class Weights:
    head: MLP
    expansion: MLP
    calibration: MLP
    answer: dict = field(default_factory=dict)  # the stop rule's thresholds (see `answer`)
    files: MLP | None = None  # the file calibrator (`fileconfidence`); None in weights older than it
    lines: MLP | None = None  # the lines calibrator (what a span's confidence reports); None: `calibration`
    within: MLP | None = None  # the within-file ranker: the order of a file's leads (`within_files`)


@dataclass
class ModelPolicy:
    name: str = "model"
    reads_text = False  # hits by kind and score only (`Policy`)
    local = True  # an exploration costs only this machine's CPU (`Policy`)
    weights: Weights | None = None  # the shipped ones by default
    max_files: int = 5
    per_file: int = 2
    max_spans: int = 10
    trace: list | None = None  # a list: each answer's pool as (path, symbol, head logit) (`scout adapt`)

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        facts = analyze_query(state.query)
        if not state.turns:
            return first_turn(facts) + [semantic_call(facts)]
        prior = history_votes(ctx, facts)
        evidence = collect(facts, state, prior[0])
        if len(state.turns) == 1 and state.turns_left > 0:
            calls = second_turn(state) + focus_calls(evidence, facts) + self.expansion_calls(evidence, facts)
            calls += history_calls(evidence, prior[0])
            if calls:
                return calls
        return self.answer(evidence, facts, ctx, state.max_spans, prior)

    @property
    def trained(self) -> Weights:
        return self.weights or shipped()

    def expansion_calls(self, evidence: Evidence, facts: QueryFacts) -> list[ToolCall]:
        """The graph links the expansion scorer expects to reach the answer, best first."""
        options = expansion_options(evidence, facts)
        if not options:
            return []
        probs = self.trained.expansion.sigmoid([row for _, _, row in options])
        ranked = sorted(zip(probs, options, strict=True), key=lambda t: -t[0])
        chosen = [opt for p, opt in ranked if p >= EXPAND_MIN][:EXPANSIONS]
        return [related_call(seed, relation) for seed, relation, _ in chosen]

    def answer(
        self,
        evidence: Evidence,
        facts: QueryFacts,
        ctx: ToolContext | None = None,
        max_spans: int = Settings.max_spans,
        prior: tuple[Votes, History | None] | None = None,
    ) -> Answer:
        """The stop rule: the best region, then every next one the calibrated confidence vouches
        for (`weights.answer`), is the answer; the next best places, spread over files, are leads:
        as many as the rule says, and as many more as `max_spans` allows beyond its default (a
        caller that asks for a longer ranking gets one)."""
        pool = candidates(evidence, facts)
        if not pool or not grounded(pool):
            return Answer([])
        found = definitions(facts.symbol, evidence) if facts.symbol else []  # before scoring rewrites reasons
        table = head_rows(pool, evidence, facts, self.trained)  # likewise
        lifts = history_lifts(pool, prior or history_votes(ctx, facts))
        inner = lifted(within_scores(pool, table, self.trained.within), pool, lifts)
        logits = score(pool, evidence, self.trained, lifts, table)
        if self.trace is not None:
            self.trace.append([(r.path, r.symbol, float(x)) for r, x in zip(pool, logits, strict=True)])
        order = sorted(pool, key=lambda r: -r.score)
        if ctx is not None:
            order = unwrapped(order, evidence, ctx.index.outline, frozenset(id(r) for r, _ in found))
        ranked = go_to_definition(found, disjoint(order))
        words = set(terms(facts.text))
        issue = is_issue(words)
        texts = Texts(ctx, facts.text, issue) if ctx is not None else None
        ranked = without_preambles(ranked, texts.lines) if texts is not None else ranked
        if not ranked:
            return Answer([])
        rule = {**STOP_RULE, **self.trained.answer}
        best = ranked[0].confidence or 0.0
        chosen = [ranked[0]] + [
            r for r in ranked[1 : int(rule["max_answer"])]
            if (r.confidence or 0.0) >= max(rule["min_confidence"], rule["relative"] * best)
        ]  # fmt: skip
        rest = within_files([r for r in ranked if r not in chosen], inner)
        ranked = [*chosen, *rest]
        more = max(max_spans - Settings.max_spans, 0)
        per_file = LEADS_PER_FILE[issue]
        limit = int(rule["max_leads"]) + more
        leads = pick_leads(rest, limit, per_file)
        leads = with_twins(chosen, leads, ranked, limit)
        leads = deepened(chosen, leads, ranked) if issue else leads
        # the calibrator never saw a question the repository lacks words for
        known = ctx.index.document_frequencies if ctx is not None else None
        top = ceiling(words, evidence, known)
        sure_of_files([*chosen, *leads], top)
        for r in [*chosen, *leads]:
            said = reported(r)
            r.confidence = None if said is None else min(said, top)
        also = convention_lead(ctx, chosen) if issue and not asks(facts.text) and ctx is not None else None
        answers = [answer_span(r, texts) for r in chosen]
        leads_out = [lead_span(r) for r in leads if also is None or r.path != also.path]
        leads_out = generated.with_sources(ctx.repo, answers, leads_out) if ctx is not None else leads_out
        return Answer(answers, leads=[also, *leads_out] if also else leads_out)


SEMANTIC_FLOOR = 0.45  # a cosine this high is evidence on its own (see `grounded`)
COVERAGE_WORDS = 12  # questions with more distinct words than this are issues: no ceiling
STOP_RULE = {"min_confidence": 0.3, "relative": 0.5, "max_answer": 4, "max_leads": 8}  # before fitting
WHOLE_LINES = 60  # a definition this short is cited whole
WINDOW = 10  # lines kept past (and around) the evidence a question's answer is cited down to
FOCUS_LINES = 20  # lines cited inside a longer one, where the question's words are (`focus`)
MAX_CITED = 80
# Leads a file may hold. An issue's next places should span files: which one holds the fix is
# what is unsure (three a file lost SWE-bench Lite 4 gold files of the top 5 and gained none). A
# question's may go deeper into a file: the plain questions' gold definition was the third of its
# file in 7 more of 80, none lost; semble's rankings, file-labelled, lost 0.006 of NDCG@10.
LEADS_PER_FILE = {True: 2, False: 3}  # keyed by "is it an issue"


def is_issue(words: set[str]) -> bool:
    """Whether a query of these distinct terms reads as an issue rather than a question."""
    return len(words) > COVERAGE_WORDS


def asks(text: str) -> bool:
    """Whether the query is one line ending in a question mark: it asks where or how something is,
    however long, and no fix (nor its change log line) is wanted. Issues run to several lines."""
    text = text.strip()
    return "\n" not in text and text.endswith("?")


def ceiling(
    words: set[str], evidence: Evidence, frequencies: Callable[[list[str]], dict[str, int]] | None = None
) -> float:
    """The most a short question's answer may claim: the share of its words (its distinct terms)
    the repository has at all, in the question's spelling or the one its stem keeps apart by a
    final e (`pars` of "parsed" in a repository that says `parse`: `lexical.e_forms`, looked up in
    the index's document `frequencies`); `NOTHING_SOLID` when it lacks half of them (five random
    words of which two occur somewhere). A question whose every word is there, or a long issue
    (most of whose words never are), is not capped."""
    if not words or is_issue(words):
        return 1.0
    found = words & evidence.matched_terms
    forms = e_forms(words - found) if frequencies is not None else {}
    if forms:
        found |= {forms[f] for f, df in frequencies(list(forms)).items() if df}
    share = len(found) / len(words)
    return share if share > 0.5 else NOTHING_SOLID


def grounded(pool: list[Region]) -> bool:
    """Is there anything to answer from? Words the query shares with the code, a symbol it names,
    or a region whose meaning is close enough; nearest neighbours alone always exist, even for
    gibberish, and are not evidence."""
    lexical = any(any(reason.signal in SCORED for reason in r.reasons) for r in pool)
    return lexical or max((r.cosine or 0.0) for r in pool) >= SEMANTIC_FLOOR


def disjoint(ranked: list[Region]) -> list[Region]:
    """Drop regions overlapping a better one (a class around its best method, a window over it)."""
    kept: list[Region] = []
    for r in ranked:
        if not any(
            k.path == r.path and r.start_line <= k.end_line and k.start_line <= r.end_line for k in kept
        ):
            kept.append(r)
    return kept


def sure_of_files(regions: list[Region], top: float) -> None:
    """Every cited region's `file_confidence` as one figure per file, never below either
    confidence of a region in the file (a region inside a gold definition, or lines that touch
    the change, are in a gold file) nor above the query's ceiling."""
    if all(r.file_confidence is None for r in regions):
        return  # weights without a file calibrator
    files: dict[str, float] = {}
    for r in regions:
        known = [c for c in (r.file_confidence, r.confidence, r.lines_confidence) if c is not None]
        if known:
            files[r.path] = max(files.get(r.path, 0.0), *known)
    for r in regions:
        if r.path in files:
            r.file_confidence = min(files[r.path], top)


def go_to_definition(found: list[tuple[Region, float | None]], ranked: list[Region]) -> list[Region]:
    """A query that only names a symbol: its definition first (`lookup.definitions`), with the
    confidence its lookup earned, whatever the head thought of it."""
    if not found:
        return ranked
    best, confidence = found[0]
    best.score = max([best.score, *(r.score for r in ranked)])
    if confidence is not None:
        best.confidence, best.lines_confidence = confidence, None
    return disjoint([best, *(r for r in ranked if r is not best)])


def reported(r: Region) -> float | None:
    """The confidence a span reports: that its cited lines touch what the question is about (the
    lines calibrator), where the weights have one; else the ranking calibrator's. The stop rule
    reads the ranking one, which tells right from wrong more sharply (its AUC) but predicts a
    looser event (the region lies in a gold definition) than what the reader gets (these lines)."""
    return r.lines_confidence if r.lines_confidence is not None else r.confidence


def head_rows(pool: list[Region], evidence: Evidence, facts: QueryFacts, weights: Weights) -> dict[str, list]:
    """Each pooled region's features, by name, as many as the head and the within-file ranker
    read (one pass over the evidence for both), before `score` rewrites the regions' evidence."""
    within = weights.within.features if weights.within is not None else ()
    names = tuple(dict.fromkeys([*weights.head.features, *within]))
    rows = featurize(pool, evidence, facts, partial(penalty, facts), names)
    return {n: [row[i] for row in rows] for i, n in enumerate(names)}


def columns(table: dict[str, list], names: tuple[str, ...]) -> list[list[float]]:
    """The rows of `names` from a `head_rows` table."""
    return [list(row) for row in zip(*(table[n] for n in names), strict=True)]


def within_scores(pool: list[Region], table: dict[str, list], net: MLP | None) -> dict[int, float]:
    """The within-file ranker's logit of each pooled region, keyed by id(region); none without
    the net."""
    if net is None or not pool:
        return {}
    return {id(r): float(x) for r, x in zip(pool, net.logits(columns(table, net.features)), strict=True)}


def history_lifts(pool: list[Region], prior: tuple[Votes, History | None]) -> np.ndarray | None:
    """What the history prior (`scout adapt`'s votes, and the history that weighs them) adds to
    each pooled region's logit; None when the repository is not adapted or nothing voted."""
    votes, history = prior
    if not votes.files or history is None or history.weight <= 0:
        return None
    return np.asarray([lift(votes, r.path, r.symbol, history.weight, history.mix) for r in pool])


def lifted(inner: dict[int, float], pool: list[Region], lifts: np.ndarray | None) -> dict[int, float]:
    """The within-file ranker's logits moved as `score` moves the head's by the history prior:
    inside one file only the definition's own vote differs, so that is what reorders; without it
    the ranker would undo what the history taught about the file."""
    if not inner or lifts is None:
        return inner
    return {id(r): inner[id(r)] + float(x) for r, x in zip(pool, lifts, strict=True)}


def within_files(ranked: list[Region], inner: dict[int, float]) -> list[Region]:
    """`ranked` with each file's places kept and filled in the within-file ranker's order. The
    head ranks files and regions in one list, and its choice between a file's definitions was
    the weaker half: on SWE-bench Lite the gold definition of a found file sat third to tenth
    among its file's candidates for most issues whose function was missed. A ranker fitted only
    on that choice (listwise over one file's candidates, `scout.learn.within`) reorders them;
    regions it did not score (outside the pool) keep their places."""
    if not inner:
        return ranked
    places: dict[str, list[int]] = {}
    for i, r in enumerate(ranked):
        if id(r) in inner:
            places.setdefault(r.path, []).append(i)
    out = list(ranked)
    for slots in places.values():
        best = sorted((ranked[i] for i in slots), key=lambda r: -inner[id(r)])
        for i, r in zip(slots, best, strict=True):
            out[i] = r
    return out


def pick_leads(ranked: list[Region], limit: int, most: int) -> list[Region]:
    """The best remaining regions, at most `most` per file (`LEADS_PER_FILE`)."""
    per_file: dict[str, int] = {}
    out = []
    for r in ranked:
        if per_file.get(r.path, 0) < most:
            per_file[r.path] = per_file.get(r.path, 0) + 1
            out.append(r)
        if len(out) >= limit:
            break
    return out


def deepened(chosen: list[Region], leads: list[Region], ranked: list[Region]) -> list[Region]:
    """The leads with those past an issue's first `DEEP_FILES` files traded for the next best
    definitions of those files, up to `DEEP_PER_FILE` a file. Which file holds the fix is decided
    by then (a sixth file held a gold definition SWE-bench Lite's top ten had for 1 issue of 300);
    which definition in it is not (the gold one was the third to tenth of its file's candidates
    for most issues whose file was found and function missed)."""
    files = list(dict.fromkeys(r.path for r in [*chosen, *leads]))[:DEEP_FILES]
    kept = [r for r in leads if r.path in files]
    spare = len(leads) - len(kept)
    count = Counter(r.path for r in [*chosen, *kept])
    taken = {id(r) for r in [*chosen, *kept]}
    deeper = []
    for r in ranked:
        if len(deeper) >= spare:
            break
        if id(r) not in taken and r.path in files and count[r.path] < DEEP_PER_FILE:
            deeper.append(r)
            count[r.path] += 1
    rest = [r for r in leads if r.path not in files][: spare - len(deeper)]
    return kept + deeper + rest


DEEP_FILES = 5  # an issue's leads past this many files become deeper ones in them (`deepened`)
DEEP_PER_FILE = 4


SOURCES = (".c", ".cc", ".cpp", ".cxx", ".m", ".mm")
HEADERS = (".h", ".hh", ".hpp", ".hxx")


def twins(path: str) -> list[str]:
    """The paths a C-family file's other half may have: `notification.h` for `notification.cc`."""
    stem, dot, suffix = path.rpartition(".")
    if not dot:
        return []
    ending = f".{suffix.lower()}"
    pair = HEADERS if ending in SOURCES else SOURCES if ending in HEADERS else ()
    return [stem + other for other in pair]


def with_twins(chosen: list[Region], leads: list[Region], ranked: list[Region], limit: int) -> list[Region]:
    """The leads with each listed C-family file's header (or source) right after it, where the
    exploration reached that twin at all: a question about `absl::Notification` is answered in
    `notification.cc` and declared, documented, in `notification.h`, and an issue's fix in a
    source file often changes its header too. The twin's best definition stands for it; the
    leads stay within `limit`."""
    best: dict[str, Region] = {}
    for r in ranked:
        if r.symbol:  # a definition, not an `extern "C" {` block or an include guard's lines
            best.setdefault(r.path, r)
    shown = {r.path for r in [*chosen, *leads]}
    out, front = list(leads), 0
    for r in [*chosen, *leads]:
        twin = next((best[t] for t in twins(r.path) if t in best and t not in shown), None)
        if twin is None:
            continue
        shown.add(twin.path)
        at = front if r in chosen else out.index(r) + 1
        out.insert(at, twin)
        front += r in chosen
    return out[:limit]


def cite(r: Region, texts: Texts | None = None) -> tuple[int, int]:
    """The lines an answer cites. A short definition whole. In a long one, for an issue (a place
    to change), the `FOCUS_LINES` that hold most of it (`focus`); for a question (a definition to
    understand), from its signature down to the lines a tool matched, or else to those
    `FOCUS_LINES`, when they are near (`from_signature`); else its beginning."""
    if r.end_line - r.start_line + 1 <= WHOLE_LINES:
        return r.start_line, r.end_line
    inside = sorted(x for x in r.lines if r.start_line < x <= r.end_line)
    if texts is None or (inside and not texts.issue):
        return from_signature(r, inside)
    window = texts.window(r, FOCUS_LINES)
    if window is not None and texts.issue:
        return window
    return from_signature(r, inside or list(window or ()))


def from_signature(r: Region, inside: list[int]) -> tuple[int, int]:
    """From the signature down to the lines `inside` and `WINDOW` more when that is short, else a
    window around them; without them, the definition's beginning."""
    if not inside:
        return r.start_line, r.start_line + WHOLE_LINES // 2 - 1
    last = min(r.end_line, inside[-1] + WINDOW)
    if last - r.start_line < MAX_CITED:
        return r.start_line, last
    first = max(r.start_line, inside[0] - WINDOW)
    return first, min(last, first + MAX_CITED - 1)


def answer_span(r: Region, texts: Texts | None = None) -> Span:
    start, end = cite(r, texts)
    return Span(r.path, start, end, round(r.score, 4), r.why, r.symbol, **_confidences(r))


def lead_span(r: Region) -> Span:
    """A lead: where the region starts (the bundle ends it on its header line)."""
    return Span(r.path, r.start_line, r.start_line, round(r.score, 4), r.why, r.symbol, **_confidences(r))


def _confidences(r: Region) -> dict[str, float | None]:
    return {
        "confidence": None if r.confidence is None else round(r.confidence, 4),
        "file_confidence": None if r.file_confidence is None else round(r.file_confidence, 4),
    }


def convention_lead(ctx: ToolContext, chosen: list[Region]) -> Span | None:
    """The file the repository's changes under the answer's folder also edit (its changelog), as
    its history up to the checked-out commit says (`scout.index.conventions`): an issue's fix edits
    it too, and no search finds it from the issue's words. It stands for the whole file: the caller
    drops the file's other leads. None outside git, when the history names no such file, the
    answer cites it already, or it is not in this tree."""
    kept = changelogs.learnt(ctx.repo.root, ctx.repo.commit, ctx.index.path)
    found = adaptation.convention_for(kept, chosen[0].path) if kept else None
    if found is None or any(r.path == found["path"] for r in chosen) or not _is_file(ctx, found["path"]):
        return None
    where = f"{found['scope']}/" if found["scope"] else "the repository"
    why = f"history: {found['share']:.0%} of the changes to {where} also edit it"
    return Span(found["path"], 1, 1, round(chosen[-1].score, 4), why, None)


def _is_file(ctx: ToolContext, path: str) -> bool:
    try:
        return ctx.repo.resolve(path).is_file()
    except (ScoutError, OSError):
        return False


def semantic_call(facts: QueryFacts) -> ToolCall:
    return ToolCall("semantic", {"query": f"{facts.focus}\n{facts.text}", "limit": SEMANTIC_K})


def related_call(seed: Region, relation: str) -> ToolCall:
    return ToolCall("related", {"path": seed.path, "line": seed.start_line, "relation": relation,
                                "limit": RELATED_LIMIT})  # fmt: skip


def focus_calls(evidence: Evidence, facts: QueryFacts) -> list[ToolCall]:
    """BM25 within each of the best files: their definitions that no probe reached yet."""
    files = evidence.file_scores(lambda p: penalty(facts, p))
    best = sorted(files, key=lambda p: -files[p])[:FOCUS_FILES]
    query = f"{facts.focus}\n{facts.text}"
    return [ToolCall("bm25", {"query": query, "limit": FOCUS_LIMIT, "path": p}) for p in best]


def collect(facts: QueryFacts, state: State, votes: Votes | None = None) -> Evidence:
    """The heuristic's evidence, plus the semantic tool's cosines, the graph's links and the
    definitions the history votes for."""
    evidence = gather(facts, state)
    if votes is not None and votes.places:
        _add_history(evidence, state, votes)
    for obs in state.observations:
        if obs.result is None:
            continue
        if obs.call.tool == "semantic" and not obs.call.args.get("path"):
            for rank, h in enumerate(obs.result.hits):
                region = evidence.region(h.path, h.start_line, h.end_line, h.symbol, h.detail)
                if region.cosine is None or h.score > region.cosine:
                    region.cosine, region.cosine_rank = h.score, rank
                    region.add(Reason(Signal.SEMANTIC), h.score)
    strengths = prelim(evidence, facts)
    for obs in state.observations:
        if obs.call.tool == "related" and obs.result is not None:
            _add_links(evidence, obs.call.args, obs.result.hits, strengths)
    return evidence


def _add_history(evidence: Evidence, state: State, votes: Votes) -> None:
    for obs in state.observations:
        if obs.call.tool == "outline" and obs.result is not None:
            for h in obs.result.hits:
                vote = votes.places.get((h.path, h.symbol or ""), 0.0)
                if vote >= HISTORY_MIN:
                    region = evidence.region(h.path, h.start_line, h.end_line, h.symbol, h.detail)
                    region.add(Reason(Signal.HISTORY), vote)


def _add_links(evidence: Evidence, args: dict, hits: list, strengths: dict[int, float]) -> None:
    seed = _region_at(evidence, args["path"], args["line"])
    name = seed.symbol if seed and seed.symbol else f"{args['path']}:{args['line']}"
    strength = strengths.get(id(seed), 0.0) if seed else 0.0
    for h in hits:
        signal = GRAPH_SIGNALS.get(str(h.kind))
        if signal is not None:
            region = evidence.region(h.path, h.start_line, h.end_line, h.symbol, h.detail)
            region.add(Reason(signal, name), strength)


def _region_at(evidence: Evidence, path: str, line: int) -> Region | None:
    inside = [r for r in evidence.regions.values() if r.path == path and r.start_line <= line <= r.end_line]
    return min(inside, key=lambda r: r.end_line - r.start_line, default=None)


def prelim(evidence: Evidence, facts: QueryFacts) -> dict[int, float]:
    """A quick order before the head: reciprocal-rank fusion of the heuristic's scores and the
    semantic tool's ranks, scaled so the best region has 1. Keyed by id(region)."""
    regions = list(evidence.regions.values())
    pen = partial(penalty, facts)
    by_h = sorted(regions, key=lambda r: -heuristic_score(r, evidence, pen))
    fused = {id(r): 1.0 / (RRF_K + i) for i, r in enumerate(by_h)}
    for r in regions:
        if r.cosine_rank is not None:
            fused[id(r)] += 1.0 / (RRF_K + r.cosine_rank)
    top = max(fused.values(), default=1.0)
    return {k: v / top for k, v in fused.items()}


def candidates(evidence: Evidence, facts: QueryFacts) -> list[Region]:
    strengths = prelim(evidence, facts)
    ranked = sorted(evidence.regions.values(), key=lambda r: -strengths[id(r)])
    return ranked[:POOL]


def expansion_options(evidence: Evidence, facts: QueryFacts) -> list[tuple[Region, str, list[float]]]:
    """(seed, relation, features) for the links of the best definitions found so far."""
    strengths = prelim(evidence, facts)
    seeds = sorted((r for r in evidence.regions.values() if r.symbol), key=lambda r: -strengths[id(r)])
    pen = partial(penalty, facts)
    top_h = max((heuristic_score(r, evidence, pen) for r in seeds), default=1.0) or 1.0
    context = [math.log1p(len(facts.text.split())), math.log1p(len(facts.identifiers))]
    out = []
    for rank, seed in enumerate(seeds[:SEEDS]):
        is_class = seed.kind in CLASS_KINDS
        base = [
            math.log1p(rank),
            heuristic_score(seed, evidence, pen) / top_h,
            seed.cosine or 0.0,
            float(seed.cosine is not None),
            float(is_class),
            float(bool(seed.kind)),
            pen(seed.path),
            math.log1p(seed.end_line - seed.start_line + 1),
            seed.signal_sums()[Signal.DEFINITION],
        ]
        for relation in RELATIONS:
            if relation in ("bases", "subclasses") and seed.kind and not is_class:
                continue
            onehot = [float(relation == r) for r in RELATIONS]
            class_link = float(is_class and relation in ("bases", "subclasses"))
            out.append((seed, relation, [*base, *onehot, class_link, *context]))
    return out


def history_votes(ctx: ToolContext | None, facts: QueryFacts) -> tuple[Votes, History | None]:
    """The repository's history prior (`scout adapt`): the files and definitions past commits like
    the question changed, and the weight a full vote adds to a logit; none when not adapted."""
    found = adaptation.history(ctx.index.path, ctx.index.embedder) if ctx is not None else None
    if found is None:
        return Votes(), None
    return found.votes(vote_words(facts)), found


def vote_words(facts: QueryFacts) -> Counter:
    """The words that find the past commits like the question: an issue's title and first
    paragraph (`focus`), where it says what is wrong; its pasted logs and code, which read like
    other commits' messages, do not vote. A question's every word."""
    whole = Counter(terms(facts.text))
    return Counter(terms(facts.focus)) if facts.focus and is_issue(set(whole)) else whole


def history_calls(evidence: Evidence, votes: Votes) -> list[ToolCall]:
    """Outlines of the files holding the definitions the history votes for most, when no probe
    reached those definitions: a word only the history links to the code finds them this way."""
    known = {(r.path, r.symbol) for r in evidence.regions.values()}
    best = sorted((v, place) for place, v in votes.places.items() if v >= HISTORY_MIN and place not in known)
    files = dict.fromkeys(path for _, (path, _) in reversed(best))
    return [ToolCall("outline", {"path": p}) for p in list(files)[:HISTORY_FILES]]


def score(pool: list[Region], evidence: Evidence, weights: Weights, lifts: np.ndarray | None,
          table: dict[str, list]) -> list[float]:  # fmt: skip
    """The head's probabilities become the pool's scores and calibrated confidences; regions
    outside the pool keep their order below every pooled one. A history prior's `lifts`
    (`history_lifts`) move the order; the confidences stay the head's
    own, since the calibrator was never fitted on it. `table`: the pool's features (`head_rows`).
    The head's logits, returned."""
    rows = columns(table, weights.head.features)
    logits = weights.head.logits(rows)
    head_probs = softmax(logits)
    cal = calibration_rows(logits, head_probs, rows, weights.head.features, weights.calibration.features)
    conf = weights.calibration.sigmoid(cal)
    lines = [None] * len(pool)
    if weights.lines is not None:
        if weights.lines.features != weights.calibration.features:  # fitted alike, they read the same rows
            cal = calibration_rows(logits, head_probs, rows, weights.head.features, weights.lines.features)
        lines = [float(c) for c in weights.lines.sigmoid(cal)]
    files = {}
    if weights.files is not None:
        files = file_confidences(weights.files, [r.path for r in pool], logits, rows, weights.head.features)
    moved = np.asarray(logits, dtype=np.float64)
    if lifts is not None:
        moved = moved + lifts
    probs = softmax(moved)
    top = float(probs.max())
    pooled = {id(r) for r in pool}
    for r, p, c, lc in zip(pool, probs, conf, lines, strict=True):
        r.score = float(p) / top
        r.confidence, r.lines_confidence = float(c), lc
        r.file_confidence = files.get(r.path)
        r.reasons = {Reason(Signal.LEARNED, r.why): r.score} if r.reasons else {}
    unread = [r for r in evidence.regions.values() if id(r) not in pooled]
    floor = min((r.score for r in pool), default=1.0)
    top_unread = max((r.score for r in unread), default=1.0) or 1.0
    for r in unread:
        r.score = 0.5 * floor * r.score / top_unread
    top_bonus = max(evidence.file_bonus.values(), default=0.0)
    for path in list(evidence.file_bonus):
        evidence.file_bonus[path] *= 0.1 / top_bonus if top_bonus else 0.0
    return [float(x) for x in logits]


CALIBRATION_NAMES = ("logit_gap", "log_prob", "rank")  # the first calibrator's inputs
# What `make train` fits the calibrator on now: how the head's scores sit (the region's own logit,
# the best one's margin over the next, how spread the whole softmax is), and the evidence that
# makes an answer sure (the query names the definition, a traceback points at it, its file is named).
CALIBRATION_CONTEXT = ("logit", "margin", "entropy", "candidates", "next_gap")
CALIBRATION_EVIDENCE = ("defines", "traceback", "quoted", "uses", "bm25", "cosine", "name_overlap",
                        "path_overlap", "file_bonus", "file_rank", "test", "lines", "query_words",
                        "query_idents")  # fmt: skip
CALIBRATION_FEATURES = CALIBRATION_NAMES + CALIBRATION_CONTEXT + CALIBRATION_EVIDENCE


def calibration_rows(logits, probs, rows=None, head_names=(), names=CALIBRATION_NAMES) -> list[list[float]]:
    """The calibrator's inputs `names` for every candidate: from the head's logits and
    probabilities, and from the head's own input `rows` (named `head_names`) for evidence."""
    z = np.asarray(logits, dtype=np.float64)
    order = np.argsort(-z, kind="stable")
    rank = np.empty(len(z), dtype=np.int64)
    rank[order] = np.arange(len(z))
    ranked = z[order]
    best = float(ranked[0]) if len(z) else 0.0
    second = float(ranked[1]) if len(z) > 1 else best - 5.0
    p = np.asarray(probs, dtype=np.float64)
    entropy = float(-(p * np.log(p + 1e-12)).sum())
    at = {n: i for i, n in enumerate(head_names)}
    out = []
    for i in range(len(z)):
        r = int(rank[i])
        values = {
            "logit_gap": float(z[i]) - best,
            "log_prob": math.log(max(float(p[i]), 1e-9)),
            "rank": math.log1p(r),
            "logit": float(z[i]),
            "margin": best - second,
            "entropy": entropy,
            "candidates": math.log(len(z)),
            "next_gap": float(ranked[r] - ranked[r + 1]) if r + 1 < len(z) else 5.0,
        }
        out.append([values[n] if n in values else float(rows[i][at[n]]) for n in names])
    return out


def calibrator_features(data: dict, head_names: tuple[str, ...]) -> tuple[str, ...]:
    """The features a stored calibrator was fitted on, refused unless the head computes them."""
    names = tuple(data.get("features", ()))
    known = set(CALIBRATION_NAMES) | set(CALIBRATION_CONTEXT) | set(head_names)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"the calibrator needs features this scout does not compute: {unknown}")
    return names


def _file_calibrator(data: dict | None, head_names: tuple[str, ...]) -> MLP | None:
    return None if data is None else MLP.from_dict(data, file_features(data, head_names))


def _lines_calibrator(data: dict | None, head_names: tuple[str, ...]) -> MLP | None:
    return None if data is None else MLP.from_dict(data, calibrator_features(data, head_names))


def _within_ranker(data: dict | None) -> MLP | None:
    return None if data is None else MLP.from_dict(data, head_features(data, "the within-file ranker"))


def head_features(head: dict, net: str = "the head") -> tuple[str, ...]:
    """The features a stored head (or another net over the head's features, `net`) was trained
    on, refused when this scout does not compute one."""
    names = tuple(head.get("features", ()))
    unknown = [n for n in names if n not in NAMES and n not in EXTRA]
    if unknown or not names:
        raise ValueError(f"{net} needs features this scout does not compute: {unknown}")
    return names


def explorer(arg: str) -> ModelPolicy:
    """`model`: the learned explorer with its shipped weights (the default); `model:DIR` with the
    explorer nets a training run left in DIR (`scout learn train --work W` → W/weights), to
    compare them with the shipped ones on the same index (the embedder stays the installed one)."""
    return ModelPolicy(weights=trained_in(arg) if arg else None)


def trained_in(folder: str) -> Weights:
    path = Path(folder).expanduser() / WEIGHTS.name
    if not path.is_file():
        raise ScoutError(f"no explorer weights at {path}", hint="give the weights folder of a training run")
    return load_weights(path)


@cache
def shipped() -> Weights:
    return load_weights(WEIGHTS)


def load_weights(path: Path) -> Weights:
    data = read_weights(path)
    if data is None:
        raise ScoutError(
            f"the learned explorer's weights are missing ({path.name})",
            hint="reinstall scout-context, or --explorer heuristic",
        )
    try:
        head = MLP.from_dict(data["head"], head_features(data["head"]))
        return Weights(
            head,
            MLP.from_dict(data["expansion"], EXPANSION_NAMES),
            MLP.from_dict(data["calibration"], calibrator_features(data["calibration"], head.features)),
            data.get("answer", {}),
            _file_calibrator(data.get("file_calibration"), head.features),
            _lines_calibrator(data.get("lines_calibration"), head.features),
            _within_ranker(data.get("within")),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ScoutError(
            f"cannot load the learned explorer's weights {path.name}: {type(exc).__name__}: {exc}",
            hint="reinstall scout-context to restore scout/models/weights/, or --explorer heuristic",
        ) from exc
