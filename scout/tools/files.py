"""glob and read: which files exist, and what lines they hold."""

from __future__ import annotations

import fnmatch

from scout.errors import ToolError
from scout.index.files import read_text
from scout.tools.base import Hit, ToolContext, ToolResult

MAX_READ_LINES = 400


def glob(ctx: ToolContext, pattern: str, limit: int = 100) -> ToolResult:
    """Indexed files whose repo-relative path matches a shell pattern (`**/csrf*.py`, `*views*`)."""
    pat = pattern.removeprefix("./")
    loose = pat if "/" in pat else f"*{pat}" if not pat.startswith("*") else pat
    matches = [p for p in ctx.index.paths() if fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, loose)]
    hits = [Hit(p, score=1.0) for p in matches[:limit]]
    text = "\n".join(h.path for h in hits) or "(no files)"
    return ToolResult(hits, text, truncated=len(matches) > limit)


def read(ctx: ToolContext, path: str, start_line: int = 1, end_line: int | None = None) -> ToolResult:
    """Lines start_line..end_line (1-based, inclusive) of a file, at most 400 at once."""
    rel = ctx.repo.relative(path)
    full = ctx.repo.resolve(rel)
    if not full.is_file():
        raise ToolError(f"no such file: {path}")
    text = read_text(ctx.repo, rel, ctx.index.max_bytes)
    if text is None:
        raise ToolError(f"not a readable text file (binary, minified or too large): {path}")
    lines = text.splitlines()
    if start_line < 1 or (end_line is not None and end_line < start_line):
        raise ToolError(f"bad line range {start_line}-{end_line}")
    last = min(len(lines), end_line or len(lines), start_line + MAX_READ_LINES - 1)
    body = "\n".join(lines[start_line - 1 : last])
    hit = Hit(rel, start_line, max(last, start_line), snippet=body)
    truncated = last < (end_line or len(lines))
    return ToolResult([hit], f"{rel}:{start_line}-{last}\n{body}", truncated)
