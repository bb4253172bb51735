"""find_context on a pool of processes, so one server uses every core.

Exploring is Python: threads share one interpreter lock, so a busy server on threads answers on
one core. Here each call goes to one of N worker processes, each keeping its own read-only
workspaces (the index is SQLite in WAL mode: any number of readers, and the server process stays
the one writer that refreshes it). Past `N + max_waiting` calls in flight, a call is refused at
once with "busy, retry" rather than queued into unbounded latency.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

from scout.bundle import Bundle
from scout.config import Settings
from scout.errors import ScoutError
from scout.explorer import Limits

log = logging.getLogger("scout.mcp")


MAX_WAITING = 64  # calls queued beyond the busy workers: a few dozen agents at once, a bounded wait


class ServerBusy(ScoutError):
    """Every worker is busy and the waiting line is full."""

    hint = "retry in a moment; the server answers a bounded number of calls at once"


class Workers:
    def __init__(self, processes: int, max_waiting: int | None = None) -> None:
        self.processes = processes
        # spawn, not fork: the server holds threads (and their locks) that a forked child would copy
        context = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(
            processes, mp_context=context, initializer=_start, initargs=(os.getpid(),)
        )
        self.slots = threading.BoundedSemaphore(
            processes + (MAX_WAITING if max_waiting is None else max_waiting)
        )

    def ask(self, root: Path, settings: Settings, query: str, limits: Limits) -> Bundle:
        if not self.slots.acquire(blocking=False):
            busy = f"scout is busy: {self.processes} worker(s) answering and the waiting line is full"
            raise ServerBusy(busy)
        try:
            return self.pool.submit(_ask, str(root), asdict(settings), query, asdict(limits)).result()
        finally:
            self.slots.release()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_open: dict[tuple, object] = {}  # per worker process: (root, settings) → Workspace
PARENT_CHECK_S = 1.0


def _start(parent: int) -> None:
    """In each worker: nothing may reach stdout (over stdio it is the server's protocol stream), and
    a worker whose server died exits instead of lingering with the server's pipes open."""
    os.dup2(2, 1)
    threading.Thread(target=_watch, args=(parent,), daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _ask(root: str, settings: dict, query: str, limits: dict) -> Bundle:
    from scout.api import Workspace

    key = (root, tuple(sorted(settings.items())))
    ws = _open.get(key)
    if ws is None:
        # refresh=False: the server process refreshes the index; workers only read it
        ws = _open[key] = Workspace.open(root, Settings(**settings), refresh=False)
    return ws.ask(query, limits=Limits(**limits))  # type: ignore[attr-defined]
