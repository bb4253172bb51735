"""`scout ask` and `scout index`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scout import __version__, resident
from scout import cache as cache_files
from scout.commands.app import command_app
from scout.commands.options import (
    BudgetOpt,
    ExplorerOpt,
    JsonOpt,
    RepoArg,
    RepoFlag,
    SpansOpt,
    TrajOpt,
    TurnsOpt,
    dumped,
    emit_json,
    pick_repo,
    read_query,
)
from scout.commands.progress import progress_bar
from scout.config import Settings, load_settings
from scout.errors import ScoutError
from scout.progress import TRIVIAL_FILES, Callback
from scout.repo import Repo

if TYPE_CHECKING:
    from scout.api import Workspace

log = logging.getLogger("scout")
app = command_app()
ServerOpt = Annotated[
    str | None,
    typer.Option(
        help="Ask a running `scout mcp --http` (its URL, or auto for the one it announced) instead of "
        "opening the index here; falls back to answering here [default: the `server` setting]."
    ),
]


def open_workspace(
    repo: Path, progress: Callback | None = None, overlap: bool = False, **overrides
) -> Workspace:
    """The workspace for REPO with the command line's settings; its index updated under a
    progress bar (`progress`, or one made here), or left for the first ask to check (`overlap`)."""
    from scout.api import Workspace  # imported here: a call a server answers never opens an index

    root = Repo.open(repo)
    settings = load_settings(root.root).merged(**overrides)
    bar = nullcontext(progress) if progress is not None else progress_bar("indexing", threshold=TRIVIAL_FILES)
    with bar as report:
        return Workspace.open(root.root, settings, progress=report, overlap=overlap)


@app.command(epilog="Example: scout ask 'where is the CSRF token checked' ~/src/django")
def ask(
    query: Annotated[
        str | None, typer.Argument(metavar="QUERY", help="The question, or a whole issue text.")
    ] = None,
    repo_path: RepoArg = None,
    repo: RepoFlag = None,
    issue_file: Annotated[
        str | None, typer.Option("--issue-file", "-f", help="Read the query from a file ('-' for stdin).")
    ] = None,
    as_json: JsonOpt = False,
    budget: BudgetOpt = None,
    max_spans: SpansOpt = None,
    code: Annotated[bool | None, typer.Option("--code/--no-code", help="Include the cited lines.")] = None,
    explorer: ExplorerOpt = None,
    max_turns: TurnsOpt = None,
    trajectory: TrajOpt = None,
    max_file_bytes: Annotated[int | None, typer.Option(help="Skip files larger than this.")] = None,
    server: ServerOpt = None,
    redact: Annotated[
        bool | None,
        typer.Option("--redact/--no-redact", help="Mask secrets (keys, tokens, passwords) in cited lines."),
    ] = None,
) -> None:
    """Find the code that answers QUERY in REPO; print an evidence bundle (Markdown, or --json).
    With --issue-file, a lone positional that is a directory is REPO."""
    root, text = question(query, repo_path, repo, issue_file, Path.cwd())
    settings = load_settings(Repo.open(root).root)
    choice = server or settings.server
    if choice and not (explorer or trajectory or max_turns or max_file_bytes or redact is not None):
        answered = ask_server(choice, root, text, settings, budget, max_spans, code)
        if answered is not None:
            print_bundle(answered["bundle"], answered["markdown"], answered["found"], as_json)
    overrides = {"budget": budget, "max_spans": max_spans, "code": code, "explorer": explorer}
    overrides |= {"max_turns": max_turns, "max_file_bytes": max_file_bytes, "redact": redact}
    from scout.explorer.trajectory import Trajectory

    traj = Trajectory.to_file(trajectory) if trajectory else None
    # The bar stays open while the ask runs: a warm ask looks at the tree beside its answer and
    # updates the index afterwards only if the tree moved on (`Workspace.open(overlap=True)`).
    with progress_bar("indexing", threshold=TRIVIAL_FILES) as progress:
        ws = open_workspace(root, progress, overlap=True, **overrides)
        try:
            bundle = ws.ask(text, trajectory=traj)
        finally:
            if traj:
                traj.close()
            ws.close()
    print_bundle(bundle.to_dict(), bundle.to_markdown(), bundle.found, as_json)


def question(
    query: str | None, repo_path: Path | None, repo: Path | None, issue_file: str | None, cwd: Path
) -> tuple[Path, str]:
    """The repository and the question an `ask` names, its relative paths read from CWD (the
    resident server answers for a client elsewhere)."""
    if issue_file and query and repo_path is None and (cwd / Path(query).expanduser()).is_dir():
        query, repo_path = None, Path(query)  # `scout ask -f issue.md ~/src/django`
    if not (issue_file or repo_path or repo):
        refuse_lone_path(query, cwd)
    if query and repo_path is not None:
        refuse_swapped(query, repo_path, cwd)
    root = cwd / pick_repo(repo_path, repo).expanduser()
    if issue_file and issue_file != "-":
        issue_file = str(cwd / Path(issue_file).expanduser())
    return root, read_query(query, issue_file)


def resident_answer(
    ask: Callable[[Path, str, dict], tuple[dict, str, bool] | None], root: Path, request: dict
) -> dict:
    """A resident server's reply to `scout ask` (`scout.resident`): what this command would print,
    answered by ASK (root, question, limits) -> (bundle, markdown, found); declined whenever the
    answer could differ from the CLI's own."""
    declined = {"status": "declined"}
    if request.get("v") != resident.PROTOCOL or request.get("scout") != __version__:
        return declined
    if request.get("env") != resident.environment() or not resident.servable(request["argv"]):
        return declined
    call = resident_call(list(request["argv"][1:]), Path(request["cwd"]), root)
    answered = call and ask(root, call[0], call[1])
    if not call or not answered:
        return declined
    data, markdown, found = answered
    out = rendered(data, markdown, found, call[2])
    return {"status": "ok", "stdout": out, "stderr": cut_note(data, call[2]), "exit": 0 if found else 1}


