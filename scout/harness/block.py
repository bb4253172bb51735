"""scout's paragraph in an agent instructions file (AGENTS.md, CLAUDE.md), between two markers."""

from __future__ import annotations

from scout.harness.splice import Splice, newline

BEGIN = "<!-- scout: begin (added by `scout install`; `scout uninstall` removes it) -->"
END = "<!-- scout: end -->"
TEXT = """## Finding code: scout

This project has the scout MCP server. Before searching with grep or opening files to find where
something is implemented, why a bug happens or which code an issue is about, call scout's
`find_context` with the question or the whole issue text: one call returns the `path:start-end`
ranges that answer it, with their code. Then use `read_range` to read around a citation, and
`grep`, `symbols` or `outline` for exact lookups."""


def render(nl: str = "\n") -> str:
    return nl.join([BEGIN, *TEXT.splitlines(), END]) + nl


def put(text: str) -> Splice:
    nl = newline(text)
    span = _span(text)
    if span:
        return Splice(span[0], text[span[0] : span[1]], render(nl))
    if not text:
        return Splice(0, "", render(nl))
    gap = "" if text.endswith(nl * 2) else nl if text.endswith(nl) else nl * 2
    return Splice(len(text), "", gap + render(nl))


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
