"""What the orchestrator sends a frontier model, against what it would send without scout.

    python -m benchmarks.orchestrator_tokens --tasks ../shared/bench/swebench_lite.jsonl \
        --mirrors mirrors.json --limit 30 [--write benchmarks/RESULTS.md]

For each task: the plan prompt as `scout plan` builds it (system prompt, issue, the default
explorer's bundle), in scout-tokens/1, against the same prompt with the full text of the files the
gold patch touches in place of the bundle, the context a model needs without a scout. No model
is called; the prompt is what would be sent.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from benchmarks.checkouts import Checkouts, MissingRepo, default_cache, load_mirrors
from benchmarks.report import write_section
from scout.orchestrator import _whole_file, count_messages, evidence, request
from scout.prompts import load
from scout.prompts.fence import new_tag


def measure(task: dict, checkouts: Checkouts) -> dict:
    prepared = checkouts.prepare(task["repo"], task["base_commit"])
    ws = prepared.workspace
    try:
        bundle = ws.ask(task["query"])
        prompt, fence = load("plan"), new_tag()
        sent = count_messages(request(prompt, task["query"], evidence(bundle), fence))
        gold = "\n".join(_whole_file(ws.repo, path) for path in task["gold_files"])
        baseline = count_messages(request(prompt, task["query"], gold, fence))
    finally:
        ws.close()
    return {"id": task["id"], "sent": sent, "baseline": baseline, "saved": 1 - sent / baseline}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=Path, required=True)
    ap.add_argument("--mirrors", type=Path)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=30)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    tasks = [json.loads(line) for line in args.tasks.read_text(encoding="utf-8").splitlines() if line]
    step = max(1, len(tasks) // args.limit)  # spread over the set's repositories, not its first one
    checkouts = Checkouts(args.cache or default_cache(), load_mirrors(args.mirrors))
    rows = []
    for task in tasks[::step][: args.limit]:
        try:
            rows.append(measure(task, checkouts))
        except MissingRepo as exc:
            print(f"skipped {task['id']}: {exc}")
    saved = sorted(r["saved"] for r in rows)
    summary = {
        "tasks": len(rows),
        "sent_p50": statistics.median(r["sent"] for r in rows),
        "baseline_p50": statistics.median(r["baseline"] for r in rows),
        "saved_p10": round(saved[len(saved) // 10], 3),
        "saved_p50": round(statistics.median(saved), 3),
        "saved_p90": round(saved[len(saved) * 9 // 10], 3),
    }
    print(json.dumps({"summary": summary, "rows": rows}, indent=2))
    if args.write:
        write_section(args.write, _markdown(summary, args), "orchestrator")


def _markdown(s: dict, args) -> str:
    return "\n".join([
        "## Orchestrator prompt vs the gold files (`benchmarks/orchestrator_tokens.py`)",
        "",
        f"`python -m benchmarks.orchestrator_tokens --tasks {args.tasks.name} --limit {args.limit}`: "
        "the plan prompt with the default explorer's bundle against the same prompt with the full text "
        f"of the files the gold patch touches, {s['tasks']} tasks spread over the set.",
        "",
        "| prompt tokens p50 | baseline tokens p50 | saved p10 | saved p50 | saved p90 |",
        "|---|---|---|---|---|",
        f"| {s['sent_p50']:,.0f} | {s['baseline_p50']:,.0f} | {s['saved_p10']:.1%} | {s['saved_p50']:.1%} | "
        f"{s['saved_p90']:.1%} |",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
