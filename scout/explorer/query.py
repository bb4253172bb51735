"""What a query (a question or a whole issue) names: identifiers, strings, paths, traceback frames."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from scout.explorer.lookup import SymbolAsk, symbol_ask
from scout.index.languages import suffix_pattern
from scout.index.lexical import STOPWORDS

BACKTICK = re.compile(r"`([^`\n]{2,80})`")
QUOTED = re.compile(r"(?<![\w\\])([\"'])([^\"'\n]{6,120})\1")
PATH_SUFFIXES = suffix_pattern(("html", "txt", "cfg", "toml", "json", "yaml", "yml"))
PATH = re.compile(rf"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:{PATH_SUFFIXES}))\b")
FRAME = re.compile(r'File "([^"]+)", line (\d+)(?:, in ([\w<>]+))?')
# A line a query points at outside a Python traceback: `engine.go:438` (Go, Rust, Ruby, JavaScript
# and C traces, compiler errors, prose), `props.js#L109` (a GitHub permalink),
# `DatabaseManager.php(205)` (PHP's traces), `x.php on line 42`. Only from a word's start, as `PATH`
# (starting inside a long token made each search quadratic).
LOCATED = re.compile(
    rf"(?<![\w.@+/\\-])[/\\]?((?:[\w.@+-]+[/\\])*[\w.-]+\.(?:{PATH_SUFFIXES}))"
    r"(?::|#L|\(|,?[ \t]+(?:(?:on|at)[ \t]+)?line[ \t]+)(\d+)"
)
# Whitespace is `[ \t]`, never `\s`: a pattern that may cross lines, or two optional runs side by
# side, backtracks quadratically over a long run of blanks (a pasted log can hold one).
ERROR_LINE = re.compile(
    r"^[ \t]*((?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Warning|Exit))[ \t]*:[ \t]*(.{8,160})$", re.M
)
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\b")


@dataclass(frozen=True)
class Frame:
    path: str
    line: int
    function: str | None


@dataclass
class QueryFacts:
    text: str  # the query less what is not about the code (`strip_noise`): what is searched for
    identifiers: list[str] = field(default_factory=list)  # most code-like first
    weights: dict[str, float] = field(default_factory=dict)  # identifier → how code-like (0.5-3)
    strings: list[str] = field(default_factory=list)  # quoted literals and error messages
    paths: list[str] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)  # a Python traceback's, outermost first
    located: list[Frame] = field(default_factory=list)  # other lines it points at (`LOCATED`), as written
    focus: str = ""  # the title and first paragraph: what the issue is about, before pasted output
    mentions_tests: bool = False
    asks_about_tests: bool = False  # a short question about tests, not an issue that mentions one
    mentions_docs: bool = False
    symbol: SymbolAsk | None = None  # the query is only a symbol's name: go to its definition
    compounds: list[str] = field(default_factory=list)  # names its adjacent words spell (`compounds`)


# The version is atomic: it ends where its run of non-blanks does, and backtracking into it made a
# line of 20,000 digits take 27 s.
VERSION_LINE = re.compile(
    r"^[ \t]*(?:[-*][ \t]*)?(?:python|platform|os|system|version|[\w.-]{2,30})(?:[ \t]+version)?"
    r"[ \t]*(?:[:=][ \t]*)?(?>v?\d+\.\d+(?:\.\d+)?\S*)(?:[ \t]+\(.*\))?[ \t]*$",
    re.I | re.M,
)
BANNER = re.compile(r"^(?:Python \d\.\d+\.\d+.*|Type ['\"]help['\"].*|IPython \d.*|\[GCC .*)$", re.M)


def strip_environment(text: str) -> str:
    """Drop version reports and REPL banners: they name packages, not the code at fault."""
    return BANNER.sub("", VERSION_LINE.sub("", _without_version_tables(text)))


# A cell that states a build: a three-part version, a commit hash, a date.
BUILD_CELL = re.compile(
    r"\bv?\d+\.\d+\.\d+|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b|\b\d{4}-\d\d-\d\d\b"
)
TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t\r]*$")  # GitHub keeps the reporter's CRLF


def _without_version_tables(text: str) -> str:
    """Less the Markdown tables that report a build (`| rust_version | rustc 1.77.2 |`, a commit
    hash, a build date in a third of their rows or more): an issue template's configuration dump,
    whose keys (`build_target`, `installed_plugins`) steered nushell's issues to its `version`
    command. A table of the issue's own data keeps its rows."""
    lines = text.split("\n")
    out, table = [], []
    for line in [*lines, ""]:
        if TABLE_ROW.match(line):
            table.append(line)
            continue
        rows = [r for r in table if r.strip(" \t\r|-:")]  # less the header's separator row
        if len(rows) < 3 or 3 * sum(bool(BUILD_CELL.search(r)) for r in rows) < len(rows):
            out.extend(table)
        table = []
        out.append(line)
    return "\n".join(out[:-1])


