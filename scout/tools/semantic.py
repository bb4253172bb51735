"""semantic: chunks whose meaning is near the query's, by static embeddings (`scout.models.embedder`).

Unlike bm25 it needs no shared words: "where are passwords checked" reaches `check_password`
through the meaning the embedding table learned, even when the code says `verify` and `hasher`.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from scout.errors import ToolError
from scout.index.lexical import terms
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import Doc, tool


@tool(
    example="scout semantic 'where are passwords checked' --repo ~/src/django",
    empty_hint="use other words, or bm25 / grep for exact ones",
)
def semantic(
    ctx: ToolContext,
    query: Annotated[str, Doc("A question or description in any words; a whole issue text works.")],
    limit: Annotated[int, Doc("At most this many chunks.", ge=1, le=500)] = 30,
    path: Annotated[str | None, Doc("Rank only this file's chunks.")] = None,
) -> ToolResult:
    """Functions, classes and module chunks ranked by how close their meaning is to the query
    (cosine of static embeddings), across the repository or within one file. Finds code
    described in other words than its own; pair it with bm25 for exact words."""
    embedder = ctx.index.embedder
    if embedder is None:
        raise ToolError("semantic search needs the embedder weights", hint="reinstall scout-context")
    vector = ctx.index.embed_query(Counter(terms(query)))
    rel = ctx.repo.relative(path) if path is not None else None
    rows = ctx.index.semantic(vector, limit, rel)
    hits = [
        Hit(p, s, e, sym, round(score, 4), kind=Kind.SEMANTIC, detail=kind)
        for p, s, e, sym, kind, score in rows
    ]
    text = "\n".join(f"{h.path}:{h.start_line}-{h.end_line} {h.symbol or ''} ({h.score:.2f})" for h in hits)
    return ToolResult(hits, text or "(no results)")
