"""Lines that say where code sits, not what it does: never an answer.

A file's package clause, its imports, its include guards and its license header share words with
almost every question about the file ("how does gin recover from panics" and `package gin`), so
rankers keep citing them. A region made only of such lines (and comments and blank lines: a
module-level window, or a package clause that a tags query calls a definition) is dropped from
answers and leads; it still counted toward its file while ranking.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scout.errors import ScoutError
from scout.explorer.evidence import Region
from scout.index.files import read_text
from scout.tools import ToolContext

DECLARATION = re.compile(
    r"""^[ \t]*(?:
      package[ \t]+[\w.:]+[ \t]*;?                                  # Go, Java, Kotlin, Scala, Perl
    | import\b.* | from[ \t]+[\w.]+[ \t]+import\b.*                  # Python, Java, Go, JS, Swift
    | (?:pub(?:\([\w ]+\))?[ \t]+)?use[ \t]+[\w:\\{}, *]+(?:[ \t]+as[ \t]+\w+)?;? | extern[ \t]+crate\b.*
    | (?:pub(?:\([\w ]+\))?[ \t]+)?mod[ \t]+\w+[ \t]*;                # Rust
    | \#[ \t]*(?:include|import|pragma[ \t]+once|ifndef|define[ \t]+\w+_H\w*[ \t]*$|endif)\b.*
    | using[ \t]+[\w.=< >]+;  | namespace[ \t]+[\w.\\]+[ \t]*;        # C#, C++, PHP
    | (?:require|require_relative|require_once|include_once|load)\b.*  # Ruby, PHP, Lua
    | (?:const|let|var|local)[ \t]+[\w{}, \t]+=[ \t]*require\b.*
    | export[ \t]+(?:\*|\{[^}]*\})(?:[ \t]+as[ \t]+\w+)?[ \t]+from\b.*
    | ["']use[ \t]strict["'];? | <\?php | declare[ \t]*\([ \t]*strict_types[ \t]*=[ \t]*\d[ \t]*\)[ \t]*;
    | module[ \t]+[\w.]+(?:[ \t]+where)? | library[ \t]+[\w.]*;? | part(?:[ \t]+of)?[ \t]+.*;
    | @file:.* | set[ \t]+-[euxo]+.* | (?:source|\.)[ \t]+\S+                 # shell
    | use[ \t]+[\w:]+[ \t]+(?:qw[ \t]*[(/{[][^;]*|'[^']*'|"[^"]*")[ \t]*;        # Perl
    | module[ \t]+[\w.]+[ \t]*\(.*\)[ \t]*where | open!?[ \t]+[\w.]+      # Haskell, OCaml
    | alias[ \t]+[\w.]+(?:\.\{[\w., \t]*\})?(?:,[ \t]*as:[ \t]*\w+)?          # Elixir
    | (?:pub[ \t]+)?const[ \t]+\w+[ \t]*=[ \t]*@import\([^)]*\)[ \t]*;        # Zig
    )[ \t]*$""",
    re.X,
)
# `#` starts a comment except for the preprocessor's lines that do something (`#define MAX 10`).
COMMENT = re.compile(
    r"^[ \t]*(?:#(?![ \t]*(?:define|undef|if|elif|else|error|warning)\b)|//|/\*|\*|--|;|%|<!--)"
)
OPENS_BLOCK = re.compile(
    r"^[ \t]*(?:(?:import|from[ \t]+[\w.]+[ \t]+import|(?:pub[ \t]+)?use\b.*)[ \t]*[({]"
    r"|module[ \t]+[\w.]+[ \t]*(?:\([^)]*)?)[ \t]*$"  # Haskell's export list, on the lines after
)
IN_BLOCK = re.compile(
    r"^[ \t]*(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?|\w*[ \t]*\"[^\"]*\"|[\w:{}*]+),?[ \t]*$"
    r"|^[ \t]*[(,]?[ \t]*(?:module[ \t]+)?[\w.']+(?:[ \t]*\([\w.', ]*\))?[ \t]*(?:,[ \t]*)?$"  # ( Item (..)
)
CLOSES_BLOCK = re.compile(r"^[ \t]*[)}][ \t]*;?[ \t]*$|^[ \t]*\)[ \t]*where[ \t]*$")
CHECKED = 40  # the best regions looked at: past these, none is shown anyway


def is_preamble(lines: list[str]) -> bool:
    """Only package/import/include/use lines, comments and blanks (at least one non-blank line)."""
    block = False
    seen = False
    for line in lines:
        if not line.strip():
            continue
        seen = True
        if block:
            block = not CLOSES_BLOCK.match(line)
            if block and not IN_BLOCK.match(line):
                return False
        elif OPENS_BLOCK.match(line):
            block = True
        elif not (DECLARATION.match(line) or COMMENT.match(line)):
            return False
    return seen


def without_preambles(ranked: list[Region], read: Callable[[str], list[str] | None]) -> list[Region]:
    """`ranked` less the regions that are only a preamble; `read` gives a file's lines (None or []
    when it cannot be read: its regions are kept)."""
    texts: dict[str, list[str] | None] = {}
    drop = set()
    for r in ranked[:CHECKED]:  # a package clause is a definition to some tags queries: check all
        if r.path not in texts:
            texts[r.path] = read(r.path)
        lines = texts[r.path]
        if lines and is_preamble(lines[r.start_line - 1 : r.end_line]):
            drop.add(id(r))
    return [r for r in ranked if id(r) not in drop]


def read_lines(ctx: ToolContext, path: str) -> list[str] | None:
    try:
        text = read_text(ctx.repo, path)
    except (OSError, ScoutError):
        return None
    return None if text is None else text.splitlines()