COMMENT_OPENS = re.compile(r"^[ \t]*<!--", re.M)  # an issue template's instructions start a line
# A link ends where the text around it resumes: at a blank, a quote, a backtick or a closing bracket.
LINK_END = "\\s\"'`)>\\]"
SOURCE_URL = re.compile(
    rf"https?://[\w.-]+/[\w.-]+/[\w.-]+/(?:blob|tree|raw)/[\w.-]+/([^{LINK_END}#?]+)(?:#L(\d+))?[^{LINK_END}]*"
)
URL = re.compile(rf"\bhttps?://[^/{LINK_END}(<\[]+([^{LINK_END}#?]*)[^{LINK_END}]*")
HASH_OR_NUMBER = re.compile(r"^(?:\d+|[0-9a-f]{7,}|L\d+(?:-L\d+)?)$", re.I)


def strip_noise(text: str) -> str:
    """Drop what an issue carries that is not about the code: template comments and the setup
    sections of an issue form, version reports and banners, and of a link its host, anchors,
    numbers and hashes (a link to a source file becomes its path, and `path:line` where it points
    at a line; a documentation page keeps the words of its path: `rules/yield-in-for-loop`)."""
    text = _without_setup(_without_comments(text))
    text = SOURCE_URL.sub(lambda m: m.group(1) + (f":{m.group(2)}" if m.group(2) else ""), text)
    return strip_environment(URL.sub(lambda m: _link_words(m.group(1)), text))


HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#\r]*$")  # Markdown's: at most three spaces in
# An issue form's field that asks for the reporter's setup, not the problem, named in its first two
# words: "Environment", "Operating system", "Python version", "Versions", "Installation", "Which
# versions of X and PHP are affected?", "How are you using Babel?", "Link to minimal
# reproduction". Its answer (`@babel/cli`, `pip`, a dependency tree, `pip list`) names packages and
# tools: babel's had steered its issues to its command-line package. ("# check the version", an
# unfenced code comment, names it later and is left alone.)
SETUP_FIELD = re.compile(
    r"^(?:\S+\s+)?(?:versions?|environment|system|platform|operating|os|installation|installed|locale"
    r"|browser|dependencies|how (?:are|do) you (?:use|using|run)|link to|configuration file name"
    r"|contribution checks|checklist|prerequisites)\b",
    re.I,
)
FORM_FIELDS = 3  # headings an issue needs to read as a form, whose wordless ones ("### 💻") go
FIELD_WORDS = 8  # a field's name is short; a longer heading is the reporter's own title
# Form boilerplate: GitHub's placeholder for a field left empty, and a template's checklist item
# ("- [x] Would you like to work on a fix?", "- [x] I have searched the existing issues").
FORM_LINE = re.compile(r"^[ \t]*(?:_No response_|[-*][ \t]+\[[ xX]\][ \t].*)[ \t\r]*$")


def _without_setup(text: str) -> str:
    """Less each setup field's answer (`_setup_answer`), a form's headings with no words, and
    placeholders and checklists (`FORM_LINE`). A heading or line inside a fenced block is code."""
    sections = _sections(text)
    form = sum(title is not None for title, _, _ in sections) >= FORM_FIELDS
    out = []
    for title, head, body in sections:
        answered = _setup_answer(title, body) if title is not None else None
        if head is not None and answered is None and (not form or re.search(r"\w", title or "")):
            out.append(head)
        kept = body[answered or 0 :]
        out.extend(line for line, fenced in kept if fenced or not FORM_LINE.match(line))
    return "\n".join(out)


def _sections(text: str) -> list[tuple[str | None, str | None, list[tuple[str, bool]]]]:
    """(heading's text, heading line, [(line, inside a fence)]) for each section of `text`; the
    lines before the first heading are a section without one."""
    sections: list[tuple[str | None, str | None, list[tuple[str, bool]]]] = [(None, None, [])]
    fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            sections.append((heading.group(1), line, []))
        else:
            sections[-1][2].append((line, fenced))
    return sections


