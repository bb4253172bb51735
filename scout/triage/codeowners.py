"""CODEOWNERS, matched the way GitHub matches it.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS`. Each line is a
pattern followed by owners (`@user`, `@org/team` or an e-mail address); the last matching line
wins, and a matching line with no owners leaves the path unowned. Patterns follow `.gitignore`
rules, with GitHub's differences: `!` negation and `[ ]` ranges are not supported (GitHub rejects
such lines, so they are skipped here), `\\#` escapes a leading `#`, and a trailing `/*` matches a
directory's direct children only (`docs/*` owns `docs/a.md`, not `docs/b/c.md`).

A glob translated to a plain regex backtracks (`[^/]*a[^/]*a...x` tries every way to share a name
among its stars): one line, `*a*a*a*a*a*a*a*a*a*a*a*a*x` against a 64-character directory name,
stalled the bot for minutes. The only wildcards are `*`-like (`*` within a segment, `**` across
segments), so placing each fixed part at its leftmost fit is exact, and each part is matched in an
atomic group that never gives back what it took: a path costs at most (pattern length x path
length) steps (docs/security.md). `compile_pattern` is shared with the label rules of
`.github/scout.yml`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cached_property

from scout.repo import Repo, posix_path

log = logging.getLogger(__name__)

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger CODEOWNERS files
MAX_WARNINGS = 5  # unsupported lines named in the log; the rest are counted
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
    rules, skipped = [], []
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
            skipped.append(number)
            if len(skipped) <= MAX_WARNINGS:
                log.warning("CODEOWNERS line %d: unsupported pattern %r skipped", number, pattern[:200])
            continue
        rules.append(Rule(pattern, matcher, tuple(owners), number))
    if len(skipped) > MAX_WARNINGS:
        log.warning("CODEOWNERS: %d more unsupported patterns skipped", len(skipped) - MAX_WARNINGS)
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
    parts: list[int | str] = [] if anchored else [0]  # an int is a gap: at least that many segments
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        parts.append((1 if last else 0) if segment == "**" else segment)
    if dir_only:
        parts.append(1)
    elif segments[-1] != "*":
        parts.append(0)  # a pattern naming a directory owns everything below it
    needles = {piece for part in parts if isinstance(part, str) for piece in _literals(part)}
    return PathPattern(pattern, _path_regex(parts), tuple(needles))


@dataclass
class PathPattern:
    pattern: str
    source: str  # of the regex that fullmatches "/" + the path
    needles: tuple[str, ...]  # text any path it matches contains: most rules fail on these, fast

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled when first needed: compiling is the slow part of a long pattern (1.5 s for
        100 KB), and most rules of a file never get past their needles."""
        return re.compile(self.source, re.S)

    def matches(self, path: str) -> bool:
        return all(n in path for n in self.needles) and self.regex.fullmatch("/" + path) is not None


def _path_regex(parts: list[int | str]) -> str:
    """Segments (globs) and gaps (at least so many segments) as a regex over "/" + the path: each
    run of globs between two gaps at the first place it fits, never tried again further on."""
    out, run, gap = [], "", None
    for part in [*parts, None]:
        if isinstance(part, str):
            run += "/" + _glob_regex(part)
            continue
        if run and gap is None:  # at the start
            out.append(run)
        elif run:  # at its leftmost fit, or at the end
            out.append(rf"(?:/[^/]*){{{gap},}}?{run}" if part is None else rf"(?>(?:/[^/]*){{{gap},}}?{run})")
        if run:
            run, gap = "", None
        if part is not None:
            gap = part if gap is None else gap + part
    if gap is not None:
        out.append(rf"(?:/[^/]*){{{gap},}}")
    return "".join(out)


def _pieces(segment: str) -> list[list[str | None]]:
    """A glob's parts between its stars, each a list of characters and None for `?` (`\\x` is the
    character x)."""
    pieces: list[list[str | None]] = [[]]
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            i += 1
            pieces[-1].append(segment[i])
        elif ch == "*":
            pieces.append([])
        else:
            pieces[-1].append(None if ch == "?" else ch)
        i += 1
    return pieces


def _literals(segment: str) -> list[str]:
    """The runs of plain characters in a glob: a path it matches holds each of them."""
    runs = "".join("\0" if c is None else c for piece in _pieces(segment) for c in [*piece, None])
    return [run for run in runs.split("\0") if run]


def _glob_regex(segment: str) -> str:
    """One segment's glob, each part between stars at its leftmost place and the last at the
    segment's end."""
    pieces = ["".join("[^/]" if c is None else re.escape(c) for c in piece) for piece in _pieces(segment)]
    if len(pieces) == 1:
        return pieces[0] + "(?![^/])"
    head, *middle, tail = pieces
    return head + "".join(rf"(?>[^/]*?{p})" for p in middle if p) + rf"(?>[^/]*{tail}(?![^/]))"
