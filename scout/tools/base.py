"""What every tool shares: the context it runs in and the shape of what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from scout.index import Index
from scout.repo import Repo


@dataclass(frozen=True)
class ToolContext:
    repo: Repo
    index: Index


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


@dataclass
class ToolResult:
    hits: list[Hit] = field(default_factory=list)
    text: str = ""  # compact rendering, what an LLM explorer reads
    truncated: bool = False
