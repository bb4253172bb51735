"""Fine-tuning the static embedder contrastively: questions near the code that answers them.

Each pair is a mined task's query and one of its gold definitions, both as the bags of terms the
index and the semantic tool use (`chunk_bags`, `lexical.terms`), so training sees exactly what
inference sees. A batch holds queries from a few repositories; each query's positive must score
above every other positive in the batch and above its own hard negatives (chunks BM25 ranks high
in the same repository that are not gold), an InfoNCE loss with a learned temperature. Trained:
the table, and a weight per term on each side. On CPU, a few minutes per 100,000 pairs.
"""

from __future__ import annotations

import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from scout.index.lexical import terms
from scout.learn.progress import Eta
from scout.models.embedder import Embedder, term_rows

log = logging.getLogger("scout.learn")


@dataclass
class Bag:
    rows: np.ndarray  # int64 table rows
    shares: np.ndarray  # float32: log1p(tf) × the row's share of its term


@dataclass
class Pair:
    repo: str
    query: Bag
    positive: Bag
    negatives: list[Bag] = field(default_factory=list)


class Vocabulary:
    """Term → table rows, with the runtime's word-piece fallback (`Embedder.rows`)."""

    def __init__(self, terms_list: list[str]) -> None:
        self.rows = {t: i for i, t in enumerate(terms_list)}
        self._split: dict[str, tuple[tuple[int, ...], float]] = {}

    def bag(self, counts: dict[str, int] | Counter) -> Bag:
        rows: list[int] = []
        shares: list[float] = []
        for term, n in counts.items():
            found, share = self._rows(term)
            for r in found:
                rows.append(r)
                shares.append(math.log1p(n) * share)
        return Bag(np.asarray(rows, dtype=np.int64), np.asarray(shares, dtype=np.float32))

    def query_bag(self, text: str) -> Bag:
        return self.bag(Counter(terms(text)))

    def _rows(self, term: str) -> tuple[tuple[int, ...], float]:
        row = self.rows.get(term)
        if row is not None:  # most terms: no cache entry needed
            return (row,), 1.0
        if term not in self._split:
            self._split[term] = term_rows(term, self.rows)
        return self._split[term]


@dataclass
class TrainOptions:
    epochs: int = 3
    batch_repos: int = 8
    per_repo: int = 24  # queries from one repository in a batch: in-batch negatives from the same code
    lr: float = 0.05
    weight_lr: float = 0.02
    seed: int = 0


def train_embedder(pairs: list[Pair], vocab: list[str], table: np.ndarray, opts: TrainOptions) -> Embedder:
    """Fit the table and the term weights on `pairs`, starting from `table` (distilled)."""
    import torch

    torch.manual_seed(opts.seed)
    model = _Model(torch, table)
    optim = torch.optim.Adagrad(
        [{"params": [model.table.weight], "lr": opts.lr},
         {"params": [model.w_query, model.w_doc, model.log_temp], "lr": opts.weight_lr}]
    )  # fmt: skip
    rng = random.Random(opts.seed)
    per_epoch = len(_batches(pairs, opts, random.Random(opts.seed)))
    eta = Eta("embedder batches", per_epoch * opts.epochs)
    for epoch in range(opts.epochs):
        batches = _batches(pairs, opts, rng)
        total = 0.0
        for n, batch in enumerate(batches, 1):
            loss = model.loss(batch)
            optim.zero_grad()
            loss.backward()
            optim.step()
            total += float(loss.detach())
            eta.step(epoch * per_epoch + n, f"epoch {epoch + 1}, loss {total / n:.4f}")
        log.info("embedder epoch %d done: mean loss %.4f", epoch + 1, total / max(len(batches), 1))
    return model.export(vocab)


def _batches(pairs: list[Pair], opts: TrainOptions, rng: random.Random) -> list[list[Pair]]:
    by_repo: dict[str, list[Pair]] = {}
    for p in pairs:
        by_repo.setdefault(p.repo, []).append(p)
    groups = []
    for items in by_repo.values():
        rng.shuffle(items)
        groups += [items[i : i + opts.per_repo] for i in range(0, len(items), opts.per_repo)]
    rng.shuffle(groups)
    return [sum(groups[i : i + opts.batch_repos], []) for i in range(0, len(groups), opts.batch_repos)]


class _Model:
    def __init__(self, torch, table: np.ndarray) -> None:
        self.torch = torch
        n = table.shape[0]
        scale = float(np.linalg.norm(table, axis=1).mean()) or 1.0
        self.table = torch.nn.EmbeddingBag(n, table.shape[1], mode="sum")
        self.table.weight.data.copy_(torch.from_numpy(table / scale))
        self.w_query = torch.nn.Parameter(torch.ones(n))
        self.w_doc = torch.nn.Parameter(torch.ones(n))
        self.log_temp = torch.nn.Parameter(torch.tensor(math.log(0.05)))

    def encode(self, bags: list[Bag], weights):
        torch = self.torch
        rows = torch.from_numpy(np.concatenate([b.rows for b in bags]))
        shares = torch.from_numpy(np.concatenate([b.shares for b in bags]))
        offsets = torch.tensor([0, *np.cumsum([len(b.rows) for b in bags])[:-1]], dtype=torch.long)
        per = shares * weights[rows]
        vecs = self.table(rows, offsets, per_sample_weights=per)
        return torch.nn.functional.normalize(vecs, dim=-1)

    def loss(self, batch: list[Pair]):
        torch = self.torch
        docs = [p.positive for p in batch] + [n for p in batch for n in p.negatives]
        q = self.encode([p.query for p in batch], self.w_query)
        d = self.encode(docs, self.w_doc)
        logits = q @ d.T / self.log_temp.exp()
        # positives that are the same chunk as another query's are not negatives for it
        target = torch.arange(len(batch))
        return torch.nn.functional.cross_entropy(logits, target)

    def export(self, vocab: list[str]) -> Embedder:
        table = self.table.weight.detach().numpy().astype(np.float32)
        scales = np.abs(table).max(1) / 127.0 + 1e-12
        quantized = np.clip(np.rint(table / scales[:, None]), -127, 127).astype(np.int8)
        return Embedder(
            list(vocab),
            quantized,
            scales.astype(np.float32),
            self.w_doc.detach().numpy().astype(np.float32),
            self.w_query.detach().numpy().astype(np.float32),
        )


def recall_at(embedder: Embedder, queries: list[tuple[Counter, set[int]]], ids: list[int], matrix: np.ndarray,
              k: int = 10) -> float:  # fmt: skip
    """How often a gold chunk is among the `k` nearest of `matrix` (rows aligned with `ids`)."""
    hits = 0
    for counts, gold in queries:
        scores = matrix @ embedder.embed(counts, query=True)
        top = np.argpartition(-scores, min(k, len(ids) - 1))[:k]
        hits += any(ids[i] in gold for i in top)
    return hits / max(len(queries), 1)
