"""The explorer stage: policies that decide which tools to call and what to cite, and the loop.

Owns: the loop and the `Policy` protocol (`loop`), evidence and its scoring (`evidence`,
`features`), query analysis (`query`), trajectories, and the built-in policies (heuristic, model,
llm, hf, scripted), each registered as an entry point (`registry`). May import: scout's core
modules, `scout.tools`, `scout.index` (for its data types), `scout.models`, `scout.bundle`,
`scout.llm` and `scout.prompts`.
"""

from __future__ import annotations

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
