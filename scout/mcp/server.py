"""`scout mcp`: scout as an MCP server, so an agent harness calls it instead of wandering with grep.

`build_server()` returns an `MCPServer` (official SDK) with read-only tools: `find_context` (the
evidence bundle) and one tool per entry of scout's tool registry (`read_range`, `grep`, `symbols`,
`outline`, `glob`, `bm25`, ...), generated from its declaration. Its
lifespan opens the repositories once and warms their indexes; tools run on worker threads. Tool
failures a model can fix come back as `isError` results (`scout.mcp.output`); anything else the
SDK reports. Nothing here writes to stdout: over stdio that is the protocol stream.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context, ListRoots, Resolve
from mcp.types import CallToolResult, ListRootsResult, ToolAnnotations
from pydantic import Field

from scout import __version__
from scout.bundle import MIN_BUDGET, Bundle
from scout.config import DEFAULT_BUDGET, Settings, load_settings
from scout.errors import EMPTY_QUERY, ScoutError
from scout.mcp.output import bundle_result, error_result, scout_error_result, text_result
from scout.mcp.repos import Repos, Served, root_paths
from scout.mcp.resident import Listener, listen
from scout.mcp.workers import Workers
from scout.repo import Repo
from scout.tools import TOOLS, Tool, call_tool
from scout.tools.registry import Param

log = logging.getLogger("scout.mcp")

INSTRUCTIONS = (
    "scout finds the code that answers a question about a repository. Call find_context first "
    "with the question or the whole issue text when you need to know where something is done, why "
    "a bug happens or which code a task touches; it returns cited file:line ranges with their code. "
    "Then use read_range to read around a citation. Skip find_context when you already know the "
    "file and line (read_range), or look for an exact string or name (grep, symbols)."
)
QUERY_HINT = "pass the question, or the whole issue text, as query"
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


@dataclass(frozen=True)
class ServerConfig:
    repos: tuple[Path, ...] = ()  # empty: the client's roots, else the working directory
    max_tokens: int = Settings.mcp_max_tokens  # no tool result is longer than this (scout-tokens/1)
    refresh_seconds: int = Settings.mcp_refresh_seconds  # re-index changed files at most this often
    overrides: dict[str, Any] = field(default_factory=dict)  # settings from command-line flags
    cwd: Path | None = None
    workers: int = 0  # processes answering find_context; 0: in the server process (threads)
    watch: bool = False  # re-index on file-system notifications instead of checking on calls
    max_waiting: int | None = None  # calls queued beyond the workers before "busy" (workers.MAX_WAITING)
    # answers `scout ask` on a socket per configured repository (scout.resident): (ask, root, request)
    resident: Callable[[Callable, Path, dict], dict] | None = None
    # called once for each repository served, configured or a client's root, when its index is
    # ready (`scout mcp --adapt` starts adapting it there)
    on_open: Callable[[Path], object] | None = None


@dataclass
class ServerState:
    """What the lifespan holds for every call: the repositories, the output cap, the workers."""

    repos: Repos
    max_tokens: int
    workers: Workers | None = None
    listeners: list[Listener] = field(default_factory=list)  # resident sockets (`scout.resident`)


def build_server(config: ServerConfig | None = None) -> MCPServer[ServerState]:
    config = config or ServerConfig()
    for path in config.repos:
        Repo.open(path)  # a missing --repo fails now, not at the first call
    live: dict[str, ServerState] = {}  # the lifespan's state, for the plain HTTP route too
    server = MCPServer(
        "scout",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=_lifespan(config, live),
        log_level="WARNING",
    )
    server.scout_live = live  # type: ignore[attr-defined]
    # 3.11 keeps docstring indentation; the description is what the model reads.
    server.add_tool(
        find_context, description=inspect.cleandoc(find_context.__doc__ or ""), annotations=READ_ONLY
    )
    for entry in TOOLS.values():
        server.add_tool(registry_tool(entry), description=entry.help, annotations=READ_ONLY)
    return server


def _lifespan(config: ServerConfig, live: dict):
    @asynccontextmanager
    async def lifespan(_server: MCPServer[ServerState]) -> AsyncIterator[ServerState]:
        with running(config, live) as state:
            yield state

    return lifespan


@contextmanager
def running(config: ServerConfig, live: dict) -> Iterator[ServerState]:
    """What a server holds while it runs: the repositories (opening in the background), the
    workers, and a resident socket per configured repository (`config.resident`); all closed after."""
    repos = Repos(
        config.repos, config.overrides, config.refresh_seconds, config.cwd, config.watch, config.on_open
    )
    repos.warm()
    workers = Workers(config.workers, config.max_waiting) if config.workers else None
    state = live["state"] = ServerState(repos, config.max_tokens, workers)
    ask, handle = _resident_ask(live), config.resident
    state.listeners = listen(repos.configured, lambda root, req: handle(ask, root, req)) if handle else []
    try:
        yield state
    finally:
        for listener in state.listeners:
            listener.close()
        live.pop("state", None)
        repos.close()
        if workers:
            workers.close()


def _resident_ask(live: dict) -> Callable[[Path, str, dict], tuple[dict, str, bool] | None]:
    """`scout ask` through this server (`scout.resident`): as fresh as the CLI's own answer, and
    declined (None) when this server's settings for the repository are not the CLI's."""

    def ask(root: Path, query: str, limits: dict) -> tuple[dict, str, bool] | None:
        state = live.get("state")
        if state is None:
            return None
        served = state.repos.get(str(root))
        if served.ws.settings != load_settings(root):  # `scout mcp --explorer`, an edited config
            return None
        served.refresh(force=True)
        bundle = ask_served(state, served, query, **limits)
        return bundle.to_dict(), bundle.to_markdown(), bundle.found

    return ask


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
        int | None,
        Field(ge=MIN_BUDGET, description=f"Token budget of the bundle (default {DEFAULT_BUDGET})."),
    ] = None,
    max_spans: Annotated[
        int | None,
        Field(
            ge=1,
            le=50,
            description="At most this many places, answer and leads together (default "
            f"{Settings.max_spans}); more asks for a longer ranking of leads.",
        ),
    ] = None,
) -> CallToolResult:
    """Find the code that answers a question about the repository. Call this FIRST, before grep or
    reading files, whenever you need to know where something is implemented, why a bug happens or
    which code an issue is about. Returns an evidence bundle: the answer (the `path:start-end` spans
    scout asserts, with their lines and a confidence) and leads (where to look next, one line each),
    as Markdown within the token budget; the scout-bundle/2 JSON is the structured content. Cost:
    one call, usually well under a second; read-only. Not for an exact string or a name you already
    know (grep, symbols), nor for a file you already know (read_range). Nothing found is an error
    result with a hint; follow up with read_range on a citation or a lead."""
    if not query.strip():
        return error_result(EMPTY_QUERY, QUERY_HINT)
    state = _state(ctx)
    notes = []
    if budget_tokens is not None and budget_tokens > state.max_tokens:
        notes.append(f"budget_tokens {budget_tokens} is above this server's cap; used {state.max_tokens}")
        budget_tokens = state.max_tokens
    try:
        served = _served(ctx, repo, roots)
        bundle = ask_served(state, served, query, budget=budget_tokens, max_spans=max_spans)
    except ScoutError as exc:
        return scout_error_result(exc)
    if not bundle.found:
        return error_result(
            "no evidence found for this query",
            "rephrase with identifiers, file names or error text from the issue; or try grep / symbols",
        )
    return bundle_result(bundle, state.max_tokens, notes)


def ask_served(state: ServerState, served: Served, query: str, **limits: Any) -> Bundle:
    """One find_context: on a worker process when the server has them, else here."""
    bounds = served.ws.limits(**limits)
    if state.workers is not None:
        return state.workers.ask(served.ws.repo.root, served.ws.settings, query, bounds)
    return served.ws.ask(query, policy=served.new_policy(), limits=bounds)


def registry_tool(entry: Tool) -> Callable[..., CallToolResult]:
    """An MCP handler for a registered tool: its parameters (with their descriptions and bounds),
    then the context, the client's roots and `repo`."""

    def handler(ctx: Context, roots: ListRootsResult | None, repo: str | None = None, **args: Any):
        return _run(ctx, repo, roots, entry, args)

    P = inspect.Parameter
    params = [_mcp_param(p) for p in entry.params if p.required]
    params += [
        P("ctx", P.POSITIONAL_OR_KEYWORD, annotation=Context),
        P("roots", P.POSITIONAL_OR_KEYWORD, annotation=Roots),
    ]
    params += [_mcp_param(p) for p in entry.params if not p.required]
    params.append(P("repo", P.POSITIONAL_OR_KEYWORD, annotation=RepoArg, default=None))
    handler.__signature__ = inspect.Signature(params, return_annotation=CallToolResult)  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in params} | {"return": CallToolResult}
    handler.__name__ = entry.mcp_name or entry.name
    return handler


