"""The tools stage: read-only tools over the repository and its index, each declared once.

Owns: the tool functions (`grep`, `files`, `symbols`), what they return (`base`) and the registry
every surface is generated from (`registry`). May import: scout's core modules and `scout.index`.
"""

from __future__ import annotations

from typing import Any

from scout.errors import ToolError
from scout.tools import files, graph, grep, semantic, symbols  # noqa: F401 - importing registers the tools
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import TOOLS, Doc, Tool, tool

__all__ = ["TOOLS", "Doc", "Hit", "Kind", "Tool", "ToolContext", "ToolResult", "call_tool", "tool"]


def call_tool(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolResult:
    """Run tool `name` with keyword `args`; a bad name or argument raises ToolError."""
    entry = TOOLS.get(name)
    if entry is None:
        raise ToolError(f"unknown tool {name!r}", hint=f"tools: {', '.join(TOOLS)}")
    return entry.call(ctx, args)
