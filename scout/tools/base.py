"""What every tool shares: the context it runs in and the shape of what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from scout.repo import Repo, posix_path

if TYPE_CHECKING:
    from scout.index import Index


@dataclass(frozen=True)
class ToolContext:
    repo: Repo
    index: Index
    redact: bool = True  # mask secrets in what the tools return and what bundles cite


class Kind(StrEnum):
    """What a hit is, as data: explorers weigh evidence by kind, never by parsing its text."""

    BM25 = "bm25"  # a chunk ranked by BM25 across the repository
    BM25_IN_FILE = "bm25-in-file"  # the same, within one file
    DEFINITION = "definition"  # where a symbol is defined
    REFERENCE = "reference"  # where a symbol is used
    MATCH = "match"  # a line grep matched
    PATH = "path"  # a file whose path matched a glob
    OUTLINE = "outline"  # a definition in a file's outline
    LINES = "lines"  # lines read from a file
    SEMANTIC = "semantic"  # a chunk near the query in meaning (static embeddings)
    CALLER = "caller"  # a definition that calls the one asked about
    CALLEE = "callee"  # a definition the one asked about calls
    BASE = "base"  # a class the one asked about inherits from
    SUBCLASS = "subclass"  # a class that inherits from the one asked about


@dataclass
class Hit:
    """One piece of evidence a tool found: a file, a line, or a line range."""

    path: str
    start_line: int = 0  # 0 means the whole file
    end_line: int = 0
    symbol: str | None = None
    score: float = 0.0
    line: int = 0  # the matching line itself, when the hit is a region around it
    snippet: str = ""  # the matching line's text, or a short label
    kind: Kind = Kind.MATCH
    detail: str = ""  # kind-specific: a definition's kind (function, class), the terms BM25 matched

    def __post_init__(self) -> None:
        # rg on Windows reports `.\shop\auth\x.py`: every hit, and so every span, says `shop/auth/x.py`.
        self.path = posix_path(self.path)


@dataclass
class ToolResult:
    hits: list[Hit] = field(default_factory=list)
    text: str = ""  # the rendering people and models read (CLI, MCP, LLM explorer alike)
    truncated: bool = False
