"""A repository's own adaptation: its words and its past changes, learned from its history (`scout adapt`).

Every repository has its own vocabulary ("frobnication" for what the code calls
`reticulate_splines`); the shipped table can only guess those links. `scout adapt`
(`scout.learn.adapt`) learns them from the repository's commit messages, docstrings and test
names beside the definitions they changed, documented or called, and stores the result here: for
each query word the repository's history uses often enough, the vector the word adds to a
question (the shipped row plus what the history taught, weight included).

Only the query side changes: a chunk's vector, so the index, stays the shipped embedder's, and
an adaptation costs no re-embedding. Beside the words it may hold the repository's history
(`scout.models.history`: each mined commit's message words and the definitions it changed), which
the explorer reads as a prior on where an answer lives. The file lives beside the index
(`<index>.adapt`, an .npz of a few MB) and names the embedder it was fitted for; once the
installed weights differ it is ignored (with one warning) until `scout adapt` runs again. A
damaged file is ignored the same way: an adaptation can make an answer better, never make scout
fail.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

import numpy as np

from scout.models.embedder import Embedder, file_stamp
from scout.models.history import History

log = logging.getLogger("scout.adaptation")

SUFFIX = ".adapt"  # beside the index: <index>.adapt
FORMAT = "scout-adapt/2"  # /2 adds the history (`scout.models.history`)
READS = ("scout-adapt/1", FORMAT)
_lock = threading.Lock()
_loaded: dict[Path, tuple[tuple, Adaptation | None]] = {}  # path → (its stat, what it held)
_warned: set[tuple[Path, str]] = set()
_trials: dict[Path, Adaptation | None] = {}  # see `trying`


@dataclass
class Adaptation:
    terms: list[str]
    rows: np.ndarray  # (k, d) float32: what each term adds to a query vector per log1p(count)
    meta: dict
    history: History | None = None  # past commits as a prior on files (`scout.models.history`)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = dict(zip(self.terms, range(len(self.terms)), strict=True))

    def vector(self, embedder: Embedder, counts: Mapping[str, int]) -> np.ndarray:
        """A query's unit vector: the shipped reading of the words this adaptation does not know,
        plus its own rows for those it does."""
        own = {t: n for t, n in counts.items() if t in self._index}
        vec = embedder.vector({t: n for t, n in counts.items() if t not in own}, query=True)
        for term, n in own.items():
            vec = vec + math.log1p(n) * self.rows[self._index[term]]
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm > 0 else vec).astype(np.float32)

    def fits(self, embedder: Embedder) -> bool:
        """Whether it was fitted for these weights: the same file (by its stamp), else the same
        bytes (by its digest, computed only then)."""
        if embedder.source is not None and self.meta.get("embedder_file") == file_stamp(embedder.source):
            return True
        return bool(embedder.digest) and self.meta.get("embedder") == embedder.digest

    def save(self, path: Path) -> None:
        """Write it whole or not at all (a temporary file, then renamed over `path`)."""
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                np.savez(
                    handle,
                    terms=np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8),
                    rows=self.rows.astype(np.float16),
                    meta=np.frombuffer(json.dumps(self.meta).encode("utf-8"), dtype=np.uint8),
                    **(self.history.arrays() if self.history is not None else {}),
                )
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> Adaptation:
        """Read one; ValueError when it is not a whole adaptation file."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                terms = bytes(data["terms"]).decode("utf-8").split("\n") if data["terms"].size else []
                rows = data["rows"].astype(np.float32)
                history = History.from_arrays(data) if isinstance(meta, dict) else None
        except (OSError, KeyError, IndexError, ValueError, EOFError, UnicodeDecodeError, BadZipFile) as exc:
            raise ValueError(f"unreadable ({type(exc).__name__})") from None
        if not isinstance(meta, dict) or meta.get("format") not in READS:
            raise ValueError("not a scout adaptation")
        if rows.ndim != 2 or rows.shape[0] != len(terms) or not np.isfinite(rows).all():
            raise ValueError("its rows do not match its terms")
        return cls(terms, rows, meta, history)


