"""What a query (a question or a whole issue) names: identifiers, strings, paths, traceback frames."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scout.lexical import STOPWORDS

BACKTICK = re.compile(r"`([^`\n]{2,80})`")
QUOTED = re.compile(r"(?<![\w\\])([\"'])([^\"'\n]{6,120})\1")
PATH = re.compile(
    r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:py|pyi|js|jsx|ts|tsx|go|rs|java|c|h|cc|cpp|hpp|cs|rb|php|kt|swift|scala|sh|lua|html|txt|cfg|toml|json|yaml|yml))\b"
)
FRAME = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([\w<>]+))?')
ERROR_LINE = re.compile(
    r"^\s*((?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Warning|Exit))\s*:\s*(.{8,160})$", re.M
)
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\b")


@dataclass(frozen=True)
class Frame:
    path: str
    line: int
    function: str | None


@dataclass
class QueryFacts:
    text: str
    identifiers: list[str] = field(default_factory=list)  # most code-like first
    strings: list[str] = field(default_factory=list)  # quoted literals and error messages
    paths: list[str] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    mentions_tests: bool = False
    mentions_docs: bool = False


def analyze_query(text: str) -> QueryFacts:
    facts = QueryFacts(text)
    facts.frames = [Frame(p.replace("\\", "/"), int(n), f or None) for p, n, f in FRAME.findall(text)]
    facts.paths = _unique(m for m in PATH.findall(text))
    facts.strings = _unique(
        [m[1].strip() for m in ERROR_LINE.findall(text)]
        + [m[1].strip() for m in QUOTED.findall(text) if " " in m[1]]
    )
    facts.identifiers = _identifiers(text)
    lowered = text.lower()
    facts.mentions_tests = bool(re.search(r"\btests?\b|\btest_|pytest|unittest", lowered))
    facts.mentions_docs = bool(re.search(r"\bdocs?\b|documentation|docstring", lowered))
    return facts


def _identifiers(text: str) -> list[str]:
    scored: dict[str, float] = {}
    in_ticks = {w for span in BACKTICK.findall(text) for w in IDENT.findall(span)}
    for token in IDENT.findall(text):
        for name in {token, *token.split(".")}:
            score = code_likeness(name) + (1.0 if token in in_ticks else 0.0)
            if score > 0 and name.lower() not in STOPWORDS and not PATH.fullmatch(name):
                scored[name] = max(scored.get(name, 0.0), score)
    return sorted(scored, key=lambda n: (-scored[n], -len(n)))


def code_likeness(name: str) -> float:
    """How sure we are that a word is a code identifier rather than English."""
    if "." in name:
        return 2.0
    if "_" in name.strip("_") or (name.startswith("__") and name.endswith("__")):
        return 2.0
    if re.search(r"[a-z][A-Z]", name) or re.match(r"^[A-Z][a-z]+[A-Z]", name):
        return 2.0  # camelCase / PascalCase with an inner capital
    if name.isupper() and len(name) >= 4:
        return 1.0
    if re.match(r"^[A-Z][a-z0-9]{3,}$", name):
        return 0.5  # Capitalised: a class name, or the first word of a sentence
    return 0.0


def _unique(items) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
