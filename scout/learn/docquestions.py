"""Synthetic localisation questions from docstrings and doc comments.

The first sentence of a definition's documentation, with the definition's own name taken out, is a
question whose answer is that definition ("Return the number of days in a month." → `days_in`).
Names are removed so the task cannot be solved by a symbol lookup alone, which real issues rarely
allow either. About half of them are also asked the way users ask ("where do we get the number of
days in a month", see `paraphrase`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator

from scout.index.languages import language_for
from scout.index.records import Definition
from scout.learn.headtree import HeadTree
from scout.learn.paraphrase import as_question
from scout.learn.tasks import definition_task

DOC_KINDS = ("function", "method", "class")
MIN_WORDS = 5
MAX_CHARS = 300
PY_DOCSTRING = re.compile(r'^\s*[rRuUbB]?("""|\'\'\'|")(.*)$')
# A doc comment line: ///, //, /** or /*, a " * " continuation, the closing " */" (which ends a
# Javadoc/JSDoc/PHPDoc block right above the definition), or #.
LEADING_COMMENT = re.compile(r"^\s*(///?|/\*\*?|\*/|\*|#)\s?(.*?)\s*(\*/)?\s*$")
ATTRIBUTE_LINE = re.compile(r"^\s*(?:#\[.*\]|\[[A-Z][\w.]*(?:\(.*\))?\]|@\w[\w.]*(?:\(.*\))?)\s*$")
HASH_COMMENTS = ("ruby", "bash", "python")
XML_REF = re.compile(r'<\w+\s+(?:cref|name|langword|href)="([^"]*)"\s*/?>')  # C#'s <see cref="X"/>
INLINE_TAG = re.compile(r"\{@(?:code|link|linkplain|literal|see)\s+([^}]*)\}")  # Javadoc/JSDoc
SIMPLE_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\s*/?>")  # <p>, <b>, <br/> in Javadoc
SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
BORING = re.compile(r"^(todo|fixme|xxx|deprecated|see |alias|same as|returns? self|noqa|type:|pragma)", re.I)


def docstring(lines: list[str], d: Definition, lang: str) -> str:
    """The definition's documentation as one paragraph of text, or ''."""
    if lang == "python":
        return _python_docstring(lines, d)
    return _leading_comment(lines, d, lang)


def _python_docstring(lines: list[str], d: Definition) -> str:
    # The body starts after the header's closing colon, which may be several lines down.
    for i in range(d.name_line - 1, min(d.end_line, d.name_line + 15)):
        if lines[i].rstrip().endswith(":"):
            body = [line for line in lines[i + 1 : d.end_line]]
            while body and not body[0].strip():
                body.pop(0)
            match = PY_DOCSTRING.match(body[0]) if body else None
            if not match:
                return ""
            quote, first = match.groups()
            text = [first]
            for line in body[1:12]:
                if quote in text[-1] or not line.strip():  # closed, or the first paragraph ended
                    break
                text.append(line.strip())
            return " ".join(" ".join(text).split(quote)[0].split())
    return ""


def _leading_comment(lines: list[str], d: Definition, lang: str) -> str:
    block: list[str] = []
    i = d.start_line - 2
    while i >= 0 and not block and ATTRIBUTE_LINE.match(lines[i]):
        i -= 1  # Rust's #[inline], C#'s [Obsolete] sit between the doc comment and the definition
    while i >= 0 and (m := LEADING_COMMENT.match(lines[i])):
        if m[1] == "#" and lang not in HASH_COMMENTS:
            break  # a C preprocessor line or a Rust attribute, not a comment
        block.insert(0, m[2])
        i -= 1
    return " ".join(" ".join(block).split())


def question(doc: str, d: Definition) -> str | None:
    """The doc's first sentence without the definition's names, if it still says something."""
    doc = INLINE_TAG.sub(r"\1", SIMPLE_HTML.sub("", XML_REF.sub(r"\1", doc)))
    m = SENTENCE.match(doc)
    sentence = (m[1] if m else doc).strip()[:MAX_CHARS]
    if BORING.match(sentence) or "{@inheritDoc" in sentence or sentence.startswith((":", "@", ">>>")):
        return None
    for name in {d.name, d.qualname, *d.qualname.split(".")[-2:]}:
        sentence = re.sub(rf"`*\b{re.escape(name)}\b(\(\))?`*", "", sentence)
    sentence = " ".join(sentence.replace("``", "").split()).strip(" ,:;")
    words = re.findall(r"[A-Za-z]{2,}", sentence)
    return sentence if len(words) >= MIN_WORDS else None


def file_questions(path: str, source: bytes, defs: list[Definition]) -> Iterator[tuple[Definition, str]]:
    lang = language_for(path)
    if lang is None:
        return
    lines = source.decode("utf-8", "replace").splitlines()
    for d in defs:
        if d.kind not in DOC_KINDS or d.name.startswith(("test", "_test")) or d.name.startswith("__"):
            continue
        q = question(docstring(lines, d, lang), d)
        if q:
            yield d, q


def doc_tasks(tree: HeadTree, repo: str, limit: int | None = None) -> Iterator[dict]:
    """Docstring tasks in a stable pseudo-random order; questions that fit several definitions are
    dropped."""
    found: list[tuple[str, Definition, str]] = []
    for path in tree.source_paths():
        data = tree.read(path)
        if data is not None:
            found += [(path, d, q) for d, q in file_questions(path, data, tree.definitions(path))]
    counts = Counter(q.lower() for _, _, q in found)
    unique = [f for f in found if counts[f[2].lower()] == 1]
    unique.sort(key=lambda f: hashlib.sha1(f"{f[0]}:{f[1].qualname}".encode()).hexdigest())
    for path, d, q in unique[:limit]:
        key = f"{path}:{d.qualname}"  # the ids of earlier runs
        yield definition_task(repo, tree.commit, "docstring", q, [d], tag="doc", key=key)


def question_tasks(docs: list[dict], limit: int = 150) -> Iterator[dict]:
    """For about half of the docstring tasks (by a hash of their id), the same gold asked as a
    question in plain words (see `paraphrase`): users ask "where do we get X", not "Return X."."""
    made = 0
    for task in docs:
        if made >= limit or int(hashlib.sha1(task["id"].encode()).hexdigest()[:8], 16) % 2:
            continue
        asked = as_question(task["query"], task["id"])
        if asked:
            made += 1
            asked_id = task["id"].replace("-doc-", "-docq-", 1)
            yield {**task, "id": asked_id, "query": asked, "source": "docquestion"}
