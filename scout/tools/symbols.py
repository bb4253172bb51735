"""symbols, outline and bm25: the index's view of the code."""

from __future__ import annotations

from collections import Counter

from scout import store
from scout.errors import ToolError
from scout.lexical import terms
from scout.tools.base import Hit, ToolContext, ToolResult

MAX_QUERY_TERMS = 48  # issue texts are long; the rarest terms carry the signal


def symbols(
    ctx: ToolContext, name: str, references: bool = False, fuzzy: bool = True, limit: int = 30
) -> ToolResult:
    """Definitions named `name` (exact first, then fuzzy), and with references=True its uses."""
    if not name.strip():
        raise ToolError("symbols needs a name")
    name = name.strip().split(".")[-1]  # `module.Class.method` → `method`
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
        for d in store.definitions(ctx.index.db, name, fuzzy=fuzzy, limit=limit)
    ]
    if references:
        hits += [
            Hit(r.path, r.line, r.line, r.name, 0.3, line=r.line, snippet=f"ref:{r.kind}")
            for r in store.references(ctx.index.db, name, limit=limit)
        ]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.snippet} {h.symbol}" for h in hits)
    return ToolResult(hits, text or "(no symbols)")


def outline(ctx: ToolContext, path: str) -> ToolResult:
    """The definitions in one file, in order, with their spans."""
    rel = ctx.repo.relative(path)
    defs = store.outline(ctx.index.db, rel)
    hits = [Hit(d.path, d.start_line, d.end_line, d.qualname, line=d.name_line, snippet=d.kind) for d in defs]
    text = "\n".join(f"{h.start_line}-{h.end_line} {h.snippet} {h.symbol}" for h in hits)
    return ToolResult(hits, text or f"(no definitions in {rel})")


def bm25(ctx: ToolContext, query: str, limit: int = 30) -> ToolResult:
    """Symbol-level chunks (functions, classes, module windows) ranked by BM25 against `query`."""
    counts = Counter(terms(query))
    weights = dict(counts.most_common()) if len(counts) <= MAX_QUERY_TERMS else _rarest(ctx, counts)
    rows = store.bm25(ctx.index.db, {t: float(n) for t, n in weights.items()}, limit)
    hits = [Hit(p, s, e, sym, score, snippet=matched) for p, s, e, sym, _kind, score, matched in rows]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.symbol or ''} ({h.score:.1f})" for h in hits)
    return ToolResult(hits, text or "(no results)")


def _rarest(ctx: ToolContext, counts: Counter[str]) -> dict[str, int]:
    df = store.document_frequencies(ctx.index.db, list(counts))
    present = [t for t in counts if df.get(t)]
    present.sort(key=lambda t: df[t])
    return {t: counts[t] for t in present[:MAX_QUERY_TERMS]}
