"""related: the definitions linked to one through the code, from the index's tags.

Callees are the names a definition calls, resolved to definitions; callers are the definitions
whose bodies call its name; bases and subclasses follow the class headers. Names are resolved by
text, as the tags record them, so a common name (`get`, `run`) resolves to many places: those in
the same file, then the same directory, come first, and very ambiguous names are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from scout.errors import ToolError
from scout.index.records import Definition
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import Doc, tool

RELATIONS = ("callers", "callees", "bases", "subclasses")
CLASS_KINDS = frozenset({"class", "interface", "struct", "trait", "enum", "module", "type", "object"})
MAX_CANDIDATES = 8  # definitions of one name beyond this are too ambiguous to follow
PER_NAME = 2
HEADER_LINES = 2  # a class's bases are named on its first lines


@tool(
    example="scout related django/contrib/auth/hashers.py 71 --relation callees --repo ~/src/django",
    empty_hint="outline the file to pick a definition's line, or try another relation",
)
def related(
    ctx: ToolContext,
    path: Annotated[str, Doc("Repository-relative file path.")],
    line: Annotated[int, Doc("A line inside the definition to start from.", ge=1)],
    relation: Annotated[str, Doc("callers, callees, bases, subclasses, or all.")] = "all",
    limit: Annotated[int, Doc("At most this many definitions.", ge=1, le=200)] = 20,
) -> ToolResult:
    """Definitions linked to the one at path:line through the code: the ones it calls (callees),
    the ones calling it (callers), the classes it inherits from (bases) and the classes inheriting
    from it (subclasses). Follow a first answer to the code it depends on or that depends on it."""
    if relation not in (*RELATIONS, "all"):
        raise ToolError(f"unknown relation {relation!r}", hint=f"one of {', '.join(RELATIONS)}, all")
    rel = ctx.repo.relative(path)
    origin = ctx.index.enclosing(rel, line)
    if origin is None:
        raise ToolError(f"no definition encloses {rel}:{line}", hint="outline the file to pick one")
    wanted = RELATIONS if relation == "all" else (relation,)
    hits: list[Hit] = []
    seen = {(origin.path, origin.start_line)}
    for name in wanted:
        for d in FOLLOW[name](ctx, origin):
            if (d.path, d.start_line) not in seen:
                seen.add((d.path, d.start_line))
                hits.append(_hit(d, KINDS[name], origin, len(hits)))
    hits = hits[:limit]
    text = "\n".join(f"{h.kind} {h.path}:{h.start_line}-{h.end_line} {h.detail} {h.symbol}" for h in hits)
    return ToolResult(hits, text or f"(nothing related to {origin.qualname})", truncated=len(hits) >= limit)


def callees(ctx: ToolContext, d: Definition) -> Iterator[Definition]:
    names = dict.fromkeys(r.name for r in ctx.index.references_within(d.path, d.start_line, d.end_line)
                          if r.kind == "call")  # fmt: skip
    for name in names:
        yield from _resolve(ctx, name, d.path)[:PER_NAME]


def callers(ctx: ToolContext, d: Definition) -> Iterator[Definition]:
    refs = [r for r in ctx.index.references(d.name, limit=400) if r.kind == "call"]
    refs.sort(key=lambda r: _distance(r.path, d.path))
    for r in refs[:40]:
        caller = ctx.index.enclosing(r.path, r.line)
        if caller is not None:
            yield caller


def bases(ctx: ToolContext, d: Definition) -> Iterator[Definition]:
    if d.kind not in CLASS_KINDS:
        return
    head = ctx.index.references_within(d.path, d.start_line, d.name_line + HEADER_LINES)
    for r in head:
        if r.kind in ("class", "type") and r.name != d.name:
            yield from [x for x in _resolve(ctx, r.name, d.path) if x.kind in CLASS_KINDS][:PER_NAME]


def subclasses(ctx: ToolContext, d: Definition) -> Iterator[Definition]:
    if d.kind not in CLASS_KINDS:
        return
    for r in ctx.index.references(d.name, limit=400):
        if r.kind not in ("class", "type"):
            continue
        owner = ctx.index.enclosing(r.path, r.line)
        if (
            owner
            and owner.kind in CLASS_KINDS
            and owner.start_line <= r.line <= owner.name_line + HEADER_LINES
        ):
            yield owner


def _resolve(ctx: ToolContext, name: str, near: str) -> list[Definition]:
    """Definitions of `name`, nearest to the file `near` first; [] when too ambiguous to follow."""
    found = ctx.index.definitions(name, limit=50)
    found.sort(key=lambda d: _distance(d.path, near))
    if len(found) > MAX_CANDIDATES and (not found or _distance(found[0].path, near) > 1):
        return []
    return found


def _distance(path: str, near: str) -> int:
    """0 same file, 1 same directory, 2 same top-level directory, 3 elsewhere."""
    if path == near:
        return 0
    a, b = path.rsplit("/", 1)[0] if "/" in path else "", near.rsplit("/", 1)[0] if "/" in near else ""
    if a == b:
        return 1
    return 2 if a.split("/")[0] == b.split("/")[0] else 3


def _hit(d: Definition, kind: Kind, origin: Definition, rank: int) -> Hit:
    return Hit(d.path, d.start_line, d.end_line, d.qualname, 1.0 / (1 + rank), line=d.name_line,
               kind=kind, detail=d.kind)  # fmt: skip


FOLLOW = {"callers": callers, "callees": callees, "bases": bases, "subclasses": subclasses}
KINDS = {"callers": Kind.CALLER, "callees": Kind.CALLEE, "bases": Kind.BASE, "subclasses": Kind.SUBCLASS}
