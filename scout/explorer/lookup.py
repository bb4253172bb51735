"""Go to definition: a query that is only a symbol's name is answered by that symbol's definition.

`QuerySet`, `class Paginator`, `fn spawn`, `Channel`, `QuerySet.only`, `JsonReader peek`,
`Foo::bar`, "where is `parse_args` defined": people and agents ask this more than anything, and it
has one right answer that a ranker over words and meanings keeps missing (a method that mentions
the name ten times outranks the one line that declares it). So the name is looked up in the symbol
index, the definitions whose own name it is are put in a fixed order (the kind the query asks for,
then types before functions before methods, the project's own code before tests, examples and
vendored copies, a file named after the symbol first), and the first one leads the answer. Its
confidence says how alone it is in its tier: unique, it is the answer; a tie (overloads, one class
per platform) leaves the head's confidence to speak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scout.explorer.evidence import Evidence, Reason, Region, Signal
from scout.index.files import in_test_module, is_doc_path, is_test_path, is_vendored_path

CLASS_LIKE = frozenset({"class", "interface", "struct", "trait", "enum", "type", "module", "object"})
FUNCTION_LIKE = frozenset({"function", "method", "macro"})
# The kind a keyword asks for, as the tags queries name kinds.
KEYWORDS = {
    **dict.fromkeys(
        "class struct interface trait enum type protocol record object module mod namespace "
        "defmodule typedef union".split(),
        CLASS_LIKE,
    ),
    **dict.fromkeys("def fn func function fun method sub defp defmacro proc".split(), FUNCTION_LIKE),
    **dict.fromkeys("const let var val static".split(), frozenset({"constant", "variable", "field"})),
}
# Among definitions of one name, with no keyword: types, then functions, then methods, then the rest.
KIND_ORDER = {
    **dict.fromkeys(CLASS_LIKE, 0),
    "function": 1,
    "macro": 1,
    "method": 2,
    "constant": 3,
    "variable": 4,
    "field": 5,
}
OTHER_KIND = 6  # impl blocks, extensions: they name a type they do not declare
SECONDARY_PARTS = frozenset(("bench",))  # beside test-like code (`is_test_path`)
NAME = r"[A-Za-z_$][\w$]*(?:(?:\.|::|#|->)[A-Za-z_$][\w$]*)*"
_KW = "|".join(sorted(KEYWORDS, key=len, reverse=True))
BARE = re.compile(rf"^(?:({_KW})\s+)?`?({NAME})`?(?:\s*\(\s*\))?\s*\??$")
ASKED = re.compile(
    rf"^(?:where\s+is|where's|find|show\s+me|go\s+to|locate|definition\s+of)\s+(?:the\s+)?"
    rf"(?:({_KW})\s+)?`?({NAME})`?(?:\s*\(\s*\))?(?:\s+({_KW}))?"
    rf"(?:\s+(?:defined|declared|implemented|definition))?\s*\??$",
    re.I,
)
# `JsonReader peek`, `QuerySet only`: a type's name, then one of its members, as people type them
MEMBER = re.compile(r"^`?([A-Za-z_$][\w$]*)`?\s+`?([A-Za-z_$][\w$]*)`?(?:\s*\(\s*\))?\s*\??$")
SURE = 0.92  # a definition alone in the best tier
NAMED_FILE = 0.75  # the one file named after a symbol that nothing defines as a type or function
WEAK_KIND = 2  # past methods (fields, variables, constants), a file named after the symbol wins
FILE_HEAD = 40  # lines of a file named after the symbol that stand for it
KIND_MISMATCH = 0.75  # the query said `class` and only a function has the name


@dataclass(frozen=True)
class SymbolAsk:
    """A query that names one symbol: what to look up, and the kinds it asked for (empty: any)."""

    name: str  # the symbol's own name: the last part of a dotted one
    lookup: str  # what the symbols tool is given: `Qualifier.name` or `name`
    kinds: frozenset[str] = frozenset()
    member: bool = False  # `Type member` written with a space: only that definition answers it


def symbol_ask(text: str) -> SymbolAsk | None:
    """The symbol a query asks for, when that is all it asks; None for anything longer."""
    text = text.strip()
    if len(text) > 120:
        return None
    m = BARE.match(text)
    keyword, name = (m.group(1), m.group(2)) if m else (None, None)
    if m is None and (pair := member_ask(text)) is not None:
        return pair
    if m is None:
        m = ASKED.match(text)
        if m is None or (not m.group(1) and not m.group(3) and not _code_like(m.group(2))):
            return None  # "find tests": an English word after a verb is not a symbol
        keyword, name = m.group(1) or m.group(3), m.group(2)
    if name.lower() in KEYWORDS:
        return None  # `class`, `type`: a word of the language, not a name
    parts = [p for p in re.split(r"\.|::|#|->", name) if p]
    lookup = ".".join(parts[-2:])
    kinds = KEYWORDS.get((keyword or "").lower(), frozenset())
    return SymbolAsk(parts[-1], lookup, kinds)


def member_ask(text: str) -> SymbolAsk | None:
    """`JsonReader peek` as `JsonReader.peek`, when the first word can only be a type's name (a
    capital inside it: `QuerySet`, not `Error` or `Path`, which start sentences) and the second is
    no keyword. A lookup that finds no such member leaves the question to the explorer."""
    m = MEMBER.match(text)
    if m is None or not re.search(r"[a-z][A-Z]", m.group(1)) or m.group(2).lower() in KEYWORDS:
        return None
    return SymbolAsk(m.group(2), f"{m.group(1)}.{m.group(2)}", member=True)


def _code_like(name: str) -> bool:
    return bool(re.search(r"[._:#]|[a-z][A-Z]|^[A-Z]", name))


def secondary(path: str) -> bool:
    """Tests, docs, examples, benchmarks and vendored copies: where a name is used, not owned."""
    parts = path.lower().split("/")
    return (
        is_test_path(path)
        or is_vendored_path(path)
        or is_doc_path(path)
        or any(p in SECONDARY_PARTS for p in parts[:-1])
    )


def _named_file(ask: SymbolAsk, evidence: Evidence) -> tuple[Region, float | None] | None:
    """A module named after the symbol (express's lib/response.js for `response`) when no type or
    function has its name: the file's head, sure when it is the only such file outside tests."""
    own = sorted((p for p in evidence.named_files if not secondary(p)), key=lambda p: (p.count("/"), p))
    if not own:
        return None
    region = evidence.region(own[0], 1, FILE_HEAD)
    region.add(Reason(Signal.PATH, ask.name), 0.0)
    return region, (NAMED_FILE if len(own) == 1 else None)


def _own_name(r: Region) -> str:
    """A region's definition name without its containers (`Cart.add` -> `add`)."""
    return (r.symbol or "").replace("::", ".").split(".")[-1]


def _order(ask: SymbolAsk, r: Region) -> tuple:
    own = _own_name(r)
    stem = re.sub(r"[_\-.]", "", r.path.rsplit("/", 1)[-1].split(".")[0].lower())
    kind_rank = KIND_ORDER.get(r.kind, OTHER_KIND)
    return (
        own != ask.name,  # exact case first
        bool(ask.kinds) and r.kind not in ask.kinds,
        kind_rank,
        secondary(r.path) or in_test_module(r.symbol),
        stem != ask.name.lower().replace("_", ""),
    )


def file_pattern(ask: SymbolAsk) -> str:
    """A glob for files named after the symbol, in any case (`response` finds lib/Response.js)."""
    letters = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in ask.name)
    return f"*{letters}.*"


