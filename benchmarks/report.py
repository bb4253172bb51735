"""From per-task records to a summary: averages per system, Markdown tables, the quality/latency plot.

    python -m benchmarks.report RUN_DIR [--plot PNG] [--results benchmarks/RESULTS.md]

re-summarises a finished (or interrupted) run from its `records.jsonl` and `run.json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
from collections import Counter, defaultdict
from pathlib import Path

from benchmarks import metrics

log = logging.getLogger("benchmarks.report")

QUALITY = [
    ("file_p", "file P"),
    ("file_r", "file R"),
    ("file_f1", "file F1"),
    ("line_p", "line P"),
    ("line_r", "line R"),
    ("line_f1", "line F1"),
    ("line_f0.5", "line F0.5"),
    ("file_acc@1", "file Acc@1"),
    ("file_acc@3", "file Acc@3"),
    ("file_acc@5", "file Acc@5"),
    ("fn_acc@5", "fn Acc@5"),
    ("fn_acc@10", "fn Acc@10"),
    ("hit@1", "hit@1"),
    ("hit@5", "hit@5"),
]
FUNCTION_KEYS = ("fn_acc@5", "fn_acc@10")


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def summarise(records: list[dict]) -> dict:
    """Per-system means (function metrics over tasks with gold functions), cost percentiles,
    and per-repository file Acc@5 / line F1; skipped tasks counted per repository."""
    skipped = {r["id"]: r["repo"] for r in records if "skipped" in r}
    by_system: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        if "skipped" not in r:
            by_system[r["system"]].append(r)
    return {
        "tasks": len({r["id"] for r in records}),
        "skipped": dict(Counter(skipped.values())),
        "systems": {name: summarise_system(rs) for name, rs in by_system.items()},
    }


def summarise_system(records: list[dict]) -> dict:
    out: dict = {"tasks": len(records), "errors": sum(1 for r in records if r.get("error"))}
    for key, _ in QUALITY:
        out[key] = _mean_of(records, key)
    out["fn_tasks"] = sum(1 for r in records if "fn_acc@5" in r["metrics"])
    out["edit_outside_functions"] = sum(1 for r in records if r.get("edit_outside_functions"))
    for r in records:
        r["cost"].setdefault("answer_tokens", r["cost"]["tokens"])  # a system without tiers asserts all
    for key in ("wall_ms", "tokens", "answer_tokens", "tool_calls", "turns"):
        values = [float(r["cost"][key]) for r in records]
        out[key] = {
            "p50": metrics.percentile(values, 50),
            "p95": metrics.percentile(values, 95),
            "mean": metrics.mean(values),
        }
    for key in SOURCE_KEYS:
        out[key] = _mean_of(records, key)
    out["src_tasks"] = sum(1 for r in records if "src_file_acc@5" in r["metrics"])
    out["by_language"] = _by(records, "language")
    out["reliability"] = reliability(records)
    out["calibration"] = calibration(records)
    repos: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        repos[r["repo"]].append(r)
    out["by_repo"] = {
        repo: {
            "tasks": len(rs),
            "file_acc@5": _mean_of(rs, "file_acc@5"),
            "line_f1": _mean_of(rs, "line_f1"),
        }
        for repo, rs in sorted(repos.items())
    }
    return out


SOURCE_KEYS = ("src_file_f1", "src_file_acc@5")
BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def _by(records: list[dict], field: str) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        groups[r.get(field) or "?"].append(r)
    keys = ("file_acc@5", "file_f1", "src_file_acc@5")
    return {
        k: {"tasks": len(rs), **{key: _mean_of(rs, key) for key in keys}} for k, rs in sorted(groups.items())
    }


def reliability(records: list[dict]) -> list[dict]:
    """Answer spans binned by their confidence: how many, and how often they touch gold lines."""
    pairs = []
    for r in records:
        confidences = r["cost"].get("confidence")
        if confidences:  # only scout's explorers record one (or None) per answer span
            pairs += [(c, hit) for c, hit in zip(confidences, r["span_gold"], strict=True) if c is not None]
    out = []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        inside = [hit for c, hit in pairs if lo <= c < hi]
        out.append(
            {"bin": f"{lo:.1f}-{min(hi, 1.0):.1f}", "spans": len(inside), "gold": metrics.mean(inside)}
        )
    return out


def calibration(records: list[dict], bins: int = 10) -> dict:
    """Expected calibration error of the answer spans over `bins` equal bins (each bin's mean
    confidence against its share touching gold lines), and how often the first answer is sure
    (confidence >= 0.8) and then in a gold file (any of them: a fix that edits two files has
    two); under `files`, the same of the first answer's file confidence against its file being
    gold, when the explorer gives one."""
    pairs, firsts, files = [], [], []
    for r in records:
        confidences = r["cost"].get("confidence") or []
        hits = r.get("span_gold", [])
        pairs += [(c, hit) for c, hit in zip(confidences, hits, strict=False) if c is not None]
        in_file = float(r.get("gold_file_rank") == 1)  # the first file is one the fix edits
        if confidences and confidences[0] is not None:
            firsts.append((confidences[0], in_file))
        file_confidences = r["cost"].get("file_confidence") or []
        if file_confidences and file_confidences[0] is not None:
            files.append((file_confidences[0], in_file))
    out = {"spans": len(pairs), "ece": round(_ece(pairs, bins), 4), "first_answers": len(firsts)}
    out.update(_sure(firsts))
    if files:
        out["files"] = {"first_answers": len(files), "ece": round(_ece(files, bins), 4), **_sure(files)}
    return out


def _ece(pairs: list[tuple[float, float]], bins: int) -> float:
    ece = 0.0
    for b in range(bins):
        inside = [(c, h) for c, h in pairs if b / bins <= c < (b + 1) / bins or (b == bins - 1 and c == 1.0)]
        if inside:
            gap = metrics.mean([c for c, _ in inside]) - metrics.mean([float(h) for _, h in inside])
            ece += len(inside) / len(pairs) * abs(gap)
    return ece


def _sure(firsts: list[tuple[float, float]]) -> dict:
    sure = [hit for c, hit in firsts if c >= 0.8]
    return {
        "sure_share": round(len(sure) / len(firsts), 4) if firsts else 0.0,
        "sure_in_gold_file": round(metrics.mean(sure), 4) if sure else None,
    }


def _mean_of(records: list[dict], key: str) -> float:
    """Mean of one metric over the records that have it (function metrics: tasks with gold functions)."""
    return metrics.mean([r["metrics"][key] for r in records if key in r["metrics"]])


def tables(summary: dict) -> str:
    """Two Markdown tables: quality (percent) and cost."""
    systems = summary["systems"]
    head = "| system | tasks | " + " | ".join(label for _, label in QUALITY) + " |"
    rows = [head, "|" + "---|" * (len(QUALITY) + 2)]
    for name, s in systems.items():
        cells = [_percent(s, key) for key, _ in QUALITY]
        rows.append(f"| {name} | {s['tasks']} | " + " | ".join(cells) + " |")
    cost = [
        "| system | answer tokens p50 | p95 | bundle tokens p50 | p95 | tool calls (mean) | turns (mean) "
        "| wall ms p50 | p95 | errs |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in systems.items():
        cost.append(
            f"| {name} | {s['answer_tokens']['p50']:.0f} | {s['answer_tokens']['p95']:.0f}"
            f" | {s['tokens']['p50']:.0f} | {s['tokens']['p95']:.0f} | {s['tool_calls']['mean']:.1f}"
            f" | {s['turns']['mean']:.1f} | {s['wall_ms']['p50']:.0f} | {s['wall_ms']['p95']:.0f}"
            f" | {s['errors']} |"
        )
    fn_tasks = {s["fn_tasks"] for s in systems.values()}
    outside = {s["edit_outside_functions"] for s in systems.values()}
    note = (
        "This set has no gold functions: function Acc@k is not scored."
        if fn_tasks == {0}
        else (
            f"Function Acc@k over the {'/'.join(map(str, sorted(fn_tasks)))} tasks with gold functions; "
            f"{'/'.join(map(str, sorted(outside)))} tasks edit lines outside any function or class (gold"
            " `<module>`), scored on the functions they do touch."
        )
    )
    skipped = ", ".join(f"{repo} {n}" for repo, n in sorted(summary["skipped"].items())) or "none"
    extra = "\n".join(part for part in (_languages(systems), _source(systems), _reliability(systems)) if part)
    return "\n".join(rows) + "\n\n" + "\n".join(cost) + f"\n\n{note} Skipped tasks: {skipped}.\n" + extra


def _percent(s: dict, key: str) -> str:
    if key.startswith("fn_") and not s["fn_tasks"]:
        return "-"  # no gold functions in the set (SWE-bench Multilingual has none)
    return f"{100 * s[key]:.1f}"


def _languages(systems: dict) -> str:
    """File Acc@5 per language, when the tasks span several."""
    langs = sorted({lang for s in systems.values() for lang in s.get("by_language", {})})
    if len(langs) < 2:
        return ""
    rows = ["", "File Acc@5 by language (tasks):", "", "| system | " + " | ".join(langs) + " |"]
    rows.append("|" + "---|" * (len(langs) + 1))
    for name, s in systems.items():
        by = s["by_language"]
        cells = [f"{100 * by[x]['file_acc@5']:.1f} ({by[x]['tasks']})" if x in by else "-" for x in langs]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _source(systems: dict) -> str:
    """Scores on the source gold files only, when some tasks' gold includes docs or changelogs."""
    if all(s.get("src_tasks", 0) in (0, s["tasks"]) for s in systems.values()) and not any(
        abs(s.get("src_file_acc@5", 0) - s["file_acc@5"]) > 1e-9 for s in systems.values()
    ):
        return ""
    rows = ["", "On source gold files only (docs and changelogs edited with a fix left out):", ""]
    rows += ["| system | tasks | file F1 | file Acc@5 |", "|---|---|---|---|"]
    for name, s in systems.items():
        rows.append(
            f"| {name} | {s['src_tasks']} | {100 * s['src_file_f1']:.1f} | {100 * s['src_file_acc@5']:.1f} |"
        )
    return "\n".join(rows) + "\n"


