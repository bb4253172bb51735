"""The rows of the index: what parsing a file yields and what queries return. Data only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # function, method, class, interface, module, ...
    path: str
    start_line: int  # whole node, 1-based inclusive
    end_line: int
    name_line: int
    parent: str | None = None  # enclosing definition's name, innermost first
    head_end: int = 0  # last line of the header (signature, class line): where the body begins

    @property
    def header_end(self) -> int:
        return max(self.head_end, self.name_line) if self.head_end else self.name_line

    @property
    def qualname(self) -> str:
        return f"{self.parent}.{self.name}" if self.parent else self.name


@dataclass(frozen=True)
class Reference:
    name: str
    kind: str  # call, class, type, ...
    path: str
    line: int


@dataclass
class Chunk:
    start_line: int  # the span shown to users (a definition's whole span), 1-based inclusive
    end_line: int
    symbol: str | None  # qualified name, None for module-level windows
    kind: str
    counts: Counter[str]
    definition: int = -1  # its definition's position in the file's defs; -1 for a module window

    @property
    def length(self) -> int:
        return sum(self.counts.values())


@dataclass
class FileRecord:
    path: str
    size: int
    mtime_ns: int
    sha1: str
    lang: str | None
    chunked: bool  # False for binary, minified and non-source files: listed, never searched
    lines: int = 0
    defs: list[Definition] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
