"""`scout mcp`: scout as an MCP server, so an agent harness calls it instead of wandering with grep.

`build_server()` returns an `MCPServer` (official SDK) with five read-only tools: `find_context`
(the evidence bundle) and the follow-up reads `grep`, `symbols`, `outline`, `read_range`. Its
lifespan opens the repositories once and warms their indexes; tools run on worker threads. Tool
failures a model can fix come back as `isError` results (`scout.mcp.output`); anything else the
SDK reports. Nothing here writes to stdout: over stdio that is the protocol stream.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp.types import CallToolResult, ListRootsResult, ToolAnnotations
from pydantic import Field

from scout import __version__
from scout.errors import ScoutError, ToolError
from scout.mcp.output import (
    DEFAULT_MAX_TOKENS,
    NO_MATCH_HINTS,
    REGEX_HINT,
    bundle_result,
    error_result,
    render_grep,
    render_outline,
    render_plain,
    render_read,
    scout_error_result,
    text_result,
)
from scout.mcp.repos import Repos, Served, root_paths
from scout.repo import Repo
from scout.tools import ToolResult, call_tool

log = logging.getLogger("scout.mcp")

INSTRUCTIONS = (
    "scout finds the code that answers a question about a repository. Call find_context first "
    "with the question or the whole issue text; it returns cited file:line ranges with their code. "
    "Then use read_range to read around a citation, and grep / symbols / outline for exact lookups."
)
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


@dataclass(frozen=True)
class ServerConfig:
    repos: tuple[Path, ...] = ()  # empty: the client's roots, else the working directory
    max_tokens: int = DEFAULT_MAX_TOKENS  # no tool result is longer than this (scout-tokens/1)
    refresh_seconds: int = 2  # re-index changed files at most this often per repository
    overrides: dict[str, Any] = field(default_factory=dict)  # settings from command-line flags
    cwd: Path | None = None


@dataclass
class ServerState:
    """What the lifespan holds for every call: the repositories and the output cap."""

    repos: Repos
    max_tokens: int


def build_server(config: ServerConfig | None = None) -> MCPServer[ServerState]:
    config = config or ServerConfig()
    for path in config.repos:
        Repo.open(path)  # a missing --repo fails now, not at the first call
    server = MCPServer(
        "scout",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=_lifespan(config),
        log_level="WARNING",
    )
    for tool in (find_context, read_range, grep, symbols, outline):
        # 3.11 keeps docstring indentation; the description is what the model reads.
        server.add_tool(tool, description=inspect.cleandoc(tool.__doc__ or ""), annotations=READ_ONLY)
    return server


def _lifespan(config: ServerConfig):
    @asynccontextmanager
    async def lifespan(_server: MCPServer[ServerState]) -> AsyncIterator[ServerState]:
        repos = Repos(config.repos, config.overrides, config.refresh_seconds, config.cwd)
        repos.warm()
        try:
            yield ServerState(repos, config.max_tokens)
        finally:
            repos.close()

    return lifespan


def _state(ctx: Context) -> ServerState:
    return ctx.request_context.lifespan_context


async def client_roots(repo: str | None, ctx: Context) -> ListRootsResult | ListRoots | None:
    """Ask the client for its roots, but only when they matter and the client has any."""
    caps = ctx.client_capabilities
    if caps is None or caps.roots is None or not _state(ctx).repos.needs_roots(repo):
        return None
    return ListRoots()


RepoArg = Annotated[
    str | None,
    Field(
        description="Repository root path or directory name; omit for the default repository.",
    ),
]
Roots = Annotated[ListRootsResult | None, Resolve(client_roots)]


def _served(ctx: Context, repo: str | None, roots: ListRootsResult | None) -> Served:
    uris = [str(r.uri) for r in roots.roots] if roots else []
    return _state(ctx).repos.get(repo, root_paths(uris))


def find_context(
    query: Annotated[str, Field(description="The question, or the whole issue / bug report text.")],
    ctx: Context,
    roots: Roots,
    repo: RepoArg = None,
    budget_tokens: Annotated[
        int | None, Field(ge=200, description="Token budget of the bundle (default 4000).")
    ] = None,
    max_spans: Annotated[
        int | None, Field(ge=1, le=50, description="At most this many spans (default 12).")
    ] = None,
) -> CallToolResult:
    """Find the code that answers a question about the repository. Call this FIRST, before grep or
    reading files, whenever you need to know where something is implemented, why a bug happens or
    which code an issue is about. Returns an evidence bundle: ranked `path:start-end` citations with
    the cited lines (Markdown, ~4,000 tokens by default; the scout-bundle/1 JSON is the structured
    content). Cost: one call, usually well under a second; read-only. Nothing found is an error
    result with a hint; follow up with read_range on a citation."""
    state = _state(ctx)
    notes = []
    if budget_tokens is not None and budget_tokens > state.max_tokens:
        notes.append(f"budget_tokens {budget_tokens} is above this server's cap; used {state.max_tokens}")
        budget_tokens = state.max_tokens
    try:
        served = _served(ctx, repo, roots)
        limits = served.ws.limits(budget=budget_tokens, max_spans=max_spans)
        bundle = served.ws.ask(query, policy=served.policy, limits=limits)
    except ScoutError as exc:
        return scout_error_result(exc)
    if not bundle.spans:
        return error_result(
            "no evidence found for this query",
            "rephrase with identifiers, file names or error text from the issue; or try grep / symbols",
        )
    return bundle_result(bundle, state.max_tokens, notes)


def read_range(
    path: Annotated[str, Field(description="Repository-relative file path, e.g. from a citation.")],
    ctx: Context,
    roots: Roots,
    start_line: Annotated[int, Field(ge=1, description="First line, 1-based.")] = 1,
    end_line: Annotated[int | None, Field(ge=1, description="Last line, inclusive; omit for +400.")] = None,
    context: Annotated[int, Field(ge=0, le=200, description="Extra lines before and after.")] = 0,
    repo: RepoArg = None,
) -> CallToolResult:
    """Read lines of one file, numbered, at most 400 per call. Use it to read around a citation
    from find_context (e.g. start_line/end_line of a span with context=20). Cheap and read-only."""
    first = max(1, start_line - context)
    last = end_line + context if end_line is not None else None
    args = {"path": path, "start_line": first, "end_line": last}
    return _run(ctx, repo, roots, "read", args, render_read, "read a smaller line range")


def grep(
    pattern: Annotated[str, Field(description="Regex (Rust syntax), or a literal string with fixed=true.")],
    ctx: Context,
    roots: Roots,
    path: Annotated[str | None, Field(description="Limit to this file or directory.")] = None,
    glob: Annotated[str | None, Field(description="Limit to files matching this glob, e.g. *.py.")] = None,
    fixed: Annotated[bool, Field(description="Treat the pattern as a literal string.")] = False,
    ignore_case: bool = False,
    max_matches: Annotated[int, Field(ge=1, le=500)] = 50,
    repo: RepoArg = None,
) -> CallToolResult:
    """Search file contents with ripgrep. Returns `path:line: text` per match, followed by the
    enclosing definition and its line span when there is one. Use it for exact strings and
    identifiers; for questions, call find_context instead. No match is an error result."""
    args = {"pattern": pattern, "path": path, "glob": glob, "fixed": fixed, "ignore_case": ignore_case}
    args["max_matches"] = max_matches
    return _run(ctx, repo, roots, "grep", args, render_grep, "narrow `path` or `glob`")


def symbols(
    name: Annotated[str, Field(description="A function, class or method name (`Class.method` works).")],
    ctx: Context,
    roots: Roots,
    references: Annotated[bool, Field(description="Also list the places that use it.")] = False,
    repo: RepoArg = None,
) -> CallToolResult:
    """Where a symbol is defined (exact matches first, then fuzzy), as `path:start-end kind name`,
    and with references=true where it is used. Read-only, from the index; no match is an error."""
    args = {"name": name, "references": references}
    return _run(ctx, repo, roots, "symbols", args, render_plain, "use a more specific name")


def outline(
    path: Annotated[str, Field(description="Repository-relative file path.")],
    ctx: Context,
    roots: Roots,
    repo: RepoArg = None,
) -> CallToolResult:
    """The definitions in one file, in order, as `start-end kind name`: a table of contents to
    pick what to read_range next. Read-only, from the index."""
    return _run(ctx, repo, roots, "outline", {"path": path}, render_outline, "read_range part of the file")


def _run(
    ctx: Context,
    repo: str | None,
    roots: ListRootsResult | None,
    tool: str,
    args: dict[str, Any],
    render: Callable[[ToolResult], str],
    narrow: str,
) -> CallToolResult:
    """Call one of scout's tools and render its result, or the error a model can act on."""
    try:
        served = _served(ctx, repo, roots)
        if tool == "outline" and not served.ws.repo.resolve(args["path"]).is_file():
            return scout_error_result(ToolError(f"no such file: {args['path']}"))
        result = call_tool(served.ws.ctx, tool, args)
    except ToolError as exc:
        if tool == "grep" and str(exc).startswith("rg failed"):  # rg exits 2 on a pattern it cannot parse
            reason = str(exc).removeprefix("rg failed: ").removeprefix("error: ")
            return error_result(f"invalid regex {args['pattern']!r}: {reason}", REGEX_HINT)
        return scout_error_result(exc)
    except ScoutError as exc:
        return scout_error_result(exc)
    if tool == "read" and not result.hits[0].snippet and args["start_line"] > 1:
        message = f"start_line {args['start_line']} is past the end of {args['path']}"
        return error_result(message, "outline the file, or read from start_line=1")
    if not result.hits and tool in NO_MATCH_HINTS:
        what = args.get("pattern") or args.get("name")
        return error_result(f"no matches for {what!r}", NO_MATCH_HINTS[tool])
    return text_result(render(result), _state(ctx).max_tokens, narrow)


def serve_http(server: MCPServer[ServerState], host: str, port: int) -> None:
    """Streamable HTTP at http://HOST:PORT/mcp; uvicorn logs go through ours (stderr), no access log."""
    import anyio
    import uvicorn

    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, log_config=None)
    anyio.run(uvicorn.Server(config).serve)
