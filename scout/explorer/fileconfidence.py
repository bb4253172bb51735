"""How sure the explorer is of a file: the probability that the answer lies in it.

A span's `confidence` says whether its lines are the place; on an issue that is a hard call even
when the file is plainly right (on SWE-bench Lite the first answers the ranking calibrator is sure of
are in a fixed file 95% of the time but touch the changed lines 59%). A reader deciding which file
to open first wants the file's own odds, so each file among the candidates gets one, from how the
head's scores fall across files: its best candidate's margin over the other files', the share of
the softmax its candidates hold, its place, and the evidence behind its best candidate (the query
names the file, a traceback passes through it). The file calibrator is fitted on the held-out dev
repositories (`scout.learn.fit.fit_file_calibration`), like the span calibrators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from scout.models.mlp import MLP

# How the head's scores fall across the candidates' files, then the evidence of a file's best candidate.
FILE_SHAPE = ("file_gap", "file_margin", "file_mass", "file_order", "file_spans", "files", "entropy")
FILE_EVIDENCE = ("path_overlap", "file_bonus", "traceback", "quoted", "defines", "test", "query_words",
                 "query_idents")  # fmt: skip
FILE_CALIBRATION = FILE_SHAPE + FILE_EVIDENCE
FILE_TOP = 5  # the files of each dev task a file calibrator is fitted on, best first


def file_rows(paths: Sequence[str], logits, rows=None, head_names: Sequence[str] = (),
              names: Sequence[str] = FILE_CALIBRATION) -> dict[str, list[float]]:  # fmt: skip
    """The file calibrator's inputs `names` for every file among the candidates, best file first:
    from the head's `logits` of the candidates at `paths`, and from its input `rows` (named
    `head_names`) for the best candidate's evidence."""
    z = np.asarray(logits, dtype=np.float64)
    if not len(z):
        return {}
    p = np.exp(z - z.max())
    p /= p.sum()
    best: dict[str, int] = {}
    mass: dict[str, float] = {}
    count: dict[str, int] = {}
    for i, path in enumerate(paths):
        if path not in best or z[i] > z[best[path]]:
            best[path] = i
        mass[path] = mass.get(path, 0.0) + float(p[i])
        count[path] = count.get(path, 0) + 1
    order = sorted(best, key=lambda f: -z[best[f]])
    tops = [float(z[best[f]]) for f in order]
    entropy = float(-(p * np.log(p + 1e-12)).sum())
    at = {n: i for i, n in enumerate(head_names)}
    out = {}
    for k, path in enumerate(order):
        margin = tops[k] - (tops[1] if k == 0 else tops[0]) if len(tops) > 1 else 5.0  # alone: sure of it
        values = {
            "file_gap": tops[k] - tops[0],
            "file_margin": margin,
            "file_mass": math.log(max(mass[path], 1e-9)),
            "file_order": math.log1p(k),
            "file_spans": math.log1p(count[path]),
            "files": math.log(len(order)),
            "entropy": entropy,
        }
        i = best[path]
        out[path] = [values[n] if n in values else float(rows[i][at[n]]) for n in names]
    return out


def file_confidences(calibrator: MLP, paths: Sequence[str], logits, rows,
                     head_names: Sequence[str]) -> dict[str, float]:  # fmt: skip
    """Each candidate file's calibrated probability of holding the answer."""
    table = file_rows(paths, logits, rows, head_names, calibrator.features)
    if not table:
        return {}
    probs = calibrator.sigmoid(list(table.values()))
    return {path: float(c) for path, c in zip(table, probs, strict=True)}


def file_features(data: dict, head_names: Sequence[str]) -> tuple[str, ...]:
    """The features a stored file calibrator was fitted on, refused unless this scout computes them."""
    names = tuple(data.get("features", ()))
    unknown = [n for n in names if n not in FILE_SHAPE and n not in head_names]
    if unknown or not names:
        raise ValueError(f"the file calibrator needs features this scout does not compute: {unknown}")
    return names