def _setup_answer(title: str, body: list[tuple[str, bool]]) -> int | None:
    """How many of a section's lines answer a setup field (its first block: a paragraph, a fenced
    block, a `<details>` fold; 0 for a field left empty), or None when the heading is no such
    field or the answer holds a traceback or an error (what a reporter pasted there is the
    problem). What follows the answer is the reporter's again."""
    if len(title.split()) > FIELD_WORDS or re.search(r":\s*\w", title) or not SETUP_FIELD.search(title):
        return None
    end = _first_block_end(body)
    answer = "\n".join(line for line, _ in body[:end])
    return None if FRAME.search(answer) or ERROR_LINE.search(answer) else end


def _first_block_end(body: list[tuple[str, bool]]) -> int:
    """The index past the first block of `body`: leading blank lines, then a `<details>` fold to
    its close, a fenced block to its close, or a paragraph to its blank line."""
    at = 0
    while at < len(body) and not body[at][0].strip():
        at += 1
    closer = "</details>" if at < len(body) and body[at][0].strip().startswith("<details") else None
    for n in range(at, len(body)):
        line, fenced = body[n]
        if closer is not None:
            if closer in line:
                return n + 1
        elif fenced or line.lstrip().startswith(("```", "~~~")):
            if n > at and not fenced:  # the fence's closing line
                return n + 1
        elif not line.strip():
            return n
    return len(body)


def _without_comments(text: str) -> str:
    """Less the `<!-- ... -->` comments that start a line; one never closed is kept (it may be
    the HTML an issue is about). A scan, not a regex: unclosed openers cost no backtracking."""
    out, at = [], 0
    for opened in COMMENT_OPENS.finditer(text):
        if opened.start() < at:
            continue  # inside a comment already dropped
        closed = text.find("-->", opened.end())
        if closed < 0:
            break
        out.append(text[at : opened.start()])
        at = closed + 3
    return "".join(out) + text[at:]


def _link_words(path: str) -> str:
    return " ".join(p for p in path.split("/") if p and not HASH_OR_NUMBER.match(p))


# a question about tests, benchmarks or examples (test-like code: `scout.index.files.is_test_path`)
MENTIONS_TESTS = re.compile(
    r"\btests?\b|\btest_|pytest|unittest|\bbench(?:mark)?s?\b|\bexamples\b|\bdemos?\b|\btutorials?\b"
)


def _frames(text: str) -> tuple[list[Frame], list[Frame]]:
    """A Python traceback's frames, outermost first as Python prints them in every format (the
    interpreter's `File "x.py", line 3`, pytest's `x.py:3: in f`, IPython's `x.py:3, in f(...)`),
    and the other lines the text points at (`LOCATED`), once each, in the order written: most
    other languages' traces list the innermost call first."""
    found = [
        (m.start(), Frame(m[1].replace("\\", "/"), int(m[2]), m[3] or None)) for m in FRAME.finditer(text)
    ]
    located: dict[tuple[str, int], None] = {}
    for m in LOCATED.finditer(text):
        path = m[1].replace("\\", "/")
        if path.endswith(PYTHON):
            found.append((m.start(), Frame(path, int(m[2]), None)))
        else:
            located[(path, int(m[2]))] = None
    frames = [f for _, f in sorted(found, key=lambda pair: pair[0])]
    return frames, [Frame(p, n, None) for p, n in located]


PYTHON = (".py", ".pyx", ".pyi")


@lru_cache(maxsize=32)
def analyze_query(text: str) -> QueryFacts:
    """What `text` names. Cached: a policy asks on every turn of the same query, and the regexes
    over a long issue are not free. The result is shared, so callers must not mutate it."""
    text = strip_noise(text)
    facts = QueryFacts(text, symbol=symbol_ask(text))
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p and not _heading_only(p)]
    facts.focus = "\n\n".join(paragraphs[:2])[:1500]
    facts.frames, facts.located = _frames(text)
    facts.paths = _unique(m for m in PATH.findall(text))
    facts.strings = _unique(
        [m[1].strip() for m in ERROR_LINE.findall(text)]
        + [m[1].strip() for m in QUOTED.findall(text) if " " in m[1]]
    )
    facts.weights = _identifiers(text)
    facts.identifiers = sorted(facts.weights, key=lambda n: (-facts.weights[n], -len(n), n))
    facts.compounds = compounds(text, facts.weights)
    lowered = text.lower()
    facts.mentions_tests = bool(MENTIONS_TESTS.search(lowered))
    facts.asks_about_tests = facts.mentions_tests and len(lowered.split()) <= 30
    facts.mentions_docs = bool(re.search(r"\bdocs?\b|documentation|docstring", lowered))
    return facts


