"""Systems on semble's code-search benchmark, scored with semble's own NDCG@10 rule.

    python -m benchmarks.semble --data ../shared/bench/semble --mirrors mirrors.json \\
        [--systems bm25-files,scout-heuristic,scout-model] [--repos axum,gin] \\
        [--out RUN_DIR] [--results benchmarks/RESULTS.md]

DATA is a copy of semble's benchmarks/ (`benchmarks/repos.json`, `benchmarks/annotations/<name>.json`)
with its published per-repository figures beside it (`published/*.subset.json`). Each repository is
materialised at its pinned revision (where the mirror lacks it: the newest commit of the mirror's
default branch, recorded) and only its `benchmark_root` is indexed and searched, as semble does, so
result paths are relative to that folder as semble's are. scout is scored two ways: per span (the
bundle's spans, then its leads, each a ranked result like semble's chunks) and per file (its distinct
files in that order). Writes RUN_DIR/records.jsonl (one line per query and system), run.json,
summary.json and summary.md. Exit code 0, or 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import shlex
import sys
import time
from pathlib import Path

from benchmarks import semble_report
from benchmarks.checkouts import Checkouts, MissingRepo, default_cache, git, load_mirrors
from benchmarks.definitions import Outlines
from benchmarks.metrics import SEMBLE_K, semble_ndcg
from benchmarks.run import ROOT, available_systems, machine, scout_commit
from benchmarks.systems import Bm25Files, Prediction, Scout, System, make_system
from scout.api import Workspace

log = logging.getLogger("benchmarks.semble")
DEFAULT_SYSTEMS = "bm25-files,scout-heuristic,scout-model"
TRAINING = ROOT / "data" / "repos.json"  # scout's training repositories
KEPT_RESULTS = 15  # ranked results kept in each record, enough for NDCG@10 and a look at the misses


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Score systems on semble's benchmark (benchmarks/README.md).")
    ap.add_argument("--data", type=Path, required=True, help="folder with benchmarks/ and published/")
    ap.add_argument("--systems", default=DEFAULT_SYSTEMS, help=f"comma-separated (default {DEFAULT_SYSTEMS})")
    ap.add_argument("--repos", help="only these benchmark repositories (semble's names), comma-separated")
    ap.add_argument("--mirrors", type=Path, help="JSON {owner/name: git dir} (else SCOUT_BENCH_MIRRORS)")
    ap.add_argument("--cache", type=Path, help="checkouts and indexes (else SCOUT_BENCH_CACHE)")
    ap.add_argument("--out", type=Path, help="run directory (default .bench/runs/semble-<time>)")
    ap.add_argument("--results", type=Path, help="replace the semble section of a RESULTS.md")
    ap.add_argument("-v", "--verbose", action="store_true")
    return ap.parse_args(argv)


def load_specs(data: Path, only: str | None) -> list[dict]:
    """semble's repos.json entries, each with `repo` (owner/name from its url); ValueError for a
    --repos name it does not list."""
    specs = json.loads((data / "benchmarks" / "repos.json").read_text(encoding="utf-8"))
    for spec in specs:
        spec["repo"] = spec["url"].removeprefix("https://github.com/").removesuffix(".git")
    if not only:
        return specs
    wanted = [n.strip() for n in only.split(",") if n.strip()]
    unknown = sorted(set(wanted) - {s["name"] for s in specs})
    if unknown:
        raise ValueError(f"not in repos.json: {', '.join(unknown)}")
    return [s for s in specs if s["name"] in wanted]


def load_queries(data: Path, name: str) -> list[dict]:
    """A repository's queries: text, category and targets (relevant, then secondary)."""
    path = data / "benchmarks" / "annotations" / f"{name}.json"
    if not path.is_file():
        return []
    items = json.loads(path.read_text(encoding="utf-8"))
    return [
        {
            "id": f"{name}-{i}",
            "query": item["query"],
            "category": item.get("category") or infer_category(item["query"]),
            "targets": [target(t) for t in item.get("relevant", []) + item.get("secondary", [])],
        }
        for i, item in enumerate(items, 1)
    ]


def target(raw: str | dict) -> tuple[str, int | None, int | None]:
    if isinstance(raw, str):
        return raw, None, None
    start, end = raw.get("start_line"), raw.get("end_line")
    return str(raw["path"]), None if start is None else int(start), None if end is None else int(end)


def infer_category(query: str) -> str:
    """semble's category for a query annotated without one."""
    if " " not in query.strip():
        return "symbol"
    return "architecture" if query.lower().startswith("how ") else "semantic"


def trained_repos(path: Path = TRAINING) -> set[str]:
    """owner/name (lower case) of every repository scout's training data comes from."""
    if not path.is_file():
        return set()
    return {row["repo"].lower() for row in json.loads(path.read_text(encoding="utf-8"))}


def resolve_commit(git_dir: Path, revision: str) -> tuple[str, str | None]:
    """The pinned revision, or when the mirror lacks it (a snapshot older than the pin) the newest
    commit of its default branch, with a note saying so."""
    if git(git_dir, "cat-file", "-e", f"{revision}^{{commit}}").returncode == 0:
        return revision, None
    out = git(git_dir, "log", "-1", "--format=%H %cs", "HEAD").stdout.decode().split()
    if len(out) != 2:
        raise MissingRepo(f"no commit {revision} and no HEAD in {git_dir}")
    sha, date = out
    return sha, f"pinned {revision[:12]} is not in the mirror; used its newest commit {sha[:12]} ({date})"


