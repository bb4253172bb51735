"""Every chunk's bag of terms, in flat files beside the SQLite index, memory-mapped.

BM25 and the semantic tool both score a chunk from its terms and their counts, so one forward
index serves both: read in microseconds by any number of processes (the page cache shares it),
scored with numpy in one pass, an eighth of the space of a SQLite row per posting (Django's
1.5 M postings took 49 MB as rows and an inverted copy; here 6.0 MB).

Three files of generation g, named after the index (`<index>.g<g>.rows` and so on):

- rows: one record per chunk, in the order chunks were added (so by id): its id, its length (terms
  counted), the norm of its semantic vector (`vectors`), and where its entries start in bags;
- bags: one record per (chunk, term): its term id (`terms` table of the index) and count in one
  32-bit word, the id in the high 24 bits (`pack`; 4 bytes a posting, a third less than apart);
- pieces: one record per term id: the embedder rows the term reads as (`vectors`), -1 for none.

They only grow: a write appends records at the committed counts, which the index's meta records
in the same SQLite transaction as the chunks (`State`); a reader never looks past the counts of
the state it read, so it sees a write whole or not at all, and records left by a write that was
cut short are overwritten by the next. A deleted chunk stays as a dead record that its id no
longer names in SQLite; when dead entries pass a fifth of the file, `Index` writes generation g+1
with the live ones only, and removes the old files once that is committed (a reader that mapped
them keeps them until it lets go).
"""

from __future__ import annotations

import json
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

ROW = np.dtype([("id", "<u4"), ("length", "<u4"), ("norm", "<f4"), ("start", "<u4")])
BAG = np.dtype("<u4")
TF_BITS = 8
PIECES = 3  # a term reads as at most this many embedder rows (`scout.models.embedder.MAX_PIECES`)
PIECE = np.dtype(("<i4", (PIECES,)))
MAX_TF = 2**TF_BITS - 1  # a count above this is stored as this (BM25 saturates long before)
MAX_TERM = 2 ** (32 - TF_BITS) - 1  # term ids fit in what the count leaves
KINDS = {"rows": ROW, "bags": BAG, "pieces": PIECE}
ROW_BLOCK = 32_768  # rows scored at a time: a block's per-entry temporaries stay a few MB
DEAD_SHARE = 0.2  # compact when dead entries are more than this share of all entries ...
DEAD_MIN = 10_000  # ... and more than this many (a small index is cheap to scan as it is)


@dataclass(frozen=True)
class State:
    """What is committed: the generation's file counts and the corpus statistics BM25 needs."""

    gen: int = 0
    rows: int = 0
    bags: int = 0
    pieces: int = 1  # record 0 stands for no term: term ids start at 1
    next_chunk: int = 1  # chunk ids only grow, so a dead record's id never names a new chunk
    live: int = 0  # chunks alive
    length: int = 0  # their total length
    dead_bags: int = 0  # entries of dead chunks, still in the files

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> State:
        return cls(**json.loads(text)) if text else cls()

    def count(self, kind: str) -> int:
        return getattr(self, kind)

    @property
    def needs_compacting(self) -> bool:
        return self.dead_bags > DEAD_SHARE * max(self.bags, 1) and self.dead_bags > DEAD_MIN


def file_for(index: Path, gen: int, kind: str) -> Path:
    return index.with_name(f"{index.name}.g{gen}.{kind}")


def stale_files(index: Path, gen: int) -> list[Path]:
    """Files of other generations than `gen`: left behind by a compaction or an older index."""
    keep = {file_for(index, gen, kind).name for kind in KINDS}
    return [p for p in index.parent.glob(f"{index.name}.g*") if p.name not in keep and p.suffix[1:] in KINDS]


def older_files(index: Path, gen: int) -> list[Path]:
    """Files of generations before `gen`: what a compaction to `gen` leaves behind. Never the
    newer ones: another process may have compacted again since (and its files are live)."""
    pattern = re.compile(rf"^{re.escape(index.name)}\.g(\d+)\.(\w+)$")
    out = []
    for p in index.parent.glob(f"{index.name}.g*"):
        m = pattern.match(p.name)
        if m and int(m.group(1)) < gen and m.group(2) in KINDS:
            out.append(p)
    return out


def pack(terms: np.ndarray, tfs: np.ndarray) -> np.ndarray:
    """Bag entries from term ids (at most MAX_TERM) and counts (capped at MAX_TF)."""
    return (terms.astype(np.uint32) << TF_BITS) | np.minimum(tfs, MAX_TF).astype(np.uint32)


def term_of(entries: np.ndarray) -> np.ndarray:
    return entries >> TF_BITS


def tf_of(entries: np.ndarray) -> np.ndarray:
    """The counts, as a view of each entry's low byte where the entries are contiguous."""
    if TF_BITS == 8 and entries.flags.c_contiguous and np.little_endian:
        return entries.view(np.uint8)[::4]
    return (entries & MAX_TF).astype(np.uint8)


class _Field:
    """One field of the mapped entries, unpacked only where indexed (`view.terms[hits]`)."""

    def __init__(self, entries: np.ndarray, unpack) -> None:
        self.entries, self.unpack = entries, unpack

    def __getitem__(self, where) -> np.ndarray:
        return self.unpack(self.entries[where])

    def __len__(self) -> int:
        return len(self.entries)


