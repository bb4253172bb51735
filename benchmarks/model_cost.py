"""What the learned explorer costs beside the heuristic, measured in the same run on one repository.

    python -m benchmarks.model_cost --repo .demo/django-5.2.8 [--write benchmarks/RESULTS.md]

Warm asks in one process (both explorers alternating over the same 20 questions, after warm-ups),
then the `scout ask` CLI end to end for each (a fresh process per question, so the model's load is
included), with the CLI's peak RSS. Medians and the model/heuristic ratio.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import write_section
from benchmarks.speed import QUESTIONS, cli_asks

EXPLORERS = ("heuristic", "model")


def in_process(repo: Path) -> dict[str, list[float]]:
    from scout.api import Workspace

    ws = Workspace.open(repo)
    for name in EXPLORERS:  # warm-ups: the index, the page cache, the model's load
        ws.ask(QUESTIONS[0], policy=name)
    times: dict[str, list[float]] = {name: [] for name in EXPLORERS}
    for q in QUESTIONS:
        for name in EXPLORERS:
            start = time.perf_counter()
            ws.ask(q, policy=name)
            times[name].append(time.perf_counter() - start)
    ws.close()
    return times


def cli(repo: Path, cache: str, questions: list[str]) -> dict[str, tuple[list[float], int]]:
    return {name: cli_asks(repo, cache, questions, name) for name in EXPLORERS}


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--cli-questions", type=int, default=8, help="questions asked through the CLI")
    ap.add_argument("--write", type=Path, help="replace the model-cost section of this RESULTS.md")
    args = ap.parse_args()
    repo = args.repo.resolve()
    cache = tempfile.mkdtemp(prefix="scout-model-cost-")
    os.environ["SCOUT_CACHE_DIR"] = cache
    subprocess.run(
        [sys.executable, "-m", "scout", "index", "--repo", str(repo)], check=True, capture_output=True
    )
    # CLI first: a child forked from a parent that already holds torch and the model would report
    # the parent's pages as its own peak RSS.
    shell = cli(repo, cache, QUESTIONS[: args.cli_questions])
    inproc = in_process(repo)
    r = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        **{f"{n}_inprocess_p50_ms": ms(inproc[n]) for n in EXPLORERS},
        **{f"{n}_cli_p50_ms": ms(shell[n][0]) for n in EXPLORERS},
        **{f"{n}_cli_peak_rss_mb": round(shell[n][1] / 1024) for n in EXPLORERS},
    }
    print(json.dumps(r, indent=2))
    if args.write:
        write_section(args.write, render(r, repo.name), "model-cost")


def render(r: dict, name: str) -> str:
    def row(label: str, key: str, unit: str, target: str) -> str:
        h, m = r[f"heuristic_{key}"], r[f"model_{key}"]
        return f"| {label} | {h} {unit} | {m} {unit} | {m / h:.1f}× | {target} |"

    return f"""## Learned explorer cost: {name} ({r["date"]})

`python -m benchmarks.model_cost --repo {name} --write benchmarks/RESULTS.md` on {r["machine"]};
both explorers in the same run, the same questions, alternating.

| measure | heuristic | model | model / heuristic | bar |
|---|---|---|---|---|
{row("warm ask in one process, p50 of 20", "inprocess_p50_ms", "ms", "≤ 1 s, ≤ 2×")}
{row("`scout ask` CLI, p50 (process start and model load included)", "cli_p50_ms", "ms", "")}
{row("`scout ask` CLI peak RSS", "cli_peak_rss_mb", "MB", "model ≤ 600 MB")}
"""


if __name__ == "__main__":
    main()
