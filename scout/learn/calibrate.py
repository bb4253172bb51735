"""Refit the installed explorer's calibrator and stop rule on the committed dev recordings.

    python -m scout.learn.calibrate [--data data] [--weights scout/models/weights] [--dry-run]

The head and the expansion scorer stay as they are, byte for byte; the calibrator (a span's
`confidence`) and the stop rule fitted on it are replaced, and TRAINING.json gains a
`calibration` entry: when, from which data, and the dev figures before and after. The figures
are honest: each half of the dev repositories is scored by a calibrator fitted on the other half;
the calibrator shipped is then fitted on all of them. `make recalibrate` runs it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import numpy as np

from scout.explorer.model import calibration_rows, shipped
from scout.learn.data import DataDir
from scout.learn.fit import Group, fit_calibration, replay
from scout.learn.pipeline import read_recordings
from scout.models.mlp import MLP, WEIGHTS, softmax

log = logging.getLogger("scout.learn")
BINS = 10
SURE = 0.8


def first_answers(head: MLP, calibration: MLP, groups: list[Group]) -> list[tuple[float, int]]:
    """(confidence, is gold) of each task's best candidate."""
    out = []
    for g in groups:
        if not g.rows:
            continue
        logits = head.logits(g.rows)
        cal = calibration_rows(logits, softmax(logits), g.rows, head.features, calibration.features)
        best = int(np.argmax(logits))
        out.append((float(calibration.sigmoid([cal[best]])[0]), g.labels[best]))
    return out


def figures(pairs: list[tuple[float, int]]) -> dict:
    """Expected calibration error over ten bins, and how often and how rightly it is sure."""
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


def crossfit(head: MLP, groups: list[Group], repos: list[str], seed: int) -> list[tuple[float, int]]:
    """Every dev task scored by a calibrator that never saw its repository."""
    names = sorted(set(repos))
    pairs = []
    for half in (set(names[0::2]), set(names[1::2])):
        fit_on = [g for g, r in zip(groups, repos, strict=True) if r not in half]
        scored = [g for g, r in zip(groups, repos, strict=True) if r in half]
        calibration, _ = fit_calibration(head, fit_on, seed)
        pairs += first_answers(head, calibration, scored)
    return pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scout.learn.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("data"), help="the committed data folder")
    ap.add_argument("--weights", type=Path, default=WEIGHTS.parent, help="the weights folder to update")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dry-run", action="store_true", help="report the figures, write nothing")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    data = DataDir(args.data)
    rows = [r for r in data.entries() if r["split"] == "dev"]
    recordings = read_recordings(data, rows)
    if not recordings:
        print(f"scout: error: no dev recordings in {args.data}", file=sys.stderr)
        return 2
    nets = shipped()
    groups = [replay(r, nets.expansion, nets.head.features) for r in recordings]
    repos = [r.repo for r in recordings]
    report = {
        "dev_recordings": len(groups),
        "before": figures(first_answers(nets.head, nets.calibration, groups)),
        "after_crossfit": figures(crossfit(nets.head, groups, repos, args.seed)),
    }
    calibration, stop = fit_calibration(nets.head, groups, args.seed)
    report["after_fitted_on_all"] = figures(first_answers(nets.head, calibration, groups))
    report["stop_rule"] = stop
    print(json.dumps(report, indent=1))
    if not args.dry_run:
        digest = data.digest([r["repo"] for r in rows], ("recordings.json.gz",))
        write(args.weights, calibration, stop, {"dev_recordings_digest": digest, **report})
    return 0


def write(folder: Path, calibration: MLP, stop: dict, report: dict) -> None:
    weights = json.loads((folder / "explorer.json").read_text(encoding="utf-8"))
    weights["calibration"], weights["answer"] = calibration.to_dict(), stop
    training_path = folder / "TRAINING.json"
    training = json.loads(training_path.read_text(encoding="utf-8")) if training_path.is_file() else {}
    training["calibration"] = {"by": "python -m scout.learn.calibrate", **report}
    for path, value in ((folder / "explorer.json", weights), (training_path, training)):
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(value, indent=None if path.name == "explorer.json" else 1) + "\n")
        tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
