"""The semble-benchmark runner end to end, as a subprocess, over a fixture git repository and a tiny
copy of semble's data layout (repos.json, annotations, a published figure); no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, committed_copy, git

URL = "https://github.com/fixture/shop.git"


@pytest.fixture
def bench(tmp_path):
    """`shop` pinned at the first of two commits and searched in its shop/ folder only; `shop-new`
    pinned at a commit the mirror lacks; `gone` on a repository nobody has."""
    repo = committed_copy(FIXTURES / "sample_repo", tmp_path / "shop")
    first = git(repo, "rev-parse", "HEAD")
    (repo / "shop" / "cart" / "notes.py").write_text("def gift_note(text):\n    return text.strip()\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "gift notes")
    data = tmp_path / "semble"
    specs = [
        {"name": "shop", "language": "python", "url": URL, "revision": first, "benchmark_root": "shop"},
        {"name": "shop-new", "language": "python", "url": URL, "revision": "f" * 40},
        {"name": "gone", "language": "go", "url": "https://github.com/nobody/missing.git", "revision": first},
        {"name": "moved", "language": "python", "url": URL, "revision": first, "benchmark_root": "shop"},
    ]
    queries = [
        {
            "query": "PriceCalculator",
            "category": "symbol",
            "relevant": ["shop/cart/pricing.py"],
            "secondary": [],
        },
        {
            "query": "where is the CSRF token compared in constant time",
            "relevant": ["shop/auth/tokens.py"],
            "secondary": ["shop/auth/middleware.py", "shop/auth/gone.py"],
        },
    ]
    new = [{"query": "gift_note", "category": "symbol", "relevant": ["shop/cart/notes.py"], "secondary": []}]
    write(data / "benchmarks" / "repos.json", specs)
    write(data / "benchmarks" / "annotations" / "shop.json", queries)
    write(data / "benchmarks" / "annotations" / "shop-new.json", new)
    moved = [{"query": "gift notes", "category": "semantic", "relevant": ["lib/notes.py"], "secondary": []}]
    write(data / "benchmarks" / "annotations" / "moved.json", moved)
    published = {"repos": [{"repo": "shop", "ndcg10": 0.25, "by_category": {"symbol": 0.5}}]}
    write(data / "published" / "semble-hybrid-0123456789ab.subset.json", published)
    write(tmp_path / "mirrors.json", {"fixture/shop": str(repo / ".git")})
    return tmp_path, git(repo, "rev-parse", "HEAD")


def write(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def runner(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "benchmarks.semble", "--data", str(tmp / "semble")]
    cmd += ["--mirrors", str(tmp / "mirrors.json"), "--cache", str(tmp / "cache"), *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)


def test_runner_scores_each_system_by_semble_rule_on_the_benchmark_root_only(bench):
    tmp, head = bench
    results = tmp / "RESULTS.md"
    results.write_text("# Benchmark results\n\nkept\n")
    proc = runner(
        tmp, "--systems", "bm25-files,scout-heuristic", "--out", str(tmp / "run"), "--results", str(results)
    )
    assert proc.returncode == 0, proc.stderr

    records = [json.loads(line) for line in (tmp / "run" / "records.jsonl").read_text().splitlines()]
    assert {(r["id"], r["system"]) for r in records} == {
        (q, s)
        for q in ("shop-1", "shop-2", "shop-new-1", "moved-1")
        for s in ("bm25-files", "scout-heuristic")
    }
    by = {(r["id"], r["system"]): r for r in records}
    assert by[("shop-2", "scout-heuristic")]["category"] == "semantic"  # inferred as semble does
    for r in records:
        assert r["error"] is None
        assert set(r["ndcg"]) == ({"files", "spans"} if r["system"] == "scout-heuristic" else {"files"})
        assert all(0.0 <= v <= 1.0 for v in r["ndcg"].values())
    symbol = by[("shop-1", "scout-heuristic")]
    assert symbol["results"]["spans"][0][0] == "cart/pricing.py"  # relative to shop/, as semble's are
    assert symbol["ndcg"] == {"files": 1.0, "spans": 1.0}
    assert by[("shop-new-1", "scout-heuristic")]["ndcg"]["files"] == 1.0  # found in the newer commit

    run = json.loads((tmp / "run" / "run.json").read_text())
    repos = {r["name"]: r for r in run["repos"]}
    assert repos["shop"]["note"] is None and repos["shop"]["files_indexed"] >= 4
    assert (repos["shop"]["labels"], repos["shop"]["labels_found"]) == (4, 3)  # gone.py is no file
    assert repos["shop-new"]["commit"] == head and "not in the mirror" in repos["shop-new"]["note"]
    assert set(run["skipped"]) == {"gone"}

    summary = json.loads((tmp / "run" / "summary.json").read_text())
    assert repos["moved"]["labels_found"] == 0
    assert summary["means"]["held_out"]["repos"] == 2  # moved's labels are out of reach: not averaged
    assert summary["means"]["held_out"]["scout-heuristic/files"] == pytest.approx(
        (summary["by_repo"]["scout-heuristic/files"]["shop"] + 1.0) / 2
    )
    assert summary["means"]["held_out"]["semble"] == 0.25  # over the repositories it has a figure for
    assert summary["by_category"]["semble"]["symbol"] == 0.5
    text = results.read_text()
    assert "kept" in text and "<!-- semble:start -->" in text and "| shop-new |" in text
    assert "- moved: none of its 1 label files is in the searched folder" in text
    assert str(tmp) not in text  # the command names no path of this machine


@pytest.mark.parametrize(
    "args, message",
    [
        (["--repos", "nosuch"], "not in repos.json: nosuch"),
        (["--data", "/nonexistent"], "no benchmarks/repos.json"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(bench, args, message):
    tmp, _ = bench
    proc = runner(tmp, *args, "--out", str(tmp / "bad"))
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
