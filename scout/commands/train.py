"""`scout train`: fine-tune the reranker on mined tasks (see `scout mine`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import app, emit_json
from scout.commands.progress import progress_bar
from scout.models.reranker import CONFIG, WEIGHTS


@app.command(
    "train",
    epilog="Example: scout train --tasks .train/tasks.jsonl --mirrors .mirrors --work .train",
)
def train_cmd(
    tasks: Annotated[Path, typer.Option(help="Mined tasks (JSON Lines from `scout mine`).")],
    mirrors: Annotated[
        Path, typer.Option(help="Where each repository's git directory is (owner+name/repo).")
    ],
    work: Annotated[Path, typer.Option(help="Checkouts, indexes, examples and checkpoints go here.")],
    per_repo: Annotated[int, typer.Option(help="Tasks sampled per repository.")] = 300,
    steps: Annotated[int, typer.Option(help="Optimizer steps.")] = 400,
    seed: Annotated[int, typer.Option(help="Seed for sampling and initialisation.")] = 0,
    dev_tasks: Annotated[int, typer.Option(help="Dev-split tasks scored at the end.")] = 200,
    fresh: Annotated[bool, typer.Option(help="Ignore checkpoints and start from step 0.")] = False,
    weights: Annotated[Path, typer.Option(help="Where the delta goes (head.json goes beside it).")] = WEIGHTS,
    per_repo_head: Annotated[int, typer.Option(help="Tasks sampled per repository for the head.")] = 100,
) -> None:
    """Label candidates for the mined tasks (once), train the cross-encoder, evaluate it on dev
    repositories, then fit the head over its logits and the evidence features, and save both."""
    from scout.learn.train import TrainOptions, train
    from scout.learn.trainset import build

    examples = work / "examples.jsonl"
    if not examples.is_file():
        partial = examples.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as sink:
            for example in build(tasks, mirrors, work, per_repo, seed):
                sink.write(json.dumps(example, ensure_ascii=False) + "\n")
        partial.rename(examples)
    opts = TrainOptions(
        examples=examples,
        checkpoints=work / "checkpoints",
        weights=weights,
        config=weights.with_suffix(".json") if weights != WEIGHTS else CONFIG,
        steps=steps,
        seed=seed,
        dev_tasks=dev_tasks,
        resume=not fresh,
    )
    with progress_bar("training") as progress:
        report = train(opts, progress)
    report["head"] = train_head_stage(tasks, mirrors, work, per_repo_head, seed, weights)
    (work / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    emit_json(report)


def train_head_stage(tasks: Path, mirrors: Path, work: Path, per_repo: int, seed: int, weights: Path) -> dict:
    """Second stage: the head over the trained cross-encoder's logits and the evidence features."""
    from scout.learn.headfit import top1, train_head
    from scout.learn.trainset import build, head_example
    from scout.models.head import HEAD
    from scout.models.reranker import Reranker

    examples = work / "head-examples.jsonl"
    if not examples.is_file():
        scorer = Reranker.load(weights, weights.with_suffix(".json"))
        seen = frozenset(json.loads(line)["id"] for line in (work / "examples.jsonl").open(encoding="utf-8"))
        partial = examples.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as sink:
            for example in build(
                tasks, mirrors, work, per_repo, seed, lambda ws, t: head_example(ws, t, scorer), seen
            ):
                sink.write(json.dumps(example) + "\n")
        partial.rename(examples)
    rows = [json.loads(line) for line in examples.read_text(encoding="utf-8").splitlines() if line]
    groups = {s: [(r["rows"], r["labels"]) for r in rows if r["split"] == s] for s in ("train", "dev")}
    head = train_head(groups["train"], seed)
    head.save(weights.with_name("head.json") if weights != WEIGHTS else HEAD)
    dev = groups["dev"]
    heuristic_first = sum(bool(labels and labels[0]) for _, labels in dev) / max(len(dev), 1)
    return {
        "train_tasks": len(groups["train"]),
        "dev_tasks": len(dev),
        "dev_top1": round(top1(head, dev), 4),
        "dev_top1_heuristic": round(heuristic_first, 4),
    }
