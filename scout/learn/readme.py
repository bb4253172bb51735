"""Tasks from README and docs sections that point at code.

A section of prose documentation ("Sessions" + "Use `SessionMiddleware` to keep a user's data
between requests...") explains what a definition is for in the words a user would ask with. When
the identifiers a section mentions (in backticks, RST roles or `name()` form) resolve to one or two
definitions in the source, the section is a question those definitions answer. The identifiers are
replaced by "it" so the task cannot be solved by a symbol lookup alone, as with docstring questions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scout.index.files import is_test_path, is_vendored_path
from scout.index.records import Definition
from scout.learn.headtree import HeadTree
from scout.learn.tasks import definition_task

DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".rst")
DOC_DIRS = ("docs", "doc", "documentation")
README = re.compile(r"^readme(?:[._-][\w.-]*)?$", re.I)
# Release notes describe past changes (commits already do) and licences describe nothing.
NOT_PROSE = re.compile(
    r"changelog|changes|history|news|release|authors|contributors|licen[cs]e|conduct", re.I
)
LOCALE = re.compile(
    r"^(?:ar|bn|cs|da|de|el|es|fa|fi|fr|he|hi|hu|id|it|ja|ko|nl|pl|pt|ro|ru|sv|th|tr|uk|vi|zh)(?:-[a-z]{2,4})?$"
)
MAX_WORDS = 80
MIN_WORDS = 6  # in the section once the identifiers are gone
MAX_GOLD = 2
NAME = "\x00"  # where a mention was, until the wording around it is settled
DETERMINERS = r"an?|the|every|each|this|that|your|any|one"
KIND_WORDS = (
    r"(?:class|function|method|object|instance|exception|error|type|interface|struct|trait|module|decorator"
    r"|helper|hook|option|flag|field|attribute|property|argument|parameter|value|call|constructor|callback"
    r"|middleware|handler|command|component)"
)
COMMON_NAMES = frozenset(
    "print open len str int list dict set type object none true false self this null new main".split()
)

# Sections that thank, credit or license say nothing about what the code does.
NOT_ABOUT_CODE = re.compile(
    r"thank|credit|licen[cs]|contribut|author|sponsor|acknowledg|changelog|history|copyright|support", re.I
)
FENCE = re.compile(r"^(```+|~~~+)")
ATX = re.compile(r"^#{1,6}\s+(.*?)[\s#]*$")
UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
SKIPPED_LINE = ("|", "<", "![", "[![", "{%", ":::", "$ ", ">>>")
FIELD_LINE = re.compile(r"^:[\w .-]+:(?:\s|$)")  # RST field lists (:param x:) are API text, not prose
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CODE_SPAN = re.compile(r"`([^`]+)`")
CALL_FORM = re.compile(r"(?<![\w.`])([A-Za-z_][\w.]*)\(\)")
MENTION = re.compile(r"^[~!]?[A-Za-z_$][\w$]*(?:(?:\.|::|#|->)[A-Za-z_$][\w$]*)*(?:\([^()]*\))?$")
# RST: links, roles and literals down to Markdown-style `code` spans; Markdown: links, images, tags.
MARKUP = [
    (re.compile(r"`([^`<]+?)\s*<[^>]+>`__?"), r"\1"),
    (re.compile(r"(?<!`)`([^`]+)`__?"), r"\1"),
    (re.compile(r":[\w:.-]+:`[~!]?(?:[^`<]*<)?([^`>]+)>?`"), r"`\1`"),
    (re.compile(r"``([^`]+)``"), r"`\1`"),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<[^>\n]+>|https?://\S+|\{\s*#[^}]*\}"), ""),  # tags, URLs, {#anchors}
    (re.compile(r"\*{1,3}([^*\n]+)\*{1,3}"), r"\1"),
]


@dataclass(frozen=True)
class Section:
    path: str
    heading: str
    paragraph: str


def is_prose_doc(path: str) -> bool:
    """README files anywhere and Markdown/RST under docs/, in English, not release notes."""
    parts = path.split("/")
    name = parts[-1]
    readme = bool(README.match(name)) and (name.lower().endswith(DOC_SUFFIXES) or "." not in name)
    in_docs = parts[0].lower() in DOC_DIRS and name.lower().endswith(DOC_SUFFIXES)
    return (
        (readme or in_docs)
        and not NOT_PROSE.search(name)
        and not is_vendored_path(path)
        and not is_test_path(path)
        and not any(LOCALE.match(t) for t in re.split(r"[/._]", path.lower())[:-1])
    )


def readme_tasks(tree: HeadTree, repo: str) -> Iterator[dict]:
    """Every section whose identifiers resolve to one or two definitions, in a stable
    pseudo-random order (so a cap samples every document, not the first one)."""
    found = []
    for path in filter(is_prose_doc, tree.paths):
        text = tree.text(path)
        if not text or not _mostly_latin(text):
            continue
        for section in sections(path, text):
            task = section_task(tree, repo, section)
            if task:
                found.append(task)
    found.sort(key=lambda t: hashlib.sha1(t["id"].encode()).hexdigest())
    yield from found


def _mostly_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) >= 0.9 * len(letters)


def sections(path: str, text: str) -> Iterator[Section]:
    """(heading, paragraph) pairs: every prose paragraph with the heading above it, cut to whole
    sentences within `MAX_WORDS`. Code blocks, tables, HTML and RST directive bodies are skipped."""
    rst = path.lower().endswith(".rst")
    heading = ""
    for kind, block in _blocks(_without_front_matter(text.splitlines()), rst):
        if kind == "heading":
            heading = clean(block)
        elif heading and not NOT_ABOUT_CODE.search(heading):
            yield Section(path, heading, _cut(clean(block)))


def _blocks(lines: list[str], rst: bool) -> Iterator[tuple[str, str]]:
    para: list[str] = []
    fence = ""
    for i, line in enumerate(lines):
        s = line.strip()
        if fence:
            fence = "" if s.startswith(fence) else fence
            continue
        title = _heading(line, lines[i + 1] if i + 1 < len(lines) else "")
        prose = not title and not _not_prose(line, rst)
        if para and (not prose or LIST_ITEM.match(s)):
            yield "paragraph", " ".join(para)
            para = []
        if m := FENCE.match(s):
            fence = m[1]
        elif title:
            yield "heading", title
        elif prose:
            para.append(LIST_ITEM.sub("", s).lstrip("> "))
    if para:
        yield "paragraph", " ".join(para)


def _heading(line: str, nxt: str) -> str:
    """A Markdown `# Title`, or a title underlined with ===/--- (Markdown's setext, RST's)."""
    if m := ATX.match(line):
        return m[1]
    s = line.strip()
    if s and not line[:1].isspace() and UNDERLINE.match(nxt.strip()) and not UNDERLINE.match(s):
        return s
    return ""


def _not_prose(line: str, rst: bool) -> bool:
    """Blank lines, fences, underlines, tables, HTML, badges, prompts, field lists; in RST also
    indented lines (literal blocks, directive bodies) and directives."""
    s = line.strip()
    return bool(
        not s
        or FENCE.match(s)
        or UNDERLINE.match(s)
        or s.startswith(SKIPPED_LINE)
        or FIELD_LINE.match(s)
        or (rst and (line[:1].isspace() or s.startswith("..")))
    )


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---" and "---" in (x.strip() for x in lines[1:]):
        return lines[[x.strip() for x in lines].index("---", 1) + 1 :]
    return lines


def clean(text: str) -> str:
    for pattern, repl in MARKUP:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def _cut(paragraph: str) -> str:
    kept: list[str] = []
    for sentence in SENTENCE_END.split(paragraph):
        if kept and len(" ".join([*kept, sentence]).split()) > MAX_WORDS:
            break
        kept.append(sentence)
    return " ".join(" ".join(kept).split()[:MAX_WORDS])


def section_task(tree: HeadTree, repo: str, section: Section) -> dict | None:
    """The section as a task, when its identifiers name one or two definitions and it still says
    something once they are gone."""
    text = f"{section.heading}\n{section.paragraph}"
    gold: list[Definition] = []
    spans: list[str] = []
    for span, mention in mentions(text):
        defs = resolve(tree, mention)
        if len(defs) > MAX_GOLD:
            return None  # an ambiguous name: the gold would be a guess
        if defs:
            spans.append(span)
            gold += [d for d in defs if d not in gold]
    if not gold or len(gold) > MAX_GOLD:
        return None
    query = without_names(section, spans, {d.name for d in gold})
    if len(re.findall(r"[A-Za-z]{2,}", query.split("\n", 1)[-1])) < MIN_WORDS:
        return None
    return definition_task(repo, tree.commit, "readme", query, gold)


def mentions(text: str) -> Iterator[tuple[str, str]]:
    """(the text as written, the identifier) for `code` spans and name() calls that look like names."""
    for m in CODE_SPAN.finditer(text):
        if MENTION.match(m[1].strip()):
            yield m[0], m[1].strip()
    for m in CALL_FORM.finditer(CODE_SPAN.sub(" ", text)):
        yield m[0], m[0]


def resolve(tree: HeadTree, mention: str) -> list[Definition]:
    """The definitions a mention names: `Cart.total` narrows `total` to Cart's, `shop.pricing.x`
    to the file or package `pricing`; a common word names nothing."""
    parts = re.split(r"\.|::|#|->", re.sub(r"\(.*\)$", "", mention.lstrip("~!")))
    name, owner = parts[-1], (parts[-2] if len(parts) > 1 else "")
    if len(name) < 3 or name.lower() in COMMON_NAMES:
        return []
    defs = tree.named(name)
    if owner:
        by_parent = [d for d in defs if d.parent and d.parent.split(".")[-1] == owner]
        by_path = [d for d in defs if owner in re.split(r"[/.]", d.path)]
        defs = by_parent or by_path or defs
    return defs


def without_names(section: Section, spans: list[str], names: set[str]) -> str:
    """Heading and paragraph with the mentions and the gold's names replaced by "it" ("the
    `Signer` class" becomes "the class"); a heading that was only the name is dropped."""
    out = []
    for part in (section.heading, section.paragraph):
        for span in sorted(set(spans), key=len, reverse=True):
            part = part.replace(span, NAME)
        for name in sorted(names, key=len, reverse=True):
            part = re.sub(rf"(?<![\w.]){re.escape(name)}\b(\(\))?", NAME, part)
        part = re.sub(rf"{NAME}s\b", "instances of it", part)  # "many `Logger`s"
        part = re.sub(rf"\b({DETERMINERS})\s+{NAME}\s+(?=({KIND_WORDS})\b)", _kind_only, part, flags=re.I)
        part = re.sub(rf"\b(?:an?|the)\s+{NAME}", NAME, part, flags=re.I).replace(NAME, "it")
        part = re.sub(r"\bit(?:[\s,]+it\b)+", "it", part.replace("`", ""))
        out.append(" ".join(part.split()))
    heading, paragraph = out
    return paragraph if heading.lower().strip(" :.") in ("", "it") else f"{heading}\n{paragraph}"


def _kind_only(m: re.Match) -> str:
    """'a `Signer` instance' → 'an instance': the determiner stays, agreeing with the next word."""
    det = m[1]
    if det.lower() in ("a", "an"):
        article = "an" if m[2][0].lower() in "aeiou" else "a"
        det = article.capitalize() if det[0].isupper() else article
    return f"{det} "
