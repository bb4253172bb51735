"""The learned head: one small MLP over a candidate's features (see `explorer.features`).

It replaces the hand-set blend of heuristic and cross-encoder: trained listwise on mined tasks
(softmax over one task's candidates), its softmax over a query's candidates is the probability
that each one holds the answer, which also decides how much of each is cited. Inference is numpy
only (a few hundred weights in JSON); training uses torch.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.explorer.features import NAMES

HEAD = Path(__file__).parent / "weights" / "head.json"
HIDDEN = 16
# A region whose probability reaches FULL is cited whole, others by their first lines. Chosen on
# 180 commit tasks of the 12 dev repositories (docs/model.md): 0.05-0.2 all beat citing everything.
FULL = 0.1
BATCH = 32  # tasks per step


@dataclass
class Head:
    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    full: float = FULL

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
            "features": list(NAMES),
            "full": self.full,
            **{k: np.asarray(getattr(self, k)).tolist() for k in ("mean", "std", "w1", "b1", "w2", "b2")},
        }
        path.write_text(json.dumps(data) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = HEAD) -> Head:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(NAMES):
            raise ValueError(f"{path} was trained on other features; retrain it (make train)")
        arrays = {k: np.asarray(data[k], dtype=np.float64) for k in ("mean", "std", "w1", "b1", "w2")}
        return cls(**arrays, b2=float(data["b2"]), full=float(data["full"]))


def train_head(groups: list[tuple[list[list[float]], list[int]]], seed: int = 0, epochs: int = 40) -> Head:
    """Fit on (feature rows, labels) per task: listwise softmax cross-entropy, Adam, fixed seed."""
    import torch

    torch.manual_seed(seed)
    groups = [(rows, labels) for rows, labels in groups if any(labels) and not all(labels)]
    flat = np.asarray([r for rows, _ in groups for r in rows], dtype=np.float64)
    mean, std = flat.mean(0), flat.std(0) + 1e-6
    data = [
        (torch.tensor((np.asarray(rows) - mean) / std, dtype=torch.float32), torch.tensor(labels).bool())
        for rows, labels in groups
    ]
    net = torch.nn.Sequential(
        torch.nn.Linear(len(NAMES), HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 1)
    )
    optim = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-4)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(data)
        for i in range(0, len(data), 32):
            loss = sum(_listwise(torch, net(x).squeeze(-1), y) for x, y in data[i : i + 32]) / len(
                data[i : i + 32]
            )
            optim.zero_grad()
            loss.backward()
            optim.step()
    first, second = net[0], net[2]
    return Head(
        mean=mean,
        std=std,
        w1=first.weight.detach().numpy().T.astype(np.float64),
        b1=first.bias.detach().numpy().astype(np.float64),
        w2=second.weight.detach().numpy()[0].astype(np.float64),
        b2=float(second.bias.detach()[0]),
    )


def _listwise(torch, logits, positives):
    return torch.logsumexp(logits, 0) - torch.logsumexp(logits[positives], 0)


def top1(head: Head, groups) -> float:
    """How often the head puts a positive first: the dev check printed after training."""
    hits = sum(bool(labels[int(np.argmax(head.logits(rows)))]) for rows, labels in groups if rows)
    return hits / max(len(groups), 1)
