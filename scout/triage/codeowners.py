"""CODEOWNERS, matched the way GitHub matches it.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS`. Each line is a
pattern followed by owners (`@user`, `@org/team` or an e-mail address); the last matching line
wins, and a matching line with no owners leaves the path unowned. Patterns follow `.gitignore`
rules, with GitHub's differences: `!` negation and `[ ]` ranges are not supported (GitHub rejects
such lines, so they are skipped here), `\\#` escapes a leading `#`, and a trailing `/*` matches a
directory's direct children only (`docs/*` owns `docs/a.md`, not `docs/b/c.md`).

Patterns are matched without backtracking: a glob translated to a regex backtracks, and one line
(`*a*a*a*a*a*a*a*a*a*a*a*a*x` against a 64-character directory name) stalled the bot for minutes.
The only wildcards are `*`-like (`*` within a segment, `**` across segments), so placing each fixed
part at its leftmost fit is exact; a match costs at most (parts x length) comparisons
(docs/security.md). `compile_pattern` is shared with the label rules of `.github/scout.yml`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scout.repo import Repo, posix_path

log = logging.getLogger(__name__)

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger CODEOWNERS files
TOKEN = re.compile(r"(?:\\.|\S)+")  # whitespace separates tokens unless escaped with a backslash


@dataclass(frozen=True)
class Rule:
    pattern: str
    matcher: PathPattern
    owners: tuple[str, ...]
    line: int


@dataclass
class CodeOwners:
    path: str | None  # repo-relative path of the file read, None when the repository has none
    rules: list[Rule]

    @classmethod
    def load(cls, repo: Repo) -> CodeOwners:
        for rel in LOCATIONS:
            full = repo.root / rel
            if full.is_file() and full.stat().st_size <= MAX_BYTES:
                repo.resolve(rel)  # a symlinked CODEOWNERS must not lead outside the repository
                return cls(rel, parse(full.read_text(encoding="utf-8", errors="replace")))
        return cls(None, [])

    def owners(self, path: str) -> tuple[str, ...]:
        """The owners of a repo-relative path (empty when nobody owns it). A Windows-style path
        matches as its POSIX form; in the patterns a backslash stays an escape, as on GitHub."""
        path = posix_path(path)
        for rule in reversed(self.rules):
            if rule.matcher.matches(path):
                return rule.owners
        return ()


def parse(text: str) -> list[Rule]:
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        tokens = TOKEN.findall(raw.strip())
        if not tokens or tokens[0].startswith("#"):
            continue
        pattern, rest = tokens[0], tokens[1:]
        owners = []
        for token in rest:
            if token.startswith("#"):  # an inline comment ends the line
                break
            owners.append(token)
        matcher = compile_pattern(pattern)
        if matcher is None:
            log.warning("CODEOWNERS line %d: unsupported pattern %r skipped", number, pattern)
            continue
        rules.append(Rule(pattern, matcher, tuple(owners), number))
    return rules


def compile_pattern(pattern: str) -> PathPattern | None:
    """The matcher of the repo-relative paths `pattern` covers, or None if unsupported."""
    if pattern.startswith("!") or re.search(r"(?<!\\)\[", pattern):
        return None
    dir_only = pattern.endswith("/")
    body = pattern.strip("/")
    if not body:
        return None
    segments = body.split("/")
    anchored = pattern.startswith("/") or "/" in body
    parts: list[int | Glob] = [] if anchored else [0]  # an int is a gap: at least that many segments
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        parts.append((1 if last else 0) if segment == "**" else Glob.parse(segment))
    if dir_only:
        parts.append(1)
    elif segments[-1] != "*":
        parts.append(0)  # a pattern naming a directory owns everything below it
    return PathPattern(pattern, _merged(parts))


Piece = tuple[re.Pattern[str], int]  # a fixed part of a glob, and how many characters it matches


@dataclass(frozen=True)
class Glob:
    """One path segment's pattern: `*` any run of characters, `?` one, `\\x` the character x."""

    pieces: tuple[Piece, ...]  # the fixed parts between the stars

    @classmethod
    def parse(cls, segment: str) -> Glob:
        pieces: list[list[str]] = [[]]
        i = 0
        while i < len(segment):
            ch = segment[i]
            if ch == "\\" and i + 1 < len(segment):
                i += 1
                pieces[-1].append(re.escape(segment[i]))
            elif ch == "*":
                pieces.append([])
            else:
                pieces[-1].append("." if ch == "?" else re.escape(ch))
            i += 1
        return cls(tuple((re.compile("".join(p), re.S), len(p)) for p in pieces))

    def matches(self, name: str) -> bool:
        if len(self.pieces) == 1:
            return self.pieces[0][0].fullmatch(name) is not None
        (head, width), *middle, (tail, tail_width) = self.pieces
        pos, end = width, len(name) - tail_width
        if end < pos or head.match(name) is None or tail.fullmatch(name, end) is None:
            return False
        for piece, _ in middle:
            found = piece.search(name, pos, end)
            if found is None:
                return False
            pos = found.end()
        return True


@dataclass(frozen=True)
class PathPattern:
    """A CODEOWNERS pattern as globs for path segments and gaps (`**`, an unanchored start, what
    lies below a directory), each gap the least number of segments it takes."""

    pattern: str
    parts: tuple[int | Glob, ...]

    def matches(self, path: str) -> bool:
        return _fits(path.split("/"), self.parts)


def _fits(names: list[str], parts: tuple[int | Glob, ...]) -> bool:
    """Whether the segments `names` match `parts`: the globs before the first gap at the start,
    those after the last gap at the end, the others each at their leftmost place."""
    gaps = [i for i, part in enumerate(parts) if isinstance(part, int)]
    if not gaps:  # one glob per segment
        return len(names) == len(parts) and _run_at(names, 0, parts)
    head, tail = parts[: gaps[0]], parts[gaps[-1] + 1 :]
    lo, hi = len(head), len(names) - len(tail)
    if hi < lo or not _run_at(names, 0, head) or not _run_at(names, hi, tail):
        return False
    run: list[Glob] = []
    for part in parts[gaps[0] : gaps[-1] + 1]:
        if isinstance(part, Glob):
            run.append(part)
            continue
        if run:  # the globs between two gaps, at their leftmost fit
            at = next((at for at in range(lo, hi - len(run) + 1) if _run_at(names, at, run)), None)
            if at is None:
                return False
            lo, run = at + len(run), []
        lo += part
    return lo <= hi


def _run_at(names: list[str], at: int, run: Sequence[Any]) -> bool:
    """Whether the globs of `run` match the segments from `at` on, one each."""
    return all(glob.matches(names[at + i]) for i, glob in enumerate(run))


def _merged(parts: list[int | Glob]) -> tuple[int | Glob, ...]:
    """Adjacent gaps as one (`**/**`, `**` at the end of an unanchored pattern)."""
    out: list[int | Glob] = []
    for part in parts:
        if isinstance(part, int) and out and isinstance(out[-1], int):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)
