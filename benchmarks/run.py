"""Run systems over a task file and score them against the gold: the benchmark harness.

    python -m benchmarks.run --tasks ../shared/bench/swebench_lite.jsonl --mirrors mirrors.json \\
        [--systems rg,bm25-files,scout-heuristic] [--workers 2] [--limit N] [--ids A,B]

Writes RUN_DIR/records.jsonl (one line per task and system: spans, functions, metrics, cost),
run.json, summary.json, summary.md and quality_latency.png. Metrics: benchmarks/README.md.
Missing repositories are skipped and counted, never fatal, unless every task was skipped (a wrong
mirrors map, most likely). Exit code 0; 1 when nothing was scored; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import multiprocessing
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from benchmarks import evaluate, report
from benchmarks.checkouts import default_cache, load_mirrors
from benchmarks.systems import Unavailable, make_system
from scout import git

log = logging.getLogger("benchmarks.run")
DEFAULT_SYSTEMS = "rg,bm25-files,scout-heuristic,scout-model,scout-llm"
ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Score systems on a task file (see benchmarks/README.md).")
    ap.add_argument("--tasks", type=Path, required=True, help="JSON Lines task file")
    ap.add_argument("--systems", default=DEFAULT_SYSTEMS, help=f"comma-separated (default {DEFAULT_SYSTEMS})")
    ap.add_argument("--mirrors", type=Path, help="JSON {owner/name: git dir} (else SCOUT_BENCH_MIRRORS)")
    ap.add_argument(
        "--cache", type=Path, help="checkouts and indexes (else SCOUT_BENCH_CACHE, else user cache)"
    )
    ap.add_argument("--out", type=Path, help="run directory (default .bench/runs/<tasks>-<time>)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, help="only the first N tasks (after --ids)")
    ap.add_argument("--ids", help="only these task ids, comma-separated")
    ap.add_argument("--resume", action="store_true", help="keep --out's records, run only what is missing")
    ap.add_argument("--plot", type=Path, help="also copy the quality/latency PNG here")
    ap.add_argument("--results", type=Path, help="replace this run's section of a RESULTS.md")
    ap.add_argument("--no-plot", action="store_true", help="skip the PNG (and the matplotlib import)")
    ap.add_argument("-v", "--verbose", action="store_true")
    return ap.parse_args(argv)


def load_tasks(path: Path, ids: str | None, limit: int | None) -> list[dict]:
    tasks = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if ids:
        wanted = {i.strip() for i in ids.split(",") if i.strip()}
        tasks = [t for t in tasks if t["id"] in wanted]
    return tasks[:limit] if limit is not None else tasks


def available_systems(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """The systems that can run here, and for the others the reason (each logged as a notice)."""
    ok, skipped = [], {}
    for name in names:
        try:
            make_system(name)
            ok.append(name)
        except Unavailable as exc:
            skipped[name] = str(exc)
            log.warning("skipping %s: %s", name, exc)
    return ok, skipped


def pending(tasks: list[dict], systems: list[str], records: list[dict]) -> list[tuple[dict, list[str]]]:
    """(task, systems still to run) for each task, in an order that keeps seeded indexes close:
    by repository, then by issue date (a proxy for the base commit's date)."""
    done = {(r["id"], r.get("system")) for r in records if "skipped" not in r}
    work = []
    for task in sorted(tasks, key=lambda t: (t["repo"], t.get("created_at", ""), t["id"])):
        todo = [s for s in systems if (task["id"], s) not in done]
        if todo:
            work.append((task, todo))
    return work


def execute(work: list[tuple[dict, list[str]]], init_args: tuple, workers: int) -> Iterator[list[dict]]:
    """Records of each task as it finishes; in-process with one worker, else a spawned pool."""
    if workers <= 1:
        evaluate.init_worker(*init_args)
        for task, todo in work:
            yield evaluate.run_task(task, todo)
        return
    ctx = multiprocessing.get_context("spawn")  # no fork after threads (the progress bar has one)
    # Each worker's torch (the model explorer) would start a thread per core: with several workers
    # they fight over the cores and a 0.5 s query takes 10 s. Split the cores between workers.
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // workers)))
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=evaluate.init_worker, initargs=init_args
    ) as pool:
        futures = [pool.submit(evaluate.run_task, task, todo) for task, todo in work]
        for future in as_completed(futures):
            yield future.result()


