"""Namespaces that only wrap: cited as the definition they hold.

A Ruby file is `module Rack; module Protection; class FormToken … end; end; end`; a C++ header
puts its one class in a namespace. Such a module does nothing itself, yet its lines hold the class's
doc comment (which sits before `class`, so inside the module and outside the class) and every word
of the class, so rankers pick the module, and the class and its methods, overlapping it, drop out
of the answer. A module or namespace whose body is one definition is cited as that definition,
down through modules of one definition each, with the module's score and evidence: the file keeps
its place, and the answer names what the file defines.
"""

from __future__ import annotations

from collections.abc import Callable

from scout.explorer.evidence import Evidence, Region
from scout.index.records import Definition

WRAPPER_KINDS = frozenset({"module", "namespace"})
CHECKED = 40  # the best regions looked at: past these, none is shown anyway


def unwrapped(
    ranked: list[Region],
    evidence: Evidence,
    outline: Callable[[str], list[Definition]],
    keep: frozenset[int] = frozenset(),
) -> list[Region]:
    """`ranked` with each wrapping module among the first `CHECKED` replaced by the definition it
    wraps (the region `evidence` holds for it, promoted to the module's place); the regions whose
    id is in `keep` (a definition the query named) stay as they are."""
    outlines: dict[str, list[Definition]] = {}
    out = []
    for i, r in enumerate(ranked):
        if i < CHECKED and id(r) not in keep and (not r.kind or r.kind in WRAPPER_KINDS):
            if r.path not in outlines:
                outlines[r.path] = outline(r.path)
            inner = wrapped(r, outlines[r.path])
            if inner is not None:
                region = evidence.region(r.path, inner.start_line, inner.end_line, inner.qualname, inner.kind)
                r = _promoted(region, r)
        out.append(r)
    return out


def wrapped(r: Region, defs: list[Definition]) -> Definition | None:
    """The definition region `r` only wraps, when `r` is a module of one definition; else None."""
    d = next((d for d in defs if d.kind in WRAPPER_KINDS and _span(d) == (r.start_line, r.end_line)), None)
    inner = None
    while d is not None and d.kind in WRAPPER_KINDS:
        kids = children(d, defs)
        if len(kids) != 1:
            break
        d = inner = kids[0]
    return inner


def children(d: Definition, defs: list[Definition]) -> list[Definition]:
    """The definitions directly inside `d`, in order (one per span: a tags query may name a node
    twice). Definitions nest without crossing, so one sweep in order of start finds them."""
    inside = {_span(x): x for x in defs if _within(x, d) and _span(x) != _span(d)}
    kids: list[Definition] = []
    for x in sorted(inside.values(), key=lambda x: (x.start_line, -x.end_line)):
        if not kids or not _within(x, kids[-1]):
            kids.append(x)
    return kids


def _promoted(inner: Region, wrapper: Region) -> Region:
    inner.score = max(inner.score, wrapper.score)
    if wrapper.confidence is not None:
        inner.confidence = max(inner.confidence or 0.0, wrapper.confidence)
    if wrapper.lines_confidence is not None:
        inner.lines_confidence = max(inner.lines_confidence or 0.0, wrapper.lines_confidence)
    for reason, score in wrapper.reasons.items():
        inner.reasons.setdefault(reason, score)
    inner.lines |= {n for n in wrapper.lines if inner.start_line <= n <= inner.end_line}
    inner.cosine = inner.cosine if inner.cosine is not None else wrapper.cosine
    return inner


def _span(d: Definition) -> tuple[int, int]:
    return d.start_line, d.end_line


def _within(x: Definition, d: Definition) -> bool:
    return d.start_line <= x.start_line and x.end_line <= d.end_line
