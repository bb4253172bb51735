"""benchmarks.adapt's bookkeeping: what an earlier run's records may stand for, and the paired table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.adapt import compare, reusable, sign_test, summary

FIT = {"repo": "o/r", "earliest": "abc", "terms": 10, "alpha": 2.0, "history": 50, "history_weight": 4.0,
       "history_mix": 0.5, "fit_s": 3.0}  # fmt: skip


def side(hit: int) -> dict:
    return {
        "metrics": {"file_acc@5": hit, "fn_acc@10": hit, "hit@5": hit},
        "gold_file_rank": 1,
        "gold_function_rank": 1,
        "cost": {"wall_ms": 10},
        "error": None,
    }


def record(task: str, base: int, adapted: int, repo: str = "o/r") -> dict:
    return {"id": task, "repo": repo, "has_functions": True, "base": side(base), "adapted": side(adapted)}


@pytest.fixture()
def earlier(tmp_path) -> Path:
    (tmp_path / "fits.jsonl").write_text(
        json.dumps(FIT) + "\n" + json.dumps(FIT | {"repo": "o/other"}) + "\n"
    )
    rows = [record("t1", 1, 0), record("t2", 0, 1), record("t3", 0, 0, repo="o/other")]
    (tmp_path / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return tmp_path


def test_records_stand_where_the_new_fit_keeps_the_same(earlier):
    same = reusable(earlier, FIT | {"fit_s": 9.0, "trial_gain": [0.1, 0.01]})
    assert sorted(same) == ["t1", "t2"] and same["t1"]["adapted"]["metrics"]["file_acc@5"] == 0


def test_a_fit_that_keeps_nothing_answers_unadapted_on_both_sides(earlier):
    nothing = reusable(earlier, FIT | {"terms": 0, "alpha": 0.0, "history": 0, "history_weight": 0.0})
    assert sorted(nothing) == ["t1", "t2"]
    assert all(r["adapted"] == r["base"] for r in nothing.values())


@pytest.mark.parametrize(
    "change",
    [
        {"history_weight": 8.0},
        {"terms": 11},
        {"earliest": "def"},
    ],
)
def test_a_different_fit_reuses_nothing(earlier, change):
    assert reusable(earlier, FIT | change) == {}


def test_the_paired_table_counts_wins_losses_and_the_sign_test():
    rows = [record("a", 0, 1), record("b", 0, 1), record("c", 1, 0), record("d", 1, 1)]
    c = compare(rows, "file_acc@5")
    assert (c["n"], c["base"], c["adapted"], c["wins"], c["losses"]) == (4, 50.0, 75.0, 2, 1)
    assert sign_test(2, 1) == 1.0 and sign_test(0, 0) == 1.0
    assert sign_test(0, 6) == pytest.approx(2 / 64) and sign_test(9, 1) == pytest.approx(22 / 1024)
    table = summary(rows, [FIT])
    assert "| o/r | 4 | 3.0 | 10 | 2.0 | 50, 4, 0.5 | 50.0 → 75.0 (2/1, p=1.00) |" in table
    assert table.splitlines()[-1].startswith("| all | 4 |")
