"""`scout learn mine` and `scout learn train`: the learned explorer's data and weights (docs/model.md)."""

from __future__ import annotations

from scout.commands import LEARN_GROUP, mine, train
from scout.commands.app import command_app

app = command_app(
    help="Mine training data from git history, and train the learned explorer from it (docs/model.md).",
    epilog=f"Example: scout {LEARN_GROUP} train --data data --work .train   (what `make train` runs)",
    no_args_is_help=True,
)
app.add_typer(mine.app)  # no name: their commands join this group
app.add_typer(train.app)
