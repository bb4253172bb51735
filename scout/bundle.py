"""The evidence bundle: `scout-bundle/1`, a versioned wire format (docs/bundle.md) and its Markdown.

Lines are 1-based and inclusive; paths are repo-relative POSIX. `fit()` keeps the rendered bundle
within a token budget, dropping or trimming the lowest-ranked spans first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from scout.config import DEFAULT_BUDGET
from scout.index.languages import fence_for
from scout.tokens import TOKENIZER, count_tokens

FORMAT = "scout-bundle/1"
MIN_TRIMMED_LINES = 4  # a span trimmed shorter than this is dropped instead


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

    @property
    def header(self) -> str:
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
    spans: list[Span] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    budget: int = DEFAULT_BUDGET
    truncated: bool = False
    fallback: bool = False  # spans come from what the tools touched, not from the explorer's answer

    def to_dict(self) -> dict[str, Any]:
        spans = []
        for s in self.spans:
            d = asdict(s)
            for optional in ("text", "confidence"):
                if d[optional] is None:
                    del d[optional]
            spans.append(d)
        return {
            "format": FORMAT,
            "query": self.query,
            "repo": {"root": self.root, "commit": self.commit},
            "explorer": self.explorer,
            "budget": {"tokens": self.budget, "tokenizer": TOKENIZER},
            "truncated": self.truncated,
            "fallback": self.fallback,
            "spans": spans,
            "stats": asdict(self.stats),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Bundle:
        if d.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} bundle: format={d.get('format')!r}")
        return cls(
            query=d["query"],
            root=d["repo"]["root"],
            commit=d["repo"].get("commit"),
            explorer=d.get("explorer", ""),
            spans=[Span(**s) for s in d["spans"]],
            stats=Stats(**d.get("stats", {})),
            budget=d.get("budget", {}).get("tokens", DEFAULT_BUDGET),
            truncated=d.get("truncated", False),
            fallback=d.get("fallback", False),
        )

    def to_markdown(self) -> str:
        return render_markdown(self.spans, self.query)

    def tokens(self) -> int:
        return count_tokens(self.to_markdown())


def render_span(span: Span) -> str:
    title = f"### {span.header}"
    if span.symbol:
        title += f" `{span.symbol}`"
    lines = [title, f"_{span.why}_"]
    if span.text is not None:
        lang = fence_for(span.path)
        lines += [f"```{lang}", span.text.rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def render_markdown(spans: list[Span], query: str) -> str:
    head = f"## scout: {query.strip().splitlines()[0][:120] if query.strip() else ''}\n"
    return "\n".join([head, *(render_span(s) for s in spans)])


def fit(spans: list[Span], query: str, budget: int) -> tuple[list[Span], bool]:
    """Spans (best first) whose Markdown stays within `budget` tokens; True if any were cut."""
    used = count_tokens(render_markdown([], query))
    kept: list[Span] = []
    cut = False
    for span in spans:
        cost = count_tokens(render_span(span)) + 1
        if used + cost <= budget:
            kept.append(span)
            used += cost
            continue
        cut = True
        trimmed = _trim(span, budget - used - 1)
        if trimmed is not None:
            kept.append(trimmed)
            used += count_tokens(render_span(trimmed)) + 1
    return kept, cut


def _trim(span: Span, room: int) -> Span | None:
    """The longest prefix of `span` whose rendering fits in `room` tokens, or None."""
    if span.text is None:
        return None
    lines = span.text.splitlines()
    lo, hi = 0, len(lines)
    while lo < hi:  # binary search on the number of lines kept
        mid = (lo + hi + 1) // 2
        candidate = _prefix(span, lines, mid)
        if count_tokens(render_span(candidate)) <= room:
            lo = mid
        else:
            hi = mid - 1
    return _prefix(span, lines, lo) if lo >= MIN_TRIMMED_LINES else None


def _prefix(span: Span, lines: list[str], n: int) -> Span:
    return Span(
        span.path,
        span.start_line,
        span.start_line + n - 1,
        span.score,
        span.why + " (trimmed to fit the budget)",
        span.symbol,
        "\n".join(lines[:n]),
        span.confidence,
    )
