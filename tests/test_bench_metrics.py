"""The benchmark's metrics on hand-computed cases, and the span → function mapping on a real index."""

from __future__ import annotations

import math

import pytest

from benchmarks import metrics
from benchmarks.definitions import Outlines
from benchmarks.report import summarise
from benchmarks.systems import merge_windows
from scout.api import Workspace


def test_an_empty_prediction_scores_zero_everywhere():
    files = metrics.file_scores([], ["a.py"])
    lines = metrics.line_scores([], [("a.py", 1, 10)])
    fns = metrics.function_scores([], {("a.py", "f")})
    assert set(files.values()) == set(lines.values()) == set(fns.values()) == {0.0}
    assert set(fns) == {"fn_acc@5", "fn_acc@10"}


def test_partial_line_overlap():
    # predicted a.py 1-4 (4 lines), gold a.py 3-10 (8 lines): lines 3 and 4 are shared.
    s = metrics.line_scores([("a.py", 1, 4)], [("a.py", 3, 10)])
    assert s["line_p"] == pytest.approx(2 / 4)
    assert s["line_r"] == pytest.approx(2 / 8)
    assert s["line_f1"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)  # 1/3
    assert s["line_f0.5"] == pytest.approx(1.25 * 0.5 * 0.25 / (0.25 * 0.5 + 0.25))  # 5/12


def test_ranges_across_files_only_match_on_the_same_path():
    # predicted: a1 a2 b1 b2; gold: a2 a3 c1. Only (a.py, 2) is shared; b1 is not c1.
    s = metrics.line_scores([("a.py", 1, 2), ("b.py", 1, 2)], [("a.py", 2, 3), ("c.py", 1, 1)])
    assert (s["line_p"], s["line_r"]) == pytest.approx((1 / 4, 1 / 3))
    assert s["line_f1"] == pytest.approx(2 / 7)
    f = metrics.file_scores(["a.py", "b.py"], ["a.py", "c.py"])
    assert (f["file_p"], f["file_r"], f["file_f1"]) == pytest.approx((0.5, 0.5, 0.5))
    assert f["file_acc@5"] == 0.0  # c.py was never predicted: not all gold files found