def machine() -> str:
    gpu = "GPU" if Path("/dev/nvidia0").exists() else "no GPU"
    system = f"{platform.system()} {platform.machine()}"
    return f"{system}, {os.cpu_count()} cores, {gpu}, Python {platform.python_version()}"


def scout_commit() -> str:
    out = git.run(ROOT, "rev-parse", "--short", "HEAD")
    return out.stdout.decode().strip() or "?"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not args.tasks.is_file():
        log.error("no task file %s", args.tasks)
        return 2
    tasks = load_tasks(args.tasks, args.ids, args.limit)
    systems, unavailable = available_systems([s.strip() for s in args.systems.split(",") if s.strip()])
    stamp = datetime.datetime.now(datetime.UTC)
    out = args.out or ROOT / ".bench" / "runs" / f"{args.tasks.stem}-{stamp:%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    commit = scout_commit()  # before the run: the code it imports is this commit's
    run_tasks(args, tasks, systems, out / "records.jsonl")
    run = {
        "date": f"{stamp:%Y-%m-%d}",
        "tasks_file": args.tasks.name,
        "tasks": len(tasks),
        "systems": systems,
        "unavailable": unavailable,
        "workers": args.workers,
        "machine": machine(),
        "command": shlex.join(["python", "-m", "benchmarks.run", *(sys.argv[1:] if argv is None else argv)]),
        "wall_s": round(time.perf_counter() - started, 1),
        "scout_commit": commit,
        "subset": bool(args.ids or args.limit),  # its RESULTS.md section is kept apart from the whole set's
    }
    (out / "run.json").write_text(json.dumps(run, indent=2))
    summary = report.finish(out, args.plot, args.results, plot=not args.no_plot)
    print(report.tables(summary))
    log.info("run directory: %s (%.1f min)", out, run["wall_s"] / 60)
    if tasks and not any("skipped" not in r for r in report.read_records(out / "records.jsonl")):
        log.error("every task was skipped (no repository found): check --mirrors %s", args.mirrors)
        return 1
    return 0


def run_tasks(args: argparse.Namespace, tasks: list[dict], systems: list[str], records_path: Path) -> None:
    """Run what is still to run, appending each finished task's records (flushed, so a killed run
    can be resumed)."""
    records = report.read_records(records_path) if args.resume else []
    if not args.resume:
        records_path.write_text("")
    mirrors = {repo: str(d) for repo, d in load_mirrors(args.mirrors).items()}
    cache = args.cache or default_cache()
    work = pending(tasks, systems, records)
    log.info("%d tasks, %d to run, systems %s, %d workers", len(tasks), len(work), systems, args.workers)
    log.info("checkouts and indexes in %s", cache)
    init_args = (systems, str(cache), mirrors, logging.getLogger().level)
    with records_path.open("a", encoding="utf-8") as sink, ProgressLog(len(work)) as advance:
        for task_records in execute(work, init_args, args.workers):
            for record in task_records:
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            advance(task_records)


class ProgressLog:
    """A progress bar on a terminal; on a pipe, one log line per finished task."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.bar = total, 0, None

    def __enter__(self) -> Callable[[list[dict]], None]:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("tasks", total=self.total)
        return self.advance

    def advance(self, records: list[dict]) -> None:
        self.done += 1
        first = records[0] if records else {}
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=first.get("id", ""))
            return
        status = first.get("skipped") or f"prepare {first.get('prepare_s', 0):.1f}s"
        log.info("[%d/%d] %s: %s", self.done, self.total, first.get("id"), status)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


if __name__ == "__main__":
    sys.exit(main())
