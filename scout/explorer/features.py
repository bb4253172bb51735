"""What the learned head sees of a candidate region: its evidence by signal, and its context.

Every value comes from evidence the tools already returned (typed `Signal`s, the semantic tool's
cosines, the graph tool's links, the file's other regions), never from another tool call, so
scoring a hundred candidates costs a few numpy operations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from scout.explorer.evidence import Evidence, Region, Signal
from scout.explorer.query import QueryFacts
from scout.index.files import is_doc_path, is_test_code
from scout.index.lexical import STOPWORDS, split_identifier, terms

# Evidence signals whose summed scores are features of their own.
SIGNAL_FEATURES = {
    Signal.BM25: "bm25",
    Signal.BM25_IN_FILE: "focus",
    Signal.DEFINITION: "defines",
    Signal.IDENTIFIER: "uses",
    Signal.QUOTED: "quoted",
    Signal.TRACEBACK: "traceback",
    Signal.CALLER: "caller",
    Signal.CALLEE: "callee",
    Signal.BASE: "base",
    Signal.SUBCLASS: "subclass",
}
NAMES = (
    "heuristic",
    "heuristic_rank",
    *SIGNAL_FEATURES.values(),
    "file_bonus",
    "cosine",
    "cosine_seen",
    "cosine_rank",
    "cosine_gap",
    "penalty",
    "test",
    "doc",
    "lines",
    "is_definition",
    "is_class",
    "file_rank",
    "file_score",
    "file_regions",
    "file_cosine",
    "name_overlap",
    "path_overlap",
    "query_words",
    "query_idents",
    # within its file: how the region stands against the file's other candidates (choosing the
    # right definition of the right file; added 2026-12-06, so older heads do not name them)
    "file_cosine_gap",
    "file_cosine_order",
    "file_heuristic_order",
    "file_name_gap",
)
# Features beyond NAMES, each a function of one region and the query: a head names the ones it was
# trained on (its `features`), so adding one here and re-fitting (`make train-head`) changes no
# shipped head. Registered with `@extra`.
EXTRA: dict[str, Callable[[Region, QueryFacts], float]] = {}
CLASS_KINDS = frozenset({"class", "interface", "struct", "trait", "enum", "impl"})
UNSEEN_RANK = 200  # the semantic rank of a region the semantic tool did not return
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def featurize(
    regions: list[Region], evidence: Evidence, facts: QueryFacts, penalty, names: tuple[str, ...] = NAMES
) -> list[list[float]]:
    """One row of `names` (NAMES and any of EXTRA) per region, in the order given."""
    rows = _base_rows(regions, evidence, facts, penalty)
    if names == NAMES:
        return rows
    at = {n: i for i, n in enumerate(NAMES)}
    pairs = zip(regions, rows, strict=True)
    return [[row[at[n]] if n in at else EXTRA[n](r, facts) for n in names] for r, row in pairs]


def _base_rows(regions: list[Region], evidence: Evidence, facts: QueryFacts, penalty) -> list[list[float]]:
    files = evidence.file_scores(penalty)
    file_order = {p: i for i, p in enumerate(sorted(files, key=lambda p: -files[p]))}
    top_file = max(files.values(), default=1.0) or 1.0
    per_file: dict[str, int] = {}
    file_cosine: dict[str, float] = {}
    for r in evidence.regions.values():
        per_file[r.path] = per_file.get(r.path, 0) + 1
        if r.cosine is not None:
            file_cosine[r.path] = max(file_cosine.get(r.path, -1.0), r.cosine)
    heuristic = {id(r): heuristic_score(r, evidence, penalty) for r in regions}
    h_order = {k: i for i, k in enumerate(sorted(heuristic, key=lambda k: -heuristic[k]))}
    top_h = max(heuristic.values(), default=1.0) or 1.0
    top_bonus = max(evidence.file_bonus.values(), default=0.0) or 1.0
    best_cos = max((r.cosine for r in regions if r.cosine is not None), default=0.0)
    query_words = set(terms(facts.focus or facts.text))
    query_context = [math.log1p(len(terms(facts.text))), math.log1p(len(facts.identifiers))]
    names = {id(r): _overlap(_name_words(r), query_words) for r in regions}
    in_file = _within_file(regions, heuristic, names)
    rows = []
    for r in regions:
        sums = r.signal_sums()
        seen = r.cosine is not None
        path_words = set(terms(r.path.replace("/", " ").replace(".", " ")))
        rows.append([
            heuristic[id(r)] / top_h,
            math.log1p(h_order[id(r)]),
            *(sums[s] for s in SIGNAL_FEATURES),
            evidence.file_bonus.get(r.path, 0.0) / top_bonus,
            r.cosine if seen else 0.0,
            float(seen),
            math.log1p(r.cosine_rank if seen and r.cosine_rank is not None else UNSEEN_RANK),
            (r.cosine - best_cos) if seen else -1.0,
            penalty(r.path, r.symbol),
            float(is_test_code(r.path, r.symbol) and not facts.asks_about_tests),  # asked for: the answer
            float(is_doc_path(r.path)),
            math.log1p(r.end_line - r.start_line + 1),
            float(r.symbol is not None),
            float(r.kind in CLASS_KINDS),
            math.log1p(file_order.get(r.path, len(file_order))),
            files.get(r.path, 0.0) / top_file,
            math.log1p(per_file.get(r.path, 0)),
            file_cosine.get(r.path, 0.0),
            names[id(r)],
            _overlap(path_words, query_words),
            *query_context,
            (r.cosine - file_cosine.get(r.path, r.cosine)) if seen else -1.0,
            *in_file[id(r)],
        ])  # fmt: skip
    return rows


def _name_words(r: Region) -> set[str]:
    return set(terms(" ".join(WORD.findall(r.symbol or ""))))


def _overlap(words: set[str], query_words: set[str]) -> float:
    return len(words & query_words) / max(len(words), 1)


def _within_file(regions: list[Region], heuristic: dict[int, float], names: dict[int, float]) -> dict:
    """Per region: its place among its file's candidates by cosine and by the heuristic's score
    (log1p of the rank, 0 for the file's best), and its name overlap less the file's best."""
    by_file: dict[str, list[Region]] = {}
    for r in regions:
        by_file.setdefault(r.path, []).append(r)
    out = {}
    for group in by_file.values():
        by_cos = sorted(group, key=lambda r: -(r.cosine if r.cosine is not None else -2.0))
        by_h = sorted(group, key=lambda r: -heuristic[id(r)])
        cos_rank = {id(r): i for i, r in enumerate(by_cos)}
        h_rank = {id(r): i for i, r in enumerate(by_h)}
        best_name = max(names[id(r)] for r in group)
        for r in group:
            k = id(r)
            out[k] = (math.log1p(cos_rank[k]), math.log1p(h_rank[k]), names[k] - best_name)
    return out


def heuristic_score(r: Region, evidence: Evidence, penalty) -> float:
    """The heuristic explorer's own score of a region: its evidence and its file's, penalised."""
    return (r.score + evidence.file_bonus.get(r.path, 0.0)) * penalty(r.path, r.symbol)


def extra(fn: Callable[[Region, QueryFacts], float]) -> Callable[[Region, QueryFacts], float]:
    EXTRA[fn.__name__] = fn
    return fn


ENDINGS = ("ations", "ation", "ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s")


@lru_cache(maxsize=65_536)
def root(word: str) -> str:
    """A word's root for matching names against prose: "checking" and "check", "hashers" and
    "hasher", "validation" and "validated" meet (one ending off, then the first five letters)."""
    w = word.lower()
    for ending in ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            w = w[: -len(ending)]
            break
    return w.rstrip("e")[:5] or w


def _roots(text: str) -> set[str]:
    return {root(p) for w in WORD.findall(text) for p in split_identifier(w) if len(p) > 1} - _STOP_ROOTS


_STOP_ROOTS = {root(w) for w in STOPWORDS}


@extra
def name_spelled(r: Region, facts: QueryFacts) -> float:
    """The share of the definition's own name (its last part, split on camel and snake case) that
    the question spells out in any form: `check_password` for "checking a password" is 1.0."""
    return _spelled((r.symbol or "").replace("::", ".").rsplit(".", 1)[-1], facts)


@extra
def name_spelled_whole(r: Region, facts: QueryFacts) -> float:
    """1.0 when every part of the definition's own name is in the question (a named definition)."""
    return float(name_spelled(r, facts) == 1.0)


@extra
def file_spelled(r: Region, facts: QueryFacts) -> float:
    """The share of the file's own name (its stem, split on camel and snake case) that the question
    spells out: `JsonElement.java` for "the JSON element hierarchy", `notification.h` for
    "absl::Notification" are 1.0; a file named after what is asked usually holds it."""
    return _spelled(r.path.rsplit("/", 1)[-1].split(".", 1)[0], facts)


def _spelled(name: str, facts: QueryFacts) -> float:
    """The share of NAME's parts (camel and snake case, any word form) the question spells out."""
    own = _roots(name)
    return len(own & _query_roots(facts.text, facts.focus)) / len(own) if own else 0.0


@lru_cache(maxsize=64)
def _query_roots(text: str, focus: str) -> frozenset[str]:
    return frozenset(_roots(f"{focus}\n{text}"))


TRAIN_NAMES = NAMES + tuple(EXTRA)  # what `make train-head` fits a head on