def test_duplicate_spans_and_files_count_once():
    # a1-4, a1-4 again, a3-6: six distinct lines, three of them gold (a1-3).
    s = metrics.line_scores([("a.py", 1, 4), ("a.py", 1, 4), ("a.py", 3, 6)], [("a.py", 1, 3)])
    assert (s["line_p"], s["line_r"], s["line_f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
    f = metrics.file_scores(["a.py", "a.py", "b.py"], ["b.py"])
    assert f["file_p"] == 0.5  # the predicted set is {a.py, b.py}
    assert (f["file_acc@1"], f["file_acc@3"]) == (0.0, 1.0)  # a repeat does not push b.py out of the top 3


def test_acc_at_k_needs_every_gold_item_in_the_top_k():
    ranked = ["a.py", "c.py", "d.py", "b.py"]
    f = metrics.file_scores(ranked, ["a.py", "b.py"])
    assert (f["file_acc@1"], f["file_acc@3"], f["file_acc@5"]) == (0.0, 0.0, 1.0)
    fns = [("x.py", f"f{i}") for i in range(8)] + [("x.py", "C.m")]
    got = metrics.function_scores(fns, {("x.py", "f0"), ("x.py", "C.m")})
    assert got == {"fn_acc@5": 0.0, "fn_acc@10": 1.0}


def test_tasks_without_gold_functions_are_not_scored_on_functions():
    assert metrics.function_scores([("a.py", "f")], set()) == {}
    assert metrics.gold_function_set({"a.py": []}) == set()
    assert metrics.gold_function_set({"a.py": ["C.m", "f"]}) == {("a.py", "C.m"), ("a.py", "f")}


def test_module_level_edits_are_flagged_and_not_functions():
    gold = {"a.py": ["<module>", "f"], "b.py": ["<module>"]}
    assert metrics.gold_function_set(gold) == {("a.py", "f")}
    assert metrics.edits_outside_functions(gold)
    assert not metrics.edits_outside_functions({"a.py": ["f"]})
    assert metrics.function_scores([("a.py", "f")], metrics.gold_function_set(gold))["fn_acc@5"] == 1.0


def test_percentiles_interpolate_linearly():
    assert metrics.percentile([10, 20, 30, 40], 50) == 25.0
    assert metrics.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert metrics.percentile([], 50) == 0.0


def test_summary_averages_function_metrics_over_scored_tasks_and_counts_skips():
    def rec(task, f1, fn=None):
        m = {"file_f1": f1, **({"fn_acc@5": fn, "fn_acc@10": fn} if fn is not None else {})}
        cost = {"wall_ms": 100.0 * f1, "tokens": 10, "tool_calls": 1, "turns": 1}
        return {"id": task, "repo": "o/r", "system": "s", "metrics": m, "cost": cost}

    records = [
        rec("t1", 1.0, 1.0),
        rec("t2", 0.0),
        rec("t3", 0.5, 0.0),
        {"id": "t4", "repo": "o/x", "skipped": "no"},
    ]
    s = summarise(records)
    assert s["tasks"] == 4 and s["skipped"] == {"o/x": 1}
    sys_ = s["systems"]["s"]
    assert sys_["tasks"] == 3 and sys_["fn_tasks"] == 2
    assert sys_["file_f1"] == pytest.approx(0.5)
    assert sys_["fn_acc@5"] == pytest.approx(0.5)  # (1 + 0) / 2, t2 not counted
    assert sys_["wall_ms"]["p50"] == pytest.approx(50.0)


def test_rg_windows_merge_when_they_touch():
    assert merge_windows([10, 14, 30], 3, 100) == [(7, 17, 2), (27, 33, 1)]
    assert merge_windows([1, 99], 3, 100) == [(1, 4, 1), (96, 100, 1)]


SOURCE = '''\
import os

LIMIT = 3


class Cart:
    """A cart."""

    def total(self, items):
        def price(item):
            return item.price

        return sum(price(i) for i in items)

    def empty(self):
        return False


def helper():
    return LIMIT
'''


@pytest.fixture
def outlines(tmp_path):
    (tmp_path / "cart.py").write_text(SOURCE)
    ws = Workspace.open(tmp_path)
    yield Outlines(ws.index)
    ws.close()


def test_spans_map_to_their_innermost_definitions_in_order(outlines):
    # lines: class Cart 6-16, total 9-13, price 10-11, empty 15-16, helper 19-20
    assert outlines.functions_in([("cart.py", 12, 13)]) == [("cart.py", "Cart.total")]
    assert outlines.functions_in([("cart.py", 10, 10), ("cart.py", 19, 20)]) == [
        ("cart.py", "Cart.total.price"),
        ("cart.py", "helper"),
    ]
    whole_class = outlines.functions_in([("cart.py", 6, 16)])
    assert whole_class == [
        ("cart.py", "Cart"),
        ("cart.py", "Cart.total"),
        ("cart.py", "Cart.total.price"),
        ("cart.py", "Cart.empty"),
    ]
    assert (
        outlines.functions_in([("cart.py", 1, 4), ("cart.py", 500, 600)]) == []
    )  # module level, past the end


# --- semble's NDCG@10 (hand-computed: a hit at rank r is worth 1 / log2(r + 1)) -----------------
LOG3 = 1 / math.log2(3)  # the worth of rank 2; rank 3 is worth 1/2


def test_semble_ndcg_of_a_single_target_by_its_rank():
    assert metrics.semble_ndcg([("a.py", None, None)], [("a.py", None, None)]) == 1.0
    ranked = [("x.py", None, None), ("y.py", None, None), ("a.py", None, None)]
    assert metrics.semble_ndcg(ranked, [("a.py", None, None)]) == pytest.approx(0.5)
    assert metrics.semble_ndcg(ranked, []) == 0.0


def test_semble_ndcg_weighs_relevant_and_secondary_alike_against_an_ideal_of_min_k_targets():
    ranked = [("x.py", 1, 5), ("a.py", 1, 5), ("b.py", 9, 20)]
    targets = [("a.py", None, None), ("b.py", None, None)]
    assert metrics.semble_ndcg(ranked, targets) == pytest.approx((LOG3 + 0.5) / (1 + LOG3))
    many = [(f"f{i}.py", None, None) for i in range(12)]  # 12 targets, the first 10 found at 1..10
    assert metrics.semble_ndcg(many, many) == pytest.approx(1.0)


def test_semble_ndcg_only_reads_the_first_k_results():
    ranked = [(f"x{i}.py", None, None) for i in range(10)] + [("a.py", None, None)]
    assert metrics.semble_ndcg(ranked, [("a.py", None, None)]) == 0.0
    assert metrics.semble_ndcg(ranked, [("a.py", None, None)], k=11) == pytest.approx(1 / math.log2(12))


def test_semble_ndcg_counts_a_file_at_its_first_result_only():
    # a.py twice, then b.py: b.py is at rank 3, the second a.py earns nothing
    ranked = [("a.py", 1, 5), ("a.py", 30, 40), ("b.py", 1, 2)]
    targets = [("a.py", None, None), ("b.py", None, None)]
    assert metrics.semble_ndcg(ranked, targets) == pytest.approx((1 + 0.5) / (1 + LOG3))


def test_semble_ndcg_counts_a_result_once_however_many_targets_it_covers():
    # both line targets take rank 1 (semble ranks each target on its own); the rank counts once
    targets = [("a.py", 1, 5), ("a.py", 10, 20)]
    ranked = [("a.py", 1, 20), ("a.py", 1, 20)]
    assert metrics.semble_ndcg(ranked, targets) == pytest.approx(1 / (1 + LOG3))


def test_semble_ndcg_matches_line_targets_by_overlap_and_whole_files_always():
    target = [("a.py", 10, 20)]
    assert metrics.semble_ndcg([("a.py", 1, 9)], target) == 0.0
    assert metrics.semble_ndcg([("a.py", 20, 30)], target) == 1.0
    assert metrics.semble_ndcg([("a.py", None, None)], target) == 1.0


def test_semble_paths_match_when_one_is_a_suffix_of_the_other_at_a_slash():
    # results are relative to the folder searched, labels to the repository root
    assert metrics.semble_path_match("handler/mod.rs", "axum/src/handler/mod.rs")
    assert metrics.semble_path_match("/abs/axum/src/lib.rs", "axum/src/lib.rs")
    assert metrics.semble_path_match("src\\lib.rs", "axum/src/lib.rs")
    assert not metrics.semble_path_match("xhandler/mod.rs", "axum/src/handler/mod.rs")
    assert not metrics.semble_path_match("routing/mod.rs", "axum/src/handler/mod.rs")


def test_calibration_error_weighs_each_bin_by_its_spans_and_counts_sure_first_answers():
    from benchmarks.report import calibration

    def record(confidences, span_gold, first_file_right, files=None):
        # a first file that is gold is the ranking's first gold file (`gold_file_rank` 1), whether or
        # not the fix edits other files too (then file Acc@1 is 0)
        return {"cost": {"confidence": confidences, "file_confidence": files}, "span_gold": span_gold,
                "metrics": {"file_acc@1": 0.0}, "gold_file_rank": 1 if first_file_right else 3}  # fmt: skip

    records = [
        record([0.9, 0.15], [True, False], 1.0),
        record([0.85], [False], 0.0),
        record([0.15, None], [True, False], 1.0),
        record([], [], 0.0),  # no answer: no span, no first answer
    ]
    cal = calibration(records)
    # bins: 0.8-0.9 holds 0.85 (miss) alone -> |0.85 - 0| ; 0.9-1.0 holds 0.9 (hit) -> |0.9 - 1|;
    # 0.1-0.2 holds 0.15 twice (one hit) -> |0.15 - 0.5|; over 4 spans
    assert cal["spans"] == 4
    assert math.isclose(cal["ece"], round((0.85 + 0.1 + 2 * 0.35) / 4, 4))
    assert cal["first_answers"] == 3
    assert math.isclose(cal["sure_share"], round(2 / 3, 4)) and cal["sure_in_gold_file"] == 0.5
    assert "files" not in cal  # no explorer gave a file confidence


def test_the_first_answers_file_confidence_is_scored_against_its_file():
    from benchmarks.report import calibration

    def record(file_confidence, first_file_right):
        cost = {"confidence": [0.5], "file_confidence": [file_confidence, file_confidence]}
        return {
            "cost": cost,
            "span_gold": [False],
            "metrics": {},
            "gold_file_rank": 1 if first_file_right else None,
        }

    records = [record(0.95, True), record(0.85, False), record(0.3, True), record(0.3, False)]
    files = calibration(records)["files"]
    # 0.9-1.0: 0.95 right -> 0.05; 0.8-0.9: 0.85 wrong -> 0.85; 0.3-0.4: 0.3 twice, one right -> 0.2
    assert files["first_answers"] == 4
    assert math.isclose(files["ece"], round((0.05 + 0.85 + 2 * 0.2) / 4, 4))
    assert files["sure_share"] == 0.5 and files["sure_in_gold_file"] == 0.5
