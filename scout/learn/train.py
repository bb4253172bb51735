"""Fine-tuning the reranker on labelled candidates (see `trainset`), on CPU, reproducibly.

Each step reads a few tasks; for each, its positives and the hardest negatives the tools produced
(the heuristic's best-ranked wrong candidates first) form a group, and the loss is a listwise
softmax cross-entropy: the model learns to put a gold candidate first among the very candidates
the policy will see. Checkpoints hold the delta, the optimizer and the step, so a run resumes where
it stopped; a fixed seed makes a run repeatable. At the end the delta is evaluated on the dev
repositories (never trained on) and the blend weight with the heuristic is chosen there.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scout.explorer.model import TOP_K
from scout.models.reranker import CONFIG, WEIGHTS, Reranker, RerankerConfig

log = logging.getLogger("scout.learn.train")

BLENDS = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)


@dataclass
class TrainOptions:
    examples: Path
    checkpoints: Path
    weights: Path = WEIGHTS
    config: Path = CONFIG
    steps: int = 600
    tasks_per_step: int = 4
    group: int = 8  # candidates per task in a step
    lr: float = 4e-4
    seed: int = 0
    checkpoint_every: int = 50
    dev_tasks: int = 200  # dev examples scored at the end (each costs TOP_K model calls)
    top_k: int = TOP_K
    resume: bool = True
    threads: int = 2


def load_examples(path: Path) -> tuple[list[dict], list[dict]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in rows if r["split"] == "train"], [r for r in rows if r["split"] == "dev"]


def make_group(example: dict, size: int, rng: random.Random) -> tuple[list[str], list[int]] | None:
    """Positives (up to a quarter of the group) and the heuristic's top-ranked negatives."""
    cands = example["candidates"]
    pos = [c for c in cands if c["label"]]
    neg = [c for c in cands if not c["label"]]
    if not pos or not neg:
        return None
    rng.shuffle(pos)
    pos = pos[: max(1, size // 4)]
    hard = neg[: size // 2]  # already in heuristic order: the best wrong ones
    rest = neg[size // 2 :]
    picked = pos + hard + rng.sample(rest, min(len(rest), size - len(pos) - len(hard)))
    return [c["text"] for c in picked], [c["label"] for c in picked]


def listwise_loss(torch, logits, labels):
    """-log of the softmax mass on the positives."""
    target = torch.tensor(labels, dtype=torch.bool)
    return torch.logsumexp(logits, 0) - torch.logsumexp(logits[target], 0)


def train(opts: TrainOptions, progress: Callable[[int, int], None] | None = None) -> dict:
    import torch

    torch.manual_seed(opts.seed)
    torch.set_num_threads(opts.threads)
    rng = random.Random(opts.seed)
    train_rows, dev_rows = load_examples(opts.examples)
    train_rows = [r for r in train_rows if any(c["label"] for c in r["candidates"])]
    model = Reranker(RerankerConfig(), train=True)
    optim = torch.optim.AdamW(model.trainable(), lr=opts.lr, weight_decay=0.01)
    step = resume(opts, model, optim, rng) if opts.resume else 0
    log.info("training on %d tasks from step %d to %d", len(train_rows), step, opts.steps)
    model.train()
    started, first, recent = time.perf_counter(), step, []
    while step < opts.steps:
        loss = train_step(torch, model, optim, train_rows, opts, rng, lr_at(opts, step))
        step += 1
        recent = (recent + [loss])[-50:]
        if progress:
            progress(step, opts.steps)
        if step % 25 == 0:
            log.info("step %d loss %.4f (%.1fs/step)", step, sum(recent) / len(recent),
                     (time.perf_counter() - started) / (step - first))  # fmt: skip
        if step % opts.checkpoint_every == 0 or step == opts.steps:
            save_checkpoint(opts, model, optim, rng, step)
    dev_rows = random.Random(opts.seed).sample(dev_rows, min(opts.dev_tasks, len(dev_rows)))
    report = evaluate(model, dev_rows, opts.top_k)
    model.cfg.blend = report["blend"]
    model.save_delta(opts.weights, opts.config)
    report["train_tasks"], report["steps"] = len(train_rows), opts.steps
    return report


def lr_at(opts: TrainOptions, step: int) -> float:
    """Linear warm-up over the first 5% of steps, cosine decay after."""
    warm = max(1, opts.steps // 20)
    if step < warm:
        return opts.lr * (step + 1) / warm
    return opts.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, opts.steps - warm)))


def train_step(torch, model, optim, rows, opts: TrainOptions, rng: random.Random, lr: float) -> float:
    for g in optim.param_groups:
        g["lr"] = lr
    groups = []
    while len(groups) < opts.tasks_per_step:
        example = rows[rng.randrange(len(rows))]
        group = make_group(example, opts.group, rng)
        if group:
            groups.append((example["query"], *group))
    queries = [q for q, texts, _ in groups for _ in texts]
    texts = [t for _, ts, _ in groups for t in ts]
    logits = model.logits(queries, texts)
    losses, at = [], 0
    for _, ts, labels in groups:
        losses.append(listwise_loss(torch, logits[at : at + len(ts)], labels))
        at += len(ts)
    loss = torch.stack(losses).mean()
    optim.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.trainable(), 1.0)
    optim.step()
    return float(loss.detach())


def save_checkpoint(opts: TrainOptions, model, optim, rng: random.Random, step: int) -> None:
    import torch

    opts.checkpoints.mkdir(parents=True, exist_ok=True)
    model.save_delta(opts.checkpoints / "delta.safetensors", opts.checkpoints / "delta.json")
    state = {
        "step": step,
        "optim": optim.state_dict(),
        "rng": rng.getstate(),
        "torch_rng": torch.get_rng_state(),
    }
    torch.save(state, opts.checkpoints / "state.pt")
    log.info("checkpoint at step %d in %s", step, opts.checkpoints)


def resume(opts: TrainOptions, model, optim, rng: random.Random) -> int:
    import torch

    state_file = opts.checkpoints / "state.pt"
    if not state_file.is_file():
        return 0
    state = torch.load(state_file, weights_only=False)
    model.load_delta(opts.checkpoints / "delta.safetensors", merge=False)
    optim.load_state_dict(state["optim"])
    rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    log.info("resumed from step %d", state["step"])
    return state["step"]


def evaluate(model, rows: list[dict], top_k: int) -> dict:
    """Ranking quality on dev tasks for each blend; the heuristic alone is blend 1.0."""
    model.eval()
    scored = []
    for r in rows:
        cands = r["candidates"][:top_k]
        logits = model.score(r["query"], [c["text"] for c in cands]) if cands else []
        scored.append((r, cands, [1 / (1 + math.exp(-x)) for x in logits]))
    by_blend = {b: ranking_metrics(scored, b) for b in BLENDS}
    best = max(BLENDS[:-1], key=lambda b: by_blend[b]["file_acc@5"] + by_blend[b]["cand_acc@5"])
    return {"dev_tasks": len(rows), "blend": best, "by_blend": by_blend}


def ranking_metrics(scored: list, blend: float) -> dict:
    hits1 = hits5 = files5 = 0
    for r, cands, probs in scored:
        order = sorted(range(len(cands)), key=lambda i: -(blend * cands[i]["h"] + (1 - blend) * probs[i]))
        labels = [cands[i]["label"] for i in order]
        hits1 += bool(labels[:1] and labels[0])
        hits5 += any(labels[:5])
        files = list(dict.fromkeys(cands[i]["path"] for i in order))[:5]
        files5 += all(f in files for f in r["gold_files"])
    n = max(len(scored), 1)
    return {"cand_acc@1": hits1 / n, "cand_acc@5": hits5 / n, "file_acc@5": files5 / n}
