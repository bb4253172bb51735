"""symbols, outline and bm25: the index's view of the code."""

from __future__ import annotations

from collections import Counter

from scout.errors import ToolError
from scout.index.lexical import terms
from scout.tools.base import Hit, ToolContext, ToolResult

MAX_QUERY_TERMS = 48  # issue texts are long; the rarest terms carry the signal


def symbols(
    ctx: ToolContext, name: str, references: bool = False, fuzzy: bool = True, limit: int = 30
) -> ToolResult:
    """Definitions named `name` (exact first, then fuzzy), and with references=True its uses.

    A dotted name (`QuerySet.only`, `models.Field`) keeps only definitions inside that class or in
    a module or package of that name."""
    if not name.strip():
        raise ToolError("symbols needs a name")
    *qualifier, name = name.strip().split(".")  # `Class.method`, `module.func`
    defs = ctx.index.definitions(name, fuzzy=fuzzy, limit=limit if not qualifier else 200)
    if qualifier and qualifier[-1] not in ("self", "cls", "this"):
        defs = [d for d in defs if _qualifies(d, qualifier[-1])][:limit]
    hits = [
        Hit(
            d.path,
            d.start_line,
            d.end_line,
            d.qualname,
            1.0 if d.name.lower() == name.lower() else 0.5,
            line=d.name_line,
            snippet=d.kind,
        )
        for d in defs
    ]
    if references:
        hits += [
            Hit(r.path, r.line, r.line, r.name, 0.3, line=r.line, snippet=f"ref:{r.kind}")
            for r in ctx.index.references(name, limit=limit)
        ]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.snippet} {h.symbol}" for h in hits)
    return ToolResult(hits, text or "(no symbols)")


def _qualifies(d, qualifier: str) -> bool:
    """`Foo.bar` matches a `bar` inside `Foo`, or in a module or package named `foo`."""
    q = qualifier.lower()
    parents = (d.parent or "").lower().split(".")
    parts = [p.rsplit(".", 1)[0] for p in d.path.lower().split("/")]
    return q in parents or q in parts


def outline(ctx: ToolContext, path: str) -> ToolResult:
    """The definitions in one file, in order, with their spans."""
    rel = ctx.repo.relative(path)
    defs = ctx.index.outline(rel)
    hits = [Hit(d.path, d.start_line, d.end_line, d.qualname, line=d.name_line, snippet=d.kind) for d in defs]
    text = "\n".join(f"{h.start_line}-{h.end_line} {h.snippet} {h.symbol}" for h in hits)
    return ToolResult(hits, text or f"(no definitions in {rel})")


def bm25(ctx: ToolContext, query: str, limit: int = 30, path: str | None = None) -> ToolResult:
    """Symbol-level chunks (functions, classes, module windows) ranked by BM25 against `query`,
    across the repository or, given `path`, within one file."""
    counts = Counter(terms(query))
    weights = dict(counts.most_common()) if len(counts) <= MAX_QUERY_TERMS else _rarest(ctx, counts)
    rel = ctx.repo.relative(path) if path is not None else None
    rows = ctx.index.bm25({t: float(n) for t, n in weights.items()}, limit, rel)
    hits = [Hit(p, s, e, sym, score, snippet=matched) for p, s, e, sym, _kind, score, matched in rows]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.symbol or ''} ({h.score:.1f})" for h in hits)
    return ToolResult(hits, text or "(no results)")


def _rarest(ctx: ToolContext, counts: Counter[str]) -> dict[str, int]:
    df = ctx.index.document_frequencies(list(counts))
    present = [t for t in counts if df.get(t)]
    present.sort(key=lambda t: df[t])
    return {t: counts[t] for t in present[:MAX_QUERY_TERMS]}
