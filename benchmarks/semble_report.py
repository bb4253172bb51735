"""Summary and RESULTS.md section of a `benchmarks.semble` run, beside semble's published figures.

Means follow semble's reports: a repository's NDCG@10 is the mean over its queries, a category's
figure the mean over repositories of each repository's mean for that category.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.metrics import mean
from benchmarks.report import portable, read_records, write_section

SECTION = "semble"
# published/<prefix>-<semble commit>.subset.json: what each file holds
PUBLISHED_NAMES = {
    "semble-hybrid": "semble",
    "bm25-raw": "chunk BM25",
    "cre-semantic": "CodeRankEmbed",
    "cre-hybrid": "CodeRankEmbed hybrid",
}
# From ../shared/bench/semble/PROVENANCE.md: for these repositories the stored annotation file
# cannot be the version behind semble's published figures (†), or it is undecided (?).
LABELS_NOT_PUBLISHED = frozenset("bash-it cobra ecto express ktor phoenix tokio".split())
LABELS_UNDECIDED = frozenset("model2vec zod".split())


def variant_names(records: list[dict]) -> list[str]:
    """`system/way` for every way each system was scored, in the order first seen."""
    return list(dict.fromkeys(f"{r['system']}/{way}" for r in records for way in r["ndcg"]))


def scores(records: list[dict], variant: str) -> list[dict]:
    """(repo, category, ndcg) of each query scored as `variant`."""
    system, way = variant.rsplit("/", 1)
    rows = [r for r in records if r["system"] == system and way in r["ndcg"]]
    return [{"repo": r["repo"], "category": r["category"], "ndcg": r["ndcg"][way]} for r in rows]


def by_repo(rows: list[dict]) -> dict[str, float]:
    repos = dict.fromkeys(r["repo"] for r in rows)
    return {repo: mean([r["ndcg"] for r in rows if r["repo"] == repo]) for repo in repos}


def by_category(rows: list[dict], repos: list[str]) -> dict[str, float]:
    """Each category's mean over `repos` of the repository's mean for it (semble's way)."""
    out = {}
    for cat in sorted({r["category"] for r in rows}):
        per_repo = by_repo([r for r in rows if r["category"] == cat and r["repo"] in repos])
        out[cat] = mean(list(per_repo.values()))
    return out


def load_published(data: Path) -> dict[str, dict[str, dict]]:
    """{label: {repo: its published row}} from published/*.subset.json."""
    out = {}
    for path in sorted((data / "published").glob("*.subset.json")):
        prefix = path.name.removesuffix(".subset.json").rsplit("-", 1)[0]
        rows = json.loads(path.read_text(encoding="utf-8")).get("repos", [])
        out[PUBLISHED_NAMES.get(prefix, prefix)] = {row["repo"]: row for row in rows}
    order = list(PUBLISHED_NAMES.values())
    return dict(
        sorted(out.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    )


def published_categories(rows: dict[str, dict], repos: list[str]) -> dict[str, float]:
    """semble's published per-category figure, averaged over `repos` (those that have the category)."""
    cats: dict[str, list[float]] = {}
    for name in repos:
        for cat, value in rows.get(name, {}).get("by_category", {}).items():
            cats.setdefault(cat, []).append(value)
    return {cat: mean(values) for cat, values in sorted(cats.items())}


def summarise(records: list[dict], run: dict, published: dict[str, dict[str, dict]]) -> dict:
    # A repository whose searched folder holds none of its label files (a fallback commit from
    # before a move) scores 0 for every system: it is shown but left out of the means.
    scorable = [r for r in run.get("repos", []) if r.get("labels_found")]
    repos = [r["name"] for r in scorable]
    held_out = [r["name"] for r in scorable if not r.get("trained_on")]
    variants = variant_names(records)
    rows = {v: scores(records, v) for v in variants}
    per_repo = {v: by_repo(rows[v]) for v in variants}
    scopes = {"held_out": held_out, "all": repos}
    means = {
        scope: {
            "repos": len(names),
            **{v: mean([per_repo[v].get(n, 0.0) for n in names]) for v in variants},
            **{p: mean([pub[n]["ndcg10"] for n in names if n in pub]) for p, pub in published.items()},
        }
        for scope, names in scopes.items()
    }
    categories = {v: by_category(rows[v], held_out) for v in variants}
    categories["semble"] = published_categories(published.get("semble", {}), held_out)
    counts = {
        cat: {
            "repos": len({r["repo"] for r in records if r["category"] == cat and r["repo"] in held_out}),
            "queries": len({r["id"] for r in records if r["category"] == cat and r["repo"] in held_out}),
        }
        for cat in sorted({r["category"] for r in records})
    }
    pub_repo = {p: {n: pub[n]["ndcg10"] for n in repos if n in pub} for p, pub in published.items()}
    return {
        "run": run,
        "variants": variants,
        "means": means,
        "by_repo": per_repo,
        "published_by_repo": pub_repo,
        "by_category": categories,
        "category_counts": counts,
    }


def label(variant: str) -> str:
    system, way = variant.rsplit("/", 1)
    return f"{system} {way}" if system.startswith("scout-") else system


def cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def tables(summary: dict) -> str:
    variants, published = summary["variants"], list(summary["published_by_repo"])
    head = ["", "repos", *map(label, variants), *(f"{p} (published)" for p in published)]
    lines = ["### Mean NDCG@10", "", row(head), row(["---"] * len(head))]
    for scope, title in (("held_out", "in no scout training list"), ("all", "all with labels in reach")):
        m = summary["means"][scope]
        lines.append(row([title, str(m["repos"]), *(cell(m.get(k)) for k in variants + published)]))
    lines += ["", "### By category (repositories in no training list)", ""]
    head = ["category", "repos", "queries", *map(label, variants), "semble (published)"]
    lines += [row(head), row(["---"] * len(head))]
    cats = summary["by_category"]
    for cat, n in summary["category_counts"].items():
        values = [cats[v].get(cat) for v in variants] + [cats.get("semble", {}).get(cat)]
        lines.append(row([cat, str(n["repos"]), str(n["queries"]), *map(cell, values)]))
    return "\n".join(lines + ["", repo_table(summary)])


def repo_table(summary: dict) -> str:
    variants, published = summary["variants"], list(summary["published_by_repo"])
    head = ["repository", "language", "queries", "commit", "labels in folder", *map(label, variants)]
    head += [f"{p} (published)" for p in published]
    lines = ["### By repository", "", row(head), row(["---"] * len(head))]
    for info in summary["run"].get("repos", []):
        name = info["name"]
        mark = "†" if name in LABELS_NOT_PUBLISHED else "?" if name in LABELS_UNDECIDED else ""
        mark += " (trained on)" if info.get("trained_on") else ""
        commit = info["commit"][:12] + ("*" if info.get("note") else "")
        found = f"{info['labels_found']}/{info['labels']}"
        values = [summary["by_repo"][v].get(name) for v in variants]
        values += [summary["published_by_repo"][p].get(name) for p in published]
        lines.append(
            row([name + mark, info["language"], str(info["queries"]), commit, found, *map(cell, values)])
        )
    return "\n".join(lines)


def row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def section(summary: dict) -> str:
    run = summary["run"]
    load = run.get("load_avg", [])
    notes = [f"- {r['name']}: {r['note']}" for r in run.get("repos", []) if r.get("note")]
    notes += [
        f"- {r['name']}: none of its {r['labels']} label files is in the searched folder; not in the means"
        for r in run.get("repos", [])
        if not r.get("labels_found")
    ]
    notes += [f"- {name}: not run ({why})" for name, why in run.get("skipped", {}).items()]
    notes += [f"- system {name} unavailable: {why}" for name, why in run.get("unavailable", {}).items()]
    return "\n".join(
        [
            f"## {run.get('date', '?')}: semble's benchmark",
            "",
            f"Machine: {run.get('machine', '?')}; load average {' '.join(map(str, load[:3]))} at the start,"
            f" {' '.join(map(str, load[3:]))} at the end. Command: `{portable(run.get('command', '?'))}`"
            f" (wall time {run.get('wall_s', 0) / 60:.1f} min, scout {run.get('scout_commit', '?')}).",
            "",
            "NDCG@10 by semble's rule (benchmarks/README.md), over each repository's `benchmark_root` only."
            " Labels: the annotation files of ../shared/bench/semble (source commit of each in its"
            " PROVENANCE.md); † marks a repository whose stored labels cannot be those behind semble's"
            " published figures, ? one where that is undecided. * marks a commit other than the pinned"
            " one (notes below). Published figures are semble's own runs, averaged here over the same"
            " repositories.",
            "",
            tables(summary),
            "",
            *(notes or ["- every repository at its pinned revision"]),
        ]
    )


def finish(run_dir: Path, data: Path, results: Path | None = None) -> dict:
    """Write summary.json and summary.md of a run; optionally its RESULTS.md section."""
    run = json.loads((run_dir / "run.json").read_text())
    summary = summarise(read_records(run_dir / "records.jsonl"), run, load_published(data))
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    (run_dir / "summary.md").write_text(section(summary))
    if results:
        write_section(results, section(summary), SECTION)
    return summary
