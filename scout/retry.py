"""How long to wait before asking an HTTP service again: its Retry-After, else exponential backoff.

Shared by every HTTP client scout has (model endpoints, the GitHub API)."""

from __future__ import annotations

import email.utils
import random
import time


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff(attempt: int, first: float = 1.0, cap: float = 60.0, jitter: bool = False) -> float:
    """first, 2·first, 4·first, ... capped; with `jitter`, up to half as much again at random, so
    many clients that failed together do not retry together."""
    wait = min(first * 2**attempt, cap)
    return wait * (1 + random.random() / 2) if jitter else wait
