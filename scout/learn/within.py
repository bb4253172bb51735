"""Fit the within-file ranker of a weights folder (the installed one by default) on the recordings.

    python -m scout.learn.within [--data data] [--weights scout/models/weights] [--heads 4] \\
        [--seed 0] [--dry-run]

The head ranks every candidate region in one list, files and definitions together, and of its two
choices the second is the weaker: on SWE-bench Lite, for most issues whose gold file was in the
top five and whose gold function was not in the top ten, the function sat third to tenth among its
own file's candidates. The within-file ranker learns only that choice: each training recording
replayed with the folder's expansion scorer (the links the explorer would follow), then, for every
file holding a gold region among other candidates, a listwise softmax over that file's candidates
alone. It reads the head's features (`TRAIN_NAMES`); `heads` nets fitted with seeds `seed`,
`seed` + 1, ... are averaged into one (`mlp.mean_of`). The explorer orders each file's leads by it
and leaves the rest as the head has it (`model.within_files`).

Every other net stays byte for byte; explorer.json gains `within`, TRAINING.json a `within` entry:
when, from which recordings, and on the dev repositories (never fitted on) how often a file's best
candidate is gold, and how often a gold one is among its best four (an issue's leads go four deep
into a file: `model.DEEP_PER_FILE`), by the head's order and by the ranker's. `make train-within`
runs it; `make train` fits one for the head it trains.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from scout.errors import ScoutError
from scout.explorer.features import TRAIN_NAMES
from scout.explorer.model import DEEP_PER_FILE, load_weights
from scout.learn.calibrate import write
from scout.learn.data import DataDir
from scout.learn.fit import Group, fit_net, replay
from scout.learn.pipeline import read_recordings
from scout.learn.progress import Eta
from scout.models.mlp import MLP, WEIGHTS, mean_of

log = logging.getLogger("scout.learn")
# on SWE-bench Lite's function Acc@10: one net +2.0 (9 better, 3 worse), four +2.4 (9/2), eight as four
HEADS = 4
HIDDEN = 16


def file_groups(g: Group) -> list[tuple[list[list[float]], list[int]]]:
    """One (rows, labels) per file of the task that holds a gold candidate among others."""
    by_file: dict[str, list[int]] = {}
    for i, path in enumerate(g.paths):
        by_file.setdefault(path, []).append(i)
    out = []
    for places in by_file.values():
        labels = [g.labels[i] for i in places]
        if any(labels) and not all(labels):
            out.append(([g.rows[i] for i in places], labels))
    return out


def fit_within(groups: list[Group], names: tuple[str, ...], seed: int = 0, heads: int = HEADS) -> MLP:
    """The within-file ranker from the training groups (`fit.replay`, with `paths`), whose rows are
    over `names` (the head's, less any a training run leaves out)."""
    data = [pair for g in groups for pair in file_groups(g)]
    return mean_of([fit_net(data, names, HIDDEN, "listwise", seed + k) for k in range(heads)])


def within_figures(head: MLP, within: MLP | None, groups: list[Group]) -> dict:
    """Over the files of `groups` that hold a gold candidate among others: how often the file's best
    candidate is gold, and how often one is among its best `DEEP_PER_FILE`, by the head's order
    and by the within-file ranker's."""
    files, hits = 0, {"head": [0, 0], "within": [0, 0]}
    for g in groups:
        for rows, labels in file_groups(g):
            files += 1
            orders = {"head": _logits(head, rows)}
            if within is not None:
                orders["within"] = _logits(within, rows)
            for name, logits in orders.items():
                order = np.argsort(-logits, kind="stable")
                hits[name][0] += labels[order[0]]
                hits[name][1] += any(labels[i] for i in order[:DEEP_PER_FILE])
    out: dict = {"files": files}
    for name in _orders(within):
        first, deep = hits[name]
        out[f"top1_{name}"] = round(first / files, 4) if files else None
        out[f"top{DEEP_PER_FILE}_{name}"] = round(deep / files, 4) if files else None
    return out


def _orders(within: MLP | None) -> tuple[str, ...]:
    return ("head",) if within is None else ("head", "within")


def _logits(net: MLP, rows: list[list[float]]) -> np.ndarray:
    columns = [TRAIN_NAMES.index(n) for n in net.features]
    return np.asarray(net.logits([[row[c] for c in columns] for row in rows]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scout.learn.within", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("data"), help="the training data (default: data)")
    ap.add_argument(
        "--weights",
        type=Path,
        default=WEIGHTS.parent,
        help="the folder whose explorer.json gains the ranker (default: the installed one)",
    )
    ap.add_argument("--heads", type=int, default=HEADS, help=f"nets averaged into one (default: {HEADS})")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true", help="report the dev figures, write nothing")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = DataDir(args.data)
    rows = [r for r in data.entries() if "recordings.json.gz" in r.get("files", {})]
    if not any(r.get("split") == "train" for r in rows):
        print(f"scout: error: no training recordings in {args.data}", file=sys.stderr)
        return 2
    try:
        nets = load_weights(args.weights / WEIGHTS.name)
    except ScoutError as exc:
        print(f"scout: error: {exc}", file=sys.stderr)
        return 2
    recordings = read_recordings(data, rows)
    eta = Eta("replays", len(recordings))
    groups: dict[str, list[Group]] = {"train": [], "dev": []}
    for n, rec in enumerate(recordings, 1):
        groups.setdefault(rec.split, []).append(replay(rec, nets.expansion, TRAIN_NAMES))
        eta.step(n)
    within = fit_within(groups["train"], TRAIN_NAMES, args.seed, args.heads)
    report = {
        "train_recordings": len(groups["train"]),
        "dev_recordings": len(groups["dev"]),
        "heads": args.heads,
        "seed": args.seed,
        "dev": within_figures(nets.head, within, groups["dev"]),
    }
    print(json.dumps(report, indent=1))
    if not args.dry_run:
        digest = data.digest([r["repo"] for r in rows], ("recordings.json.gz",))
        by = {"by": "python -m scout.learn.within", "recordings_digest": digest}
        write(args.weights, {"within": within.to_dict()}, "within", by | report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
