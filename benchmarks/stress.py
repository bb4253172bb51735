"""Many scout processes on one repository while its files change, and `kill -9` during indexing.

    python -m benchmarks.stress --repo .demo/django-5.2.8 --workers 6 --minutes 3 --kills 50

Part 1 copies the repository to a scratch directory and runs, for `--minutes`, `--workers`
processes that loop over `scout index`, `scout ask` (heuristic and default explorers) and an MCP
client calling `find_context` on one `scout mcp` server, while a mutator rewrites, adds and
deletes files. Every call must succeed (exit 0/1, never 2, no "corrupt", no traceback). At the end
the tree is left as it is, every question is asked once more by a single process on a fresh index,
and the answers must equal those of the shared index: nothing lost or stale.

Part 2 starts `scout index` on a cold copy `--kills` times and kills it with SIGKILL after a random
delay; after each kill a `scout ask` must answer, and after a final `scout index` the index must
list exactly the files on disk with their current hashes.

Results go to stdout as JSON and, with `--write`, into RESULTS.md's stress section.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

QUESTIONS = [
    "where is the CSRF token checked",
    "how are password hashers chosen when checking a password",
    "where are database migrations applied",
    "how is a template variable resolved",
]


def scout(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scout", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)  # fmt: skip


def bad(result: subprocess.CompletedProcess) -> str | None:
    """Why a call counts as failed, or None."""
    text = result.stderr
    if result.returncode not in (0, 1):
        return f"exit {result.returncode}: {text.strip()[-300:]}"
    for marker in ("corrupt", "Traceback", "internal error", "IntegrityError"):
        if marker in text:
            return f"{marker}: {text.strip()[-300:]}"
    return None


class Mutator(threading.Thread):
    """Rewrites, adds and removes Python files under the scratch tree until stopped."""

    def __init__(self, root: Path, seed: int = 0) -> None:
        super().__init__(daemon=True)
        self.root, self.rng, self.stop = root, random.Random(seed), threading.Event()
        self.files = sorted(p for p in root.rglob("*.py") if p.stat().st_size < 20_000)[:2000]
        self.changes = 0

    def run(self) -> None:
        added: list[Path] = []
        while not self.stop.is_set():
            roll = self.rng.random()
            if roll < 0.6:
                path = self.rng.choice(self.files)
                path.write_text(
                    path.read_text(encoding="utf-8", errors="replace") + f"\n# touched {self.changes}\n"
                )
            elif roll < 0.85 or not added:
                path = self.root / "stress_added" / f"mod_{self.changes}.py"
                path.parent.mkdir(exist_ok=True)
                path.write_text(
                    f"def stress_function_{self.changes}(value):\n    return value + {self.changes}\n"
                )
                added.append(path)
            else:
                added.pop(self.rng.randrange(len(added))).unlink(missing_ok=True)
            self.changes += 1
            time.sleep(0.05)


def worker(kind: str, root: Path, env: dict, deadline: float, out: list, rng: random.Random) -> None:
    while time.monotonic() < deadline:
        question = rng.choice(QUESTIONS)
        args = {
            "index": ["index", "--repo", str(root)],
            "ask-heuristic": ["ask", question, "--repo", str(root), "--json", "--explorer", "heuristic"],
            "ask": ["ask", question, "--repo", str(root), "--json"],
        }[kind]
        started = time.monotonic()
        result = scout(args, env)
        out.append({"kind": kind, "seconds": time.monotonic() - started, "error": bad(result)})


def mcp_worker(root: Path, env: dict, deadline: float, out: list, rng: random.Random) -> None:
    import anyio
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    async def run() -> None:
        argv = ["-m", "scout", "mcp", "--repo", str(root)]
        params = StdioServerParameters(command=sys.executable, args=argv, env=env)
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    result = await session.call_tool("find_context", {"query": rng.choice(QUESTIONS)})
                    error = (
                        result.content[0].text
                        if result.is_error and "no evidence" not in result.content[0].text
                        else None
                    )
                except Exception as exc:  # a transport failure is a failed call too
                    error = f"{type(exc).__name__}: {exc}"
                out.append({"kind": "mcp", "seconds": time.monotonic() - started, "error": error})

    anyio.run(run)


def shared_run(source: Path, workers: int, minutes: float, scratch: Path) -> dict:
    root = scratch / "tree"
    shutil.copytree(source, root)
    env = os.environ | {"SCOUT_CACHE_DIR": str(scratch / "cache")}
    assert scout(["index", "--repo", str(root)], env, timeout=1800).returncode == 0
    mutator = Mutator(root)
    mutator.start()
    deadline = time.monotonic() + minutes * 60
    calls: list[dict] = []
    kinds = ["index", "ask-heuristic", "ask", "mcp"]
    threads = []
    for i in range(workers):
        kind, rng = kinds[i % len(kinds)], random.Random(i)
        target = mcp_worker if kind == "mcp" else worker
        args = (root, env, deadline, calls, rng) if kind == "mcp" else (kind, root, env, deadline, calls, rng)
        threads.append(threading.Thread(target=target, args=args))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mutator.stop.set()
    mutator.join()
    scout(["index", "--repo", str(root)], env)
    fresh_env = os.environ | {"SCOUT_CACHE_DIR": str(scratch / "fresh-cache")}
    mismatched = []
    for q in QUESTIONS:
        shared = json.loads(scout(["ask", q, "--repo", str(root), "--json"], env).stdout or "{}")
        fresh = json.loads(scout(["ask", q, "--repo", str(root), "--json"], fresh_env, 1800).stdout or "{}")
        if _spans(shared) != _spans(fresh):
            mismatched.append(q)
    failed = [c for c in calls if c["error"]]
    return {
        "workers": workers,
        "minutes": minutes,
        "calls": len(calls),
        "by_kind": {k: sum(c["kind"] == k for c in calls) for k in kinds},
        "failed": len(failed),
        "failures": [c["error"] for c in failed[:5]],
        "file_changes": mutator.changes,
        "answers_compared": len(QUESTIONS),
        "answers_different_from_a_fresh_index": mismatched,
    }


def _spans(bundle: dict) -> list:
    return [
        (s["path"], s["start_line"], s["end_line"])
        for s in bundle.get("answer", []) + bundle.get("leads", [])
    ]


def kill_run(source: Path, kills: int, scratch: Path, seed: int = 0) -> dict:
    rng = random.Random(seed)
    root = scratch / "killed"
    shutil.copytree(source, root)
    env = os.environ | {"SCOUT_CACHE_DIR": str(scratch / "kill-cache")}
    unusable, delays = [], []
    for n in range(kills):
        for p in list(root.rglob("*.py"))[n % 50 :: 50]:  # change a few files so every run has work
            p.write_text(p.read_text(encoding="utf-8", errors="replace") + f"\n# run {n}\n")
        proc = subprocess.Popen([sys.executable, "-m", "scout", "index", "--repo", str(root)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        delay = rng.uniform(0.2, 8.0)
        delays.append(delay)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        result = scout(["ask", rng.choice(QUESTIONS), "--repo", str(root), "--json"], env)
        if bad(result):
            unusable.append({"run": n, "delay": round(delay, 2), "error": bad(result)})
    final = scout(["index", "--repo", str(root)], env, timeout=1800)
    stale = _stale_rows(root, env) if final.returncode == 0 else ["final index failed"]
    return {"kills": kills, "unusable_after_kill": unusable, "stale_rows_after_final_index": stale[:10],
            "median_delay_s": round(sorted(delays)[len(delays) // 2], 2)}  # fmt: skip


def _stale_rows(root: Path, env: dict) -> list[str]:
    """Paths whose indexed hash differs from the file on disk, or that are missing on either side."""
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from scout.index import index_path, store
    from scout.index.files import list_files
    from scout.repo import Repo

    repo = Repo.open(root)
    conn = sqlite3.connect(index_path(repo, Path(env["SCOUT_CACHE_DIR"])))
    indexed = {path: sha1 for path, (_, _, sha1) in store.file_stats(conn).items()}
    conn.close()
    on_disk = {f.path: hashlib.sha1((root / f.path).read_bytes()).hexdigest() for f in list_files(repo)}
    return sorted(p for p in set(indexed) | set(on_disk) if indexed.get(p) != on_disk.get(p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--write", type=Path, help="RESULTS.md to update")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="scout-stress-") as tmp:
        scratch = Path(tmp)
        report = {"shared": shared_run(args.repo, args.workers, args.minutes, scratch),
                  "kill9": kill_run(args.repo, args.kills, scratch)}  # fmt: skip
    print(json.dumps(report, indent=2))
    if args.write:
        from benchmarks.report import write_section

        write_section(args.write, _markdown(report, args), "stress")


def _markdown(report: dict, args) -> str:
    s, k = report["shared"], report["kill9"]
    return "\n".join([
        "## Concurrency and crash consistency (`benchmarks/stress.py`)",
        "",
        f"Command: `python -m benchmarks.stress --repo {args.repo.name} --workers {args.workers} "
        f"--minutes {args.minutes:g} --kills {args.kills}`, {time.strftime('%Y-%m-%d')}.",
        "",
        f"- {s['workers']} processes × {s['minutes']:g} min ({s['by_kind']}), "
        f"{s['file_changes']} file changes meanwhile: **{s['calls']} calls, {s['failed']} failed**; "
        "answers from the shared index vs a fresh "
        f"single-process index on the final tree: {len(s['answers_different_from_a_fresh_index'])} of "
        f"{s['answers_compared']} different.",
        f"- `kill -9` during `scout index`, {k['kills']} times (median delay {k['median_delay_s']} s): "
        f"**{len(k['unusable_after_kill'])} unusable indexes**; after a final `scout index`, "
        f"{len(k['stale_rows_after_final_index'])} stale rows.",
    ])  # fmt: skip


if __name__ == "__main__":
    main()
