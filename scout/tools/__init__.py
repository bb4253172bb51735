"""The read-only tools an explorer can call, by name. Each is a plain function of a ToolContext."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from scout.errors import ScoutError, ToolError
from scout.tools.base import Hit, ToolContext, ToolResult
from scout.tools.files import glob, read
from scout.tools.grep import grep
from scout.tools.symbols import bm25, outline, symbols

TOOLS: dict[str, Callable[..., ToolResult]] = {
    "grep": grep,
    "glob": glob,
    "read": read,
    "symbols": symbols,
    "outline": outline,
    "bm25": bm25,
}

__all__ = ["TOOLS", "Hit", "ToolContext", "ToolResult", "call_tool", "describe"]


def call_tool(ctx: ToolContext, name: str, args: dict[str, Any]) -> ToolResult:
    """Run tool `name` with keyword `args`; bad names or arguments raise ToolError."""
    fn = TOOLS.get(name)
    if fn is None:
        raise ToolError(f"unknown tool {name!r}", hint=f"tools: {', '.join(TOOLS)}")
    try:
        inspect.signature(fn).bind(ctx, **args)
    except TypeError as exc:
        raise ToolError(f"bad arguments for {name}: {exc}") from None
    try:
        return fn(ctx, **args)
    except ScoutError:
        raise
    except (ValueError, TypeError) as exc:
        raise ToolError(f"{name} failed: {exc}") from None


def describe(name: str) -> dict[str, Any]:
    """A JSON-schema description of a tool, for function-calling explorers."""
    fn = TOOLS[name]
    props: dict[str, Any] = {}
    required = []
    for param in list(inspect.signature(fn).parameters.values())[1:]:
        props[param.name] = {"type": _json_type(param.annotation)}
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
    doc = (fn.__doc__ or "").strip()
    return {
        "name": name,
        "description": doc,
        "parameters": {"type": "object", "properties": props, "required": required},
    }


def _json_type(annotation: Any) -> str:
    text = str(annotation)
    for py, js in (("bool", "boolean"), ("int", "integer"), ("float", "number")):
        if text.startswith(py):
            return js
    return "string"