LOCAL_ONLY = ("explorer", "trajectory", "max_turns", "max_file_bytes", "server", "redact")


def resident_call(args: list[str], cwd: Path, served: Path) -> tuple[str, dict, bool] | None:
    """`scout ask ARGS`, run from CWD, as the resident server for the repository at SERVED answers
    it: (question, the limits its flags set, --json); None when this process would answer
    differently (options the server does not take, another repository, an error the CLI should
    report itself). A limit not given is None: the server's workspace fills it from the same
    settings this process would read (the server checks they are the same)."""
    from scout.commands import BY_NAME
    from scout.commands.app import load_command

    try:
        with load_command(BY_NAME["ask"]).make_context("ask", args) as ctx:
            p = dict(ctx.params)
    except Exception:  # a usage error: the CLI prints it with its usage line
        return None
    if any(p[k] is not None for k in LOCAL_ONLY) or p["issue_file"] == "-":
        return None
    paths = [None if p[k] is None else Path(p[k]) for k in ("repo_path", "repo")]
    try:
        root, text = question(p["query"], *paths, p["issue_file"], cwd)
        if Repo.open(root).root != served:
            return None
    except ScoutError:
        return None
    limits = {"budget": p["budget"], "max_spans": p["max_spans"], "with_code": p["code"]}
    return text, limits, bool(p["as_json"])


def refuse_lone_path(query: str | None, cwd: Path) -> None:
    """`scout ask src/celery-5.5.3`: the question was forgotten, and taking the path for one would
    index the current directory (minutes, on a large one) to answer a question nobody asked."""
    if not query or any(c.isspace() for c in query):
        return
    if _on_disk(cwd, Path(query), Path.exists):
        shown = query if len(query) <= 80 else "…" + query[-79:]  # the end of a long path tells it apart
        raise ScoutError(f"'{shown}' is a path, not a question: did you mean `scout ask QUESTION {shown}`?")


