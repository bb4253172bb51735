"""Fitting the learned head (`scout.models.head`) on mined tasks: listwise, torch, CPU."""

from __future__ import annotations

import random

import numpy as np

from scout.explorer.features import NAMES
from scout.models.head import HIDDEN, Head


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
        features=NAMES,
    )


def _listwise(torch, logits, positives):
    return torch.logsumexp(logits, 0) - torch.logsumexp(logits[positives], 0)


def top1(head: Head, groups) -> float:
    """How often the head puts a positive first: the dev check printed after training."""
    hits = sum(bool(labels[int(np.argmax(head.logits(rows)))]) for rows, labels in groups if rows)
    return hits / max(len(groups), 1)
