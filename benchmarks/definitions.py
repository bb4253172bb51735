"""Which definitions (functions, methods, classes) a span falls in, at base_commit.

The gold `gold_functions` names, for each changed line, the innermost function or class that
contains it (`<module>` for a line outside all of them). Predictions are mapped the same way:
each line of a predicted span goes to its innermost enclosing definition in the scout index's
outline of the checkout, so a span inside a method counts as that method (not also its class),
and a span over a whole class counts as the class and every method in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scout.index import Index
from scout.index.records import Definition

LEAF_KINDS = frozenset({"constant", "variable", "field"})  # definitions that never enclose an edit


class Outlines:
    """Innermost-definition maps (line → definition) per file of one checkout, built on first use."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._maps: dict[str, tuple[list[Definition], list[int]]] = {}

    def innermost(self, path: str) -> tuple[list[Definition], list[int]]:
        """The file's scoping definitions and, for each line number, an index into them (-1: none)."""
        if path not in self._maps:
            defs = [d for d in self.index.outline(path) if d.kind not in LEAF_KINDS]
            owner = [-1] * (max((d.end_line for d in defs), default=0) + 1)
            # outline() orders by start line, then longest first: inner definitions come later
            # and overwrite their parents' lines.
            for i, d in enumerate(defs):
                owner[d.start_line : d.end_line + 1] = [i] * (d.end_line - d.start_line + 1)
            self._maps[path] = (defs, owner)
        return self._maps[path]

    def functions_in(self, spans: Iterable[Sequence]) -> list[tuple[str, str]]:
        """(path, qualname) of the innermost definitions the spans' lines fall in, ranked, distinct."""
        out: dict[tuple[str, str], None] = {}
        for path, start, end, *_ in spans:
            defs, owner = self.innermost(path)
            for line in range(max(int(start), 1), min(int(end), len(owner) - 1) + 1):
                if owner[line] >= 0:
                    out.setdefault((path, defs[owner[line]].qualname), None)
        return list(out)

    def units(self, path: str) -> list[tuple[str, list[int]]]:
        """Each scoping definition of the file with the lines it owns (its body minus inner ones)."""
        defs, owner = self.innermost(path)
        lines: dict[int, list[int]] = {}
        for line, i in enumerate(owner):
            if i >= 0:
                lines.setdefault(i, []).append(line)
        return [(defs[i].qualname, ls) for i, ls in sorted(lines.items())]
