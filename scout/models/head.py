"""The learned head: one small MLP over a candidate's features (see `explorer.features`).

It replaces the hand-set blend of heuristic and cross-encoder: trained listwise on mined tasks
(softmax over one task's candidates), its softmax over a query's candidates is the probability
that each one holds the answer, which also decides how much of each is cited. Inference is numpy
only (a few hundred weights in JSON); training uses torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEAD = Path(__file__).parent / "weights" / "head.json"
HIDDEN = 16
# A region whose probability reaches FULL is cited whole, others by their first lines. Chosen on
# 180 commit tasks of the 12 dev repositories (docs/model.md): 0.05-0.2 all beat citing everything.
FULL = 0.1


@dataclass
class Head:
    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    full: float = FULL
    features: tuple[str, ...] = ()  # the names of the inputs, in order: a head fits one feature set

    def logits(self, rows: list[list[float]]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.std
        return np.maximum(x @ self.w1 + self.b1, 0.0) @ self.w2 + self.b2

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        z = self.logits(rows)
        if not len(z):
            return z
        e = np.exp(z - z.max())
        return e / e.sum()

    def save(self, path: Path = HEAD) -> None:
        data = {
            "features": list(self.features),
            "full": self.full,
            **{k: np.asarray(getattr(self, k)).tolist() for k in ("mean", "std", "w1", "b1", "w2", "b2")},
        }
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> Head:
        """The head saved at `path`, refused unless it was trained on exactly `features`."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != tuple(features):
            raise ValueError(f"{path} was trained on other features; retrain it (make train)")
        arrays = {k: np.asarray(data[k], dtype=np.float64) for k in ("mean", "std", "w1", "b1", "w2")}
        return cls(**arrays, b2=float(data["b2"]), full=float(data["full"]), features=tuple(features))
