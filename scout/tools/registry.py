"""One declaration per tool, read from its signature: the CLI, MCP and the LLM explorer are generated.

A tool is a function `(ctx, **params) -> ToolResult` whose parameters are annotated with `Doc`:

    def grep(ctx, pattern: Annotated[str, Doc("Regex (Rust syntax).")], max_matches:
             Annotated[int, Doc("Stop after this many.", ge=1, le=500)] = 50) -> ToolResult:

`@tool(example=...)` registers it in `TOOLS`. `scout.commands.tools` builds a subcommand from each
entry, `scout.mcp.server` an MCP tool, and the LLM explorer sends `Tool.schema()`; `Tool.call`
checks names, types and limits the same way for all of them, so a new tool appears everywhere by
being declared once, and no surface can disagree about a default.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scout.errors import ToolError

REQUIRED = inspect.Parameter.empty
# Every integer has a ceiling, stated or not: no file has more lines, and SQLite (the index) cannot
# hold a larger number at all (found by fuzzing: `related` with line 2**63 raised OverflowError).
MAX_INT = 2**31 - 1
JSON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}


@dataclass(frozen=True)
class Doc:
    """What a parameter means and which values it accepts (inclusive bounds)."""

    help: str
    ge: int | None = None
    le: int | None = None
    short: str | None = None  # a one-letter CLI flag such as "-F"


@dataclass(frozen=True)
class Param:
    name: str
    type: type  # str, int, float or bool
    optional: bool  # None is accepted (and is the default)
    default: Any
    doc: Doc

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": JSON_TYPES[self.type], "description": self.doc.help}
        if self.doc.ge is not None:
            out["minimum"] = self.doc.ge
        if self.doc.le is not None:
            out["maximum"] = self.doc.le
        if not self.required and self.default is not None:
            out["default"] = self.default
        return out

    def check(self, value: Any) -> Any:
        """The value converted to this parameter's type, or a ToolError saying what is wrong."""
        if value is None:
            return None if self.optional else self.default
        value = _convert(value, self.type, self.name)
        if self.doc.ge is not None and value < self.doc.ge:
            raise ToolError(f"{self.name} must be at least {self.doc.ge}, got {value}")
        ceiling = self.doc.le if self.doc.le is not None else MAX_INT if self.type is int else None
        if ceiling is not None and value > ceiling:
            raise ToolError(f"{self.name} must be at most {ceiling}, got {value}")
        return value


def _convert(value: Any, typ: type, name: str) -> Any:
    # Models send numbers and booleans as strings often enough that refusing them helps nobody.
    if typ is bool and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if typ is int and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        try:  # "²" and "0\x1f" pass isdigit() after strip() and still are no int (found by fuzzing)
            return int(value)
        except ValueError:
            pass
    if typ is float and isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return float(value)
        except (ValueError, OverflowError):
            pass
    if isinstance(value, typ) and not (typ is int and isinstance(value, bool)):
        return value
    raise ToolError(f"{name} must be {JSON_TYPES[typ]}, got {value!r}")


@dataclass(frozen=True)
class Tool:
    name: str
    run: Callable[..., Any]
    params: tuple[Param, ...]
    help: str  # what the tool does, for people and models alike
    example: str  # a CLI example, shown at the end of `--help`
    empty_hint: str = ""  # what to try when nothing matched
    narrow_hint: str = ""  # what to try when the result was cut
    mcp_name: str = ""  # the MCP tool's name, when it differs (kept for existing clients)

    def schema(self) -> dict[str, Any]:
        """The JSON-schema function description a function-calling model reads."""
        return {
            "name": self.name,
            "description": self.help,
            "parameters": {
                "type": "object",
                "properties": {p.name: p.schema() for p in self.params},
                "required": [p.name for p in self.params if p.required],
            },
        }

    def call(self, ctx: Any, args: dict[str, Any]) -> Any:
        """Run the tool with checked arguments; a bad name, type or bound raises ToolError."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(args) - set(known))
        if unknown:
            raise ToolError(
                f"{self.name} has no parameter {unknown[0]!r}", hint=f"it takes {', '.join(known)}"
            )
        missing = [p.name for p in self.params if p.required and args.get(p.name) is None]
        if missing:
            raise ToolError(f"{self.name} needs {missing[0]}")
        checked = {name: known[name].check(value) for name, value in args.items()}
        try:
            return self.run(ctx, **checked)
        except (ValueError, TypeError) as exc:
            raise ToolError(f"{self.name} failed: {exc}") from None


TOOLS: dict[str, Tool] = {}


def tool(example: str, empty_hint: str = "", narrow_hint: str = "", mcp_name: str = ""):
    """Register the decorated function as a tool, its parameters read from its signature."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        params = tuple(_params(fn))
        help_text = inspect.cleandoc(fn.__doc__ or "")
        entry = Tool(fn.__name__, fn, params, help_text, example, empty_hint, narrow_hint, mcp_name)
        TOOLS[entry.name] = entry
        return fn

    return register


def _params(fn: Callable[..., Any]) -> list[Param]:
    hints = typing.get_type_hints(fn, include_extras=True)
    out = []
    for name, p in list(inspect.signature(fn).parameters.items())[1:]:  # the first is ctx
        base, *meta = typing.get_args(hints[name]) or (hints[name],)
        doc = next((m for m in meta if isinstance(m, Doc)), None)
        if doc is None:
            raise TypeError(f"{fn.__name__}({name}) needs Annotated[..., Doc(...)]")
        typ, optional = _unwrap(base)
        out.append(Param(name, typ, optional, p.default, doc))
    return out


def _unwrap(annotation: Any) -> tuple[type, bool]:
    """`int | None` → (int, True); `str` → (str, False)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False