def _mcp_param(p: Param) -> inspect.Parameter:
    typ = p.type | None if p.optional else p.type
    field = Field(description=p.doc.help, ge=p.doc.ge, le=p.doc.le)
    default = inspect.Parameter.empty if p.required else p.default
    return inspect.Parameter(
        p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[typ, field], default=default
    )


def _run(
    ctx: Context, repo: str | None, roots: ListRootsResult | None, entry: Tool, args: dict[str, Any]
) -> CallToolResult:
    """Call one of scout's tools and return its text, or the error a model can act on."""
    try:
        served = _served(ctx, repo, roots)
        result = call_tool(served.ws.ctx, entry.name, args)
    except ScoutError as exc:
        return scout_error_result(exc)
    if not result.hits and entry.empty_hint:
        what = args.get("pattern") or args.get("name") or args.get("query")
        return error_result(f"no matches for {what!r}", entry.empty_hint)
    return text_result(result.text, _state(ctx).max_tokens, entry.narrow_hint)


def serve_http(server: MCPServer[ServerState], host: str, port: int) -> None:
    """Streamable HTTP at http://HOST:PORT/mcp; uvicorn logs go through ours (stderr), no access log."""
    import anyio
    import uvicorn
    from starlette.routing import Route

    app = server.streamable_http_app(host=host)
    app.router.routes.append(Route(ASK_ROUTE, _ask_route(server.scout_live), methods=["POST"]))  # type: ignore[attr-defined]
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, log_config=None)
    anyio.run(uvicorn.Server(config).serve)