def names_file(ask: SymbolAsk, path: str) -> bool:
    """Is the file's name the symbol's (`Args` and args.go, `JsonParser` and json_parser.py)?"""
    return _squash(path.rsplit("/", 1)[-1].split(".")[0]) == _squash(ask.name)


def _squash(name: str) -> str:
    return re.sub(r"[_\-]", "", name.lower())


def definitions(ask: SymbolAsk, evidence: Evidence) -> list[tuple[Region, float | None]]:
    """The definitions the lookup found whose own name is the one asked for, best first, the first
    with the confidence it deserves (the rest get none: the head's own confidence stays)."""
    found = [
        r
        for r in evidence.regions.values()
        if any(reason.signal is Signal.DEFINITION and reason.detail == ask.lookup for reason in r.reasons)
        and _own_name(r).lower() == ask.name.lower()
    ]
    found.sort(key=lambda r: (_order(ask, r), r.path.count("/"), r.path, r.start_line))
    if (not found or KIND_ORDER.get(found[0].kind, OTHER_KIND) > WEAK_KIND) and not ask.member:
        named = _named_file(ask, evidence)
        if named is not None:
            return [named, *((r, None) for r in found)]
    if not found:
        return []
    best = _order(ask, found[0])
    ties = sum(1 for r in found if _order(ask, r) == best)
    sure = KIND_MISMATCH if best[1] else SURE
    confidence = sure if ties == 1 and not best[0] else None
    return [(found[0], confidence)] + [(r, None) for r in found[1:]]
