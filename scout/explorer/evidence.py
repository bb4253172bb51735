"""From tool hits to ranked spans: the scoring every explorer's answer step can share.

A region is a line range in a file (usually a definition's span) that collected evidence from
tools. Regions are scored by their evidence, files by their best regions, and the answer is the
best regions of the best files, each capped in length and explained by a one-line `why`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from scout.bundle import Span
from scout.config import Settings

MAX_SPAN_LINES = 80
MENTIONS = "\0mentions"  # where a region's matched words are said in its `why`
MENTIONED = 4  # of them at most
HIT_CONTEXT = 12  # lines kept around a hit when a region is too long to cite whole


class Signal(StrEnum):
    """Why a region is evidence, as data: features are computed from these, `why` rendered."""

    BM25 = "bm25"  # ranked by BM25 across the repository
    BM25_IN_FILE = "bm25-in-file"  # ranked by BM25 within one of the best files
    DEFINITION = "definition"  # defines a name the query mentions
    REFERENCE = "reference"  # uses a name the query mentions (from the index)
    IDENTIFIER = "identifier"  # a grep for an identifier the query names matched here
    QUOTED = "quoted"  # a grep for text the query quotes (or an error message) matched here
    TRACEBACK = "traceback"  # a traceback frame in the query points here
    PATH = "path"  # the query names this file
    SEMANTIC = "semantic"  # near the query in meaning (the semantic tool)
    CALLER = "caller"  # calls a definition found before (the graph)
    CALLEE = "callee"  # is called by a definition found before
    BASE = "base"  # a base class of a class found before
    SUBCLASS = "subclass"  # a subclass of a class found before
    LEARNED = "learned"  # a learned model rescored the region
    HISTORY = "history"  # past commits like the question changed it (`scout adapt`)


# Signals that are the heuristic's own evidence: they add to a region's score. The others are
# features for a learned head, which weighs them itself.
SCORED = frozenset(
    {Signal.BM25, Signal.BM25_IN_FILE, Signal.DEFINITION, Signal.REFERENCE, Signal.IDENTIFIER,
     Signal.QUOTED, Signal.TRACEBACK, Signal.PATH, Signal.LEARNED}
)  # fmt: skip


WHY = {
    Signal.BM25: "mentions {}",
    Signal.BM25_IN_FILE: "mentions {}",
    Signal.DEFINITION: "defines `{}`",
    Signal.REFERENCE: "uses `{}`",
    Signal.IDENTIFIER: "uses `{}`",
    Signal.QUOTED: "contains the quoted text",
    Signal.TRACEBACK: "in the traceback",
    Signal.PATH: "named in the query ({})",
    Signal.SEMANTIC: "close in meaning",
    Signal.CALLER: "calls `{}`",
    Signal.CALLEE: "called by `{}`",
    Signal.BASE: "base class of `{}`",
    Signal.SUBCLASS: "subclass of `{}`",
    Signal.LEARNED: "model: {}",
    Signal.HISTORY: "changed by past commits like this question",
}


@dataclass(frozen=True)
class Reason:
    signal: Signal
    detail: str = ""  # the words matched, the name defined, the pattern: shown, never parsed

    def render(self) -> str:
        if self.signal in (Signal.BM25, Signal.BM25_IN_FILE) and not self.detail:
            return "lexical match"
        return WHY[self.signal].format(self.detail)


@dataclass
class Region:
    path: str
    start_line: int
    end_line: int
    symbol: str | None = None
    score: float = 0.0
    lines: set[int] = field(default_factory=set)  # lines that matched (grep, traceback frames)
    reasons: dict[Reason, float] = field(default_factory=dict)
    confidence: float | None = None  # a learned scorer's probability that the answer is here
    lines_confidence: float | None = None  # its probability that the cited lines touch the change
    file_confidence: float | None = None  # its probability that the answer is in this region's file
    kind: str = ""  # the definition's kind (function, class, ...) when a tool said
    cosine: float | None = None  # the semantic tool's similarity, when it returned this region
    cosine_rank: int | None = None

    def add(self, reason: Reason, score: float, line: int = 0) -> None:
        if reason.signal in SCORED:
            self.score += score
        self.reasons[reason] = self.reasons.get(reason, 0.0) + score
        if line:
            self.lines.add(line)

    def signal_sums(self) -> dict[Signal, float]:
        sums = dict.fromkeys(Signal, 0.0)
        for reason, score in self.reasons.items():
            sums[reason.signal] += score
        return sums

    @property
    def why(self) -> str:
        ranked = sorted(self.reasons.items(), key=lambda kv: -kv[1])
        # Both BM25 searches (the repository's and the file's) often found the region: their
        # words are said once, in one "mentions", where the first search's reason stood.
        shown: dict[str, None] = {}
        words: list[str] = []
        for reason, _ in ranked:
            lexical = reason.signal in (Signal.BM25, Signal.BM25_IN_FILE) and reason.detail
            shown.setdefault(MENTIONS if lexical else reason.render())
            words += [w for w in reason.detail.split(", ") if w not in words] if lexical else []
        said = [f"mentions {', '.join(words[:MENTIONED])}" if s == MENTIONS else s for s in shown]
        return "; ".join(said[:3])


class Evidence:
    """Regions keyed by (path, start, end), plus file-level evidence."""

    def __init__(self) -> None:
        self.regions: dict[tuple[str, int, int], Region] = {}
        self.file_bonus: dict[str, float] = defaultdict(float)
        self.file_reasons: dict[str, Reason] = {}
        self.matched_terms: set[str] = set()  # query terms a repository-wide search found anywhere
        self.named_files: list[str] = []  # files named after the symbol a query asks for

    def region(self, path: str, start: int, end: int, symbol: str | None = None, kind: str = "") -> Region:
        key = (path, start, end)
        if key not in self.regions:
            self.regions[key] = Region(path, start, end, symbol)
        region = self.regions[key]
        region.kind = region.kind or kind
        return region

    def boost_file(self, path: str, score: float, reason: Reason) -> None:
        self.file_bonus[path] += score
        self.file_reasons.setdefault(path, reason)

    def file_scores(self, penalty) -> dict[str, float]:
        best: dict[str, list[float]] = defaultdict(list)
        for r in self.regions.values():
            best[r.path].append(r.score)
        paths = sorted(set(best) | set(self.file_bonus))  # sorted: ties break the same way every run
        scores = {}
        for p in paths:
            ranked = sorted(best.get(p, []), reverse=True)
            scores[p] = (sum(ranked[:1]) + 0.25 * sum(ranked[1:4]) + self.file_bonus.get(p, 0.0)) * penalty(p)
        return scores


def choose_spans(
    evidence: Evidence,
    penalty,
    max_files: int = 6,
    per_file: int = 2,
    max_spans: int = Settings.max_spans,
    cite: Callable[[Region], tuple[int, int]] | None = None,
) -> list[Span]:
    """The best regions of the best files, ordered by file then region score.

    Every chosen file gets its best region first; the slots left go to the files in rank order,
    the top two files taking one more than `per_file` (the first file is most often the answer,
    and its second- or third-best region is where the edit lies more often than a sixth file).
    `cite` turns a region into its cited lines (default: `cap`).
    """
    cite = cite or cap
    files = evidence.file_scores(penalty)
    ranked = sorted(files, key=lambda p: -files[p])[:max_files]
    by_file: dict[str, list[Region]] = defaultdict(list)
    for r in evidence.regions.values():
        by_file[r.path].append(r)
    options = {p: _disjoint(sorted(by_file.get(p, []), key=lambda r: -r.score)) for p in ranked}
    take = dict.fromkeys(ranked, 1)
    room = max_spans - len(ranked)
    for rank, path in enumerate(ranked):
        extra = min(room, (per_file + (rank < 2)) - 1, max(len(options[path]) - 1, 0))
        take[path] += max(extra, 0)
        room -= max(extra, 0)
    spans: list[Span] = []
    for path in ranked:
        if not options[path]:
            reason = evidence.file_reasons.get(path)
            spans.append(Span(path, 1, 40, round(files[path], 4), reason.render() if reason else "file"))
            continue
        for r in options[path][: take[path]]:
            start, end = cite(r)
            score = round(files[path] + 0.01 * r.score, 4)
            confidence = None if r.confidence is None else round(r.confidence, 4)
            spans.append(Span(path, start, end, score, r.why, r.symbol, confidence=confidence))
    return spans[:max_spans]


def _disjoint(regions: list[Region]) -> list[Region]:
    """Drop regions overlapping a better one, folding their evidence lines into it."""
    kept: list[Region] = []
    for r in regions:
        host = next((k for k in kept if r.start_line <= k.end_line and k.start_line <= r.end_line), None)
        if host is None:
            kept.append(r)
        elif host.start_line <= r.start_line and r.end_line <= host.end_line:
            host.lines |= r.lines
    return kept


def cap(r: Region) -> tuple[int, int]:
    """A region's citation: whole if short, else a window around its evidence lines or its head."""
    if r.end_line - r.start_line + 1 <= MAX_SPAN_LINES:
        return r.start_line, r.end_line
    if r.lines:
        lo = max(r.start_line, min(r.lines) - HIT_CONTEXT)
        hi = min(r.end_line, max(r.lines) + HIT_CONTEXT, lo + MAX_SPAN_LINES - 1)
        return lo, hi
    return r.start_line, r.start_line + MAX_SPAN_LINES // 2 - 1
