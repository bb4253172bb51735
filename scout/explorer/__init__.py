"""Explorers: policies that drive the tools, and the loop that runs them."""

from __future__ import annotations

from scout.explorer.loop import Answer, Limits, Observation, Policy, State, ToolCall, explore

__all__ = ["Answer", "Limits", "Observation", "Policy", "State", "ToolCall", "explore", "make_policy"]


def make_policy(name: str) -> Policy:
    """A policy by short name: heuristic, scripted:FILE (more arrive as they are built)."""
    if name == "heuristic":
        from scout.explorer.heuristic import HeuristicPolicy

        return HeuristicPolicy()
    if name.startswith("scripted:"):
        from scout.explorer.scripted import ScriptedPolicy

        return ScriptedPolicy.from_file(name.split(":", 1)[1])
    from scout.errors import ScoutError

    raise ScoutError(f"unknown explorer {name!r}", hint="try: heuristic, scripted:FILE")
