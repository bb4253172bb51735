"""Explorers: policies that drive the tools, and the loop that runs them."""

from __future__ import annotations

from scout.explorer.loop import Answer, Limits, Observation, Policy, State, ToolCall, explore

__all__ = ["Answer", "Limits", "Observation", "Policy", "State", "ToolCall", "explore", "make_policy"]


def make_policy(name: str) -> Policy:
    """A policy by short name: heuristic, scripted:FILE (more arrive as they are built)."""
    if name == "heuristic":
        from scout.explorer.heuristic import HeuristicPolicy

        return HeuristicPolicy()
    if name == "model":
        from scout.explorer.model import ModelPolicy

        return ModelPolicy()
    if name.startswith("scripted:"):
        from scout.explorer.scripted import ScriptedPolicy

        return ScriptedPolicy.from_file(name.split(":", 1)[1])
    if name == "llm" or name.startswith(("openai:", "anthropic:")):
        from scout.explorer.llm import LLMPolicy

        return LLMPolicy(name=name.split("@", 1)[0], model=None if name == "llm" else name)
    if name.startswith("hf:"):
        from scout.explorer.hf import local_policy

        return local_policy(name.split(":", 1)[1])
    from scout.errors import ScoutError

    raise ScoutError(
        f"unknown explorer {name!r}",
        hint="try: heuristic, llm, openai:MODEL@URL, anthropic:MODEL, hf:PATH, scripted:FILE",
    )