def _reliability(systems: dict) -> str:
    """Confidence bins against how often an answer span touches gold lines (calibrated explorers)."""
    parts = []
    for name, s in systems.items():
        bins = [b for b in s.get("reliability", []) if b["spans"]]
        if not bins:
            continue
        parts += [
            "",
            f"Reliability of {name}'s answer spans (per confidence bin: spans, share touching gold lines):",
            "",
            "| confidence | " + " | ".join(b["bin"] for b in bins) + " |",
            "|" + "---|" * (len(bins) + 1),
            "| spans | " + " | ".join(str(b["spans"]) for b in bins) + " |",
            "| gold | " + " | ".join(f"{100 * b['gold']:.0f}%" for b in bins) + " |",
        ]
        cal = s.get("calibration")
        if cal and cal["spans"]:
            share = cal["sure_in_gold_file"]
            sure = "" if share is None else f", {100 * share:.0f}% of them"
            parts += [
                "",
                f"Expected calibration error over ten bins: {cal['ece']:.3f} ({cal['spans']} spans). First "
                f"answers at confidence >= 0.8: {100 * cal['sure_share']:.1f}% of {cal['first_answers']}"
                f"{sure} in a gold file.",
            ]
            if cal.get("files"):
                f = cal["files"]
                right = f["sure_in_gold_file"]
                right = "" if right is None else f", {100 * right:.0f}% of them right"
                parts.append(
                    f"The first answer's file confidence against its file being gold: expected calibration "
                    f"error {f['ece']:.3f} over ten bins; at >= 0.8 for {100 * f['sure_share']:.1f}% of "
                    f"{f['first_answers']}{right}."
                )
    return "\n".join(parts) + ("\n" if parts else "")


