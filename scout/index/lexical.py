"""Terms for lexical search: identifiers split on camelCase and snake_case, lowercased, light stemming.

Both documents and queries go through `terms()`, so "validateEmailAddress", "validate_email" and
"email validation" share terms.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doing done for from had has have
    how i if in into is it its it's me my no not of on or our so such than that the their them then
    there these they this those to too was we were what when where which while who why will with
    would you your also just like get got use used using should shall may might must any all some
    self cls def return none true false null nil var let const new end else elif pass import
    from class function func fn pub void int str string bool this static public private protected
    """.split()
)


def split_identifier(word: str) -> list[str]:
    """`getHTTPResponse_code` → ['get', 'http', 'response', 'code']."""
    parts = []
    for piece in word.split("_"):
        parts.extend(p.lower() for p in CAMEL.findall(piece))
    return parts


def stem(word: str) -> str:
    # Deliberately light: plural and common verb endings, applied the same to docs and queries.
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def e_forms(words) -> dict[str, str]:
    """The other spelling of each term that `stem` keeps apart by a final e, mapped to the term:
    "parsed" and "parsing" stem to `pars`, "parse" and "parses" to `parse`; `cach` and `cache`,
    `creat` and `create` likewise. Only forms `words` does not hold itself."""
    out: dict[str, str] = {}
    for w in words:
        if not w.isalpha() or len(w) < 4:
            continue
        other = w[:-1] if w.endswith("e") else w + "e"
        if other not in words and len(other) >= 4:
            out.setdefault(other, w)
    return out


def terms(text: str) -> list[str]:
    """Search terms of `text`, in order, with repeats (term frequency matters to BM25)."""
    out: list[str] = []
    for word in WORD.findall(text):
        out.extend(word_terms(word))
    return out


@lru_cache(maxsize=262_144)
def word_terms(word: str) -> tuple[str, ...]:
    # Cached: source code repeats the same few thousand words, and splitting is the index's hot path.
    parts = split_identifier(word)
    whole = word.lower()
    out = [whole] if len(parts) > 1 and whole not in STOPWORDS else []
    out.extend(stem(p) for p in parts if len(p) > 1 and p not in STOPWORDS)
    return tuple(out)


def term_counts(text: str) -> Counter[str]:
    return Counter(terms(text))
