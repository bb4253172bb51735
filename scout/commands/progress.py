"""A progress bar on a terminal; elsewhere one line per phase on stderr (`scout.progress`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from scout.progress import Callback, phase_lines


@contextmanager
def progress_bar(label: str, enabled: bool | None = None, threshold: int = 1) -> Iterator[Callback]:
    """`threshold`: on a pipe, say nothing unless at least this many files are (re)indexed, so a
    warm `scout ask` prints nothing but its answer."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        with phase_lines(threshold=threshold) as update:
            yield update
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    # Started at the first report, not before: `scout ask` holds one open while it answers, and an
    # update that finds nothing to do shows no bar.
    bar = Bar(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
    task = bar.add_task(label, total=None)
    started = []

    def update(done: int, total: int) -> None:
        if not started:
            started.append(bar.start())
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if started:
            bar.stop()
