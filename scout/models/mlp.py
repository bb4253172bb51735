"""Small numpy networks for the learned explorer: standardise, one ReLU layer (or none), one output.

Five of them drive the default explorer (`scout.explorer.model`): the head that ranks candidate
regions (listwise: a softmax over one query's candidates), the expansion scorer that picks which
graph links to follow (pointwise: a sigmoid), and three calibrators that turn the head's output
into probabilities: that a region lies in the answer (the stop rule's), that a span's cited lines
touch it (its `confidence`), that the answer lies in a file (`fileconfidence`). All live in
`weights/explorer.json`, a few thousand numbers; training them is `scout.learn.fit` (torch),
running them is this file (numpy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scout.models import WEIGHTS_DIR

WEIGHTS = WEIGHTS_DIR / "explorer.json"


@dataclass
class MLP:
    features: tuple[str, ...]  # the input names, in order: a net fits one feature set
    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray | None  # (n_in, hidden), or None for a linear model
    b1: np.ndarray | None
    w2: np.ndarray  # (hidden or n_in,)
    b2: float

    def logits(self, rows: list[list[float]] | np.ndarray) -> np.ndarray:
        x = np.asarray(rows, dtype=np.float64)
        if not len(x):
            return np.zeros(0)
        x = (x - self.mean) / self.std
        if self.w1 is not None:
            x = np.maximum(x @ self.w1 + self.b1, 0.0)
        return x @ self.w2 + self.b2

    def softmax(self, rows) -> np.ndarray:
        z = self.logits(rows)
        if not len(z):
            return z
        e = np.exp(z - z.max())
        return e / e.sum()

    def sigmoid(self, rows) -> np.ndarray:
        # tanh form: no overflow for a logit far from zero (a net fitted on little data gives them)
        return 0.5 * (1.0 + np.tanh(0.5 * self.logits(rows)))

    def to_dict(self) -> dict[str, Any]:
        arrays = {k: None if v is None else np.asarray(v).tolist() for k, v in self._arrays().items()}
        return {"features": list(self.features), **arrays, "b2": float(self.b2)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], features: tuple[str, ...]) -> MLP:
        """The net in `data`, refused unless it was trained on exactly `features`."""
        if tuple(data.get("features", ())) != tuple(features):
            raise ValueError("trained on other features; retrain (make train)")
        arr = {k: None if data.get(k) is None else np.asarray(data[k], dtype=np.float64)
               for k in ("mean", "std", "w1", "b1", "w2")}  # fmt: skip
        return cls(tuple(features), b2=float(data["b2"]), **arr)  # type: ignore[arg-type]

    def _arrays(self) -> dict[str, np.ndarray | None]:
        return {"mean": self.mean, "std": self.std, "w1": self.w1, "b1": self.b1, "w2": self.w2}


def mean_of(nets: list[MLP]) -> MLP:
    """One net whose logit is the mean of `nets`' logits, exactly: their hidden units side by side
    over the union of their features. Each net's standardisation moves into its first layer, so
    the result runs as fast as one net as wide as all of them (an ensemble of heads fitted with
    different seeds ranks more steadily than any one of them)."""
    if len(nets) == 1:
        return nets[0]
    features = tuple(dict.fromkeys(f for net in nets for f in net.features))
    at = {f: i for i, f in enumerate(features)}
    mean, std = np.zeros(len(features)), np.ones(len(features))
    for net in reversed(nets):  # a feature's standardisation is the first net's that reads it
        idx = [at[f] for f in net.features]
        mean[idx], std[idx] = net.mean, net.std
    w1s, b1s, w2s = [], [], []
    for net in nets:
        if net.w1 is None or net.b1 is None:
            raise ValueError("only nets with a hidden layer are averaged")
        idx = [at[f] for f in net.features]
        # (x - m_k) / s_k = (x - m) / s * (s / s_k) + (m - m_k) / s_k, for the shared m and s
        w1 = np.zeros((len(features), net.w1.shape[1]))
        w1[idx] = (std[idx] / net.std)[:, None] * net.w1
        b1s.append(net.b1 + ((mean[idx] - net.mean) / net.std) @ net.w1)
        w1s.append(w1)
        w2s.append(net.w2 / len(nets))
    b2 = float(sum(net.b2 for net in nets) / len(nets))
    return MLP(features, mean, std, np.hstack(w1s), np.concatenate(b1s), np.concatenate(w2s), b2)


def read_weights(path: Path = WEIGHTS) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def softmax(z: np.ndarray) -> np.ndarray:
    """The head's listwise output: a probability for each of one query's candidates."""
    e = np.exp(z - z.max())
    return e / e.sum()
