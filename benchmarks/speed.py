"""Speed and memory of scout on a real repository, each beside a plain `rg` pass in the same run.

    python -m benchmarks.speed --repo .demo/django-5.2.8 [--runs 3] [--explorer auto] [--write RESULTS.md]

Measures: cold index time (fresh cache dir; and again without the semantic vectors, so their cost
shows on its own), index size against the source (the whole tree, and the text the index chunks),
warm `ask` latency over 20 questions (in-process, the `scout ask` CLI end to end, and the CLI
answered by a running `scout mcp` through its socket), `scout
--version`, where a CLI ask's imports go (`python -X importtime`), incremental re-index after
editing one file, and peak RSS of the index and ask processes. Medians, and ratios against one rg
pass measured in the same run; the machine's load average is recorded at the start and the end.
Python writes bytecode caches (PYTHONDONTWRITEBYTECODE is unset for the runs), as an installed
package has them.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import write_section

QUESTIONS = [
    "where is the CSRF token checked",
    "How are password hashers chosen when checking a password?",
    "where does the ORM compile a SELECT with select_related",
    "how is the session cookie signed",
    "where are database migrations applied and recorded",
    "how does the template engine resolve variables with dots",
    "where is the request body size limit enforced",
    "how are URL patterns with converters matched",
    "where are model field validators run during full_clean",
    "how does the cache framework build keys with a version",
    "where is the admin changelist search implemented",
    "how are signals connected and dispatched",
    "where does runserver autoreload watch files",
    "how is a timezone aware datetime made from a naive one",
    "where are static files collected by collectstatic",
    "how is the Content-Security-Policy or clickjacking header set",
    "where are form errors rendered as a list",
    "how does QuerySet.bulk_create batch inserts",
    "where is the email backend SMTP connection opened",
    "how are transactions rolled back on exceptions in atomic",
]


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def timed(cmd: list[str], env: dict, cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds of one subprocess and its peak RSS in KiB (from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss


def rg_pass(repo: Path, runs: int) -> list[float]:
    from scout.index.ripgrep import rg_binary

    return [
        timed([rg_binary(), "-i", "-c", "csrf token", "."], os.environ.copy(), repo)[0] for _ in range(runs)
    ]


def cold_index(repo: Path, runs: int, semantic: bool = True) -> tuple[list[float], int]:
    times, rss = [], 0
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="scout-speed-")
        env = {**os.environ, "SCOUT_CACHE_DIR": cache, "SCOUT_SEMANTIC": "1" if semantic else "0"}
        elapsed, peak = timed([sys.executable, "-m", "scout", "index", "--repo", str(repo)], env)
        times.append(elapsed)
        rss = max(rss, peak)
        shutil.rmtree(cache)
    return times, rss


def warm_asks(
    repo: Path, cache: str, explorer: str, questions: list[str]
) -> tuple[list[float], list[float], int]:
    # The CLI first: a child's peak RSS (wait4) counts the memory of the parent it was forked from,
    # so asks started after this process has opened the index in-process would report its size.
    cli, rss = cli_asks(repo, cache, questions, explorer)
    os.environ["SCOUT_CACHE_DIR"] = cache
    from scout.api import Workspace

    ws = Workspace.open(repo)
    ws.ask(questions[0], policy=explorer)  # the first ask in a process loads the weights and vectors
    inproc = []
    for q in questions:
        start = time.perf_counter()
        ws.ask(q, policy=explorer)
        inproc.append(time.perf_counter() - start)
    return inproc, cli, rss


def cli_asks(repo: Path, cache: str, questions: list[str], explorer: str) -> tuple[list[float], int]:
    """Wall seconds of `scout ask` per question, one process each, and the peak RSS (KiB) of any."""
    env = {**os.environ, "SCOUT_CACHE_DIR": cache}
    times, rss = [], 0
    for q in questions:
        cmd = [sys.executable, "-m", "scout", "ask", q, "--repo", str(repo), "--json", "--explorer", explorer]
        elapsed, peak = timed(cmd, env)
        times.append(elapsed)
        rss = max(rss, peak)
    return times, rss


def resident_asks(repo: Path, cache: str, questions: list[str]) -> list[float]:
    """Wall seconds of `scout ask` per question while a `scout mcp` (default settings) serves the
    repository: the CLI answered through its socket (`scout.resident`; required, so a declined
    call fails the run instead of timing the in-process path)."""
    from scout.resident import socket_path

    runtime = tempfile.mkdtemp(prefix="scout-speed-run-")
    env = {**os.environ, "SCOUT_CACHE_DIR": cache, "SCOUT_RUNTIME_DIR": runtime}
    server = subprocess.Popen(
        [sys.executable, "-m", "scout", "mcp", "--repo", str(repo)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        listening = Path(socket_path(repo))
        deadline = time.monotonic() + 120
        while not listening.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        ask = [sys.executable, "-m", "scout", "ask", "--repo", str(repo), "--json"]
        env["SCOUT_RESIDENT"] = "require"
        timed([*ask, questions[0]], env)  # the server's first answer loads the weights in its workers
        return [timed([*ask, q], env)[0] for q in questions]
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)
        shutil.rmtree(runtime, ignore_errors=True)


def version_runs(runs: int) -> list[float]:
    """Wall seconds of `scout --version`, one process each."""
    return [timed([sys.executable, "-m", "scout", "--version"], os.environ.copy())[0] for _ in range(runs)]


def import_profile(repo: Path, cache: str, question: str, top: int = 8) -> tuple[float, list]:
    """`python -X importtime` of one warm `scout ask`: the total import time (ms) and the packages
    that cost most wherever they were first imported (ms, cumulative; scout's own modules left out,
    they hold the rest)."""
    env = {**os.environ, "SCOUT_CACHE_DIR": cache}
    cmd = [sys.executable, "-X", "importtime", "-m", "scout", "ask", question, "--repo", str(repo), "--json"]
    err = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False).stderr
    total, packages = 0.0, {}
    for line in err.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(fields) != 3 or not fields[1].strip().isdigit():
            continue
        name, ms = fields[2].removeprefix(" "), int(fields[1]) / 1000
        if name == name.lstrip():  # not indented: the interpreter or scout's code imported it
            total += ms
        if "." not in name.strip() and name.strip() != "scout":
            packages[name.strip()] = ms
    ranked = sorted(packages.items(), key=lambda kv: -kv[1])
    return round(total, 1), [(name, round(ms, 1)) for name, ms in ranked[:top]]


def indexed_text_mb(index: Path) -> float:
    """The bytes of the files the index chunks (its `files.chunked`), in MB."""
    import sqlite3

    conn = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        (total,) = conn.execute("SELECT COALESCE(SUM(size), 0) FROM files WHERE chunked=1").fetchone()
    finally:
        conn.close()
    return total / 2**20


def reindex_one(repo: Path, cache: str, runs: int) -> list[float]:
    from scout.api import Workspace

    ws = Workspace.open(repo)
    django = repo / "django" / "middleware" / "csrf.py"
    # elsewhere the largest Python file the index searches (one rg skips or max_file_bytes drops
    # would not be re-indexed at all)
    searched = [repo / p for p in ws.index.paths() if p.endswith(".py")]
    sized = [(p.stat().st_size, p) for p in searched if p.stat().st_size <= ws.settings.max_file_bytes]
    target = django if django.is_file() else max(sized)[1]
    original = target.read_bytes()
    times = []
    try:
        for i in range(runs):
            target.write_bytes(original + f"\n# speed benchmark edit {i}\n".encode())
            start = time.perf_counter()
            stats = ws.index.update()
            times.append(time.perf_counter() - start)
            assert stats.changed == 1, stats
    finally:
        target.write_bytes(original)
        ws.index.update()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3, help="cold index runs (the median is reported)")
    ap.add_argument(
        "--lexical-runs", type=int, help="cold index runs without semantic vectors [default: --runs; 0 skips]"
    )
    ap.add_argument("--explorer", default="auto", help="the explorer whose asks are timed")
    ap.add_argument("--questions", type=Path, help="one question per line [default: 20 about Django]")
    ap.add_argument("--write", type=Path, help="replace the speed section of this RESULTS.md")
    args = ap.parse_args()
    repo = args.repo.resolve()
    questions = args.questions.read_text().splitlines() if args.questions else QUESTIONS
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached after the first run
    load_before = os.getloadavg()
    rg = rg_pass(repo, 20)
    version = version_runs(20)
    cold, index_rss = cold_index(repo, args.runs)
    lexical_runs = args.runs if args.lexical_runs is None else args.lexical_runs
    lexical_only, _ = cold_index(repo, lexical_runs, semantic=False) if lexical_runs else ([float("nan")], 0)
    cache = tempfile.mkdtemp(prefix="scout-speed-warm-")
    subprocess.run(
        [sys.executable, "-m", "scout", "index", "--repo", str(repo)],
        check=True,
        env={**os.environ, "SCOUT_CACHE_DIR": cache},
        capture_output=True,
    )
    # the index at rest, as `scout index` leaves it: later in-process asks and re-indexes keep a
    # connection open, whose write-ahead log (transient: folded in on close) would count as well
    index_mb = sum(p.stat().st_size for p in (Path(cache) / "index").glob("*.sqlite*")) / 2**20
    text_mb = indexed_text_mb(next((Path(cache) / "index").glob("*.sqlite")))
    inproc, cli, ask_rss = warm_asks(repo, cache, args.explorer, questions)
    resident = resident_asks(repo, cache, questions)
    imports_ms, heaviest = import_profile(repo, cache, questions[0])
    reindex = reindex_one(repo, cache, 5)
    shutil.rmtree(cache)
    result = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "explorer": args.explorer,
        "questions": len(questions),
        "files": sum(1 for _ in repo.rglob("*") if _.is_file()),
        "source_mb": round(sum(p.stat().st_size for p in repo.rglob("*") if p.is_file()) / 2**20, 1),
        "index_mb": round(index_mb, 1),
        "indexed_text_mb": round(text_mb, 1),
        "load": f"{load_before[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end (1-minute average)",
        "cold_index_lexical_only_s": round(statistics.median(lexical_only), 2),
        "rg_pass_ms": median_ms(rg),
        "cold_index_s": round(statistics.median(cold), 2),
        "index_peak_rss_mb": round(index_rss / 1024),
        "warm_ask_inprocess_p50_ms": median_ms(inproc),
        "warm_ask_cli_p50_ms": median_ms(cli),
        "warm_ask_cli_p95_ms": round(sorted(cli)[int(0.95 * (len(cli) - 1))] * 1000, 1),
        "resident_ask_cli_p50_ms": median_ms(resident),
        "resident_ask_cli_p95_ms": round(sorted(resident)[int(0.95 * (len(resident) - 1))] * 1000, 1),
        "ask_peak_rss_mb": round(ask_rss / 1024),
        "reindex_one_file_ms": median_ms(reindex),
        "version_p50_ms": median_ms(version),
        "cli_imports_ms": imports_ms,
        "cli_heaviest_imports_ms": heaviest,
    }
    print(json.dumps(result, indent=2))
    if args.write:
        write_section(args.write, render(result, repo.name), f"speed-{repo.name}")


# Issue 21's targets: for a repository of Django's size, and for a monorepo (a tree of 50,000 files
# or more); "" where it set none.
TARGETS = {
    "repository": {
        "cold": "",
        "inproc": "≤ 150 ms",
        "cli": "≤ 300 ms",
        "resident": "≤ 120 ms",
        "reindex": "≤ 500 ms",
        "rss": "≤ 600 MB (ask)",
    },
    "monorepo": {
        "cold": "≤ 5 min",
        "inproc": "",
        "cli": "≤ 1 s",
        "resident": "",
        "reindex": "≤ 500 ms",
        "rss": "≤ 2 GB / ≤ 600 MB",
    },
}
MONOREPO_FILES = 50_000


def render(r: dict, name: str) -> str:
    rg = r["rg_pass_ms"]
    target = TARGETS["monorepo" if r["files"] >= MONOREPO_FILES else "repository"]
    lexical = r["cold_index_lexical_only_s"]
    lexical = "not run" if lexical != lexical else f"{lexical} s"  # NaN: --lexical-runs 0
    rows = [
        (
            "cold index (median of runs, fresh cache)",
            f"{r['cold_index_s']} s ({lexical} without semantic vectors)",
            target["cold"],
            f"{r['cold_index_s'] * 1000 / rg:.0f}×",
        ),
        (
            "index size / source size; / the text it chunks",
            f"{r['index_mb']} MB / {r['source_mb']} MB ({r['index_mb'] / max(r['source_mb'], 0.1):.2f}×); "
            f"/ {r['indexed_text_mb']} MB ({r['index_mb'] / max(r['indexed_text_mb'], 0.1):.2f}×)",
            "≤ 0.8×",
            "",
        ),
        (
            f"warm ask ({r['explorer']} explorer), in-process p50 ({r['questions']} questions)",
            f"{r['warm_ask_inprocess_p50_ms']} ms",
            target["inproc"],
            f"{r['warm_ask_inprocess_p50_ms'] / rg:.1f}×",
        ),
        (
            "warm `scout ask` CLI p50 / p95 (process start included)",
            f"{r['warm_ask_cli_p50_ms']} / {r['warm_ask_cli_p95_ms']} ms",
            target["cli"],
            f"{r['warm_ask_cli_p50_ms'] / rg:.1f}×",
        ),
        (
            "warm `scout ask` CLI p50 / p95 through a running `scout mcp` (its socket)",
            f"{r['resident_ask_cli_p50_ms']} / {r['resident_ask_cli_p95_ms']} ms",
            target["resident"],
            f"{r['resident_ask_cli_p50_ms'] / rg:.1f}×",
        ),
        (
            "`scout --version` p50 (20 runs)",
            f"{r['version_p50_ms']} ms",
            "≤ 80 ms",
            f"{r['version_p50_ms'] / rg:.1f}×",
        ),
        (
            "re-index after editing one file (median of 5)",
            f"{r['reindex_one_file_ms']} ms",
            target["reindex"],
            f"{r['reindex_one_file_ms'] / rg:.1f}×",
        ),
        (
            "peak RSS, `scout index` / `scout ask`",
            f"{r['index_peak_rss_mb']} / {r['ask_peak_rss_mb']} MB",
            target["rss"],
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)
    heaviest = ", ".join(f"{name} {ms:.0f}" for name, ms in r["cli_heaviest_imports_ms"])
    return f"""## Speed: {name}, {r["explorer"]} explorer ({r["date"]})

Machine: {r["machine"]}; load {r["load"]}. Command: `python -m benchmarks.speed --repo {name}
--explorer {r["explorer"]} --write benchmarks/RESULTS.md`; {r["files"]:,} files.
One plain `rg -i -c "csrf token"` pass over the same tree, median of 20: **{rg} ms**.

| measure | result | target | vs rg pass |
|---|---|---|---|
{table}

Imports of one warm `scout ask` (`python -X importtime`): {r["cli_imports_ms"]:.0f} ms in all; the
heaviest packages (ms, cumulative): {heaviest}.
"""


if __name__ == "__main__":
    main()
