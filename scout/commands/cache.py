"""`scout cache list | clear | prune`: the indexes scout keeps under its cache directory."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from scout import cache as cache_files
from scout.commands.app import command_app
from scout.commands.options import DryRunOpt, JsonOpt, YesOpt, confirmed, emit_json
from scout.config import cache_root, load_settings
from scout.errors import ScoutError
from scout.index import index_path
from scout.repo import Repo

app = command_app(
    help="The indexes scout keeps: list them, clear one or all, prune old ones.",
    epilog="Example: scout cache list    scout cache prune --older-than 30d --dry-run",
    no_args_is_help=True,
)

AGE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def index_dir() -> Path:
    return cache_root(load_settings()) / "index"


@app.command("list", epilog="Example: scout cache list --json")
def list_command(as_json: JsonOpt = False) -> None:
    """Each index: its repository, files, size on disk, when it was last used, when it was adapted
    (`scout adapt`; "kept nothing" when no adapted reading beat the shipped answers), and whether
    the repository still exists."""
    where = index_dir()
    found = cache_files.entries(where)
    if as_json:
        emit_json({"cache": str(where), "indexes": [e.to_dict() | {"adapted_kept": _kept(e)} for e in found]})
        return
    if not found:
        typer.echo(f"no indexes in {where}")
        return
    rows = [("LAST USED", "SIZE", "FILES", "ADAPTED", "REPOSITORY", "INDEX")]
    rows += [
        (_ago(e.last_used), _size(e.bytes), _count(e.files), _adapted(e), _repo(e), e.index.name)
        for e in found
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].rjust(widths[2])]
        cells += [row[3].ljust(widths[3]), row[4].ljust(widths[4]), row[5]]
        typer.echo("  ".join(cells).rstrip())
    total = sum(e.bytes for e in found)
    typer.echo(f"{len(found)} index{'es' if len(found) != 1 else ''}, {_size(total)} in {where}")


@app.command("clear", epilog="Example: scout cache clear ~/src/django    or    scout cache clear --all --yes")
def clear_command(
    repo: Annotated[Path | None, typer.Argument(help="The repository whose index to delete.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Delete every index.")] = False,
    yes: YesOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete the index of REPO (or of every repository with --all): the SQLite file, its -wal and
    -shm, and its sidecar. Nothing outside the cache directory is touched. Exit 1 if there was none."""
    if (repo is None) == (not everything):
        raise ScoutError(
            "name a repository or pass --all, not both or neither", hint="scout cache clear REPO"
        )
    found = cache_files.entries(index_dir())
    chosen = found if everything else _indexes_of(repo, found)
    if not chosen:
        what = "no indexes" if everything else f"no index for {repo}"
        typer.echo(f"{what} in {index_dir()}", err=True)
        raise typer.Exit(1)
    what = f"{len(chosen)} index(es)" if everything else f"the index of {_repo(chosen[0])}"
    question = f"Delete {what} ({_size(sum(e.bytes for e in chosen))})?"
    if not confirmed(question, yes, "not deleting without confirmation"):
        typer.echo("nothing deleted", err=True)
        raise typer.Exit(1)
    _remove(chosen, as_json)


@app.command("prune", epilog="Example: scout cache prune --older-than 30d --missing")
def prune_command(
    older_than: Annotated[
        str | None, typer.Option(help="Delete indexes not used for this long: N followed by h, d or w.")
    ] = None,
    missing: Annotated[
        bool, typer.Option("--missing", help="Delete indexes of repositories that no longer exist.")
    ] = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete indexes that have not been used for a while, or whose repository is gone."""
    if older_than is None and not missing:
        raise ScoutError("say what to prune", hint="--older-than 30d, --missing, or both")
    cutoff = time.time() - parse_age(older_than) if older_than else None
    chosen = [
        e
        for e in cache_files.entries(index_dir())
        if (cutoff is not None and e.last_used < cutoff) or (missing and e.root is not None and not e.exists)
    ]
    if dry_run:
        _would_remove(chosen, as_json)
    elif chosen or as_json:
        _remove(chosen, as_json)
    else:
        typer.echo("nothing to prune")


def _would_remove(chosen: list[cache_files.Entry], as_json: bool) -> None:
    if as_json:
        emit_json({"would_remove": [e.to_dict() for e in chosen]})
        return
    if not chosen:
        typer.echo("nothing to prune")  # said on a dry run too: silence reads as a hang or a bug
    for e in chosen:
        typer.echo(f"would remove {_repo(e)} ({_size(e.bytes)}, used {_ago(e.last_used)})")


def parse_age(text: str) -> float:
    """Seconds in an age such as 30d, 12h or 2w."""
    match = AGE.match(text)
    if not match:
        raise ScoutError(f"not an age: {text!r}", hint="a number followed by h, d or w, e.g. 30d")
    return int(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _indexes_of(repo: Path, found: list[cache_files.Entry]) -> list[cache_files.Entry]:
    """REPO's index: by the root its sidecar records, or by where scout would put it (the
    repository may be gone, so the path is not required to exist)."""
    root = Path(repo).expanduser().resolve()
    expected = index_path(Repo(root), index_dir().parent).name
    return [e for e in found if e.root == root or e.index.name == expected]


def _remove(chosen: list[cache_files.Entry], as_json: bool) -> None:
    freed = 0
    for e in chosen:
        freed += cache_files.remove(e.index)
        if not as_json:
            typer.echo(f"removed {_repo(e)} ({_size(e.bytes)}): {e.index.name}")
    if as_json:
        emit_json({"removed": [e.to_dict() for e in chosen], "freed_bytes": freed})
    elif len(chosen) > 1:
        typer.echo(f"freed {_size(freed)}")


def _repo(e: cache_files.Entry) -> str:
    if e.root is None:
        return "(unknown repository)"
    return str(e.root) if e.exists else f"{e.root} (missing)"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _adapted(e: cache_files.Entry) -> str:
    if not e.adapted:
        return "no"
    return _ago(e.adapted) + (", kept nothing" if _kept(e) is False else "")


def _kept(e: cache_files.Entry) -> bool | None:
    """Whether the index's adaptation changes any answer; None when there is none or it is unreadable."""
    if not e.adapted:
        return None
    from scout.models import adaptation  # numpy: only for an adapted index

    return adaptation.keeps_anything(adaptation.path_for(e.index))


def _ago(ts: float) -> str:
    seconds = max(time.time() - ts, 0)
    for unit, scale in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= scale:
            return f"{int(seconds // scale)} {unit} ago"
    return "just now"
