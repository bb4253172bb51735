"""Causal evaluation of `scout adapt` (issue 22): each repository adapted only on its history before
the earliest base commit of its tasks (so no task's fix is seen), then every task answered twice on
the same warm checkout, unadapted and adapted, and compared pair by pair.

    python -m benchmarks.adapt --tasks ../shared/bench/swebench_lite.jsonl --mirrors MAP.json \\
        --cache DIR --out DIR [--repos owner/name,...] [--max-tasks N] [--commits 3000] [--reuse DIR]

Writes OUT/records.jsonl (one line per task: both systems' metrics and ranks), OUT/fits.jsonl
(per repository: the adaptation's report and its fit time) and OUT/summary.md (file Acc@5 and
function Acc@10 unadapted vs adapted, wins/losses and the two-sided sign test's p, per repository
and in all). Resumable: repositories already in fits.jsonl and tasks in records.jsonl are skipped.

The change-log lead (`scout.index.conventions`) is not part of an adaptation: both sides learn it
from the history up to the task's own base commit, the checkout's HEAD.

`--reuse DIR` takes a task's record from an earlier run's OUT where the new fit kept what that run's
kept (the same words, weight, blend and commits: the same answers), and where the new fit keeps
nothing, that run's unadapted answer on both sides; only the fits are redone. A change to how an
adaptation is chosen is measured in the time its fits take.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.checkouts import Checkouts, MissingRepo, commit_date, load_mirrors
from benchmarks.definitions import Outlines
from benchmarks.evaluate import score
from benchmarks.systems import make_system
from scout.learn.adapt import AdaptOptions, adapt
from scout.models.adaptation import path_for

log = logging.getLogger("benchmarks.adapt")
METRICS = ("file_acc@5", "fn_acc@10", "hit@5")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Paired evaluation of scout adapt (see the module docstring).")
    ap.add_argument("--tasks", type=Path, required=True)
    ap.add_argument("--mirrors", type=Path)
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--repos", help="only these repositories, comma-separated (default: all, most tasks first)"
    )
    ap.add_argument("--max-tasks", type=int, help="at most N tasks per repository (the earliest first)")
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--holdout", default="newest", help="what chooses alpha: newest (commits) or hash")
    ap.add_argument(
        "--prune", action="store_true", help="delete a repository's checkouts and indexes once done"
    )
    ap.add_argument("--reuse", type=Path, help="an earlier OUT whose records stand where the fit agrees")
    ap.add_argument(
        "--latency", type=Path, help="instead: time asks on this adapted repository, with and without"
    )
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    tasks = [json.loads(line) for line in args.tasks.read_text().splitlines() if line.strip()]
    if args.latency:
        print(json.dumps(latency(args.latency, [t["query"] for t in tasks][: args.max_tasks or 20])))
        return 0
    by_repo: dict[str, list[dict]] = defaultdict(list)
    for t in tasks:
        by_repo[t["repo"]].append(t)
    repos = args.repos.split(",") if args.repos else sorted(by_repo, key=lambda r: -len(by_repo[r]))
    mirrors = load_mirrors(args.mirrors)
    checkouts = Checkouts(args.cache, mirrors)
    system = make_system("scout-model")
    args.out.mkdir(parents=True, exist_ok=True)
    for repo in repos:
        if repo in mirrors:
            run_repo(repo, by_repo[repo], mirrors[repo], checkouts, system, args)
            if args.prune:
                prune(args.cache, repo)
    (args.out / "summary.md").write_text(
        summary(_read(args.out / "records.jsonl"), _read(args.out / "fits.jsonl"))
    )
    print((args.out / "summary.md").read_text())
    return 0


def run_repo(repo: str, tasks: list[dict], git_dir: Path, checkouts: Checkouts, system, args) -> None:
    done = {r["id"] for r in _read(args.out / "records.jsonl")}
    fits = {f["repo"]: f for f in _read(args.out / "fits.jsonl")}
    dated = sorted(tasks, key=lambda t: commit_date(git_dir, t["base_commit"]))
    target = args.out / "adaptations" / f"{repo.replace('/', '__')}.adapt"
    if repo not in fits:
        fits[repo] = fit_repo(repo, dated[0]["base_commit"], git_dir, checkouts, target, args)
        _append(args.out / "fits.jsonl", fits[repo])
    chosen = dated[: args.max_tasks] if args.max_tasks else dated
    earlier = reusable(args.reuse, fits[repo]) if args.reuse else {}
    for task in chosen:
        if task["id"] not in done:
            record = earlier.get(task["id"]) or paired(task, checkouts, system, target)
            if record:
                _append(args.out / "records.jsonl", record)


# what decides the answers
KEPT = ("terms", "alpha", "history", "history_weight", "history_mix")


def reusable(earlier: Path, fit: dict) -> dict[str, dict]:
    """An earlier run's records for this repository, as the new fit would answer them: unchanged
    where it kept the same, unadapted on both sides where it keeps nothing; {} otherwise."""
    old = next((f for f in _read(earlier / "fits.jsonl") if f["repo"] == fit["repo"]), None)
    if old is None or old["earliest"] != fit["earliest"]:
        return {}
    records = {r["id"]: r for r in _read(earlier / "records.jsonl") if r["repo"] == fit["repo"]}
    if all(old.get(k) == fit.get(k) for k in KEPT):
        return records
    if not fit["terms"] and not fit.get("history"):
        return {i: r | {"adapted": r["base"]} for i, r in records.items()}
    return {}


def prune(cache: Path, repo: str) -> None:
    """Remove a finished repository's checkouts and their indexes (a checkout per task adds up:
    Django's 114 took 7 GB, their indexes 4 GB)."""
    folder = cache / "checkouts" / repo.replace("/", "__")
    for side in (cache / "scout" / "index").glob("*.sqlite.json"):
        try:
            root = Path(json.loads(side.read_text())["root"])
        except (OSError, ValueError, KeyError):
            continue
        if root.is_relative_to(folder):
            for path in side.parent.glob(side.name.removesuffix(".json") + "*"):
                path.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def fit_repo(repo: str, earliest: str, git_dir: Path, checkouts: Checkouts, target: Path, args) -> dict:
    """Adapt on the checkout of the earliest base commit, from the history up to it."""
    prepared = checkouts.prepare(repo, earliest)
    ws = prepared.workspace
    try:
        started = time.perf_counter()
        opts = AdaptOptions(max_commits=args.commits, rev=earliest, holdout=args.holdout)
        found, report = adapt(ws.index, git_dir, earliest, opts, lambda *_: None)
        seconds = time.perf_counter() - started
    finally:
        ws.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    found.save(target)
    log.info("%s: adapted in %.1f s (%d words, alpha %g)", repo, seconds, report.terms, report.alpha)
    meta = {k: v for k, v in found.meta.items() if k not in ("embedder", "embedder_file")}
    return {
        "repo": repo,
        "earliest": earliest,
        "fit_s": round(seconds, 1),
        "bytes": target.stat().st_size,
        **meta,
    }


