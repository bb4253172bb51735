"""Static term embeddings: a query or a chunk of code as one vector, in microseconds, numpy only.

A text's vector is the normalised, weighted sum of its terms' vectors (the same terms BM25 uses:
identifiers split on camelCase and snake_case, lowercased, lightly stemmed), each term counted
sublinearly. The table started as all-MiniLM-L6-v2's reading of each term on its own (distilled
once, the way model2vec does), and was then fine-tuned contrastively on mined question → code
pairs, with a learned weight per term on each side (queries and code weigh words differently).
A term missing from the table is read as its word pieces (greedy longest match, as BERT does).

The file (`weights/embedder.npz`) holds the terms, the int8 table with one scale per row, and
the two weight vectors. Its members are stored uncompressed, so the table is memory-mapped in
place: every scout process on a machine shares one copy through the page cache, and opening it
costs no read. Nothing here imports torch.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from scout.models import WEIGHTS_DIR

WEIGHTS = WEIGHTS_DIR / "embedder.npz"
PIECE = "##"  # a word-piece continuation, as in BERT's vocabulary
SCHEME = "terms-v1"  # how a bag of terms becomes a vector: part of the digest, so a change re-embeds
MAX_PIECE_CHARS = 100
MIN_PIECE_CHARS = 3
MAX_PIECES = 3
SPLIT_CACHE = 200_000  # terms whose rows are remembered outside the vocabulary


@dataclass
class Embedder:
    terms: list[str]
    table: np.ndarray  # (V, d) int8
    scales: np.ndarray  # (V,) float32: row i is table[i] * scales[i]
    doc_weights: np.ndarray  # (V,) float32
    query_weights: np.ndarray  # (V,) float32
    source: Path | None = field(default=None, repr=False)  # the file these weights were read from
    _digest: str = field(default="", repr=False)
    _vocab: dict[str, int] | None = field(default=None, repr=False)
    _split: dict[str, tuple[tuple[int, ...], float]] = field(default_factory=dict, repr=False)

    @property
    def vocab(self) -> dict[str, int]:
        """Term → row, made on first use (~12 ms for 70k terms): a question whose terms an
        index already resolved (`known`) never needs it."""
        if self._vocab is None:
            self._vocab = dict(zip(self.terms, range(len(self.terms)), strict=True))
        return self._vocab

    def known(self, rows: Mapping[str, tuple[tuple[int, ...], float]]) -> None:
        """Remember terms' rows resolved elsewhere with these weights (an index's pieces)."""
        if len(self._split) < SPLIT_CACHE:
            self._split.update(rows)

    @property
    def dim(self) -> int:
        return self.table.shape[1]

    @property
    def digest(self) -> str:
        """Identifies these weights (an index built with others is re-embedded): a hash of the file
        they came from, read when first asked for; "" for weights never saved."""
        if not self._digest and self.source is not None:
            self._digest = hashlib.sha1(self.source.read_bytes() + SCHEME.encode()).hexdigest()[:16]
        return self._digest

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Embedder:
        with np.load(path, allow_pickle=False) as data:
            terms = bytes(data["terms"]).decode("utf-8").split("\n")
            table = _mapped(path, "table")
            return cls(
                terms,
                data["table"] if table is None else table,
                data["scales"].astype(np.float32),
                data["doc_weights"].astype(np.float32),
                data["query_weights"].astype(np.float32),
                source=path,
            )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            terms=np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8),
            table=self.table,
            scales=self.scales.astype(np.float16),
            doc_weights=self.doc_weights.astype(np.float16),
            query_weights=self.query_weights.astype(np.float16),
        )

    def rows(self, term: str) -> tuple[tuple[int, ...], float]:
        """The table rows a term reads as, and the share each gets (`term_rows`)."""
        hit = self._split.get(term)
        if hit is not None:
            return hit
        row = self.vocab.get(term)
        if row is not None:
            return (row,), 1.0
        hit = term_rows(term, self.vocab)
        if len(self._split) < SPLIT_CACHE:
            self._split[term] = hit
        return hit

    def embed(self, counts: Mapping[str, int], query: bool = False) -> np.ndarray:
        """One unit vector (float32) for a bag of terms; zeros when no term is known."""
        vec = self.vector(counts, query)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def vector(self, counts: Mapping[str, int], query: bool = False) -> np.ndarray:
        """The weighted sum of a bag's term rows, before it is normalised (`embed`)."""
        weights = self.query_weights if query else self.doc_weights
        index: list[int] = []
        amount: list[float] = []
        for term, n in counts.items():
            rows, share = self.rows(term)
            tf = math.log1p(n) * share
            for r in rows:
                index.append(r)
                amount.append(tf * weights[r])
        if not index:
            return np.zeros(self.dim, dtype=np.float32)
        rows = np.asarray(index)
        amounts = np.asarray(amount, dtype=np.float32) * self.scales[rows]
        return amounts @ self.table[rows].astype(np.float32)

    def embed_many(self, bags: Iterable[Mapping[str, int]]) -> np.ndarray:
        vecs = [self.embed(b) for b in bags]
        return np.stack(vecs) if vecs else np.zeros((0, self.dim), dtype=np.float32)


def term_rows(term: str, vocab: Mapping[str, int]) -> tuple[tuple[int, ...], float]:
    """The rows a term reads as, each with its share: its own row, else its word pieces sharing
    it equally, else nothing. Training (`scout.learn.embedtrain`) reads terms the same way."""
    row = vocab.get(term)
    if row is not None:
        return (row,), 1.0
    pieces = word_pieces(term, vocab)
    return (pieces, 1.0 / len(pieces)) if pieces else ((), 0.0)


def word_pieces(term: str, vocab: Mapping[str, int]) -> tuple[int, ...]:
    """Greedy longest-match word pieces of `term` (`##` marks a continuation); () when it cannot be
    spelled with a few pieces of at least three letters: letters and letter pairs carry no meaning,
    and a gibberish word spelled with them would look like everything."""
    if len(term) > MAX_PIECE_CHARS or len(term) < MIN_PIECE_CHARS:
        return ()
    out: list[int] = []
    start = 0
    while start < len(term):
        end = len(term)
        while end > start:
            piece = term[start:end] if start == 0 else PIECE + term[start:end]
            row = vocab.get(piece)
            if row is not None:
                out.append(row)
                break
            end -= 1
        if end - start < MIN_PIECE_CHARS or len(out) > MAX_PIECES:
            return ()
        start = end
    return tuple(out)


def quantize(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors as int8 (× 127): what the index stores, a quarter of float32's size."""
    return np.clip(np.rint(vectors * 127.0), -127, 127).astype(np.int8)


def _mapped(path: Path, name: str) -> np.ndarray | None:
    """Member `name` of an .npz memory-mapped where it lies, or None when it is compressed."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{name}.npy")
        if info.compress_type != zipfile.ZIP_STORED:
            return None
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        local = handle.read(30)  # the local file header: its name and extra field follow it
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        handle.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(handle)
        read_header = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(handle)
        offset = handle.tell()
    if fortran or dtype.hasobject:
        return None
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


def file_stamp(path: Path = WEIGHTS) -> str | None:
    """Size, mtime and inode of the weights file: unchanged, its digest is too (no need to hash it)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@cache
def shipped() -> Embedder | None:
    """The embedder in the package, or None when the weights are not installed."""
    return Embedder.load(WEIGHTS) if WEIGHTS.is_file() else None
