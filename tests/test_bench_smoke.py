"""The benchmark harness end to end, as a subprocess, over a fixture git repository with two commits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, committed_copy, git

SYSTEMS = {"rg", "bm25-files", "scout-heuristic"}


@pytest.fixture
def bench(tmp_path):
    """A repository with two commits, a task at each, one task on a repository nobody has."""
    repo = committed_copy(FIXTURES / "sample_repo", tmp_path / "shop")
    first = git(repo, "rev-parse", "HEAD")
    notes = repo / "shop" / "cart" / "notes.py"
    notes.write_text(
        '"""Gift notes printed on the invoice."""\n\n\ndef gift_note(text):\n    return text.strip()\n'
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "gift notes")
    second = git(repo, "rev-parse", "HEAD")
    tasks = [
        task(
            "shop-1",
            first,
            "2024-01-01",
            "CSRF token check accepts a forged token: check_csrf_token "
            "compares with == instead of a constant-time comparison.",
            "shop/auth/tokens.py",
            19,
            27,
            "check_csrf_token",
        ),
        task(
            "shop-2",
            second,
            "2024-02-01",
            "PriceCalculator.apply_discount gives a negative total when "
            "the discount is larger than the price.",
            "shop/cart/pricing.py",
            16,
            21,
            "PriceCalculator.apply_discount",
        ),
        {**task("gone-1", first, "2024-03-01", "anything", "a.py", 1, 2, "f"), "repo": "nobody/missing"},
    ]
    (tmp_path / "tasks.jsonl").write_text("".join(json.dumps(t) + "\n" for t in tasks))
    (tmp_path / "mirrors.json").write_text(json.dumps({"fixture/shop": str(repo / ".git")}))
    return tmp_path, first


def task(id_, commit, created, query, path, start, end, function):
    return {
        "id": id_,
        "repo": "fixture/shop",
        "base_commit": commit,
        "created_at": created,
        "query": query,
        "gold_files": [path],
        "gold_ranges": [[path, start, end]],
        "gold_functions": {path: [function]},
        "patch": f"--- a/{path}\n+++ b/{path}\n@@ -{start + 3},1 +{start + 3},1 @@\n-x\n+y\n",
    }


def harness(tmp: Path, out: str, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "benchmarks.run", "--tasks", str(tmp / "tasks.jsonl")]
    cmd += ["--mirrors", str(tmp / "mirrors.json"), "--cache", str(tmp / "cache"), "--out", str(tmp / out)]
    cmd += ["--no-plot", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_smoke_run_scores_every_system_and_skips_the_missing_repo(bench):
    tmp, first = bench
    # A first run indexes the first commit; the second run then seeds the second commit from it.
    warm = harness(tmp, "warm", "--ids", "shop-1", "--systems", "scout-heuristic", "--workers", "1")
    assert warm.returncode == 0, warm.stderr
    proc = harness(
        tmp, "run", "--systems", "rg,bm25-files,scout-heuristic,scout-nonexistent", "--workers", "2"
    )
    assert proc.returncode == 0, proc.stderr
    assert "skipping scout-nonexistent" in proc.stderr

    records = [json.loads(line) for line in (tmp / "run" / "records.jsonl").read_text().splitlines()]
    scored = [r for r in records if "skipped" not in r]
    assert {(r["id"], r["system"]) for r in scored} == {(t, s) for t in ("shop-1", "shop-2") for s in SYSTEMS}
    assert [r["repo"] for r in records if "skipped" in r] == ["nobody/missing"]
    for r in scored:
        assert r["error"] is None
        assert set(r["metrics"]) >= {"file_f1", "line_f1", "line_f0.5", "file_acc@5", "fn_acc@10"}
        assert all(0.0 <= v <= 1.0 for v in r["metrics"].values())
        assert r["cost"]["wall_ms"] > 0 and r["cost"]["tokens"] > 0
    by = {(r["id"], r["system"]): r for r in scored}
    assert by[("shop-2", "scout-heuristic")]["seeded_from"] == first
    for t, path in (("shop-1", "shop/auth/tokens.py"), ("shop-2", "shop/cart/pricing.py")):
        assert by[(t, "scout-heuristic")]["gold_file_rank"] == 1
        assert by[(t, "scout-heuristic")]["metrics"]["fn_acc@10"] == 1.0
        assert by[(t, "bm25-files")]["files"][0] == path

    summary = json.loads((tmp / "run" / "summary.json").read_text())
    assert set(summary["systems"]) == SYSTEMS
    assert summary["skipped"] == {"nobody/missing": 1}
    assert summary["run"]["unavailable"].keys() == {"scout-nonexistent"}
    assert summary["systems"]["scout-heuristic"]["file_acc@1"] == 1.0
    assert "| scout-heuristic | 2 |" in proc.stdout

    results = tmp / "RESULTS.md"
    results.write_text("# Benchmark results\n\nkept\n")
    report = [sys.executable, "-m", "benchmarks.report", str(tmp / "run"), "--results", str(results)]
    assert subprocess.run(report, cwd=ROOT, capture_output=True, timeout=60).returncode == 0
    text = results.read_text()
    assert "kept" in text and "<!-- quality-tasks:start -->" in text  # its own section, per task file
    assert str(tmp) not in text  # the command names no path of this machine


def test_a_run_that_finds_no_repository_fails_saying_so(bench):
    tmp, _ = bench
    (tmp / "elsewhere.json").write_text(json.dumps({"someone/else": str(tmp)}))
    proc = harness(
        tmp, "none", "--systems", "bm25-files", "--workers", "1", "--mirrors", str(tmp / "elsewhere.json")
    )
    assert proc.returncode == 1
    assert "every task was skipped" in proc.stderr.splitlines()[-1]


def test_orchestrator_tokens_measures_the_plan_prompt_against_the_gold_files(bench):
    tmp, _ = bench
    cmd = [sys.executable, "-m", "benchmarks.orchestrator_tokens", "--tasks", str(tmp / "tasks.jsonl")]
    cmd += ["--mirrors", str(tmp / "mirrors.json"), "--cache", str(tmp / "cache"), "--limit", "3"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert report["summary"]["tasks"] == 2  # the third task's repository is missing: skipped
    for row in report["rows"]:
        assert row["sent"] > 0 and row["baseline"] > 0


def test_a_scout_system_name_can_ask_for_a_longer_ranking(sample_repo):
    """`scout-model+spans=N` (semble's benchmark scores ten files, scout lists ~5 by default)."""
    from benchmarks.definitions import Outlines
    from benchmarks.systems import Unavailable, make_system
    from scout.api import Workspace

    longer = make_system("scout-model+spans=30")
    assert (longer.name, longer.explorer, longer.max_spans) == ("scout-model+spans=30", "model", 30)
    ws = Workspace.open(sample_repo)
    try:
        outlines = Outlines(ws.index)
        short = make_system("scout-model").predict(ws, "where is the CSRF token checked", outlines)
        long = longer.predict(ws, "where is the CSRF token checked", outlines)
    finally:
        ws.close()
    assert long.spans == short.spans and len(long.leads) >= len(short.leads)
    with pytest.raises(Unavailable):
        make_system("scout-model+spans=many")
