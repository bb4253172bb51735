"""A file's confidence (`scout.explorer.fileconfidence`): the probability that the answer lies in
the file, beside each span's own. The shipped explorer gives one on a real repository, one figure
per file and never below a span of that file; weights without a file calibrator still load."""

from __future__ import annotations

import json
import math
import re
import shutil

import numpy as np
import pytest

from scout.api import Workspace
from scout.bundle import Bundle
from scout.errors import ScoutError
from scout.explorer.fileconfidence import FILE_SHAPE, file_rows
from scout.explorer.model import ModelPolicy, load_weights, shipped
from scout.models.mlp import WEIGHTS


def test_file_rows_say_how_the_heads_scores_fall_across_files():
    paths = ["a.py", "b.py", "a.py", "c.py"]
    logits = [3.0, 2.0, 1.0, -1.0]
    rows = [[0.5], [0.0], [0.9], [1.0]]  # a head input, "path_overlap", of each candidate
    table = file_rows(paths, logits, rows, ("path_overlap",), (*FILE_SHAPE, "path_overlap"))
    assert list(table) == ["a.py", "b.py", "c.py"]  # best file first
    at = {n: i for i, n in enumerate((*FILE_SHAPE, "path_overlap"))}
    a, b, c = table["a.py"], table["b.py"], table["c.py"]
    assert a[at["file_gap"]] == 0.0 and b[at["file_gap"]] == -1.0 and c[at["file_gap"]] == -4.0
    assert a[at["file_margin"]] == 1.0 and b[at["file_margin"]] == -1.0  # over the next file; under the best
    mass = sum(math.exp(row[at["file_mass"]]) for row in table.values())
    assert mass == pytest.approx(1.0)
    assert a[at["file_spans"]] == pytest.approx(math.log1p(2)) and a[at["files"]] == pytest.approx(
        math.log(3)
    )
    assert a[at["path_overlap"]] == 0.5  # from the file's best candidate, not its second
    assert file_rows([], [], [], (), FILE_SHAPE) == {}


def test_the_shipped_explorer_gives_each_file_one_confidence_never_below_its_spans(sample_repo):
    ws = Workspace.open(sample_repo)
    try:
        bundle = ws.ask("where is the csrf token checked against the session", policy=ModelPolicy())
    finally:
        ws.close()
    cited = bundle.spans + bundle.leads
    assert bundle.spans and all(s.file_confidence is not None for s in cited)
    per_file: dict[str, set[float]] = {}
    for s in cited:
        assert 0.0 <= s.file_confidence <= 1.0
        assert s.confidence is None or s.file_confidence >= s.confidence
        per_file.setdefault(s.path, set()).add(s.file_confidence)
    assert all(len(v) == 1 for v in per_file.values()), per_file
    assert bundle.spans[0].path == "shop/auth/tokens.py" and bundle.spans[0].file_confidence >= 0.5
    # the JSON keeps it and reads it back; the Markdown says it beside the span's own
    again = Bundle.from_dict(json.loads(json.dumps(bundle.to_dict())))
    assert [s.file_confidence for s in again.spans] == [s.file_confidence for s in bundle.spans]
    first = bundle.to_markdown().split("\n### ")[1].splitlines()[0]
    assert re.search(r"\(\d+%; file \d+%\)$", first), first


def test_weights_without_a_file_calibrator_load_and_give_none(tmp_path, sample_repo):
    data = json.loads(WEIGHTS.read_text())
    data.pop("file_calibration")
    (tmp_path / "explorer.json").write_text(json.dumps(data))
    weights = load_weights(tmp_path / "explorer.json")
    assert weights.files is None and shipped().files is not None
    ws = Workspace.open(sample_repo)
    try:
        bundle = ws.ask("where is the csrf token checked", policy=ModelPolicy(weights=weights))
    finally:
        ws.close()
    assert bundle.spans and all(s.file_confidence is None for s in bundle.spans + bundle.leads)
    assert all(s.confidence is not None for s in bundle.spans)
    assert "file_confidence" not in json.dumps(bundle.to_dict())


def test_a_file_calibrator_on_features_scout_does_not_compute_is_refused(tmp_path):
    shutil.copy(WEIGHTS, tmp_path / "explorer.json")
    data = json.loads(WEIGHTS.read_text())
    data["file_calibration"]["features"][0] = "moon_phase"
    (tmp_path / "explorer.json").write_text(json.dumps(data))
    with pytest.raises(ScoutError, match="file calibrator needs features this scout does not compute"):
        load_weights(tmp_path / "explorer.json")


def test_the_file_calibrator_separates_right_files_from_wrong_on_held_out_repositories():
    """What `python -m scout.learn.calibrate --files` wrote beside the shipped weights: figures of
    calibrators that never saw the repositories they scored."""
    report = json.loads((WEIGHTS.parent / "TRAINING.json").read_text())["file_calibration"]
    held = report["after_crossfit"]
    assert held["tasks"] == report["dev_recordings"] > 500
    assert held["ece"] <= 0.05 and held["sure_gold"] >= 0.8
    assert np.isclose(held["mean_confidence"], held["top1_gold"], atol=0.05)


def test_a_lone_file_has_a_margin_over_nothing():
    table = file_rows(["only.rs", "only.rs"], [1.0, 0.5], [[], []], (), FILE_SHAPE)
    at = {n: i for i, n in enumerate(FILE_SHAPE)}
    assert list(table) == ["only.rs"] and table["only.rs"][at["file_margin"]] == 5.0
    assert table["only.rs"][at["file_mass"]] == pytest.approx(0.0)


def test_a_spans_confidence_is_the_lines_calibrators_and_what_is_cited_stays_the_rankings(
    tmp_path, sample_repo
):
    data = json.loads(WEIGHTS.read_text())
    data.pop("lines_calibration")
    (tmp_path / "explorer.json").write_text(json.dumps(data))
    ranking_only, shipped_weights = load_weights(tmp_path / "explorer.json"), shipped()
    assert ranking_only.lines is None and shipped_weights.lines is not None
    ws = Workspace.open(sample_repo)
    try:
        bundles = [
            ws.ask(q, policy=ModelPolicy(weights=w))
            for q in ("where is the csrf token checked", "how is the cart total computed with tax")
            for w in (ranking_only, shipped_weights)
        ]
    finally:
        ws.close()
    for old, new in (bundles[0:2], bundles[2:4]):
        places = lambda b: [(s.path, s.start_line, s.end_line) for s in b.spans + b.leads]  # noqa: E731
        assert places(old) == places(new)  # the stop rule reads the ranking calibrator either way
        assert [s.file_confidence for s in old.spans] == [s.file_confidence for s in new.spans]
    spans = [
        (a, b) for old, new in (bundles[0:2], bundles[2:4]) for a, b in zip(old.spans, new.spans, strict=True)
    ]
    assert any(a.confidence != b.confidence for a, b in spans)
    assert all(b.confidence is not None and 0.0 <= b.confidence <= 1.0 for _, b in spans)
