"""`scout train`: the learned explorer's weights from mined tasks (see `scout mine`, docs/model.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import app, emit_json

WEIGHTS = Path(__file__).parent.parent / "models" / "weights"


@app.command(
    "train",
    epilog="Example: scout train --manifest docs/training-repos.json --mirrors .mirrors"
    " --tasks .train/tasks.jsonl --work .train",
)
def train_cmd(
    manifest: Annotated[Path, typer.Option(help="The training repositories (docs/training-repos.json).")],
    tasks: Annotated[Path, typer.Option(help="Mined tasks (JSON Lines from `scout mine`).")],
    work: Annotated[Path, typer.Option(help="Checkouts, indexes and each stage's output go here.")],
    mirrors: Annotated[
        Path | None, typer.Option(help="Git directories as owner+name/ under a folder, or a JSON map.")
    ] = None,
    weights: Annotated[
        Path, typer.Option(help="Where embedder.npz and explorer.json are written.")
    ] = WEIGHTS,
    explore_per_repo: Annotated[
        int, typer.Option(help="Recorded explorations per training repository.")
    ] = 100,
    pairs_per_repo: Annotated[int, typer.Option(help="Question → code pairs per repository.")] = 1500,
    epochs: Annotated[int, typer.Option(help="Passes over the embedder's pairs.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for sampling and initialisation.")] = 0,
) -> None:
    """Build the vocabulary, distil the base encoder into a term table, fine-tune it on question →
    code pairs, record explorations on every repository's snapshot, and fit the explorer's head,
    expansion scorer and calibrator. Each stage resumes from its file under --work."""
    import logging

    from scout.learn.pipeline import Plan, run

    logging.getLogger("scout.learn").setLevel(logging.INFO)
    plan = Plan(manifest, tasks, work, weights, mirrors, pairs_per_repo=pairs_per_repo,
                explore_per_repo=explore_per_repo, epochs=epochs, seed=seed)  # fmt: skip
    emit_json(run(plan))
