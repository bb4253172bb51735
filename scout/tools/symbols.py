"""symbols, outline and bm25: the index's view of the code."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from scout.errors import ToolError
from scout.index.lexical import terms
from scout.index.records import Definition
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import Doc, tool

MAX_QUERY_TERMS = 48  # issue texts are long; the rarest terms carry the signal


@tool(
    example="scout symbols CsrfViewMiddleware --references --repo ~/src/django",
    empty_hint="check the spelling, grep for the name, or ask find_context",
)
def symbols(
    ctx: ToolContext,
    name: Annotated[str, Doc("A function, class or method name (`Class.method` works).")],
    references: Annotated[bool, Doc("Also list the places that use it.")] = False,
    fuzzy: Annotated[bool, Doc("After exact matches, also names that contain it.")] = True,
    limit: Annotated[int, Doc("At most this many definitions (and references).", ge=1, le=500)] = 30,
) -> ToolResult:
    """Where a symbol is defined (exact matches first, then fuzzy), as `path:start-end kind name`,
    and with references where it is used. A dotted name (`QuerySet.only`, `models.Field`) keeps
    only definitions inside that class or in a module or package of that name."""
    if not name.strip():
        raise ToolError("symbols needs a name")
    *qualifier, name = name.strip().split(".")  # `Class.method`, `module.func`
    defs = ctx.index.definitions(name, fuzzy=fuzzy, limit=limit if not qualifier else 200)
    if qualifier and qualifier[-1] not in ("self", "cls", "this"):
        defs = [d for d in defs if _qualifies(d, qualifier[-1])][:limit]
    hits = [_definition_hit(d, 1.0 if d.name.lower() == name.lower() else 0.5) for d in defs]
    if references:
        hits += [
            Hit(r.path, r.line, r.line, r.name, 0.3, line=r.line, kind=Kind.REFERENCE, detail=r.kind)
            for r in ctx.index.references(name, limit=limit)
        ]
    return ToolResult(hits, "\n".join(_line(h) for h in hits) or "(no symbols)")


def _definition_hit(d: Definition, score: float = 0.0, kind: Kind = Kind.DEFINITION) -> Hit:
    return Hit(
        d.path, d.start_line, d.end_line, d.qualname, score, line=d.name_line, kind=kind, detail=d.kind
    )


def _line(h: Hit) -> str:
    what = f"ref:{h.detail}" if h.kind == Kind.REFERENCE else h.detail
    return f"{h.path}:{h.start_line}-{h.end_line} {what} {h.symbol}"


def _qualifies(d: Definition, qualifier: str) -> bool:
    """`Foo.bar` matches a `bar` inside `Foo`, or in a module or package named `foo`."""
    q = qualifier.lower()
    parents = (d.parent or "").lower().split(".")
    parts = [p.rsplit(".", 1)[0] for p in d.path.lower().split("/")]
    return q in parents or q in parts


@tool(example="scout outline django/middleware/csrf.py --repo ~/src/django")
def outline(ctx: ToolContext, path: Annotated[str, Doc("Repository-relative file path.")]) -> ToolResult:
    """The definitions in one file, in order, as `start-end kind name`: a table of contents to
    pick what to read next."""
    rel = ctx.repo.relative(path)
    if not ctx.repo.resolve(rel).is_file():
        raise ToolError(f"no such file: {path}")
    hits = [_definition_hit(d, kind=Kind.OUTLINE) for d in ctx.index.outline(rel)]
    body = "\n".join(f"{h.start_line}-{h.end_line} {h.detail} {h.symbol}" for h in hits)
    return ToolResult(hits, f"{rel}\n{body}" if hits else f"(no definitions in {rel})")


@tool(
    example="scout bm25 'csrf token check' --repo ~/src/django",
    empty_hint="use other words, or grep for an identifier",
)
def bm25(
    ctx: ToolContext,
    query: Annotated[str, Doc("Words or a whole issue text; identifiers are split into words.")],
    limit: Annotated[int, Doc("At most this many chunks.", ge=1, le=500)] = 30,
    path: Annotated[str | None, Doc("Rank only this file's chunks.")] = None,
) -> ToolResult:
    """Symbol-level chunks (functions, classes, module windows) ranked by BM25 against the query,
    across the repository or, given a path, within one file."""
    counts = Counter(terms(query))
    rel = ctx.repo.relative(path) if path is not None else None
    # Across the repository an issue's rarest words pick its chunks; within one file they are
    # mostly absent (a hash, a URL's words), and every word the file holds may rank its chunks.
    capped = len(counts) > MAX_QUERY_TERMS and rel is None
    weights = _rarest(ctx, counts) if capped else dict(counts.most_common())
    rows = ctx.index.bm25({t: float(n) for t, n in weights.items()}, limit, rel)
    kind = Kind.BM25 if rel is None else Kind.BM25_IN_FILE
    hits = [
        Hit(p, s, e, sym, score, snippet=matched, kind=kind, detail=matched)
        for p, s, e, sym, _kind, score, matched in rows
    ]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.symbol or ''} ({h.score:.1f})" for h in hits)
    return ToolResult(hits, text or "(no results)")


def _rarest(ctx: ToolContext, counts: Counter[str]) -> dict[str, int]:
    df = ctx.index.document_frequencies(list(counts))
    present = [t for t in counts if df.get(t)]
    present.sort(key=lambda t: df[t])
    return {t: counts[t] for t in present[:MAX_QUERY_TERMS]}