ASK_ROUTE = "/scout/ask"  # plain JSON for `scout ask --server`: no MCP session for one question


def _ask_route(live: dict):
    """POST {"query", "repo", "budget"?, "max_spans"?, "code"?} → {"bundle", "markdown"}, or
    {"error", "hint"} with 400 (a bad request), 404 (a repository not served) or 503 (busy)."""
    import anyio
    from starlette.responses import JSONResponse

    from scout.errors import RepoError
    from scout.mcp.workers import ServerBusy

    async def route(request):
        state = live.get("state")
        if state is None:
            return JSONResponse({"error": "the server is starting"}, status_code=503)
        try:
            body = await request.json()
            query = str(body["query"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "send a JSON object with a query"}, status_code=400)
        if not query.strip():
            return JSONResponse({"error": EMPTY_QUERY, "hint": QUERY_HINT}, status_code=400)

        def work() -> Bundle:
            served = state.repos.get(body.get("repo"))
            limits = {
                "budget": body.get("budget"),
                "max_spans": body.get("max_spans"),
                "with_code": body.get("code"),
            }
            return ask_served(state, served, query, **limits)

        try:
            bundle = await anyio.to_thread.run_sync(work)
        except ScoutError as exc:
            status = 503 if isinstance(exc, ServerBusy) else 404 if isinstance(exc, RepoError) else 400
            return JSONResponse({"error": str(exc), "hint": exc.hint}, status_code=status)
        return JSONResponse(
            {"bundle": bundle.to_dict(), "markdown": bundle.to_markdown(), "found": bundle.found}
        )

    return route
