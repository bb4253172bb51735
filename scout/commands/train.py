"""`scout learn train`: the learned explorer's weights from the committed training data (docs/model.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import command_app
from scout.commands.options import emit_json
from scout.learn import HEADS
from scout.models import WEIGHTS_DIR

app = command_app()


@app.command(
    "train",
    epilog="\b\nExamples:\n"
    "  scout learn train --data data --work .train   (every stage; `make train`)\n"
    "  scout learn train --head-only   (the explorer's nets from the recordings; `make train-head`)\n"
    "  scout learn train --head-only --balance language,source --work .train-balanced\n"
    "  scout learn train --install   (copy .train/weights into the package, with TRAINING.json)",
)
def train_cmd(
    data: Annotated[Path, typer.Option(help="The committed training data (data/README.md).")] = Path("data"),
    work: Annotated[Path, typer.Option(help="Each stage's output, its key, and weights/ go here.")] = Path(
        ".train"
    ),
    head_only: Annotated[
        bool, typer.Option(help="Fit only the head, expansion scorer, calibrator and stop rule.")
    ] = False,
    without: Annotated[
        list[str] | None, typer.Option(help="Leave this head feature out (repeatable): an ablation.")
    ] = None,
    balance: Annotated[
        str,
        typer.Option(
            help="Weigh each recording in the head's fit: language[:P] (a language's share to the power"
            " -P, default 0.5), source[:F] (commit and issue tasks F times the rest, default 2), comma-"
            "separated, or none (every recording alike): the default, since every weighting tried"
            " (2026-12-06) ranked worse on SWE-bench Lite (file Acc@5) than none."
        ),
    ] = "none",
    only: Annotated[
        list[str] | None, typer.Option(help="Train on just these repositories (a smoke run).")
    ] = None,
    vocab_size: Annotated[int, typer.Option(help="Corpus terms in the embedder's vocabulary.")] = 60_000,
    epochs: Annotated[int, typer.Option(help="Passes over the embedder's pairs.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for sampling and initialisation.")] = 0,
    heads: Annotated[
        int,
        typer.Option(
            min=1,
            help="Heads fitted with seeds SEED, SEED+1, ... and shipped as one net that averages their"
            " logits (`mlp.mean_of`): one head's ranking moves with its seed, their mean less.",
        ),
    ] = HEADS,
    keep_head: Annotated[
        list[Path] | None,
        typer.Option(
            help="Average this head (a weights file's, or a JSON file's `head`) in as one more equal"
            " member (repeatable): the installed scout/models/weights/explorer.json keeps today's"
            " head in the ensemble (measured 2026-12-07 in docs/model.md, not shipped).",
        ),
    ] = None,
    install: Annotated[
        bool, typer.Option(help="Do not train: copy WORK/weights into the package with a training report.")
    ] = False,
    weights: Annotated[
        Path,
        typer.Option(
            help="Where --install copies the weights [default: the installed package's models/weights].",
            show_default=False,
        ),
    ] = WEIGHTS_DIR,
) -> None:
    """Build the vocabulary, distil the base encoder into a term table, fine-tune it on question →
    code pairs, and fit the explorer's head, expansion scorer, calibrator and stop rule on the
    recorded explorations, all from the data folder (no repository needed). A stage is reused
    while its inputs, options and code are unchanged; the weights land in WORK/weights."""
    import logging

    from scout.learn.pipeline import Plan, run
    from scout.learn.pipeline import install as install_weights

    if install:
        emit_json(install_weights(work, weights))
        return
    logging.getLogger("scout.learn").setLevel(logging.INFO)
    plan = Plan(
        data,
        work,
        vocab_size=vocab_size,
        epochs=epochs,
        seed=seed,
        repos=only,
        head_only=head_only,
        without=tuple(without or ()),
        balance=balance,
        heads=heads,
        keep=tuple(keep_head or ()),
    )
    report = run(plan)  # the data's checksums are in WORK/report.json
    emit_json({k: v for k, v in report.items() if k != "data"})
