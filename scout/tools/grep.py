"""grep: ripgrep's `--json` matches, streamed and capped, each tagged with its enclosing definition."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from scout.errors import ToolError
from scout.index.ripgrep import stream_rg
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import Doc, tool

MAX_LINE_CHARS = 200
# rg searches files in parallel and prints them in whatever order they finish, so the first N
# matches differ from run to run. Up to this many are all read and sorted (the same question gets
# the same answer every time); past it, a second pass with `--sort path` (one thread) picks them.
COLLECT = 2000
REGEX_HINT = "escape regex metacharacters such as ( [ { . * + ? (Rust regex syntax), or pass fixed=true"


@tool(
    example="scout grep 'def check_token' --glob '*.py' --repo ~/src/django",
    empty_hint="check the regex (Rust syntax), try ignore_case or fixed, or ask find_context",
    narrow_hint="raise max_matches or narrow path / glob",
)
def grep(
    ctx: ToolContext,
    pattern: Annotated[str, Doc("Regex (Rust syntax), or a literal string with fixed.")],
    path: Annotated[str | None, Doc("Only this file or directory (repository-relative).")] = None,
    glob: Annotated[str | None, Doc("Only files matching this glob, e.g. *.py.")] = None,
    fixed: Annotated[bool, Doc("Treat the pattern as a literal string.", short="-F")] = False,
    ignore_case: Annotated[bool, Doc("Case-insensitive.", short="-i")] = False,
    max_matches: Annotated[int, Doc("Stop after this many matches in all.", ge=1, le=1000)] = 50,
) -> ToolResult:
    """Search file contents with ripgrep. One `path:line: text` per match, followed by the
    enclosing definition and its line span when there is one. Use it for exact strings and
    identifiers; for questions in words, find_context (or bm25) is better."""
    if not pattern:
        raise ToolError("grep needs a non-empty pattern")
    args = ["--json", "--no-require-git", "--no-messages", "--max-columns", "500", "-m", str(max_matches)]
    args += ["-F"] if fixed else []
    args += ["-i"] if ignore_case else []
    args += ["--glob", glob] if glob else []
    target = ctx.repo.relative(path) if path else "."
    args += ["-e", pattern, "--", target]
    hits = _search(args, ctx, pattern, COLLECT + 1)
    if len(hits) > COLLECT:  # too many to keep them all: take the first ones in path order
        hits = _search(["--sort", "path", *args], ctx, pattern, max_matches + 1)
    truncated = len(hits) > max_matches
    hits = sorted(hits, key=lambda h: (h.path, h.line))[:max_matches]
    for hit in hits:
        d = ctx.index.enclosing(hit.path, hit.line)
        if d is not None:
            hit.symbol, hit.start_line, hit.end_line = d.qualname, d.start_line, d.end_line
    return ToolResult(hits, render(hits, truncated), truncated)


def _search(args: list[str], ctx: ToolContext, pattern: str, limit: int) -> list[Hit]:
    try:
        with stream_rg(args, cwd=ctx.repo.root) as lines:
            return _matches(lines, limit)
    except ToolError as exc:
        if str(exc).startswith("rg failed"):  # rg exits 2 on a pattern it cannot parse
            reason = str(exc).removeprefix("rg failed: ").removeprefix("error: ")
            raise ToolError(f"invalid regex {pattern!r}: {reason}", hint=REGEX_HINT) from None
        raise


def render(hits: list[Hit], truncated: bool) -> str:
    lines = []
    for h in hits:
        where = f"  [in {h.symbol} {h.start_line}-{h.end_line}]" if h.symbol else ""
        lines.append(f"{h.path}:{h.line}: {h.snippet}{where}")
    if truncated:
        lines.append("[more matches not shown: raise max_matches or narrow path / glob]")
    return "\n".join(lines) or "(no matches)"


def _matches(lines, limit: int) -> list[Hit]:
    hits: list[Hit] = []
    for raw in lines:
        msg = json.loads(raw)
        if msg.get("type") != "match":
            continue
        data = msg["data"]
        path = _text(data["path"]).removeprefix("./")
        line = data["line_number"]
        snippet = _text(data["lines"]).rstrip("\n")[:MAX_LINE_CHARS]
        hits.append(Hit(path, line, line, line=line, snippet=snippet, score=1.0, kind=Kind.MATCH))
        if len(hits) >= limit:
            break
    return hits


def _text(field: dict) -> str:
    # rg reports non-UTF-8 data as base64 in "bytes"; we decode with replacement like everything else.
    if "text" in field:
        return field["text"]
    return base64.b64decode(field.get("bytes", "")).decode("utf-8", "replace")