def fitted_for(embedder: Embedder) -> dict:
    """The start of an adaptation's meta: its format and the weights it is fitted for, by the
    stamp and the digest `Adaptation.fits` checks."""
    return {
        "format": FORMAT,
        "embedder": embedder.digest,
        "embedder_file": file_stamp(embedder.source) if embedder.source else None,
    }


def keeps_anything(path: Path) -> bool | None:
    """Whether the adaptation at `path` changes any answer (adapted words, or a history with a
    weight): `scout adapt` writes one that keeps nothing when nothing beat the shipped answers, so
    it is not redone. None when it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
    except (OSError, KeyError, ValueError, EOFError, UnicodeDecodeError, BadZipFile):
        return None
    if not isinstance(meta, dict):
        return None
    return bool(meta.get("terms") or meta.get("history_weight") or meta.get("conventions"))


def path_for(index: Path) -> Path:
    return index.with_name(index.name + SUFFIX)


def query_vector(embedder: Embedder, index: Path, counts: Mapping[str, int]) -> np.ndarray:
    """A query's unit vector for the repository of `index`: through its adaptation when one is
    there and fits these weights, else the shipped embedder's own."""
    found = current(index)
    if found is not None and found.rows.shape[1] == embedder.dim:
        if found.fits(embedder):
            return found.vector(embedder, counts)
        _warn_once(
            index,
            "stale",
            "the repository's adaptation was made for other weights: ignored (run `scout adapt` again)",
        )
    return embedder.embed(counts, query=True)


def history(index: Path, embedder: Embedder | None) -> History | None:
    """The history prior of the repository of `index`, when its adaptation has one and fits these
    weights (its weight was chosen with the explorer they ship)."""
    found = current(index)
    if found is None or found.history is None or embedder is None:
        return None
    return found.history if found.fits(embedder) else None


def valid_convention(k: object) -> bool:
    """A whole entry of `scout.index.conventions` (a damaged one is skipped, never a failed ask)."""
    return (
        isinstance(k, dict)
        and isinstance(k.get("path"), str)
        and isinstance(k.get("scope"), str)
        and isinstance(k.get("share"), int | float)
    )


def convention_for(kept: list[dict], path: str) -> dict | None:
    """The convention whose folder holds `path` most closely, if any."""
    inside = [k for k in kept if within(path, k["scope"])]
    return max(inside, key=lambda k: len(k["scope"]), default=None)


def within(path: str, scope: str) -> bool:
    """Whether `path` lies in the folder `scope` ("" is the repository's root)."""
    return not scope or path.startswith(scope + "/")


@contextmanager
def trying(index: Path, found: Adaptation | None) -> Iterator[None]:
    """Within the block, this process reads `found` as the adaptation of `index` (None: none),
    whatever is on disk: how `scout adapt` asks the explorer what a candidate would change."""
    with _lock:
        _trials[path_for(index)] = found
    try:
        yield
    finally:
        with _lock:
            _trials.pop(path_for(index), None)


def current(index: Path) -> Adaptation | None:
    """The adaptation beside `index`, read again only when its file changed; None when there is
    none or it is damaged (then one warning)."""
    path = path_for(index)
    with _lock:
        if path in _trials:
            return _trials[path]
    try:
        st = path.stat()
    except OSError:
        return None
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    with _lock:
        held = _loaded.get(path)
        if held is not None and held[0] == stamp:
            return held[1]
    try:
        found: Adaptation | None = Adaptation.load(path)
    except ValueError as exc:
        _warn_once(
            index,
            f"damaged {stamp}",
            f"ignoring a damaged adaptation {path.name}: {exc} (run `scout adapt --clear`)",
        )
        found = None
    with _lock:
        _loaded[path] = (stamp, found)
    return found


def _warn_once(index: Path, why: str, message: str) -> None:
    with _lock:
        if (index, why) in _warned:
            return
        _warned.add((index, why))
    log.warning("%s", message)
