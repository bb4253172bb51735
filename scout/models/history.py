"""A repository's past changes as a prior on where a question's answer lives (`scout adapt`).

Bug reports and questions about a repository rhyme with its own commit messages: an issue saying
that `only()` crashes reads like the messages of the commits that fixed `only()` before, and those
commits name the definitions a fix touches. `History` keeps, for each mined commit, the words
of its message and the definitions it changed (path and qualified name); asked with a question, it
scores the messages by BM25, takes the closest few, and lets each vote for its files and
definitions (a commit that touched many files says less about each). The explorer adds to the
head's logit of every candidate `weight` times a blend of its file's vote and its own, each on a
0-1 scale (`mix` is the own vote's share), and looks at the voted definitions no probe reached;
`weight` and `mix` are chosen when adapting, on the newest commits held out from the history
(none is kept when the vote does not help there).

Arrays only (CSR rows of term ids and file ids), so it loads with the adaptation in milliseconds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

K1, B = 1.2, 0.75
TOP_DOCS = 20  # the closest messages that vote


@dataclass
class Votes:
    files: dict[str, float] = field(default_factory=dict)  # the best file's 1.0
    places: dict[tuple[str, str], float] = field(default_factory=dict)  # (path, symbol): the best 1.0


@dataclass
class History:
    terms: list[str]  # the messages' vocabulary
    doc_ptr: np.ndarray  # (n + 1,) int32: message d's terms are doc_tid[doc_ptr[d]:doc_ptr[d + 1]]
    doc_tid: np.ndarray  # int32 term ids
    doc_tf: np.ndarray  # int32 counts
    places: list[str]  # the definitions the messages changed, "path\tqualified name"
    place_ptr: np.ndarray  # (n + 1,) int32: message d's are place_id[place_ptr[d]:place_ptr[d + 1]]
    place_id: np.ndarray  # int32 place ids
    weight: float = 0.0  # how much a full vote adds to a candidate's logit
    mix: float = 0.0  # the share of that vote from the candidate's own definition, not its file's

    def __post_init__(self) -> None:
        self._term_index = {t: i for i, t in enumerate(self.terms)}
        self._postings: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
        self._norm = np.zeros(0)

    @classmethod
    def build(cls, docs: Iterable[tuple[Mapping[str, int], Iterable[tuple[str, str]]]],
              weight: float = 0.0, mix: float = 0.0) -> History:  # fmt: skip
        """From (message words, changed (path, symbol)) pairs; one without either is skipped."""
        terms: dict[str, int] = {}
        places: dict[str, int] = {}
        ptr, tid, tf, pptr, pid = [0], [], [], [0], []
        for words, changed in docs:
            keys = list(dict.fromkeys(f"{path}\t{symbol}" for path, symbol in changed))
            if not words or not keys:
                continue
            for t, n in words.items():
                tid.append(terms.setdefault(t, len(terms)))
                tf.append(int(n))
            pid += [places.setdefault(k, len(places)) for k in keys]
            ptr.append(len(tid))
            pptr.append(len(pid))
        i32 = lambda xs: np.asarray(xs, dtype=np.int32)  # noqa: E731
        return cls(list(terms), i32(ptr), i32(tid), i32(tf), list(places), i32(pptr), i32(pid), weight, mix)

    @property
    def size(self) -> int:
        return len(self.doc_ptr) - 1

    def votes(self, words: Mapping[str, int]) -> Votes:
        """Each file's and definition's vote for a question; none when no message shares a word."""
        scores = self.scores(words)
        if scores is None:
            return Votes()
        files: Counter = Counter()
        places: Counter = Counter()
        for d in np.argsort(-scores, kind="stable")[:TOP_DOCS]:
            if scores[d] <= 0:
                break
            changed = [
                tuple(self.places[i].split("\t", 1))
                for i in self.place_id[self.place_ptr[d] : self.place_ptr[d + 1]]
            ]
            paths = set(path for path, _ in changed)
            for path in paths:
                files[path] += float(scores[d]) / math.sqrt(len(paths))
            for place in changed:
                places[place] += float(scores[d]) / math.sqrt(len(changed))
        return Votes(_scaled(files), _scaled(places))

    def scores(self, words: Mapping[str, int]) -> np.ndarray | None:
        """BM25 of every message against the question's words (each word once)."""
        known = [self._term_index[t] for t in words if t in self._term_index]
        if not known or self.size == 0:
            return None
        postings, norm = self._posting_lists(), self._norm
        out = np.zeros(self.size, dtype=np.float64)
        for t in known:
            docs, tf = postings[t]
            idf = math.log(1 + (self.size - len(docs) + 0.5) / (len(docs) + 0.5))
            out[docs] += idf * tf * (K1 + 1) / (tf + norm[docs])
        return out

    def _posting_lists(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """term id → (messages, counts), and each message's length norm, built on first use."""
        if self._postings is None:
            lengths = np.add.reduceat(self.doc_tf, self.doc_ptr[:-1]).astype(np.float64)  # no empty message
            self._norm = K1 * (1 - B + B * lengths / max(float(lengths.mean()), 1.0))
            doc_of = np.repeat(np.arange(self.size, dtype=np.int32), np.diff(self.doc_ptr))
            order = np.argsort(self.doc_tid, kind="stable")
            tids, starts = np.unique(self.doc_tid[order], return_index=True)
            ends = [*starts[1:], len(order)]
            self._postings = {
                int(t): (doc_of[order[s:e]], self.doc_tf[order[s:e]].astype(np.float64))
                for t, s, e in zip(tids, starts, ends, strict=True)
            }
        return self._postings

    def arrays(self) -> dict[str, np.ndarray]:
        """What `Adaptation.save` stores (names prefixed `history_`)."""
        text = lambda xs: np.frombuffer("\n".join(xs).encode("utf-8"), dtype=np.uint8)  # noqa: E731
        return {
            "history_terms": text(self.terms),
            "history_doc_ptr": self.doc_ptr,
            "history_doc_tid": self.doc_tid,
            "history_doc_tf": self.doc_tf,
            "history_places": text(self.places),
            "history_place_ptr": self.place_ptr,
            "history_place_id": self.place_id,
            "history_weight": np.asarray([self.weight, self.mix], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, data: Mapping[str, np.ndarray]) -> History | None:
        """The inverse of `arrays`; None when the file holds no history (an older adaptation).
        ValueError when its arrays do not fit together."""
        if "history_doc_ptr" not in data:
            return None
        text = lambda key: bytes(data[key]).decode("utf-8").split("\n") if data[key].size else []  # noqa: E731
        found = cls(
            text("history_terms"),
            data["history_doc_ptr"].astype(np.int32),
            data["history_doc_tid"].astype(np.int32),
            data["history_doc_tf"].astype(np.int32),
            text("history_places"),
            data["history_place_ptr"].astype(np.int32),
            data["history_place_id"].astype(np.int32),
            float(data["history_weight"][0]),
            float(data["history_weight"][1]),
        )
        found.check()
        return found

    def check(self) -> None:
        n = self.size
        ok = (
            n >= 0
            and len(self.place_ptr) == n + 1
            and self.doc_ptr[-1] == len(self.doc_tid) == len(self.doc_tf)
            and self.place_ptr[-1] == len(self.place_id)
            and (np.diff(self.doc_ptr) >= 0).all()
            and (np.diff(self.place_ptr) >= 0).all()
            and (len(self.doc_tid) == 0 or 0 <= self.doc_tid.min() <= self.doc_tid.max() < len(self.terms))
            and (
                len(self.place_id) == 0 or 0 <= self.place_id.min() <= self.place_id.max() < len(self.places)
            )
            and all("\t" in p for p in self.places)
            and math.isfinite(self.weight)
            and 0 <= self.mix <= 1
        )
        if not ok:
            raise ValueError("its history arrays do not fit together")


def lift(votes: Votes, path: str, symbol: str | None, weight: float, mix: float) -> float:
    """What the history adds to the logit of a candidate at `path` defining `symbol`."""
    own = votes.places.get((path, symbol or ""), 0.0) if mix else 0.0
    return weight * ((1 - mix) * votes.files.get(path, 0.0) + mix * own)


def _scaled(votes: Counter) -> dict:
    best = max(votes.values(), default=0.0)
    return {k: v / best for k, v in votes.items()} if best > 0 else {}
