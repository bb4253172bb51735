"""The tools stage: read-only tools over the repository and its index, each declared once.

Owns: the tool functions (`grep`, `files`, `symbols`), what they return (`base`) and the registry
every surface is generated from (`registry`). May import: scout's core modules and `scout.index`.

`call_tool` is the one door to the tools for every surface (the CLI subcommands, MCP, the explorer
loop and so the LLM explorer), so secrets in what a tool read are masked there, once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scout.errors import ToolError
from scout.redact import redact
from scout.tools import files, graph, grep, semantic, symbols  # noqa: F401 - importing registers the tools
from scout.tools.base import Hit, Kind, ToolContext, ToolResult
from scout.tools.registry import TOOLS, Doc, Tool, tool

__all__ = ["TOOLS", "Doc", "Hit", "Kind", "Tool", "ToolContext", "ToolResult", "call_tool", "tool"]


def call_tool(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolResult:
    """Run tool `name` with keyword `args`; a bad name or argument raises ToolError."""
    entry = TOOLS.get(name)
    if entry is None:
        raise ToolError(f"unknown tool {name!r}", hint=f"tools: {', '.join(TOOLS)}")
    result = entry.call(ctx, args)
    return masked(result, args.get("path")) if ctx.redact else result


def masked(result: ToolResult, path: Any = None) -> ToolResult:
    """`result` with secrets masked in its text and in each hit's snippet. `path` (the file a
    tool read, when it read one) picks the file type's rules, as for a cited span."""
    path = path if isinstance(path, str) else None
    hits = [replace(h, snippet=redact(h.snippet, h.path).text) if h.snippet else h for h in result.hits]
    return replace(result, text=redact(result.text, path).text, hits=hits)