def make_systems(names: list[str]) -> list[System]:
    systems = [make_system(n) for n in names]
    return [Bm25Files(top=SEMBLE_K) if isinstance(s, Bm25Files) else s for s in systems]


def rankings(system: System, pred: Prediction) -> dict[str, list]:
    """The ranked results each way the system is scored: for scout its spans, and files (whole)."""
    out = {}
    if isinstance(system, Scout):
        out["spans"] = [(s.path, s.start_line, s.end_line) for s in pred.spans + pred.leads]
    out["files"] = [(f, None, None) for f in pred.files]
    return out


def run_query(system: System, ws: Workspace, outlines: Outlines, query: dict) -> dict:
    started, error = time.perf_counter(), None
    try:
        pred = system.predict(ws, query["query"], outlines)
    except Exception as exc:  # one system's failure must not cost the others their query
        log.warning("%s on %s failed: %s", system.name, query["id"], exc)
        pred, error = Prediction([], []), f"{type(exc).__name__}: {exc}"
    wall_ms = (time.perf_counter() - started) * 1000
    ranked = rankings(system, pred)
    return {
        "system": system.name,
        "ndcg": {way: semble_ndcg(results, query["targets"]) for way, results in ranked.items()},
        "results": {way: [list(r) for r in results[:KEPT_RESULTS]] for way, results in ranked.items()},
        "wall_ms": round(wall_ms, 1),
        "error": error,
    }


def run_repo(spec: dict, queries: list[dict], systems: list[System], checkouts: Checkouts, sink) -> dict:
    """Every query of one repository through every system; its records go to `sink`, its
    description (commit used, labels found in the searched folder) is returned."""
    info = {k: spec.get(k) for k in ("name", "repo", "language", "revision", "benchmark_root")}
    info["queries"] = len(queries)
    git_dir = checkouts.mirrors.get(spec["repo"])
    if git_dir is None or not git_dir.exists():
        raise MissingRepo(f"no git directory for {spec['repo']}")
    info["commit"], info["note"] = resolve_commit(git_dir, spec["revision"])
    prepared = checkouts.prepare(spec["repo"], info["commit"], spec.get("benchmark_root"))
    ws = prepared.workspace
    try:
        info["prepare_s"] = round(prepared.seconds, 1)
        info["files_indexed"] = len(ws.index.file_hashes())
        info["labels"], info["labels_found"] = labels_found(ws, spec.get("benchmark_root"), queries)
        outlines = Outlines(ws.index)
        for query in queries:
            base = {"id": query["id"], "repo": spec["name"], "category": query["category"]}
            base |= {"query": query["query"], "targets": [t[0] for t in query["targets"]]}
            for system in systems:
                sink.write(json.dumps({**base, **run_query(system, ws, outlines, query)}) + "\n")
            sink.flush()
    finally:
        ws.close()
    return info


def labels_found(ws: Workspace, subdir: str | None, queries: list[dict]) -> tuple[int, int]:
    """(distinct label files, how many of them are files inside the searched folder)."""
    labels = {t[0] for q in queries for t in q["targets"]}
    prefix = f"{subdir.strip('/')}/" if subdir else ""
    inside = [p.removeprefix(prefix) for p in labels if p.startswith(prefix)]
    return len(labels), sum((ws.repo.root / p).is_file() for p in inside)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not (args.data / "benchmarks" / "repos.json").is_file():
        log.error("no benchmarks/repos.json under %s", args.data)
        return 2
    try:
        specs = load_specs(args.data, args.repos)
    except ValueError as exc:
        log.error("%s", exc)
        return 2
    mirrors = load_mirrors(args.mirrors)
    if not mirrors:
        log.error("no repositories: give --mirrors FILE or set SCOUT_BENCH_MIRRORS")
        return 2
    names, unavailable = available_systems([s.strip() for s in args.systems.split(",") if s.strip()])
    systems = make_systems(names)
    stamp = datetime.datetime.now(datetime.UTC)
    out = args.out or ROOT / ".bench" / "runs" / f"semble-{stamp:%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    checkouts = Checkouts(args.cache or default_cache(), mirrors)
    started, load = time.perf_counter(), os.getloadavg()
    trained = trained_repos()
    repos, skipped = [], {}
    with (out / "records.jsonl").open("w", encoding="utf-8") as sink:
        for spec in specs:
            queries = load_queries(args.data, spec["name"])
            try:
                info = run_repo(spec, queries, systems, checkouts, sink)
            except MissingRepo as exc:
                log.warning("skipping %s: %s", spec["name"], exc)
                skipped[spec["name"]] = str(exc)
                continue
            info["trained_on"] = spec["repo"].lower() in trained
            repos.append(info)
            log.info(
                "%s: %d queries (%.0f s so far)", spec["name"], len(queries), time.perf_counter() - started
            )
    run = {
        "date": f"{stamp:%Y-%m-%d}",
        "systems": names,
        "unavailable": unavailable,
        "skipped": skipped,
        "machine": machine(),
        "load_avg": [round(x, 2) for x in (*load, *os.getloadavg())],
        "command": shlex.join(
            ["python", "-m", "benchmarks.semble", *(sys.argv[1:] if argv is None else argv)]
        ),
        "wall_s": round(time.perf_counter() - started, 1),
        "scout_commit": scout_commit(),
        "repos": repos,
    }
    (out / "run.json").write_text(json.dumps(run, indent=2))
    summary = semble_report.finish(out, args.data, args.results)
    print(semble_report.tables(summary))
    log.info("run directory: %s (%.1f min)", out, run["wall_s"] / 60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
