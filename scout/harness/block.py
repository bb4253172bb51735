"""scout's paragraph in an agent instructions file (AGENTS.md, CLAUDE.md), between two markers."""

from __future__ import annotations

from scout.harness.splice import Splice, newline

BEGIN = "<!-- scout: begin (added by `scout install`; `scout uninstall` removes it) -->"
END = "<!-- scout: end -->"
MCP_TEXT = """## Finding code: scout

This project has the scout MCP server. Call its `find_context` with the question or the whole issue
text when you need to know where something is implemented, why a bug happens or which code a task
touches, before grepping or opening files one by one: one call returns the `path:start-end` ranges
that answer it, with their code. Then `read_range` reads around a citation. Skip it when you already
know the file and line, or look for an exact string or name (`grep`, `symbols`)."""
# For a harness without MCP (aider): the person runs scout, the model asks for it.
CLI_TEXT = """## Finding code: scout

This project has scout. When you need code you have not been shown (where something is
implemented, why a bug happens, which code an issue is about), ask me to run
`/run scout ask "<the question>"` and share its output, rather than guessing file names: it lists
the `path:start-end` ranges that answer it, with their code. Not needed for files in the chat."""
TEXTS = {"mcp": MCP_TEXT, "cli": CLI_TEXT}


def render(nl: str = "\n", kind: str = "mcp") -> str:
    return nl.join([BEGIN, *TEXTS[kind].splitlines(), END]) + nl


def put(text: str, kind: str = "mcp") -> Splice:
    """Add scout's paragraph (for an MCP harness, or one where the person runs scout), or bring an
    older one up to date."""
    nl = newline(text)
    span = _span(text)
    if span:
        return Splice(span[0], text[span[0] : span[1]], render(nl, kind))
    if not text:
        return Splice(0, "", render(nl, kind))
    gap = "" if text.endswith(nl * 2) else nl if text.endswith(nl) else nl * 2
    return Splice(len(text), "", gap + render(nl, kind))


def remove(text: str) -> Splice | None:
    span = _span(text)
    if span is None:
        return None
    start, end = span
    nl = newline(text)
    if text[:start].endswith(nl * 2):
        start -= len(nl)
    return Splice(start, text[start:end], "")


def present(text: str) -> bool:
    return _span(text) is not None


def _span(text: str) -> tuple[int, int] | None:
    start = text.find(BEGIN.split(" (")[0])
    if start < 0:
        return None
    end = text.find(END, start)
    if end < 0:
        return None
    end += len(END)
    for nl in ("\r\n", "\n"):
        if text.startswith(nl, end):
            return start, end + len(nl)
    return start, end
