"""Tight citations: inside a long definition, the lines that do what the question asks.

A definition of a few hundred lines cannot be cited whole, and its first lines are mostly its
signature and docstring. Each window of `width` lines is scored by the question's words it holds,
each distinct word once, weighted by how rare it is in the repository (BM25's idf), so that
`ValidationError` outweighs `self`; a line a tool matched (grep, a traceback frame) counts as
much as the question's rarest word. The best window is cited, centred on the lines that hold
its rarer words. For an issue (a place to change) a docstring holds no words: it describes the
code in the issue's own prose, away from the lines a fix changes (a comment, beside the code it
describes, still counts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cached_property

from scout.explorer.evidence import Region
from scout.explorer.preamble import read_lines
from scout.index.lexical import terms
from scout.tools import ToolContext

SCANNED = 2000  # lines of a definition looked at: past them, a window is rarely what was asked
EPSILON = 1e-9  # a window must beat the earlier best by more than float noise


class Texts:
    """What a citation is focused with: the files' lines, read when a long definition is cited,
    and the question's terms weighted by their idf; `issue` when the query is an issue (a place
    to change) rather than a question (a definition to understand)."""

    def __init__(self, ctx: ToolContext, query: str, issue: bool) -> None:
        self.ctx, self.query, self.issue = ctx, query, issue
        self._lines: dict[str, list[str]] = {}

    @cached_property
    def weights(self) -> dict[str, float]:
        return self.ctx.index.idf(set(terms(self.query)))

    def lines(self, path: str) -> list[str]:
        if path not in self._lines:
            self._lines[path] = read_lines(self.ctx, path) or []
        return self._lines[path]

    def window(self, r: Region, width: int) -> tuple[int, int] | None:
        return focused(r, self.lines(r.path), self.weights, width, code_only=self.issue)


def focused(
    r: Region, lines: Sequence[str], weights: Mapping[str, float], width: int, code_only: bool = False
) -> tuple[int, int] | None:
    """The `width` lines of region `r` (1-based, inclusive) that hold most of the question, or
    None when no line of it holds a question word or a tool's match; with `code_only`, words in
    docstrings do not count. Only its first `SCANNED` lines are looked at (a match past them is
    not seen)."""
    body = lines[r.start_line - 1 : min(r.end_line, r.start_line - 1 + SCANNED)]
    marked = [n - r.start_line for n in r.lines if r.start_line <= n <= r.end_line]
    searched = (
        [("" if d else line) for line, d in zip(body, docstrings(body), strict=True)] if code_only else body
    )
    offset, score = best_window(searched, weights, width, marked)
    if score <= 0:
        return None
    return r.start_line + offset, min(r.end_line, r.start_line + offset + width - 1)


DOCSTRING = re.compile(r'"""|\'\'\'')


def docstrings(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is part of a triple-quoted string that opens its line: a
    docstring, not the code's own `sql = \"\"\"…`."""
    out, open_, doc = [], False, False
    for line in lines:
        quotes = len(DOCSTRING.findall(line))
        if not open_:
            doc = bool(quotes and DOCSTRING.match(line.lstrip().lstrip("rRbBuU")))
        out.append(doc and (open_ or quotes > 0))
        open_ ^= quotes % 2 == 1
    return out


def best_window(
    lines: Sequence[str], weights: Mapping[str, float], width: int, marked: Sequence[int] = ()
) -> tuple[int, float]:
    """(offset of the best `width`-line window of `lines`, its score): the weights of the distinct
    query terms inside it, plus the largest weight for each marked line (offsets) in it. A run
    shorter than `width` is one window."""
    found = [set(terms(line)) & weights.keys() for line in lines]
    bonus = max(weights.values(), default=1.0)
    marks = set(marked)
    held: Counter[str] = Counter()
    score, best, best_at = 0.0, 0.0, 0
    for i, words in enumerate(found):
        score += _enter(held, words, weights) + (bonus if i in marks else 0.0)
        if i >= width:
            gone = i - width
            score -= _leave(held, found[gone], weights) + (bonus if gone in marks else 0.0)
        if score > best + EPSILON:
            best, best_at = score, max(i - width + 1, 0)
    return _centred(found, marks, weights, best_at, width), best


def _centred(
    found: list[set[str]], marks: set[int], weights: Mapping[str, float], at: int, width: int
) -> int:
    """Slide the window so that its key lines sit in its middle: those holding its rarer words (at
    least half the weight of its rarest) and the marked ones. Ties above chose the earliest window,
    which ends on the first of them; common words (`self`, `value`) are on most lines anyway."""
    span = range(at, min(at + width, len(found)))
    top = max((weights[w] for i in span for w in found[i]), default=0.0)
    key = [i for i in span if i in marks or any(weights[w] >= top / 2 for w in found[i])]
    if not key:
        return at
    spare = width - (key[-1] - key[0] + 1)
    return max(0, min(key[0] - spare // 2, len(found) - width))


def _enter(held: Counter[str], words: set[str], weights: Mapping[str, float]) -> float:
    gained = sum(weights[w] for w in sorted(words) if held[w] == 0)
    held.update(words)
    return gained


def _leave(held: Counter[str], words: set[str], weights: Mapping[str, float]) -> float:
    held.subtract(words)
    return sum(weights[w] for w in sorted(words) if held[w] == 0)