def paired(task: dict, checkouts: Checkouts, system, adaptation: Path) -> dict | None:
    """The task answered unadapted, then adapted, on the same checkout and index."""
    try:
        prepared = checkouts.prepare(task["repo"], task["base_commit"])
    except MissingRepo as exc:
        log.warning("%s skipped: %s", task["id"], exc)
        return None
    ws = prepared.workspace
    beside = path_for(ws.index.path)
    try:
        outlines = Outlines(ws.index)
        beside.unlink(missing_ok=True)
        base = score(system, ws, task, outlines)
        shutil.copyfile(adaptation, beside)
        adapted = score(system, ws, task, outlines)
    finally:
        beside.unlink(missing_ok=True)
        ws.close()
    keep = ("metrics", "gold_file_rank", "gold_function_rank", "cost", "error")
    return {
        "id": task["id"],
        "repo": task["repo"],
        "has_functions": bool(task.get("gold_functions")),
        "base": {k: base[k] for k in keep},
        "adapted": {k: adapted[k] for k in keep},
    }


def latency(root: Path, queries: list[str], rounds: int = 3) -> dict:
    """Median wall time of the same asks on one warm workspace, without and with its adaptation
    (moved aside and back), alternating by round so drift in the machine's load hits both."""
    from scout.api import Workspace

    ws = Workspace.open(root)
    beside = path_for(ws.index.path)
    aside = beside.with_name(beside.name + ".aside")
    times: dict[str, list[float]] = {"base": [], "adapted": []}
    try:
        for q in queries[:2]:
            ws.ask(q)  # warm both paths once
        for _ in range(rounds):
            for side in ("base", "adapted"):
                if side == "base":
                    beside.rename(aside)
                try:
                    for q in queries:
                        started = time.perf_counter()
                        ws.ask(q)
                        times[side].append((time.perf_counter() - started) * 1000)
                finally:
                    if aside.exists():
                        aside.rename(beside)
    finally:
        ws.close()
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    return {"asks": len(times["base"]), "p50_ms": med, "ratio": med["adapted"] / med["base"]}


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test p-value (ties dropped)."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def compare(records: list[dict], metric: str) -> dict:
    rows = [
        r for r in records if metric in r["base"]["metrics"] and (metric != "fn_acc@10" or r["has_functions"])
    ]
    a = [r["base"]["metrics"][metric] for r in rows]
    b = [r["adapted"]["metrics"][metric] for r in rows]
    wins = sum(y > x for x, y in zip(a, b, strict=True))
    losses = sum(y < x for x, y in zip(a, b, strict=True))
    n = max(len(rows), 1)
    return {"n": len(rows), "base": 100 * sum(a) / n, "adapted": 100 * sum(b) / n, "wins": wins,
            "losses": losses, "p": sign_test(wins, losses)}  # fmt: skip


def summary(records: list[dict], fits: list[dict]) -> str:
    lines = [
        "| repository | tasks | fit s | words | alpha | commits, weight, blend | "
        "file Acc@5 base → adapted (W/L) | fn Acc@10 base → adapted (W/L) | hit@5 base → adapted (W/L) | "
        "latency p50 ms base / adapted |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = defaultdict(list)
    for r in records:
        groups[r["repo"]].append(r)
    fit_of = {f["repo"]: f for f in fits}
    for repo, rows in [*sorted(groups.items()), ("all", records)]:
        f = fit_of.get(repo, {})
        cells = [
            repo,
            str(len(rows)),
            str(f.get("fit_s", "")),
            str(f.get("terms", "")),
            str(f.get("alpha", "")),
            f"{f['history']}, {f['history_weight']:g}, {f['history_mix']:g}" if f.get("history") else "",
        ]
        for metric in METRICS:
            c = compare(rows, metric)
            cells.append(
                f"{c['base']:.1f} → {c['adapted']:.1f} ({c['wins']}/{c['losses']}, p={c['p']:.2f})"
                if c["n"]
                else "–"
            )
        cells.append(f"{_p50(rows, 'base'):.0f} / {_p50(rows, 'adapted'):.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _p50(rows: list[dict], side: str) -> float:
    values = sorted(r[side]["cost"]["wall_ms"] for r in rows)
    return values[len(values) // 2] if values else 0.0


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _append(path: Path, record: dict) -> None:
    with path.open("a", encoding="utf-8") as sink:
        sink.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    sys.exit(main())
