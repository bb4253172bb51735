"""Progress of a long phase (building an index), as lines on stderr for whoever watches a log.

A terminal gets a bar (`scout.commands.progress`); a pipe, a CI log or an MCP server's stderr gets
one line when the phase starts and one when it ends, `scout: indexing 6,876 files…` and
`scout: indexed in 14.2 s`. Never stdout: that is the answer (or, under MCP, the protocol).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Fewer changed files than this index in about a second (Django: 6,876 files in 14 s on 2 cores):
# not worth a line in someone's log.
TRIVIAL_FILES = 500

Callback = Callable[[int, int], None]  # (done, total), the index's Progress


@contextmanager
def phase_lines(name: str = "", threshold: int = 1) -> Iterator[Callback]:
    """A progress callback that announces the phase once `total` reaches `threshold`, and says how
    long it took when the block ends. `name` tells repositories apart where one process serves
    several (the MCP server)."""
    started: list[float] = []

    def update(done: int, total: int) -> None:
        if not started and total >= max(threshold, 1):
            started.append(time.perf_counter())
            of = f" of {name}" if name else ""
            _say(f"indexing {total:,} files{of}…")

    yield update
    if started:
        which = f" {name}" if name else ""
        _say(f"indexed{which} in {time.perf_counter() - started[0]:.1f} s")


def _say(text: str) -> None:
    # Looked up at each call: the MCP transport swaps the streams around while it runs.
    print(f"scout: {text}", file=sys.stderr, flush=True)