def draw(summary: dict, path: Path) -> bool:
    """Quality (file Acc@5, line F1) against median latency per system; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed (pip install -e '.[bench]'); no plot written")
        return False
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for ax, (key, label) in zip(
        axes, [("file_acc@5", "file Acc@5 (%)"), ("line_f1", "line F1 (%)")], strict=True
    ):
        for name, s in summary["systems"].items():
            x, y = max(s["wall_ms"]["p50"], 0.1), 100 * s[key]
            ax.scatter([x], [y], s=40)
            ax.annotate(name, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=9)
        ax.set_xscale("log")
        xs = [max(s["wall_ms"]["p50"], 0.1) for s in summary["systems"].values()] or [1.0]
        ax.set_xlim(min(xs) / 1.5, max(xs) * 2.5)  # room for the labels right of the points
        ax.margins(y=0.12)
        ax.set_xlabel("median wall time per task (ms, log scale)")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    fig.suptitle("quality against latency, per system (higher and further left is better)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


PUBLISHED = """Published figures, for reference only (**published, different hardware**, and for the
FastContext and SWE-grep rows a different task set):

| system (published, different hardware) | task set | file Acc@5 | fn Acc@10 | other |
|---|---|---|---|---|
| BM25 | SWE-bench Lite | 61.7 | 36.9 | |
| CodeRankEmbed | SWE-bench Lite | 84.7 | 58.8 | |
| LocAgent | SWE-bench Lite | 94.2 | 77.4 | |
| FastContext-4B-RL | SWE-bench Verified | | | file F1 71.5 |
| SWE-grep | (its own set) | | | line F0.5 0.44 (= 44.0 here) |
"""


def portable(command: str) -> str:
    """The command without this machine's paths: those in the checkout or in ../shared relative to
    it, other absolute paths (mirrors, cache, run directory) as their file name only."""
    root = Path(__file__).resolve().parent.parent
    out = []
    for arg in shlex.split(command):
        if os.path.isabs(arg):
            known = any(Path(arg).is_relative_to(p) for p in (root, root.parent / "shared"))
            arg = os.path.relpath(arg, root) if known else Path(arg).name
        out.append(arg)
    return shlex.join(out)


def results_section(summary: dict, run: dict, plot_name: str | None) -> str:
    """The dated block of RESULTS.md for one run: setting, tables, published figures, plot."""
    sample = f" ({run.get('tasks')} of its tasks, chosen by --ids/--limit)" if _subset(run) else ""
    lines = [
        f"## {run.get('date', '?')}: {run.get('tasks_file', '?')}{sample}",
        "",
        f"Machine: {run.get('machine', '?')}. Command: `{portable(run.get('command', '?'))}` "
        f"(wall time {run.get('wall_s', 0) / 60:.1f} min, scout {run.get('scout_commit', '?')}).",
        "",
        tables(summary),
    ]
    if "lite" in str(run.get("tasks_file", "")):
        lines.append(PUBLISHED)  # the published figures are for SWE-bench Lite
    if plot_name:
        lines.append(f"![quality against latency]({plot_name})\n")
    return "\n".join(lines)


def _subset(run: dict) -> bool:
    command = run.get("command", "")
    return bool(run.get("subset")) or " --ids " in command or " --limit " in command


def write_section(path: Path, section: str, name: str = "quality") -> None:
    """Replace this harness's marked section of RESULTS.md, keeping everything else in the file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{section.strip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--plot", type=Path, help="also write the quality/latency PNG here")
    ap.add_argument("--results", type=Path, help="replace this run's section of a RESULTS.md")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    summary = finish(args.run_dir, args.plot, args.results)
    print(tables(summary))


def finish(
    run_dir: Path, plot_path: Path | None = None, results: Path | None = None, plot: bool = True
) -> dict:
    """Write summary.json, summary.md and the plot of a run; optionally its RESULTS.md section."""
    summary = summarise(read_records(run_dir / "records.jsonl"))
    run_file = run_dir / "run.json"
    run = json.loads(run_file.read_text()) if run_file.exists() else {}
    summary["run"] = run
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    (run_dir / "summary.md").write_text(tables(summary))
    plotted = plot and draw(summary, run_dir / "quality_latency.png")
    if plotted and plot_path:
        plot_path.write_bytes((run_dir / "quality_latency.png").read_bytes())
    if results:
        name = plot_path.name if plotted and plot_path and plot_path.parent == results.parent else None
        stem = Path(str(run.get("tasks_file", "tasks"))).stem
        if _subset(run):
            stem += f"-{run.get('tasks')}-tasks"  # a sample never replaces the whole set's section
        write_section(results, results_section(summary, run, name), f"quality-{stem}")
    return summary


if __name__ == "__main__":
    main()
