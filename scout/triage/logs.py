"""What a failing CI job's log points at: tracebacks, failing test names, file:line mentions.

Actions logs prefix every line with a timestamp and may carry ANSI colours and `##[group]`
markers; those are stripped first. The extractors know pytest, unittest, Go, Rust, Jest and
compiler-style `path:line:col: error` output; anything else still contributes its error lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scout.index.languages import suffix_pattern

# Every pattern here reads a whole log in one pass (docs/security.md): blanks are `[^\S\n]`, never
# `\s`, after `^` (one that may cross lines starts again at each of a run of blank lines), a path
# starts only where a run of path characters starts, and a test name is taken whole at its first
# `::`. Each of these made a 100 KB log take 50 s or more.
TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?", re.M)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MARKER = re.compile(r"^##\[(?:group|endgroup|section|command)\].*$", re.M)
TRACEBACK_START = "Traceback (most recent call last):"
FRAME = re.compile(r'^\s*File "([^"]+)", line (\d+)')
FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) ((?>\S+?::)\S++)(?: - (.*))?$", re.M)
GO_FAIL = re.compile(r"^[^\S\n]*--- FAIL: (\S+)", re.M)
RUST_FAIL = re.compile(r"^---- (\S+) stdout ----$", re.M)
JEST_FAIL = re.compile(r"^[^\S\n]*● (.+›.+)$", re.M)
UNITTEST_FAIL = re.compile(r"^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)", re.M)
EXTS = suffix_pattern()
LOCATION = re.compile(rf"(?<![\w/.\\-])((?:[A-Za-z]:)?[\w./\\-]*\w\.(?:{EXTS})):(\d+)(?::\d+)?\b")
ERROR = re.compile(
    r"^[^\S\n]*(?:E[^\S\n]+)?((?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Failure)\b:?.*"
    r"|(?:error|panic)(?:\[\w+\])?: .+|thread '.+' panicked at .+)$",
    re.M,
)
NOT_OURS = ("site-packages/", "dist-packages/", "/lib/python", "node_modules/", "<frozen", "/usr/", "/rustc/")
MAX_ITEMS = 12
MAX_TRACEBACKS = 3
MAX_LINE = 300


@dataclass(frozen=True)
class Location:
    path: str  # as the log spells it: often absolute, from the CI machine
    line: int


@dataclass
class LogFacts:
    tests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)  # innermost frames first

    def __bool__(self) -> bool:
        return bool(self.tests or self.errors or self.tracebacks or self.locations)

    def merge(self, other: LogFacts) -> None:
        self.tests = _unique(self.tests + other.tests)[:MAX_ITEMS]
        self.errors = _unique(self.errors + other.errors)[:MAX_ITEMS]
        self.tracebacks = (self.tracebacks + other.tracebacks)[:MAX_TRACEBACKS]
        self.locations = list(dict.fromkeys(self.locations + other.locations))[: 2 * MAX_ITEMS]


def clean(log: str) -> str:
    """The log without timestamps, colours and grouping markers."""
    text = ANSI.sub("", TIMESTAMP.sub("", log.replace("\r\n", "\n")))
    return MARKER.sub("", text)


def extract(log: str) -> LogFacts:
    text = clean(log)
    facts = LogFacts()
    facts.tracebacks = tracebacks(text)[-MAX_TRACEBACKS:]
    facts.tests = _unique(failing_tests(text))[:MAX_ITEMS]
    facts.errors = _unique(_short(m.group(1)) for m in ERROR.finditer(text))[:MAX_ITEMS]
    facts.locations = locations(text, facts.tracebacks)[: 2 * MAX_ITEMS]
    return facts


def tracebacks(text: str) -> list[str]:
    """Each Python traceback, from its header to the exception line."""
    found, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if TRACEBACK_START not in line:
            continue
        block = [line.strip()]
        for nxt in lines[i + 1 : i + 200]:
            block.append(_short(nxt.rstrip()))
            if nxt.strip() and not nxt[:1].isspace():
                break  # the first unindented line is the exception
        found.append("\n".join(block))
    return found


def failing_tests(text: str) -> list[str]:
    names = [m.group(1) for m in FAILED_TEST.finditer(text)]
    # unittest names the test `name (module.Class)`, since Python 3.11 `name (module.Class.name)`.
    names += [
        where if where.endswith("." + name) else f"{where}.{name}"
        for name, where in UNITTEST_FAIL.findall(text)
    ]
    names += GO_FAIL.findall(text) + RUST_FAIL.findall(text)
    names += [m.strip() for m in JEST_FAIL.findall(text)]
    return names


def locations(text: str, traces: list[str]) -> list[Location]:
    """Source locations, innermost traceback frames first, then other mentions in log order."""
    framed = []
    for trace in reversed(traces):
        frames = [FRAME.match(line) for line in trace.splitlines()]
        framed += [Location(m.group(1), int(m.group(2))) for m in reversed(frames) if m]
    mentioned = [Location(p, int(n)) for p, n in LOCATION.findall(text)]
    return [loc for loc in dict.fromkeys(framed + mentioned) if ours(loc.path)]


def ours(path: str) -> bool:
    """False for paths into installed packages and interpreters: not the repository's code."""
    p = path.replace("\\", "/")
    return not any(part in p for part in NOT_OURS)


def _short(line: str) -> str:
    line = line.strip() if not line[:1].isspace() else line
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _unique(items) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
