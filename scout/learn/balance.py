"""Per-recording weights for the head's listwise fit: balance languages, favour issue-like sources.

The head learns one ranking for every language and every kind of question. Left alone, each
language counts as often as it was recorded and a docstring's first sentence as much as a bug
report, while what users ask reads like a commit message or an issue. A spec names the factors
(`scout learn train --balance language,source`):

- `language[:P]`: each recording weighs its language's share of the training recordings to the
  power -P (default 0.5: a language's total weight grows as the square root of its count; 1: every
  language's total is the same, 0: as recorded).
- `source[:F]`: tasks mined from commit messages and their bodies (`commit`, `issue`) weigh F
  times (default 2) those mined from docstrings, READMEs and test names.

Weights are scaled to mean 1 over the training groups, so the learning rate means what it did.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from scout.errors import ScoutError

DEFAULTS = {"language": 0.5, "source": 2.0}
ISSUE_LIKE = frozenset({"commit", "issue"})  # mined from what a developer wrote about a change


def parse(spec: str) -> dict[str, float]:
    """`"language:0.5,source"` → {"language": 0.5, "source": 2.0}; "" or "none" → {}."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if part == "none":
            continue
        name, _, value = part.partition(":")
        if name not in DEFAULTS:
            raise ScoutError(f"no balance named {name!r}", hint=f"one of {', '.join(DEFAULTS)} or none")
        try:
            out[name] = float(value) if value else DEFAULTS[name]
        except ValueError:
            hint = "e.g. language:1,source:3"
            raise ScoutError(f"balance {name!r} takes a number, not {value!r}", hint=hint) from None
    return out


def weights(groups: list, languages: dict[str, str], balance: dict[str, float]) -> list[float] | None:
    """One weight per group (each has `.repo` and `.source`), mean 1; None when nothing is balanced
    (the fit is then the unweighted one, exactly)."""
    if not balance or not groups:
        return None
    w = np.ones(len(groups))
    if "language" in balance:
        langs = [languages.get(g.repo, "?") for g in groups]
        share = Counter(langs)
        w *= np.array([(share[lang] / len(groups)) ** -balance["language"] for lang in langs])
    if "source" in balance:
        w *= np.array([balance["source"] if g.source in ISSUE_LIKE else 1.0 for g in groups])
    return list(w / w.mean())


def shares(groups: list, languages: dict[str, str], w: list[float] | None) -> dict[str, float]:
    """Each language's share of the total weight (what the fit sees), for the training report."""
    total: Counter = Counter()
    for g, x in zip(groups, w or [1.0] * len(groups), strict=True):
        total[languages.get(g.repo, "?")] += x
    return {lang: round(float(v) / max(sum(total.values()), 1e-12), 4) for lang, v in total.most_common()}
