"""`scout mcp`: serve scout's tools to agent harnesses over MCP (stdio, or streamable HTTP); `scout
serve`: keep repositories warm for `scout ask` alone (its socket), until idle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import command_app
from scout.commands.options import EXPLORER_HELP
from scout.config import Settings, load_settings
from scout.errors import ScoutError
from scout.mcp.workers import MAX_WAITING

app = command_app()
ReposOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--repo",
        "-r",
        metavar="PATH",
        help="A repository to serve (repeatable). Default: the client's roots, else the current directory.",
    ),
]


@app.command(epilog="Example: scout mcp --repo .    or    scout mcp --http --port 8765 --repo ~/src/django")
def mcp(
    repo: ReposOpt = None,
    http: Annotated[bool, typer.Option("--http", help="Serve streamable HTTP instead of stdio.")] = False,
    host: Annotated[str, typer.Option(help="HTTP bind address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8765,
    max_output_tokens: Annotated[
        int | None,
        typer.Option(help=f"No tool result is longer than this [default: {Settings.mcp_max_tokens}]."),
    ] = None,
    refresh_interval: Annotated[
        int | None,
        typer.Option(
            help=f"Re-index changed files at most every N seconds [default: {Settings.mcp_refresh_seconds}]."
        ),
    ] = None,
    explorer: Annotated[
        str | None,
        typer.Option(help=EXPLORER_HELP),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Processes answering find_context in parallel; 0 answers in the server process "
            "[default: the number of cores, at most 8].",
        ),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Re-index as files change (file-system notifications).")
    ] = False,
    max_waiting: Annotated[
        int | None,
        typer.Option(min=0, help=f"Calls waiting beyond the workers before 'busy' [default: {MAX_WAITING}]."),
    ] = None,
    adapt: Annotated[
        bool,
        typer.Option(
            "--adapt",
            help="Adapt each repository served (a --repo or a client's root) to its history, once its "
            "index is ready, in a background process at the lowest priority.",
        ),
    ] = False,
) -> None:
    """Run scout as an MCP server: find_context (the evidence bundle) and every scout tool
    (read_range, grep, symbols, outline, glob, bm25, semantic, related)."""
    from scout.commands.ask import resident_answer
    from scout.explorer import make_policy
    from scout.mcp.output import MIN_MAX_TOKENS
    from scout.mcp.server import ServerConfig, build_server, serve_http

    if explorer:
        make_policy(explorer)  # an unknown explorer fails now, as one line, not at the first call
    repos = tuple(repo or ())
    settings = load_settings(repos[0] if repos else Path.cwd()).merged(
        mcp_max_tokens=max_output_tokens, mcp_refresh_seconds=refresh_interval
    )
    if settings.mcp_max_tokens < MIN_MAX_TOKENS:
        raise ScoutError(f"--max-output-tokens must be at least {MIN_MAX_TOKENS}")
    config = ServerConfig(
        repos=repos,
        max_tokens=settings.mcp_max_tokens,
        refresh_seconds=max(settings.mcp_refresh_seconds, 0),
        overrides={"explorer": explorer} if explorer else {},
        workers=default_workers() if workers is None else workers,
        max_waiting=max_waiting,
        watch=watch,
        resident=resident_answer,
        on_open=adapting if adapt else None,
    )
    server = build_server(config)
    if not http:
        server.run("stdio")  # stdout carries the protocol from here on; nothing else may touch it
        return
    from scout.commands.remote import announce, withdraw

    typer.echo(f"scout mcp: serving http://{host}:{port}/mcp", err=True)
    announced = announce(f"http://{host}:{port}", [str(Path(r).resolve()) for r in repos])
    try:
        serve_http(server, host, port)
    finally:
        withdraw(announced)


def adapting(root: Path) -> None:
    """`--adapt`: each repository the server opens (a `--repo` or a client's root), once its
    index is ready, is adapted by a separate lowest-priority process (`scout adapt --if-stale`)."""
    from scout.commands.adapt import adapt_in_background

    adapt_in_background([root])


def default_workers() -> int:
    cores = os.cpu_count() or 1
    return min(cores, 8) if cores > 1 else 0


IDLE_MINUTES = 30
SERVE_REPO_HELP = "A repository to keep warm (repeatable) [default: .]."


@app.command(epilog="Example: scout serve --repo ~/src/django &    (then scout ask ... answers in ~0.1 s)")
def serve(
    repo: Annotated[
        list[Path] | None, typer.Option("--repo", "-r", metavar="PATH", help=SERVE_REPO_HELP)
    ] = None,
    idle: Annotated[
        float, typer.Option(min=0, help="Exit after this many minutes without a `scout ask` (0: never).")
    ] = IDLE_MINUTES,
    workers: Annotated[
        int | None,
        typer.Option(min=0, help="Processes answering at once [default: the number of cores, at most 8]."),
    ] = None,
) -> None:
    """Keep each REPO's index, weights and workers warm, so that `scout ask` there is answered by
    this process (over a socket only you can use) instead of starting from nothing; the output is
    the same. `scout mcp` does this too while it runs. Stops on Ctrl-C or after --idle minutes."""
    import signal
    import threading
    import time

    from scout.commands.ask import resident_answer
    from scout.mcp.server import ServerConfig, running

    repos = tuple(repo or ())
    config = ServerConfig(
        repos=repos, workers=default_workers() if workers is None else workers, resident=resident_answer
    )
    # SIGTERM ends the loop below, whatever runs when it comes: leaving `running` removes the
    # sockets (an exit raised while they were being made left one behind)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running(config, {}) as state:
        if not state.repos.configured:
            raise ScoutError("no repository to serve", hint="give --repo PATH (not your home directory or /)")
        if not state.listeners:
            raise ScoutError(
                "cannot answer `scout ask` here: another scout server answers for these repositories, "
                "or the socket directory is not private (SCOUT_RUNTIME_DIR, XDG_RUNTIME_DIR)"
            )
        roots = ", ".join(str(listener.root) for listener in state.listeners)
        typer.echo(f"scout serve: answering `scout ask` for {roots}", err=True)
        while not idle or time.monotonic() - max(x.last_call for x in state.listeners) < idle * 60:
            if stop.wait(min(1.0, idle * 60 or 1.0)):
                return
        typer.echo(f"scout serve: no `scout ask` for {idle:g} min; stopping", err=True)
