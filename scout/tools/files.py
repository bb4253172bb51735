"""glob and read: which files exist, and what lines they hold."""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated

from scout.errors import ToolError
from scout.index.files import read_text
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import Doc, tool

MAX_READ_LINES = 400
CITATION = re.compile(r"(.+):(\d+)(?:-(\d+))?")  # path:start-end, as bundles print a span


@tool(
    example="scout glob '**/csrf*.py' --repo ~/src/django", empty_hint="try a looser pattern such as *csrf*"
)
def glob(
    ctx: ToolContext,
    pattern: Annotated[str, Doc("Shell pattern over repository-relative paths, e.g. **/csrf*.py.")],
    limit: Annotated[int, Doc("At most this many paths.", ge=1, le=1000)] = 100,
) -> ToolResult:
    """Indexed files whose repository-relative path matches a shell pattern (`**/csrf*.py`,
    `*views*`); a pattern without a slash matches at any depth."""
    pat = pattern.removeprefix("./")
    loose = pat if "/" in pat else f"*{pat}" if not pat.startswith("*") else pat
    matches = [p for p in ctx.index.paths() if fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, loose)]
    hits = [Hit(p, score=1.0, kind=Kind.PATH) for p in matches[:limit]]
    text = "\n".join(h.path for h in hits) or "(no files)"
    if len(matches) > limit:
        text += f"\n[{len(matches) - limit} more paths not shown: raise limit or narrow the pattern]"
    return ToolResult(hits, text, truncated=len(matches) > limit)


@tool(
    example="scout read django/middleware/csrf.py --start-line 340 --end-line 400 --repo ~/src/django",
    narrow_hint="read a smaller line range",
    mcp_name="read_range",
)
def read(
    ctx: ToolContext,
    path: Annotated[str, Doc("Repository-relative file path, e.g. from a citation.")],
    start_line: Annotated[int, Doc("First line, 1-based.", ge=1)] = 1,
    end_line: Annotated[int | None, Doc("Last line, inclusive; omit for up to 400 lines.", ge=1)] = None,
    context: Annotated[int, Doc("Extra lines before and after the range.", ge=0, le=200)] = 0,
) -> ToolResult:
    """Read lines of one file, numbered, at most 400 per call: read around a citation (its
    start_line/end_line with context=20), or a file's head; `path:start-end` as a bundle prints
    it reads that range. Cheap and read-only."""
    path, start_line, end_line = citation(ctx, path, start_line, end_line)
    rel = ctx.repo.relative(path)
    full = ctx.repo.resolve(rel)
    if not full.is_file():
        raise ToolError(f"no such file: {path}")
    text = read_text(ctx.repo, rel, ctx.index.max_bytes)
    if text is None:
        raise ToolError(f"not a readable text file (binary, minified or too large): {path}")
    if end_line is not None and end_line < start_line:
        raise ToolError(f"bad line range {start_line}-{end_line}")
    lines = text.splitlines()
    first = max(1, start_line - context)
    if first > max(len(lines), 1):
        raise ToolError(
            f"start_line {start_line} is past the end of {rel} ({len(lines)} lines)",
            hint="outline the file, or read from start_line=1",
        )
    want = (end_line + context) if end_line is not None else len(lines)
    last = min(len(lines), want, first + MAX_READ_LINES - 1)
    body = lines[first - 1 : last]
    hit = Hit(rel, first, max(last, first), snippet="\n".join(body), kind=Kind.LINES)
    return ToolResult([hit], _numbered(rel, first, body, last < min(want, len(lines))), last < want)


def citation(ctx: ToolContext, path: str, start: int, end: int | None) -> tuple[str, int, int | None]:
    """A bundle's `path:start-end` (or `path:line`) given as the path, with no range of its own,
    read as the file and its range; a file that really is named so is read as itself."""
    match = CITATION.fullmatch(path)
    if match is None or (start, end) != (1, None) or ctx.repo.resolve(ctx.repo.relative(path)).is_file():
        return path, start, end
    first = int(match.group(2))
    return match.group(1), first, int(match.group(3) or first)


def _numbered(rel: str, first: int, body: list[str], more: bool) -> str:
    """Numbered lines, so a reader can cite them without counting."""
    width = len(str(first + len(body)))
    out = [f"{rel}:{first}-{first + max(len(body) - 1, 0)}"]
    out += [f"{n:>{width}}  {text}" for n, text in enumerate(body, first)]
    if more:
        out.append(f"[file continues: read from start_line={first + len(body)} for more]")
    return "\n".join(out)