# A question spells a name in prose: "the JSON object with named fields" means `JsonObject`,
# "how are password hashers chosen" `PasswordHasher`. Short questions only: an issue's prose
# makes hundreds of pairs, and names the code it means.
COMPOUND_WORDS = 30  # a query of more words than this gets none
MAX_COMPOUNDS = 5  # runs of words, each looked up in both spellings
COMPOUND_WEIGHT = 0.5  # as code-like as a capitalised word: a guess, weaker than a typed name
PROSE_WORD = re.compile(r"[A-Za-z]+")


def compounds(text: str, named: dict[str, float] | None = None) -> list[str]:
    """The names two or three adjacent words of a short question spell, the last one singular,
    in CamelCase and snake_case (`JsonObject`, `password_hasher`), within one clause, that the
    question does not already write out."""
    if len(PROSE_WORD.findall(text)) > COMPOUND_WORDS:
        return []
    spelled = {n.lower() for n in named or ()}
    found: list[list[str]] = []
    clauses = [PROSE_WORD.findall(clause) for clause in CLAUSE.split(text.lower())]
    for size in (2, 3):  # two words name a type more often than three
        for words in clauses:
            for i in range(len(words) - size + 1):
                run = [*words[i : i + size - 1], _singular(words[i + size - 1])]
                if not any(w in STOPWORDS or len(w) < 2 for w in run) and run not in found:
                    found.append(run)
    out = []
    for run in found[:MAX_COMPOUNDS]:
        out += [n for n in ("".join(w.capitalize() for w in run), "_".join(run)) if n.lower() not in spelled]
    return out


CLAUSE = re.compile(r"[,;:.?!()\[\]\n]")


def _singular(word: str) -> str:
    """English plurals as names are written: classes -> class, boxes -> box, entries -> entry."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):  # status, axis
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def _heading_only(paragraph: str) -> bool:
    """A paragraph that is one heading line (an issue form's field name): no content of its own."""
    return "\n" not in paragraph.strip() and bool(HEADING.match(paragraph))


def _identifiers(text: str) -> dict[str, float]:
    scored: dict[str, float] = {}
    in_ticks = {w for span in BACKTICK.findall(text) for w in IDENT.findall(span)}
    for match in IDENT.finditer(text):
        token = match.group()
        ticked = 1.0 if token in in_ticks else 0.0
        for name in {token, *token.split(".")}:
            score = code_likeness(name)
            if name == token and "." in token and not _qualified(token):
                score = 0.5  # `x.query`, `os.path.dirname`: a user's variable or the stdlib
            if score == 0.5 and name == token and _sentence_start(text, match.start()):
                continue  # "However", "Description": capitalised because a sentence starts
            score += ticked
            if score > 0 and name.lower() not in STOPWORDS and not PATH.fullmatch(name):
                scored[name] = max(scored.get(name, 0.0), score)
    return scored


RECEIVERS = frozenset("os sys re np pd plt json math self cls obj this it".split())


def _qualified(token: str) -> bool:
    """`QuerySet.only`, `models.Field`: a qualifier that names code, not a local variable."""
    head = token.split(".")[0]
    return head not in RECEIVERS and (len(head) > 2 or head[:1].isupper())


SENTENCE_END = frozenset(".!?:\n")
BEFORE_A_WORD = frozenset(" \t*_#>-")  # what may stand between a sentence's end and its first word


def _sentence_start(text: str, pos: int) -> bool:
    """Whether the word at `pos` starts a sentence. Looks back only over the blanks and list or
    emphasis marks before it (not a copy of the text up to it, which made long issues quadratic)."""
    j = pos
    while j > 0 and text[j - 1] in BEFORE_A_WORD:
        j -= 1
    return j == 0 or text[j - 1] in SENTENCE_END


def code_likeness(name: str) -> float:
    """How sure we are that a word is a code identifier rather than English."""
    if "." in name:
        return 2.0
    if "_" in name.strip("_") or (name.startswith("__") and name.endswith("__")):
        return 2.0
    if re.search(r"[a-z][A-Z]", name) or re.match(r"^[A-Z][a-z]+[A-Z]", name):
        return 2.0  # camelCase / PascalCase with an inner capital
    if name.isupper() and len(name) >= 4:
        return 0.5  # a constant, or SQL and shouting (SELECT, LIMIT, NOTE)
    if re.match(r"^[A-Z][a-z0-9]{3,}$", name):
        return 0.5  # Capitalised: a class name, or the first word of a sentence
    return 0.0


def _unique(items) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
