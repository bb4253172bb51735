"""Load on `scout mcp --http`: many concurrent MCP sessions calling find_context on one repository.

    python -m benchmarks.mcp_load --repo .demo/django-5.2.8 [--clients 50] [--calls 20] [--json out.json]

Starts the real server (`python -m scout mcp --http` on a free loopback port), waits for its index,
then runs CLIENTS sessions at once through the SDK's client, each making CALLS find_context calls
back to back (the 20 questions of benchmarks/speed.py, each client starting at a different one).
Reports latency percentiles per call as the client sees it, failures (exceptions, isError results,
calls unfinished at the time limit), throughput, and the server's CPU time. Loopback only; bounded
in count (at most 200 x 100 calls) and in time (--time-limit).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import anyio
from mcp import Client

from benchmarks.speed import QUESTIONS

MAX_CLIENTS, MAX_CALLS = 200, 100


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, its live worker processes and their reaped children
    (the rg runs), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(c) for c in _children(pid))


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


class Run:
    """Latencies and failures of one load run."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()
        self.started = 0

    async def client(self, url: str, index: int, calls: int, timeout: float) -> None:
        try:
            async with Client(url, mode="legacy", read_timeout_seconds=timeout) as client:
                for j in range(calls):
                    await self.call(client, QUESTIONS[(index + j) % len(QUESTIONS)])
        except Exception as exc:  # a session that fails to open or dies: its remaining calls failed
            self.failures[f"session: {type(exc).__name__}"] += 1

    async def call(self, client: Client, query: str) -> None:
        self.started += 1
        began = time.perf_counter()
        try:
            result = await client.call_tool("find_context", {"query": query})
        except Exception as exc:
            self.failures[type(exc).__name__] += 1
            return
        if result.is_error:
            self.failures["isError: " + result.content[0].text.splitlines()[0][:80]] += 1
            return
        self.latencies.append(time.perf_counter() - began)


async def wait_ready(url: str, port: int, proc: subprocess.Popen, deadline: float) -> float:
    """Wait for the port, then time one find_context (it waits for the index to be warm)."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            await anyio.sleep(0.1)
    began = time.perf_counter()
    async with Client(url, mode="legacy", read_timeout_seconds=600) as client:
        result = await client.call_tool("find_context", {"query": QUESTIONS[0]})
        if result.is_error:
            raise SystemExit(f"warm-up call failed: {result.content[0].text}")
    return time.perf_counter() - began


async def load(args: argparse.Namespace, url: str, port: int, proc: subprocess.Popen) -> dict:
    first = await wait_ready(url, port, proc, time.monotonic() + 600)
    run = Run()
    cpu0, load0, began = cpu_seconds(proc.pid), os.getloadavg()[0], time.perf_counter()
    client0 = time.process_time()
    with anyio.move_on_after(args.time_limit) as scope:
        async with anyio.create_task_group() as tg:
            for i in range(args.clients):
                tg.start_soon(run.client, url, i, args.calls, args.call_timeout)
    wall = time.perf_counter() - began
    client_cpu = time.process_time() - client0
    expected = args.clients * args.calls
    unfinished = expected - len(run.latencies) - sum(run.failures.values())
    if unfinished > 0:
        run.failures["unfinished at the time limit" if scope.cancelled_caught else "not run"] += unfinished
    lat = sorted(run.latencies)
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "repo": args.repo,
        "clients": args.clients,
        "workers": "default" if args.workers is None else args.workers,
        "calls_per_client": args.calls,
        "calls": expected,
        "ok": len(lat),
        "failures": sum(run.failures.values()),
        "failure_kinds": dict(run.failures),
        "first_call_s": round(first, 3),
        "p50_s": round(percentile(lat, 50), 3),
        "p95_s": round(percentile(lat, 95), 3),
        "p99_s": round(percentile(lat, 99), 3),
        "max_s": round(lat[-1], 3) if lat else math.nan,
        "mean_s": round(sum(lat) / len(lat), 3) if lat else math.nan,
        "wall_s": round(wall, 2),
        "throughput_per_s": round(len(lat) / wall, 1),
        "server_cpu_s": round(cpu_seconds(proc.pid) - cpu0, 1),
        "client_cpu_s": round(client_cpu, 1),  # the load generator shares the machine
        "loadavg_1min_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def markdown(r: dict) -> str:
    return "\n".join(
        [
            "| date | machine | workers | clients x calls | failures | p50 | p95 | p99 | max | calls/s "
            "| CPU server / load gen | load avg before → after |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {r['date']} | {r['machine']} | {r['workers']} | {r['clients']} x {r['calls_per_client']} "
            f"| {r['failures']} "
            f"| {r['p50_s']} s | {r['p95_s']} s | {r['p99_s']} s | {r['max_s']} s | {r['throughput_per_s']} "
            f"| {r['server_cpu_s']} s / {r['client_cpu_s']} s "
            f"| {' → '.join(map(str, r['loadavg_1min_before_after']))} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=".demo/django-5.2.8")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds for the whole load phase")
    parser.add_argument("--call-timeout", type=float, default=60.0, help="seconds one call may take")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--workers", type=int, help="the server's --workers [default: its own]")
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.calls <= MAX_CALLS):
        raise SystemExit(f"--clients must be 1..{MAX_CLIENTS} and --calls 1..{MAX_CALLS}")
    if not Path(args.repo).is_dir():
        raise SystemExit(f"{args.repo} not found: run `make demo` (it downloads the Django sdist)")
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    argv = [sys.executable, "-m", "scout", "mcp", "--http", "--port", str(port), "--repo", args.repo]
    argv += ["--workers", str(args.workers)] if args.workers is not None else []
    with tempfile.TemporaryFile("w+") as log, subprocess.Popen(argv, stdout=log, stderr=log) as proc:
        try:
            result = anyio.run(load, args, url, port, proc)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        log.seek(0)
        server_log = log.read()
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2), file=sys.stderr)
    print(markdown(result))
    if server_log.strip():
        print(f"server output:\n{server_log[-2000:]}", file=sys.stderr)


if __name__ == "__main__":
    main()
