"""The explorer stage: policies that decide which tools to call and what to cite, and the loop.

Owns: the loop and the `Policy` protocol (`loop`), evidence and its scoring (`evidence`,
`features`), query analysis (`query`), trajectories, and the built-in policies (heuristic, model,
llm, hf, scripted), each registered as an entry point (`registry`). May import: scout's core
modules, `scout.tools`, `scout.index` (for its data types), `scout.models`, `scout.bundle`,
`scout.llm` and `scout.prompts`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scout.explorer.loop import Answer, Limits, Observation, Policy, State, ToolCall, explore
    from scout.explorer.registry import explorer_names, make_policy

__all__ = [
    "Answer",
    "Limits",
    "Observation",
    "Policy",
    "State",
    "ToolCall",
    "explore",
    "explorer_names",
    "make_policy",
]

_HOME = {"explorer_names": "registry", "make_policy": "registry"}


def __getattr__(name: str) -> Any:
    """Load on first use: the CLI names explorers in its help without loading the loop and tools."""
    if name in __all__:
        return getattr(importlib.import_module(f"scout.explorer.{_HOME.get(name, 'loop')}"), name)
    raise AttributeError(f"module 'scout.explorer' has no attribute {name!r}")