def refuse_swapped(query: str, repo_path: Path, cwd: Path) -> None:
    """`scout ask ~/src/django "where is auth"`: the repository came first. Said as such, not as
    "repository not found: where is auth"."""
    if _on_disk(cwd, repo_path, Path.is_dir) or not _on_disk(cwd, Path(query), Path.is_dir):
        return
    raise ScoutError(f"'{query}' is the repository and '{repo_path}' the question: the question comes first, "
                     f"`scout ask \"{repo_path}\" {query}`")  # fmt: skip


def _on_disk(cwd: Path, path: Path, check: Callable[[Path], bool]) -> bool:
    """`check` (exists, is_dir) of `path` read from CWD; False for what cannot be a path at all."""
    try:
        return check(cwd / path.expanduser())
    except (OSError, ValueError):  # a name too long, a NUL byte: not a path, so a question
        return False


def print_bundle(data: dict, markdown: str, found: bool, as_json: bool) -> None:
    typer.echo(rendered(data, markdown, found, as_json), nl=False)
    typer.echo(cut_note(data, as_json), err=True, nl=False)
    raise typer.Exit(0 if found else 1)


def cut_note(data: dict, as_json: bool) -> str:
    """A line on stderr when the Markdown left something out to fit the budget (the JSON says
    `truncated` itself): stdout holds the answer alone, within its budget."""
    if as_json or not data.get("truncated"):
        return ""
    budget = (data.get("budget") or {}).get("tokens")
    within = f" of {budget} tokens" if budget else ""
    return f"scout: some of the answer was left out to fit the budget{within} (raise --budget to see it)\n"


def rendered(data: dict, markdown: str, found: bool, as_json: bool) -> str:
    """What `scout ask` prints: the JSON bundle, or its Markdown (or that nothing was found)."""
    if as_json:
        return dumped(data) + "\n"
    return (markdown if found else "no evidence found") + "\n"


def ask_server(
    choice: str, root: Path, text: str, settings: Settings, budget, max_spans, code
) -> dict | None:
    """The server's answer, or None (said on stderr) when it cannot give one."""
    from scout.commands.remote import Unavailable, ask_remote, server_url

    url = server_url(choice)
    if url is None:
        log.warning("no running scout server announced itself; answering here")
        return None
    limits = {"budget": budget or settings.budget, "max_spans": max_spans or settings.max_spans}
    limits["code"] = settings.code if code is None else code
    try:
        return ask_remote(url, root, text, **limits)
    except Unavailable as exc:
        log.warning("%s; answering here", exc)
        return None


INDEX_WAIT_MS = 30 * 60 * 1000  # `scout index` waits for another writer rather than fail


@app.command(epilog="Example: scout index ~/src/django")
def index(
    repo_path: RepoArg = None,
    repo: RepoFlag = None,
    as_json: JsonOpt = False,
    max_file_bytes: Annotated[int | None, typer.Option(help="Skip files larger than this.")] = None,
) -> None:
    """Build or refresh the repository's index (only changed files are re-read)."""
    root = Repo.open(pick_repo(repo_path, repo))
    settings = load_settings(root.root).merged(max_file_bytes=max_file_bytes)
    from scout.index import open_index

    cache = Path(settings.cache_dir).expanduser() if settings.cache_dir else None
    with progress_bar("indexing") as progress:
        idx = open_index(
            root, cache, settings.max_file_bytes, refresh=False, semantic=settings.semantic,
            vendored=settings.index_vendored,
        )  # fmt: skip
        try:
            stats = idx.update(progress, wait_ms=INDEX_WAIT_MS)
        except KeyboardInterrupt:
            kept = len(idx.paths())
            log.warning("interrupted; %d files are indexed and kept, the next run parses the rest", kept)
            raise typer.Exit(130) from None  # 128 + SIGINT, as a shell reports it
    cache_files.opened(idx.path, root.root, settings.cache_max_mb)
    if as_json:
        emit_json({"index": str(idx.path), **stats.__dict__})
    else:
        unsearched = (
            f"; {stats.unsearched} of them binary, minified or too large: listed, not searched"
            if stats.unsearched
            else ""
        )
        typer.echo(
            f"indexed {stats.files} files in {stats.seconds:.2f}s "
            f"({stats.added} added, {stats.changed} changed, {stats.removed} removed{unsearched})"
            f" → {idx.path}"
        )
