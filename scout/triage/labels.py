"""Labels from where the evidence lives: `.github/scout.yml` maps path patterns to labels.

Unlike CODEOWNERS, every matching rule counts (a file can be both `auth` and `security`). A label
is suggested when the spans under its patterns carry at least half the evidence of the best label.
The bot only ever adds labels, and adds each one once: a label a maintainer removed after the bot
added it stays removed (the comment's hidden marker remembers what was added).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scout.bundle import Span
from scout.triage.codeowners import PathPattern

SHARE = 0.5  # of the best label's evidence


@dataclass(frozen=True)
class LabelRule:
    pattern: str
    matcher: PathPattern
    labels: tuple[str, ...]


def suggest_labels(spans: list[Span], rules: list[LabelRule], limit: int) -> list[str]:
    """Labels for these spans, best supported first."""
    weight: dict[str, float] = defaultdict(float)
    order: dict[str, int] = {}
    for span in spans:
        names = {name for rule in rules if rule.matcher.matches(span.path) for name in rule.labels}
        for name in sorted(names):
            weight[name] += max(span.score, 1e-6)
            order.setdefault(name, len(order))
    if not weight:
        return []
    best = max(weight.values())
    ranked = sorted(weight, key=lambda n: (-weight[n], order[n]))
    return [n for n in ranked if weight[n] >= SHARE * best][:limit]


def labels_to_add(suggested: list[str], present: tuple[str, ...], added_before: list[str]) -> list[str]:
    """Suggested labels not on the issue and never added by the bot before (case-insensitive, as GitHub)."""
    skip = {name.lower() for name in (*present, *added_before)}
    return [name for name in suggested if name.lower() not in skip]
