"""Symbol-level chunks: the unit of lexical search.

Each line of a file belongs to its innermost definition; a definition's chunk is the lines it owns
(its body minus nested definitions, which get chunks of their own, plus the comment lines right
above it), and lines owned by no definition form module-level windows. So the chunks partition
the file and no text counts twice.
"""

from __future__ import annotations

from collections import Counter

from scout.index.lexical import term_counts, terms
from scout.index.records import Chunk, Definition

MODULE_WINDOW = 60  # lines per module-level chunk


COMMENT_STARTS = ("#", "//", "/*", "*", "--", ";", "%")


def chunk_file(path: str, lines: list[str], defs: list[Definition]) -> list[Chunk]:
    owner = _owners(len(lines), defs)
    _claim_doc_comments(lines, defs, owner)
    owned: dict[int, list[str]] = {}
    for i, d in enumerate(owner):
        owned.setdefault(d, []).append(lines[i])
    path_terms = Counter(terms(path))
    chunks = []
    for idx, d in enumerate(defs):
        text = "\n".join(owned.get(idx, []))
        counts = term_counts(text) + Counter(terms(d.qualname)) + path_terms
        chunks.append(Chunk(d.start_line, d.end_line, d.qualname, d.kind, counts, idx))
    chunks.extend(_module_windows(lines, owner, path_terms))
    return chunks


def _owners(n: int, defs: list[Definition]) -> list[int]:
    """owner[i] = index into defs of the innermost definition containing line i+1, or -1."""
    owner = [-1] * n
    # Outer definitions first, inner ones overwrite: defs are sorted by start, widest first.
    for idx, d in sorted(enumerate(defs), key=lambda t: (t[1].start_line, -t[1].end_line)):
        for i in range(d.start_line - 1, min(d.end_line, n)):
            owner[i] = idx
    return owner


def _claim_doc_comments(lines: list[str], defs: list[Definition], owner: list[int]) -> None:
    """Comment lines right above a definition document it: its chunk owns them, so their words
    count for it and no module window is made of comments alone."""
    for idx, d in enumerate(defs):
        i = d.start_line - 2
        while i >= 0 and owner[i] == -1 and lines[i].lstrip().startswith(COMMENT_STARTS):
            owner[i] = idx
            i -= 1


def _module_windows(lines: list[str], owner: list[int], path_terms: Counter[str]) -> list[Chunk]:
    chunks = []
    run: list[int] = []
    for i, o in enumerate([*owner, 0]):  # sentinel flushes the last run
        if o == -1 and len(run) < MODULE_WINDOW:
            run.append(i)
            continue
        if run:
            counts = term_counts("\n".join(lines[j] for j in run))
            if counts:
                chunks.append(Chunk(run[0] + 1, run[-1] + 1, None, "module", counts + path_terms))
        run = [i] if o == -1 else []
    return chunks
