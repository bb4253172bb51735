"""Where a generated file comes from: the grammar a parser or lexer was generated from.

Projects that commit a generator's output (Bison's `parser.c` and `parser.h` from `parser.y`,
flex's `lexer.c` from `lexer.l`, goyacc's `generated_parser.y.go` from `generated_parser.y`) are
answered in the output, which is what the index can parse, while a fix belongs in the grammar and
changes both. No search reaches the grammar from a question's words (no tree-sitter grammar reads
it), so a cited generated file brings its source along as a lead. On SWE-bench Multilingual the
rule fires for 4 issues, and for 3 of them the fix edits the grammar.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath

from scout.bundle import Span
from scout.errors import ScoutError
from scout.repo import Repo

# Suffixes of parser and lexer generators' inputs: yacc/Bison, lex/flex, Jison, PEG.js and PEG,
# ANTLR, LALRPOP, Ragel, gperf.
GRAMMARS = (".y", ".yy", ".ypp", ".l", ".ll", ".lpp", ".jison", ".pegjs", ".peg", ".g4", ".lalrpop",
            ".rl", ".gperf")  # fmt: skip
RULES = "%%"  # yacc's and lex's line between the declarations and the rules
SCANNED = 1 << 20  # bytes of a grammar read to find its rules


def candidates(path: str) -> list[str]:
    """The paths the grammar of a generated `path` may have, beside it: the same stem with a
    grammar's suffix (`parser.c` → `parser.y`), or the name less its last suffix when that is a
    grammar's (`generated_parser.y.go` → `generated_parser.y`)."""
    p = PurePosixPath(path)
    if p.suffix.lower() in GRAMMARS:
        return []
    inner = PurePosixPath(p.stem)
    if inner.suffix.lower() in GRAMMARS:
        return [str(p.with_name(p.stem))]
    stem = p.name.split(".", 1)[0]
    return [str(p.with_name(stem + suffix)) for suffix in GRAMMARS]


def source(repo: Repo, path: str, listings: dict[str, frozenset[str]] | None = None) -> str | None:
    """The grammar `path` was generated from, where one sits beside it in the tree (`listings`
    keeps each folder's names, read once, across the calls of one answer). A link is no grammar:
    it may point out of the repository."""
    listings = {} if listings is None else listings
    folder = str(PurePosixPath(path).parent)
    if folder not in listings:
        listings[folder] = _names(repo, folder)
    return next((c for c in candidates(path) if PurePosixPath(c).name in listings[folder]), None)


def _names(repo: Repo, folder: str) -> frozenset[str]:
    try:
        with os.scandir(repo.resolve(folder)) as entries:
            return frozenset(e.name for e in entries if e.is_file(follow_symlinks=False))
    except (ScoutError, OSError):
        return frozenset()


def rules_line(repo: Repo, path: str) -> int:
    """The first line of a yacc or lex grammar's rules (after its first `%%`); else 1."""
    try:
        with repo.resolve(path).open("rb") as handle:
            head = handle.read(SCANNED)
    except (ScoutError, OSError):
        return 1
    for number, line in enumerate(head.split(b"\n"), 1):
        if line.strip() == RULES.encode():
            return number + 1
    return 1


def with_sources(repo: Repo, answers: list[Span], leads: list[Span]) -> list[Span]:
    """`leads` with the grammar of each cited generated file right after it (after the answers
    for an answer's), as many leads as before: the last ones make room."""
    shown = {s.path for s in [*answers, *leads]}
    out, front, listings = list(leads), 0, {}
    for span in [*answers, *leads]:
        found = source(repo, span.path, listings)
        if found is None or found in shown:
            continue
        shown.add(found)
        line = rules_line(repo, found)
        lead = Span(found, line, line, span.score, f"grammar: {span.path} is generated from it", None)
        at = front if span in answers else out.index(span) + 1
        out.insert(at, lead)
        front += span in answers
    return out[: max(len(leads), 1)]
