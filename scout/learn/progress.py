"""Progress of a long training step as log lines on stderr: how far, how long, about how long left."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("scout.learn")


class Eta:
    """`distil: 4,096/90,112 (0.4 min, about 8 min left)`, at most one line every `every` seconds."""

    def __init__(self, what: str, total: int, every: float = 20.0) -> None:
        self.what, self.total, self.every = what, total, every
        self.started = self.last = time.monotonic()

    def step(self, done: int, note: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.every and done < self.total:
            return
        self.last = now
        spent = (now - self.started) / 60
        left = f", about {spent / done * (self.total - done):.0f} min left" if 0 < done < self.total else ""
        extra = f" {note}" if note else ""
        log.info("%s: %s/%s%s (%.1f min%s)", self.what, f"{done:,}", f"{self.total:,}", extra, spent, left)
