"""grep: ripgrep's `--json` output as hits, each tagged with its enclosing definition."""

from __future__ import annotations

import json

from scout.errors import ToolError
from scout.index.ripgrep import run_rg
from scout.tools.base import Hit, ToolContext, ToolResult

MAX_LINE_CHARS = 200


def grep(
    ctx: ToolContext,
    pattern: str,
    path: str | None = None,
    glob: str | None = None,
    fixed: bool = False,
    ignore_case: bool = False,
    max_matches: int = 100,
) -> ToolResult:
    """Search file contents with a regex (Rust syntax) or, with fixed=True, a literal string."""
    if not pattern:
        raise ToolError("grep needs a non-empty pattern")
    args = ["--json", "--no-require-git", "--no-messages", "--max-columns", "500", "-m", "50"]
    args += ["-F"] if fixed else []
    args += ["-i"] if ignore_case else []
    args += ["--glob", glob] if glob else []
    target = ctx.repo.relative(path) if path else "."
    args += ["-e", pattern, "--", target]
    code, out = run_rg(args, cwd=ctx.repo.root)
    hits = _parse(out, max_matches)
    for hit in hits:
        d = ctx.index.enclosing(hit.path, hit.line)
        if d is not None:
            hit.symbol, hit.start_line, hit.end_line = d.qualname, d.start_line, d.end_line
    text = "\n".join(f"{h.path}:{h.line}: {h.snippet}" for h in hits) or "(no matches)"
    return ToolResult(hits, text, truncated=len(hits) >= max_matches and code == 0)


def _parse(out: str, max_matches: int) -> list[Hit]:
    hits: list[Hit] = []
    for raw in out.splitlines():
        msg = json.loads(raw)
        if msg.get("type") != "match":
            continue
        data = msg["data"]
        path = _text(data["path"])
        line = data["line_number"]
        snippet = _text(data["lines"]).rstrip("\n")[:MAX_LINE_CHARS]
        hits.append(Hit(path.removeprefix("./"), line, line, line=line, snippet=snippet, score=1.0))
        if len(hits) >= max_matches:
            break
    return hits


def _text(field: dict) -> str:
    # rg reports non-UTF-8 data as base64 in "bytes"; we decode with replacement like everything else.
    if "text" in field:
        return field["text"]
    import base64

    return base64.b64decode(field.get("bytes", "")).decode("utf-8", "replace")