class View:
    """The records of one committed state, memory-mapped (read-only), with the per-row columns
    the scores read copied out once (a few bytes a chunk)."""

    def __init__(self, index: Path, state: State) -> None:
        self.state = state
        self.rows = _map(file_for(index, state.gen, "rows"), ROW, state.rows)
        self.bags = _map(file_for(index, state.gen, "bags"), BAG, state.bags)
        self.pieces = _map(file_for(index, state.gen, "pieces"), PIECE, state.pieces)
        self.terms, self.tfs = _Field(self.bags, term_of), _Field(self.bags, tf_of)
        self.ids = self.rows["id"].astype(np.int64)
        self.starts = self.rows["start"].astype(np.int64)
        # where each row's entries end: the next row's start, the last one's the count of entries
        self.ends = np.append(self.starts[1:], np.int64(state.bags)) if state.rows else self.starts
        self.lengths = self.rows["length"].astype(np.float64)
        self.norms = self.rows["norm"].copy()
        self.derived: dict = {}  # what scorers make from this view once (`vectors`)

    def positions(self, chunk_ids: np.ndarray) -> np.ndarray:
        """Row positions of these chunk ids (sorted ascending), leaving out ids without a row."""
        at = np.searchsorted(self.ids, chunk_ids)
        found = at < len(self.ids)
        found[found] = self.ids[at[found]] == chunk_ids[found]
        return at[found]

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For these row positions: the position of every entry, and which of `rows` it is in."""
        starts = self.starts[rows]
        sizes = self.ends[rows] - starts
        which = np.repeat(np.arange(len(rows)), sizes)
        offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return np.repeat(starts, sizes) + offsets, which

    def blocks(self, rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, ...]]:
        """The entries of every row (or of `rows`, ascending positions) a block of rows at a time:
        (term ids, counts, where each row's entries start in them, the rows' positions). Whole
        blocks are unpacked a block at a time."""
        if rows is not None:
            if len(rows):
                positions, which = self.entries(rows)
                sizes = np.bincount(which, minlength=len(rows))
                entries = self.bags[positions]
                yield term_of(entries), tf_of(entries), np.cumsum(sizes) - sizes, rows
            return
        for lo in range(0, len(self.ids), ROW_BLOCK):
            hi = min(lo + ROW_BLOCK, len(self.ids))
            first, last = int(self.starts[lo]), int(self.ends[hi - 1])
            entries = self.bags[first:last]
            yield term_of(entries), tf_of(entries), self.starts[lo:hi] - first, np.arange(lo, hi)


def row_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per row, the sum of its entries' `values` (rows start at `starts`; a row may be empty)."""
    sizes = np.diff(np.append(starts, len(values)))
    out = np.zeros(len(starts), dtype=np.float64)
    full = sizes > 0
    if full.any():
        out[full] = np.add.reduceat(values, starts[full])
    return out


def _map(path: Path, dtype: np.dtype, count: int) -> np.ndarray:
    if count == 0:
        return np.zeros(0, dtype=dtype)
    if dtype is PIECE and count == 1 and not path.exists():
        return np.full(count, -1, dtype=dtype)  # only the placeholder for no term
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < count * dtype.itemsize:
            raise ValueError(f"{path.name} holds {size} bytes, {count * dtype.itemsize} are committed")
        buffer = mmap.mmap(handle.fileno(), count * dtype.itemsize, access=mmap.ACCESS_READ)
    return np.frombuffer(buffer, dtype=dtype, count=count)


class Writer:
    """Appends records after a committed state; `state` is what to commit with them."""

    def __init__(self, index: Path, state: State) -> None:
        self.index = index
        self.state = state
        self._pending: dict[str, list[np.ndarray]] = {kind: [] for kind in KINDS}

    def add(self, kind: str, records: np.ndarray) -> int:
        """Queue records; returns the position of the first one."""
        first = self.state.count(kind) + sum(len(r) for r in self._pending[kind])
        if len(records):
            self._pending[kind].append(records)
        return first

    def queued(self, kind: str) -> np.ndarray:
        """The records of `kind` queued so far, in order."""
        queued = self._pending[kind]
        return np.concatenate(queued) if queued else np.zeros(0, dtype=KINDS[kind])

    def flush(self) -> State:
        """Write the queued records where the state's counts end (cutting off whatever a write cut
        short left there) and make them durable; returns the state that counts them."""
        counts = {}
        for kind, dtype in KINDS.items():
            queued = self._pending[kind]
            counts[kind] = self.state.count(kind) + sum(len(r) for r in queued)
            if not queued and file_for(self.index, self.state.gen, kind).exists():
                continue
            _append(file_for(self.index, self.state.gen, kind), dtype, self.state.count(kind), queued)
        self._pending = {kind: [] for kind in KINDS}
        self.state = replace(self.state, **counts)
        return self.state


def _append(path: Path, dtype: np.dtype, count: int, records: list[np.ndarray]) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.ftruncate(fd, count * dtype.itemsize)
        os.lseek(fd, 0, os.SEEK_END)
        for block in records:
            view = memoryview(np.ascontiguousarray(block)).cast("B")
            assert len(view) == len(block) * dtype.itemsize, (path.name, block.dtype)
            while view:
                view = view[os.write(fd, view) :]
        os.fdatasync(fd)
    finally:
        os.close(fd)


def write_generation(
    index: Path, state: State, rows: np.ndarray, bags: np.ndarray, pieces: np.ndarray
) -> State:
    """Generation state.gen + 1 made of exactly these records; returns its state (to commit)."""
    new = replace(state, gen=state.gen + 1, rows=0, bags=0, pieces=0, dead_bags=0)
    for kind in KINDS:
        file_for(index, new.gen, kind).unlink(missing_ok=True)
    writer = Writer(index, new)
    writer.add("rows", rows)
    writer.add("bags", bags)
    writer.add("pieces", pieces)
    return writer.flush()
