"""Refit the calibrators and stop rule of a weights folder (the installed one by default) on dev data.

    python -m scout.learn.calibrate [--data data] [--weights scout/models/weights] \\
        [--lines | --files] [--dry-run]

The head and the expansion scorer stay as they are, byte for byte; the ranking calibrator (the
probability that a region lies in a gold definition) and the stop rule fitted on it are replaced,
and TRAINING.json gains a `calibration` entry: when, from which data, and the dev figures before
and after, over all dev tasks and apart for those mined from issues (`by_source`). The figures are
honest: each half of the dev repositories is scored by a calibrator fitted on the other half; the
calibrator shipped is then fitted on all of them. `make recalibrate` runs it.

`--lines` refits only the lines calibrator, what a span's `confidence` reports: that the lines it
is cited by touch the task's change (the mined hunks, `fit.cited_labels`), what the benchmarks
score a span by. Its own label, not the ranking calibrator's: on SWE-bench Lite (2026-12-07) the
ranking calibrator's figure, read as that probability, was 0.20 off (expected calibration error);
this one's 0.03. The stop rule keeps the ranking calibrator, which tells right from wrong more
sharply.

`--files` refits only the file calibrator (a file's `file_confidence`, `scout.explorer.fileconfidence`:
that the answer lies in the file), everything else byte for byte; its figures are the first
answers' files, cross-fitted the same way.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from scout.explorer.fileconfidence import file_confidences
from scout.explorer.model import calibration_rows, load_weights
from scout.learn.data import DataDir
from scout.learn.fit import (
    Group,
    cited_labels,
    fit_calibration,
    fit_file_calibration,
    fit_lines_calibration,
    replay,
    with_changes,
)
from scout.learn.pipeline import read_recordings
from scout.models.mlp import MLP, WEIGHTS, softmax

log = logging.getLogger("scout.learn")
BINS = 10
SURE = 0.8
LABELS = {"region": "region mostly inside a gold definition", "lines": "cited lines touch the change"}


def first_answers(head: MLP, calibration: MLP, groups: list[Group]) -> list[tuple[float, int] | None]:
    """(confidence, label: `fit.cited_labels`) of each task's best candidate; None for a task
    without candidates."""
    out: list[tuple[float, int] | None] = []
    for g in groups:
        if not g.rows:
            out.append(None)
            continue
        logits = head.logits(g.rows)
        cal = calibration_rows(logits, softmax(logits), g.rows, head.features, calibration.features)
        best = int(np.argmax(logits))
        out.append((float(calibration.sigmoid([cal[best]])[0]), cited_labels(g)[best]))
    return out


def figures(pairs: list[tuple[float, int] | None]) -> dict:
    """Expected calibration error over ten bins, and how often and how rightly it is sure."""
    pairs = [p for p in pairs if p is not None]
    if not pairs:
        return {"tasks": 0}
    conf = np.asarray([c for c, _ in pairs])
    hit = np.asarray([h for _, h in pairs], dtype=np.float64)
    ece = 0.0
    for b in range(BINS):
        inside = (conf >= b / BINS) & ((conf < (b + 1) / BINS) if b < BINS - 1 else (conf <= 1.0))
        if inside.any():
            ece += inside.mean() * abs(conf[inside].mean() - hit[inside].mean())
    sure = conf >= SURE
    return {
        "tasks": len(pairs),
        "top1_gold": round(float(hit.mean()), 4),
        "mean_confidence": round(float(conf.mean()), 4),
        "ece": round(float(ece), 4),
        "sure_share": round(float(sure.mean()), 4),
        "sure_gold": round(float(hit[sure].mean()), 4) if sure.any() else None,
    }


def first_files(head: MLP, files: MLP, groups: list[Group]) -> list[tuple[float, int] | None]:
    """(file confidence, whether a gold definition lies in it) of each task's best file."""
    out: list[tuple[float, int] | None] = []
    for g in groups:
        paths = [r.path for r in g.regions]
        sure = file_confidences(files, paths, head.logits(g.rows), g.rows, head.features)
        best = next(iter(sure), None)
        out.append(None if best is None else (sure[best], int(best in {p for p, _, _ in g.gold})))
    return out


def crossfit(head: MLP, groups: list[Group], repos: list[str], seed: int,
             kind: str = "spans") -> list[tuple[float, int] | None]:  # fmt: skip
    """Every dev task scored by a calibrator (`kind`: of spans for the stop rule, of their cited
    `lines`, of `files`) that never saw its repository, in `groups`' order."""
    names = sorted(set(repos))
    pairs: list[tuple[float, int] | None] = [None] * len(groups)
    for half in (set(names[0::2]), set(names[1::2])):
        fit_on = [g for g, r in zip(groups, repos, strict=True) if r not in half]
        scored = [n for n, r in enumerate(repos) if r in half]
        judged_groups = [groups[n] for n in scored]
        if kind == "files":
            judged = first_files(head, fit_file_calibration(head, fit_on, seed), judged_groups)
        elif kind == "lines":
            lines = fit_lines_calibration(head, fit_on, seed)
            judged = first_answers(head, lines, judged_groups) if lines else [None] * len(scored)
        elif kind == "spans":
            calibration, _ = fit_calibration(head, fit_on, seed)
            judged = first_answers(head, calibration, judged_groups)
        else:
            raise ValueError(f"no calibrator of {kind!r}: spans, lines or files")
        for n, pair in zip(scored, judged, strict=True):
            pairs[n] = pair
    return pairs


