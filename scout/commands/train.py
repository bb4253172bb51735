"""`scout train`: fine-tune the reranker on mined tasks (see `scout mine`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import app, emit_json
from scout.commands.progress import progress_bar
from scout.reranker import CONFIG, WEIGHTS


@app.command(
    "train",
    epilog="Example: scout train --tasks data/tasks.jsonl --mirrors /work/.mirror --work data",
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
    weights: Annotated[Path, typer.Option(help="Where the delta goes.")] = WEIGHTS,
) -> None:
    """Label candidates for the mined tasks (once), train, evaluate on dev repositories, save."""
    from scout.train import TrainOptions, train
    from scout.trainset import build

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
    (work / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    emit_json(report)
