"""Refitting the calibrator (`python -m scout.learn.calibrate`) on committed dev recordings.

Two of the committed dev repositories stand in for all nineteen: the head and expansion nets
must come out byte for byte, the calibrator and stop rule replaced, and the report honest
(each repository scored by a calibrator fitted on the other).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from scout.explorer.fileconfidence import FILE_SHAPE
from scout.explorer.model import CALIBRATION_FEATURES
from scout.learn.calibrate import LABELS
from scout.models.mlp import WEIGHTS

REPOS = ["tqdm/tqdm", "mochajs/mocha"]


def small_data(root: Path, repos: list[str] = REPOS) -> Path:
    rows = [r for r in json.loads((ROOT / "data" / "repos.json").read_text()) if r["repo"] in repos]
    for row in rows:
        name = row["repo"].replace("/", "+")
        (root / "repos").mkdir(parents=True, exist_ok=True)
        shutil.copytree(ROOT / "data" / "repos" / name, root / "repos" / name)
    (root / "repos.json").write_text(json.dumps(rows))
    return root


def recalibrated(tmp_path: Path, *args: str) -> tuple[dict, Path]:
    """`python -m scout.learn.calibrate ARGS` on the small data and a copy of the shipped weights:
    the weights before, and the folder it rewrote."""
    data = small_data(tmp_path / "data")
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS.parent, weights)
    before = json.loads((weights / "explorer.json").read_text())
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scout.learn.calibrate",
            *args,
            "--data",
            str(data),
            "--weights",
            str(weights),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return before, weights


def test_recalibrating_replaces_only_the_calibrator_and_reports_held_out_figures(tmp_path):
    before, weights = recalibrated(tmp_path)
    after = json.loads((weights / "explorer.json").read_text())
    assert after["head"] == before["head"] and after["expansion"] == before["expansion"]
    assert set(after["calibration"]["features"]) <= set(CALIBRATION_FEATURES)
    assert after["calibration"]["w1"] is not None  # a hidden layer: the linear one never said "sure"
    report = json.loads((weights / "TRAINING.json").read_text())["calibration"]
    assert report["dev_recordings"] > 50
    for figures in (report["before"], report["after_crossfit"], report["after_fitted_on_all"]):
        assert 0.0 <= figures["ece"] <= 1.0 and figures["tasks"] == report["dev_recordings"]
    assert after["answer"] == report["stop_rule"]
    assert report["label"] == LABELS["region"]  # the default: the shipped calibrator's label
    for when in ("before", "after_crossfit"):
        parts = report["by_source"][when]
        assert parts["issue"]["tasks"] + parts["other"]["tasks"] == report["dev_recordings"]


def test_refitting_the_lines_calibrator_leaves_every_other_net_and_the_stop_rule_byte_for_byte(tmp_path):
    before, weights = recalibrated(tmp_path, "--lines")
    after = json.loads((weights / "explorer.json").read_text())
    assert {k: v for k, v in after.items() if k != "lines_calibration"} == {
        k: v for k, v in before.items() if k != "lines_calibration"
    }
    assert after["lines_calibration"] != before["lines_calibration"]  # fitted on two repositories
    assert set(after["lines_calibration"]["features"]) <= set(CALIBRATION_FEATURES)
    report = json.loads((weights / "TRAINING.json").read_text())["lines_calibration"]
    assert report["by"] == "python -m scout.learn.calibrate --lines" and report["label"] == LABELS["lines"]
    for figures in (report["before"], report["after_crossfit"], report["after_fitted_on_all"]):
        assert figures["tasks"] == report["dev_recordings"] > 50 and 0.0 <= figures["ece"] <= 1.0
    # the same first answers judged by the lines label and by the region label: a region inside a
    # gold definition whose cited lines miss the change counts for the second only
    run = subprocess.run(
        [sys.executable, "-m", "scout.learn.calibrate", "--data", str(tmp_path / "data"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    region = json.loads(run.stdout)
    assert region["label"] == LABELS["region"] and region["before"]["tasks"] == report["before"]["tasks"]
    assert 0.0 < report["before"]["top1_gold"] < region["before"]["top1_gold"]


def test_a_candidate_is_labelled_by_whether_its_cited_lines_touch_the_change():
    from scout.explorer.model import cite, shipped
    from scout.learn.data import DataDir
    from scout.learn.fit import changed_lines, cited_labels, replay
    from scout.learn.pipeline import read_recordings

    data = DataDir(ROOT / "data")
    rows = [r for r in data.entries() if r["repo"] == REPOS[0]]
    changed = changed_lines(data, [REPOS[0]])
    nets = shipped()
    seen = {0: 0, 1: 0}
    for rec in read_recordings(data, rows)[:40]:
        g = replay(rec, nets.expansion, nets.head.features)
        assert cited_labels(g) == g.labels  # no change's lines known: the region label
        g.changed = changed[rec.id]
        for region, label in zip(g.regions, cited_labels(g), strict=True):
            start, end = cite(region)
            lines = {n for p, s, e in g.changed if p == region.path for n in range(s, e + 1)}
            assert label == int(bool(lines & set(range(start, end + 1))))
            seen[label] += 1
    assert seen[0] and seen[1]


def test_recalibrating_without_dev_recordings_is_a_one_line_error(tmp_path):
    (tmp_path / "repos.json").write_text("[]")
    run = subprocess.run(
        [sys.executable, "-m", "scout.learn.calibrate", "--data", str(tmp_path), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stderr.strip().startswith("scout: error: no dev recordings")


def test_refitting_the_file_calibrator_leaves_every_other_net_byte_for_byte(tmp_path):
    before, weights = recalibrated(tmp_path, "--files")
    after = json.loads((weights / "explorer.json").read_text())
    assert {k: v for k, v in after.items() if k != "file_calibration"} == {
        k: v for k, v in before.items() if k != "file_calibration"
    }
    assert after["file_calibration"] != before["file_calibration"]  # fitted on two repositories, not nineteen
    assert set(FILE_SHAPE) <= set(after["file_calibration"]["features"])
    report = json.loads((weights / "TRAINING.json").read_text())["file_calibration"]
    assert report["by"] == "python -m scout.learn.calibrate --files"
    for figures in (report["before"], report["after_crossfit"], report["after_fitted_on_all"]):
        assert figures["tasks"] == report["dev_recordings"] > 50 and 0.0 <= figures["ece"] <= 1.0
    # the span calibrator's own report is untouched
    shipped_report = json.loads((WEIGHTS.parent / "TRAINING.json").read_text())["calibration"]
    assert json.loads((weights / "TRAINING.json").read_text())["calibration"] == shipped_report


def test_refitting_the_lines_calibrator_without_any_tasks_changed_lines_is_a_one_line_error(tmp_path):
    data = small_data(tmp_path / "data")
    rows = json.loads((data / "repos.json").read_text())
    for row in rows:
        row["files"].pop("tasks.jsonl.gz", None)  # recordings kept, the mined tasks not listed
    (data / "repos.json").write_text(json.dumps(rows))
    run = subprocess.run(
        [sys.executable, "-m", "scout.learn.calibrate", "--lines", "--data", str(data), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 2 and run.stderr.strip().startswith("scout: error: no dev task")
    assert "Traceback" not in run.stderr
