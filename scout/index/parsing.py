"""The changed files parsed (`analyze`), in worker processes when there are many, handed to the
writer a batch at a time.

Parsed records wait for the writer in a bounded queue: at most two batches' worth of files are
submitted ahead of it (submitting a monorepo's 80,000 files at once held gigabytes of records).
Closing the iterator early cancels the parses not yet started: Ctrl-C keeps whole batches only.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING

from scout.index.files import FileInfo
from scout.index.records import FileRecord

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARALLEL_THRESHOLD = 64  # below this many changed files, a process pool costs more than it saves
TASK_FILES = 32  # files per task sent to a parsing process
PARENT_POLL_S = 0.2  # how often a parsing process checks that its parent still runs
Progress = Callable[[int, int], None]  # (done, total)


def parse(
    root: str, stale: list[FileInfo], vendored: bool, progress: Progress | None, batch_files: int
) -> Iterator[list[FileRecord]]:
    """The stale files parsed, `batch_files` at a time; at least one batch, maybe empty."""
    if not stale:
        yield []
        return
    from scout.index.analyze import analyze_many  # tree-sitter loads only when a file changed

    jobs = [(root, f.path, f.size, f.mtime_ns, vendored) for f in stale]
    tasks = [jobs[i : i + TASK_FILES] for i in range(0, len(jobs), TASK_FILES)]
    if progress:
        progress(0, len(jobs))
    if len(jobs) < PARALLEL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield from _batches(
            (r for task in tasks for r in analyze_many(task)), len(jobs), progress, batch_files
        )
        return
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when many files changed

    workers = min(os.cpu_count() or 2, 8)
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start, initargs=(os.getpid(),))
    try:
        window = max(2, 2 * batch_files // TASK_FILES)
        results = (r for task in _bounded(pool, analyze_many, tasks, window) for r in task)
        yield from _batches(results, len(jobs), progress, batch_files)
    finally:  # on Ctrl-C: the workers' current tasks finish, the queued ones never start
        pool.shutdown(wait=True, cancel_futures=True)


def _bounded(pool: ProcessPoolExecutor, fn: Callable, tasks: list, window: int) -> Iterator:
    """`pool.map` with at most `window` tasks submitted ahead of the one being read."""
    pending: deque[Future] = deque()
    queue = iter(tasks)
    for task in queue:
        pending.append(pool.submit(fn, task))
        if len(pending) >= window:
            break
    while pending:
        result = pending.popleft().result()
        task = next(queue, None)
        if task is not None:
            pending.append(pool.submit(fn, task))
        yield result


def _batches(
    results: Iterable[FileRecord | None], total: int, progress: Progress | None, batch_files: int
) -> Iterator[list[FileRecord]]:
    batch: list[FileRecord] = []
    for done, record in enumerate(results, 1):
        if record is not None:
            batch.append(record)
        if progress and (done % 50 == 0 or done == total):
            progress(done, total)
        if done % batch_files == 0 or done == total:
            yield batch
            batch = []


def _worker_start(parent: int) -> None:
    """A parsing process ignores Ctrl-C (it reaches the whole process group; the parent alone
    decides what to keep) and ends with its parent. A forked worker shares the parent's open
    files, the index's writer lock among them: after a `kill -9` of `scout index` its workers
    waited for tasks forever, holding that lock, and no later update of the index could start."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(parent,), name="scout-parent-watch", daemon=True).start()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)
