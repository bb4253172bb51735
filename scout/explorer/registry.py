"""Explorers by name: `NAME` or `NAME:ARG` of a registered factory (entry point group
`scout.explorers`), plus `auto`, which picks the best of scout's own installed here."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import TYPE_CHECKING

from scout.plugins import EXPLORERS, load, registered

if TYPE_CHECKING:
    from scout.explorer.loop import Policy

log = logging.getLogger("scout.explorer")
# What `auto` chooses between, as pyproject.toml registers them.
BUILT_IN = {"model": "scout.explorer.model:explorer", "heuristic": "scout.explorer.heuristic:explorer"}


def explorer_names() -> list[str]:
    return sorted(registered(EXPLORERS))


def make_policy(spec: str) -> Policy:
    """A fresh policy for `spec` (`heuristic`, `openai:MODEL@URL`, `scripted:FILE`, ...)."""
    if spec == "auto":
        # scout's own factories, not the entry-point table: reading every installed package's
        # metadata (importlib.metadata and its scan) cost each `scout ask` 60-70 ms
        module, _, factory = BUILT_IN[auto_choice()].partition(":")
        return getattr(import_module(module), factory)("")
    name, _, arg = spec.partition(":")
    factory = load(EXPLORERS, name, "explorer")
    return factory(arg)


def auto_choice() -> str:
    """The learned explorer when its weights are installed (they ship in the wheel), else the
    heuristic, with a one-line notice."""
    from scout.models.embedder import WEIGHTS as EMBEDDER
    from scout.models.mlp import WEIGHTS as EXPLORER

    missing = [p.name for p in (EMBEDDER, EXPLORER) if not p.is_file()]
    if missing:
        log.warning("learned explorer weights not found (%s); using the heuristic", ", ".join(missing))
        return "heuristic"
    return "model"
