"""CODEOWNERS, matched the way GitHub matches it.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS`. Each line is a
pattern followed by owners (`@user`, `@org/team` or an e-mail address); the last matching line
wins, and a matching line with no owners leaves the path unowned. Patterns follow `.gitignore`
rules, with GitHub's differences: `!` negation and `[ ]` ranges are not supported (GitHub rejects
such lines, so they are skipped here), `\\#` escapes a leading `#`, and a trailing `/*` matches a
directory's direct children only (`docs/*` owns `docs/a.md`, not `docs/b/c.md`).

`compile_pattern` is shared with the label rules of `.github/scout.yml`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from scout.repo import Repo, posix_path

log = logging.getLogger(__name__)

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores larger CODEOWNERS files
TOKEN = re.compile(r"(?:\\.|\S)+")  # whitespace separates tokens unless escaped with a backslash


@dataclass(frozen=True)
class Rule:
    pattern: str
    regex: re.Pattern[str]
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
            if rule.regex.fullmatch(path):
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
        regex = compile_pattern(pattern)
        if regex is None:
            log.warning("CODEOWNERS line %d: unsupported pattern %r skipped", number, pattern)
            continue
        rules.append(Rule(pattern, regex, tuple(owners), number))
    return rules


def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """A regex that fullmatches the repo-relative paths `pattern` covers, or None if unsupported."""
    if pattern.startswith("!") or re.search(r"(?<!\\)\[", pattern):
        return None
    dir_only = pattern.endswith("/")
    body = pattern.strip("/")
    if not body:
        return None
    anchored = pattern.startswith("/") or "/" in body
    segments = body.split("/")
    regex = "" if anchored else "(?:.*/)?"
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _glob(segment) + ("" if last else "/")
    if dir_only:
        regex += "/.+"
    elif segments[-1] != "*":
        regex += "(?:/.+)?"  # a pattern naming a directory owns everything below it
    return re.compile(regex)


def _glob(segment: str) -> str:
    out, i = [], 0
    while i < len(segment):
        ch = segment[i]
        if ch == "\\" and i + 1 < len(segment):
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        out.append("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch))
        i += 1
    return "".join(out)
