"""What the MCP tools hand back: text under a token cap, bundles that fit it, errors a model can act on.

Several MCP clients reject (or silently drop) tool results above ~25,000 tokens, so every result
is cut to the server's cap with a note saying so; a cut result is still a result, not an error.
Errors the model can fix (a bad path, an unknown repository, a bad regex, nothing found) come
back as `isError` results with one line of message and one line of hint.
"""

from __future__ import annotations

import json
from dataclasses import replace

from mcp.types import CallToolResult, TextContent

from scout.bundle import Bundle, fit
from scout.errors import OutsideRepoError, RepoError, ScoutError, ToolError
from scout.tokens import count_tokens, line_prefix

MIN_MAX_TOKENS = 500  # the JSON envelope (query digest, repository, commit, stats) is 250-400 tokens
NOTE_RESERVE = 60  # tokens kept free for the truncation note itself

# A hint for each kind of error that carries none of its own: what the model should try next.
HINTS: list[tuple[type[ScoutError], str]] = [
    (OutsideRepoError, "paths are relative to the repository root, e.g. src/app/views.py"),
    (RepoError, "omit `repo` to use the default repository, or pass one this server serves"),
    (ToolError, "check the arguments against the tool's description"),
]

MESSAGE_HINTS = {  # by how the message starts, before the hint for the error's kind
    "no such file": "paths are relative to the repository root; locate files with grep or find_context",
    "not a readable text file": "binary, minified and oversized files are skipped; read another file",
}


def text_result(text: str, max_tokens: int, narrow: str = "") -> CallToolResult:
    """A plain text result, cut at a line boundary to stay under `max_tokens`."""
    return CallToolResult(content=[TextContent(text=cap_text(text, max_tokens, narrow))])


def error_result(message: str, hint: str = "") -> CallToolResult:
    """An `isError` result: one line saying what went wrong, one saying what to do."""
    lines = [f"error: {' '.join(message.split())}"]
    if hint:
        lines.append(f"hint: {' '.join(hint.split())}")
    return CallToolResult(content=[TextContent(text="\n".join(lines))], is_error=True)


def scout_error_result(exc: ScoutError) -> CallToolResult:
    message = str(exc)
    hint = exc.hint or next((h for start, h in MESSAGE_HINTS.items() if message.startswith(start)), "")
    hint = hint or next((h for kind, h in HINTS if isinstance(exc, kind)), "")
    return error_result(message, hint)


def cap_text(text: str, max_tokens: int, narrow: str = "") -> str:
    """`text` if it fits in `max_tokens`, else its longest line prefix that does, plus a note."""
    if count_tokens(text) <= max_tokens:
        return text
    kept, _ = line_prefix(text, max(max_tokens - NOTE_RESERVE, 0))
    note = f"[output truncated: over this server's cap of {max_tokens} tokens"
    note += f"; {narrow}]" if narrow else "]"
    return f"{kept}\n{note}" if kept else note


def bundle_result(bundle: Bundle, max_tokens: int, notes: list[str]) -> CallToolResult:
    """The bundle as Markdown (for the model) and `scout-bundle/1` JSON (structured content).

    Each rendering must fit the cap on its own (a client shows the model one or the other). The
    JSON repeats the cited lines with escaping, about twice the Markdown's tokens, so it decides.
    """
    if _json_tokens(bundle) > max_tokens:
        _shrink(bundle, max_tokens)
    if bundle.truncated:
        notes.append(
            "some spans were dropped or trimmed to fit the token budget: ask again with a larger "
            "budget_tokens, or use read_range on a citation to read more"
        )
    text = bundle.to_markdown() + "".join(f"\n_note: {n}_" for n in notes)
    return CallToolResult(
        content=[TextContent(text=cap_text(text, max_tokens))], structured_content=bundle.to_dict()
    )


def _shrink(bundle: Bundle, max_tokens: int) -> None:
    """Refit to smaller budgets until the JSON fits; at worst keep citations without code."""
    spans, leads, budget = list(bundle.spans), list(bundle.leads), bundle.budget
    best = (spans[0].path, spans[0].start_line) if spans else None
    bundle.truncated = True
    while budget > MIN_MAX_TOKENS // 4:
        budget = int(budget * 0.8)
        bundle.spans, bundle.leads, _ = fit(spans, leads, bundle.query, budget)
        # A refit that lost the best span kept a worse one whole: citations serve the model better.
        top = (bundle.spans[0].path, bundle.spans[0].start_line) if bundle.spans else None
        if top == best and _json_tokens(bundle) <= max_tokens:
            return
    bundle.spans = [replace(s, text=None) for s in spans]
    bundle.leads = []
    while len(bundle.spans) > 1 and _json_tokens(bundle) > max_tokens:
        bundle.spans.pop()
    if _json_tokens(bundle) > max_tokens:  # the envelope (digests, paths) varies by a few tokens
        bundle.spans = [replace(s, why="") for s in bundle.spans]


def _json_tokens(bundle: Bundle) -> int:
    return count_tokens(json.dumps(bundle.to_dict(), ensure_ascii=False))