def by_source(pairs: list[tuple[float, int] | None], sources: list[str]) -> dict:
    """`figures` apart for the tasks mined from issues (the most like a user's question) and the rest."""
    issue = [p for p, s in zip(pairs, sources, strict=True) if s == "issue"]
    other = [p for p, s in zip(pairs, sources, strict=True) if s != "issue"]
    return {"issue": figures(issue), "other": figures(other)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scout.learn.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("data"), help="the committed data folder")
    ap.add_argument(
        "--weights", type=Path, default=WEIGHTS.parent, help="the weights folder whose calibrator is refitted"
    )
    ap.add_argument("--seed", type=int, default=0)
    only = ap.add_mutually_exclusive_group()
    only.add_argument("--lines", action="store_true", help="refit only the lines calibrator (confidence)")
    only.add_argument("--files", action="store_true", help="refit only the file calibrator (file_confidence)")
    ap.add_argument("--dry-run", action="store_true", help="report the figures, write nothing")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    data = DataDir(args.data)
    rows = [r for r in data.entries() if r["split"] == "dev"]
    recordings = read_recordings(data, rows)
    if not recordings:
        print(f"scout: error: no dev recordings in {args.data}", file=sys.stderr)
        return 2
    nets = load_weights(args.weights / WEIGHTS.name)  # the nets of the folder it updates
    groups = [replay(r, nets.expansion, nets.head.features) for r in recordings]
    repos, sources = [r.repo for r in recordings], [r.source for r in recordings]
    if args.files:
        return _refit_alone("files", args, data, rows, nets, groups, repos, sources)
    if args.lines:
        with_changes(data, groups)
        if not any(g.changed for g in groups):
            print(f"scout: error: no dev task in {args.data} says which lines it changed", file=sys.stderr)
            return 2
        return _refit_alone("lines", args, data, rows, nets, groups, repos, sources)
    before = first_answers(nets.head, nets.calibration, groups)
    held_out = crossfit(nets.head, groups, repos, args.seed)
    report = {
        "dev_recordings": len(groups),
        "label": LABELS["region"],
        "before": figures(before),
        "after_crossfit": figures(held_out),
        "by_source": {"before": by_source(before, sources), "after_crossfit": by_source(held_out, sources)},
    }
    calibration, stop = fit_calibration(nets.head, groups, args.seed)
    report["after_fitted_on_all"] = figures(first_answers(nets.head, calibration, groups))
    report["stop_rule"] = stop
    print(json.dumps(report, indent=1))
    if not args.dry_run:
        digest = data.digest([r["repo"] for r in rows], ("recordings.json.gz",))
        nets_out = {"calibration": calibration.to_dict(), "answer": stop}
        by = {"by": "python -m scout.learn.calibrate", "dev_recordings_digest": digest}
        write(args.weights, nets_out, "calibration", by | report)
    return 0


# The calibrators refitted alone (`--files`, `--lines`): their key in explorer.json (and entry in
# TRAINING.json), what they predict, and the data files their labels read.
ALONE = {
    "files": ("file_calibration", "the best file holds a gold definition", ("recordings.json.gz",)),
    "lines": ("lines_calibration", LABELS["lines"], ("recordings.json.gz", "tasks.jsonl.gz")),
}


def _refit_alone(kind: str, args, data: DataDir, rows: list[dict], nets, groups: list[Group],
                 repos: list[str], sources: list[str]) -> int:  # fmt: skip
    """Refit one calibrator (`ALONE`), every other net byte for byte, with its dev figures."""
    key, label, inputs = ALONE[kind]
    files = kind == "files"
    fit, judge = (fit_file_calibration, first_files) if files else (fit_lines_calibration, first_answers)
    old = nets.files if files else nets.lines
    held_out = crossfit(nets.head, groups, repos, args.seed, kind=kind)
    report = {
        "dev_recordings": len(groups),
        "label": label,
        "before": figures(judge(nets.head, old, groups)) if old else None,
        "after_crossfit": figures(held_out),
        "by_source": {"after_crossfit": by_source(held_out, sources)},
    }
    net = fit(nets.head, groups, args.seed)
    report["after_fitted_on_all"] = figures(judge(nets.head, net, groups))
    print(json.dumps(report, indent=1))
    if not args.dry_run:
        digest = data.digest([r["repo"] for r in rows], inputs)
        by = {"by": f"python -m scout.learn.calibrate --{kind}", "dev_recordings_digest": digest}
        write(args.weights, {key: net.to_dict()}, key, by | report)
    return 0


def write(folder: Path, nets: dict, entry: str, report: dict) -> None:
    """`nets` into the folder's explorer.json, and `report` as TRAINING.json's `entry`."""
    weights = json.loads((folder / "explorer.json").read_text(encoding="utf-8"))
    weights.update(nets)
    training_path = folder / "TRAINING.json"
    training = json.loads(training_path.read_text(encoding="utf-8")) if training_path.is_file() else {}
    training[entry] = report
    for path, value in ((folder / "explorer.json", weights), (training_path, training)):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(value, indent=None if path.name == "explorer.json" else 1) + "\n")
        tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
