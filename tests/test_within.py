"""Fitting the within-file ranker (`python -m scout.learn.within`) on committed recordings.

One training repository and one dev repository stand in for all of them: every other net must
come out byte for byte, the ranker over the head's features, and its dev figures reported beside
the head's own order of the same files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from test_calibrate import small_data

from scout.explorer.features import TRAIN_NAMES
from scout.explorer.model import DEEP_PER_FILE, load_weights
from scout.models.mlp import WEIGHTS

REPOS = ["thephpleague/flysystem", "tqdm/tqdm"]  # train, dev


def test_fitting_the_within_file_ranker_adds_it_and_leaves_every_other_net_byte_for_byte(tmp_path):
    data = small_data(tmp_path / "data", REPOS)
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS.parent, weights)
    before = json.loads((weights / "explorer.json").read_text())
    args = ["--data", str(data), "--weights", str(weights), "--heads", "2"]
    run = subprocess.run([sys.executable, "-m", "scout.learn.within", *args],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    after = json.loads((weights / "explorer.json").read_text())
    others = lambda nets: {k: v for k, v in nets.items() if k != "within"}  # noqa: E731
    assert others(after) == others(before)
    assert tuple(after["within"]["features"]) == TRAIN_NAMES
    assert len(after["within"]["b1"]) == 2 * 16  # two nets averaged into one, side by side
    report = json.loads((weights / "TRAINING.json").read_text())["within"]
    assert report["by"] == "python -m scout.learn.within" and report["heads"] == 2
    assert report["train_recordings"] > 20 and report["dev_recordings"] > 40
    dev = report["dev"]
    assert dev["files"] > 20
    for order in ("head", "within"):
        assert 0.0 < dev[f"top1_{order}"] <= dev[f"top{DEEP_PER_FILE}_{order}"] <= 1.0
    assert load_weights(weights / "explorer.json").within is not None


def test_fitting_without_training_recordings_is_a_one_line_error(tmp_path):
    data = small_data(tmp_path / "data", ["tqdm/tqdm"])  # a dev repository alone
    run = subprocess.run([sys.executable, "-m", "scout.learn.within", "--data", str(data), "--dry-run"],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 2 and run.stderr.strip() == f"scout: error: no training recordings in {data}"


def test_weights_whose_ranker_reads_an_unknown_feature_are_a_one_line_error(tmp_path):
    data = small_data(tmp_path / "data", REPOS)
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS.parent, weights)
    nets = json.loads((weights / "explorer.json").read_text())
    nets["within"]["features"] = [*nets["within"]["features"][:-1], "a_feature_from_the_future"]
    (weights / "explorer.json").write_text(json.dumps(nets))
    args = ["--data", str(data), "--weights", str(weights)]
    run = subprocess.run([sys.executable, "-m", "scout.learn.within", *args],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "the within-file ranker needs features" in run.stderr and "a_feature_from_the_future" in run.stderr
    assert json.loads((weights / "explorer.json").read_text()) == nets  # nothing written


def test_a_training_run_without_a_feature_fits_the_ranker_on_the_features_it_kept():
    # `scout learn train --without heuristic` replays over the head's features less that one, and
    # the ranker is fitted on those same rows (it once picked columns by their place in all of them)
    from conftest import ROOT

    from scout.explorer.model import shipped
    from scout.learn.data import DataDir
    from scout.learn.fit import replay
    from scout.learn.pipeline import read_recordings
    from scout.learn.within import file_groups, fit_within

    names = tuple(n for n in TRAIN_NAMES if n != "heuristic")
    data = DataDir(ROOT / "data")
    recordings = read_recordings(data, [r for r in data.entries() if r["repo"] == REPOS[0]])
    groups = [replay(rec, shipped().expansion, names) for rec in recordings]
    ranker = fit_within(groups, names, heads=1)
    assert ranker.features == names
    rows, labels = next(pair for g in groups for pair in file_groups(g))
    assert len(ranker.logits(rows)) == len(labels) > 1
