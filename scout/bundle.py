"""The evidence bundle: `scout-bundle/2`, a versioned wire format (docs/bundle.md), and its Markdown.

Two tiers: the *answer*, the spans scout asserts (with their lines, and a calibrated confidence
when the explorer has one), and *leads*, ranked places to look next (path, symbol, range; no code).
Lines are 1-based and inclusive; paths are repo-relative POSIX. `fit()` keeps the Markdown within
the token budget: answer spans first (the last one that does not fit trimmed to whole lines, or
kept as a citation without its code), then leads while they fit. The JSON carries a digest of the
query, not its text: a 1 MB issue should not come back in every answer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from scout.config import DEFAULT_BUDGET
from scout.index.languages import fence_for
from scout.tokens import TOKENIZER, count_tokens

FORMAT = "scout-bundle/2"
SUPERSEDED = ("scout-bundle/1",)  # readable here (spans → answer), never written
MIN_BUDGET = 100  # tokens: the header and one citation always fit
MIN_TRIMMED_LINES = 4  # a span trimmed shorter than this is cited without its code instead
EXCERPT_CHARS = 200
TITLE_TOKENS = 40  # of the Markdown title, so that MIN_BUDGET always leaves room for a citation


@dataclass
class Span:
    path: str
    start_line: int
    end_line: int
    score: float
    why: str
    symbol: str | None = None
    text: str | None = None
    confidence: float | None = None  # a calibrated explorer's probability that the answer is here
    file_confidence: float | None = None  # its probability that the answer is in this span's file

    @property
    def header(self) -> str:
        """`path:start-end`, or `path:line` for one line (a lead is often a definition's header line)."""
        if self.start_line == self.end_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


@dataclass
class Stats:
    tool_calls: int = 0
    turns: int = 0
    tokens: int = 0
    elapsed_ms: float = 0.0
    observed_tokens: int = 0  # what the explorer read, for comparison with the bundle


@dataclass
class Bundle:
    query: str
    root: str
    commit: str | None
    explorer: str
    spans: list[Span] = field(default_factory=list)  # the answer tier
    stats: Stats = field(default_factory=Stats)
    budget: int = DEFAULT_BUDGET
    truncated: bool = False
    fallback: bool = False  # spans come from what the tools touched, not from the explorer's answer
    leads: list[Span] = field(default_factory=list)  # where to look next, best first, no code
    redacted_lines: int = 0  # cited lines whose secrets were masked

    @property
    def found(self) -> bool:
        return bool(self.spans or self.leads)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "query": query_digest(self.query),
            "repo": {"root": self.root, "commit": self.commit},
            "explorer": self.explorer,
            "budget": {"tokens": self.budget, "tokenizer": TOKENIZER, "used": self.tokens()},
            "truncated": self.truncated,
            "fallback": self.fallback,
            "redacted_lines": self.redacted_lines,
            "answer": [_span_dict(s) for s in self.spans],
            "leads": [_span_dict(replace(s, text=None)) for s in self.leads],
            "stats": asdict(self.stats),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Bundle:
        fmt = d.get("format")
        if fmt not in (FORMAT, *SUPERSEDED):
            raise ValueError(f"not a {FORMAT} bundle: format={fmt!r}")
        query = d["query"] if isinstance(d["query"], str) else d["query"].get("excerpt", "")
        return cls(
            query=query,
            root=d["repo"]["root"],
            commit=d["repo"].get("commit"),
            explorer=d.get("explorer", ""),
            spans=[Span(**s) for s in d.get("answer", d.get("spans", []))],
            stats=Stats(**d.get("stats", {})),
            budget=d.get("budget", {}).get("tokens", DEFAULT_BUDGET),
            truncated=d.get("truncated", False),
            fallback=d.get("fallback", False),
            leads=[Span(**s) for s in d.get("leads", [])],
            redacted_lines=d.get("redacted_lines", 0),
        )

    def to_markdown(self, for_model: bool = False) -> str:
        return render_markdown(self.spans, self.leads, self.query, for_model)

    def tokens(self) -> int:
        return count_tokens(self.to_markdown())


def query_digest(query: str) -> dict[str, Any]:
    """What the JSON says of the query: a digest, its size, and its first line."""
    first = query.strip().splitlines()[0] if query.strip() else ""
    return {
        "sha256": hashlib.sha256(query.encode("utf-8", "replace")).hexdigest(),
        "chars": len(query),
        "excerpt": first[:EXCERPT_CHARS],
    }


def _span_dict(s: Span) -> dict[str, Any]:
    d = asdict(s)
    for optional in ("text", "confidence", "file_confidence"):
        if d[optional] is None:
            del d[optional]
    return d


def render_span(span: Span, reasons: bool = True) -> str:
    title = f"### {span.header}"
    if span.symbol:
        title += f" `{span.symbol}`"
    if span.confidence is not None:
        sure = f"; file {span.file_confidence:.0%}" if span.file_confidence is not None else ""
        title += f" ({span.confidence:.0%}{sure})"
    lines = [title, f"_{span.why}_"] if reasons else [title]
    if span.text is not None:
        lines += [f"```{fence_for(span.path)}", span.text.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def render_lead(span: Span, reasons: bool = True) -> str:
    symbol = f" `{span.symbol}`" if span.symbol else ""
    return f"- {span.header}{symbol} — {span.why}" if reasons else f"- {span.header}{symbol}"


LEADS_TITLE = "**Leads** (where to look next):"


def title(query: str) -> str:
    """The query's first line, short: at most 120 characters and TITLE_TOKENS tokens (a line of
    digits and punctuation is a token per character, and must not crowd out the citations)."""
    line = query.strip().splitlines()[0][:120] if query.strip() else ""
    while count_tokens(line) > TITLE_TOKENS:
        line = line[: len(line) * 3 // 4]
    return line


NOTHING_SOLID = 0.3  # an answer this unsure is said to be a guess (the explorer's ceiling for one)


def render_markdown(spans: list[Span], leads: list[Span], query: str, for_model: bool = False) -> str:
    """The bundle for a person; `for_model`, as a model is sent it beside the query (`scout plan`):
    no heading repeating the query, and no span's or lead's `why`, since a model that reads the
    cited code needs the citations, not scout's reasons for them."""
    reasons = not for_model
    head = [] if for_model else [f"## scout: {title(query)}\n"]
    parts = [*head, *_unsure(spans), *(render_span(s, reasons) for s in spans)]
    if leads:
        parts.append("\n".join([LEADS_TITLE, *(render_lead(s, reasons) for s in leads)]) + "\n")
    return "\n".join(parts)


def _unsure(spans: list[Span]) -> list[str]:
    """The warning above a first answer that neither its lines nor its file vouch for: a span's
    confidence is that its lines touch what was asked, often low on an issue whose file is sure."""
    best = spans[0].confidence if spans else None
    known = spans[0].file_confidence if spans else None
    if best is None or max(best, known or 0.0) > NOTHING_SOLID:
        return []
    also = f" (its file's {known:.2f})" if known is not None else ""
    return [f"Nothing solid: the best answer's confidence is {best:.2f}{also}; treat it as a guess.\n"]


def fit(spans: list[Span], leads: list[Span], query: str, budget: int) -> tuple[list[Span], list[Span], bool]:
    """The answer spans and leads (best first) whose Markdown stays within `budget` tokens, and
    whether anything was cut. An answer span that does not fit whole is trimmed to a prefix of
    whole lines, else cited without its code, else dropped."""
    used = count_tokens(render_markdown([], [], query)) + sum(count_tokens(n) + 1 for n in _unsure(spans))
    kept: list[Span] = []
    cut = False
    for span in spans:
        for candidate in _shrinking(span, budget - used - 1):
            cost = count_tokens(render_span(candidate)) + 1
            if used + cost <= budget:
                kept.append(candidate)
                used += cost
                cut = cut or candidate is not span
                break
        else:
            cut = True
    shown: list[Span] = []
    used += count_tokens(LEADS_TITLE) + 2
    for lead in leads:
        cost = count_tokens(render_lead(lead)) + 1
        if used + cost > budget:
            cut = True
            break
        shown.append(lead)
        used += cost
    return kept, shown, cut


def _shrinking(span: Span, room: int):
    """The span whole, then trimmed to fit `room`, then as a bare citation."""
    yield span
    trimmed = _trim(span, room)
    if trimmed is not None:
        yield trimmed
    if span.text is not None:
        yield replace(span, text=None, why=span.why + " (code left out to fit the budget)")


def _trim(span: Span, room: int) -> Span | None:
    """The longest prefix of `span` whose rendering fits in `room` tokens, or None."""
    if span.text is None:
        return None
    lines = span.text.splitlines()
    lo, hi = 0, len(lines)
    while lo < hi:  # binary search on the number of lines kept
        mid = (lo + hi + 1) // 2
        if count_tokens(render_span(_prefix(span, lines, mid))) <= room:
            lo = mid
        else:
            hi = mid - 1
    return _prefix(span, lines, lo) if lo >= MIN_TRIMMED_LINES else None


def _prefix(span: Span, lines: list[str], n: int) -> Span:
    return replace(
        span,
        end_line=span.start_line + n - 1,
        why=span.why + " (trimmed to fit the budget)",
        text="\n".join(lines[:n]),
    )
