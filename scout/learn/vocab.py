"""The embedder's vocabulary: the search terms code is made of, counted across many repositories.

Terms come from `scout.index.lexical.terms`, the very function the index and queries use, over
every source and documentation file at each training repository's HEAD. A term is kept when it
occurs in enough repositories (project-specific names stay with BM25 and the symbol index), most
widespread first. BERT's word pieces are added after them, so that any other word can be spelled.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from scout.index.analyze import searchable
from scout.index.files import decode, is_binary, is_vendored_path
from scout.index.lexical import terms
from scout.learn.gitlog import Blobs, git
from scout.learn.manifest import Source

log = logging.getLogger("scout.learn")

MAX_FILES = 3000  # per repository: a huge one should not decide the vocabulary alone
MAX_BYTES = 300_000
PIECE_CHARS = re.compile(r"^(##)?[a-z0-9]+$")


def repository_terms(source: Source) -> set[str]:
    """Every term in the searchable files at the source's head commit."""
    listing = git(source.git_dir, "ls-tree", "-r", "-z", "--name-only", source.head).split("\0")
    paths = [p for p in listing if p and searchable(p) and not is_vendored_path(p)][:MAX_FILES]
    found: set[str] = set()
    with Blobs(source.git_dir) as blobs:
        for path in paths:
            data = blobs.read(source.head, path)
            if data and len(data) <= MAX_BYTES and not is_binary(data):
                found.update(terms(decode(data)))
    return found


def build_vocabulary(
    term_sets: Iterable[set[str]],
    base_vocab: Path,
    min_repos: int = 3,
    size: int = 60_000,
    pieces: int | None = None,
) -> list[str]:
    """Widespread corpus terms first (at most `size`), then the base model's word pieces (the
    first `pieces` of them; all by default).
    `term_sets` holds each repository's terms (`repository_terms`, stored in the data folder)."""
    spread: Counter[str] = Counter()
    for found in term_sets:
        spread.update(found)
    # ties broken by the term, so the same data gives the same vocabulary on every machine
    ranked = sorted(spread.items(), key=lambda kv: (-kv[1], kv[0]))
    corpus = [t for t, c in ranked if c >= min_repos and len(t) <= 40][:size]
    spelled = [
        line.strip()
        for line in base_vocab.read_text(encoding="utf-8").splitlines()
        if PIECE_CHARS.match(line.strip())
    ]
    return list(dict.fromkeys(corpus + spelled[:pieces]))
