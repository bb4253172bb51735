"""One task through every system: prepare its checkout, predict, score. Runs inside worker processes.

A worker is set up once (`init_worker`: its systems, its checkout cache) and then handed tasks;
`run_task` returns one record per system, or a single `skipped` record when the repository or
commit is not available. A system that raises scores as an empty prediction, with the error kept.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from pathlib import Path

from benchmarks import metrics
from benchmarks.checkouts import Checkouts, MissingRepo
from benchmarks.definitions import Outlines
from benchmarks.systems import Prediction, System, make_system
from scout.api import Workspace

log = logging.getLogger("benchmarks.evaluate")
RECORD_FUNCTIONS = 20  # predicted functions kept in each record, enough for Acc@10 and analysis

_worker: dict = {}


def init_worker(system_names: list[str], cache: str, mirrors: dict[str, str], level: int) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname)s %(name)s: %(message)s")
    _worker["systems"] = {name: make_system(name) for name in system_names}
    _worker["checkouts"] = Checkouts(Path(cache), {r: Path(d) for r, d in mirrors.items()})


def run_task(task: dict, only: list[str] | None = None) -> list[dict]:
    base = {"id": task["id"], "repo": task["repo"], "base_commit": task["base_commit"]}
    base["language"] = task.get("language", "Python")
    try:
        prepared = _worker["checkouts"].prepare(task["repo"], task["base_commit"])
    except MissingRepo as exc:
        return [{**base, "skipped": str(exc)}]
    ws = prepared.workspace
    try:
        outlines = Outlines(ws.index)
        base["prepare_s"] = round(prepared.seconds, 3)
        base["seeded_from"] = prepared.seeded_from
        base["edit_outside_functions"] = metrics.edits_outside_functions(task.get("gold_functions"))
        systems = _worker["systems"]
        return [{**base, **score(systems[name], ws, task, outlines)} for name in (only or list(systems))]
    finally:
        ws.close()


def score(system: System, ws: Workspace, task: dict, outlines: Outlines) -> dict:
    started = time.perf_counter()
    error = None
    try:
        pred = system.predict(ws, task["query"], outlines)
    except Exception as exc:  # one system's failure must not cost the other systems their task
        log.warning("%s on %s failed: %s", system.name, task["id"], exc)
        log.debug("%s", traceback.format_exc())
        pred, error = Prediction([], []), f"{type(exc).__name__}: {exc}"
    wall_ms = (time.perf_counter() - started) * 1000
    ranked = _ranges(pred) + [(s.path, s.start_line, s.end_line) for s in pred.leads]
    functions = pred.functions if pred.functions is not None else outlines.functions_in(ranked)
    gold_fns = metrics.gold_function_set(task.get("gold_functions") or {})
    asserted = list(dict.fromkeys(s.path for s in pred.spans)) if pred.leads else None
    scores = metrics.file_scores(pred.files, task["gold_files"], asserted)
    scores.update(metrics.source_file_scores(pred.files, task["gold_files"], asserted))
    scores.update(metrics.line_scores(_ranges(pred), task["gold_ranges"]))
    scores.update(metrics.hit_scores(ranked, task["gold_ranges"]))
    scores.update(metrics.function_scores(functions, gold_fns))
    return {
        "system": system.name,
        "files": pred.files,
        "spans": [[s.path, s.start_line, s.end_line, round(s.score, 4), s.symbol] for s in pred.spans],
        "leads": [[s.path, s.start_line, s.end_line, round(s.score, 4), s.symbol] for s in pred.leads],
        "functions": [list(f) for f in functions[:RECORD_FUNCTIONS]],
        "metrics": scores,
        "span_gold": metrics.span_hits(_ranges(pred), task["gold_ranges"]),
        "gold_file_rank": _first_rank(pred.files, set(task["gold_files"])),
        "gold_function_rank": _first_rank([tuple(f) for f in functions], gold_fns),
        "cost": {
            "wall_ms": round(wall_ms, 1),
            "tokens": pred.tokens,
            "tool_calls": pred.tool_calls,
            "turns": pred.turns,
            **pred.extra,
        },
        "error": error,
    }


def _ranges(pred: Prediction) -> list[tuple[str, int, int]]:
    return [(s.path, s.start_line, s.end_line) for s in pred.spans]


def _first_rank(ranked: list, gold: set) -> int | None:
    """1-based position of the first gold item in the ranking, None when none is there."""
    return next((i for i, item in enumerate(ranked, 1) if item in gold), None)
