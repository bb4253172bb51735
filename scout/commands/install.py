"""`scout install` and `scout uninstall`: scout's MCP server in every agent harness on this machine
(`scout.harness.harnesses` lists them), a paragraph in the project's AGENTS.md / CLAUDE.md /
GEMINI.md telling the agent when to call it, and exactly that taken out again."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from scout.commands.app import command_app
from scout.commands.options import DryRunOpt, JsonOpt, YesOpt, confirmed, emit_json
from scout.config import user_config_path
from scout.errors import ScoutError
from scout.harness.harnesses import HARNESSES, Harness, scout_command
from scout.harness.plan import Change, State, apply, plan_instructions, plan_removal, plan_server
from scout.repo import Repo

app = command_app()
NAMES = ", ".join(HARNESSES)
OnlyOpt = Annotated[
    str | None, typer.Option("--only", help=f"Comma-separated harnesses: {NAMES} [default: every one found].")
]


class Scope(StrEnum):
    user = "user"
    project = "project"


def state_path() -> Path:
    return user_config_path().parent / "installed.json"


@app.command(epilog="Example: scout install --dry-run    or    scout install --only claude,codex --yes")
def install(
    only: OnlyOpt = None,
    scope: Annotated[
        Scope,
        typer.Option(
            help="user: your own config, for every project; project: the project's files, to share."
        ),
    ] = Scope.user,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo", "-r", help="Serve this one repository [default: the project the agent is in]."
        ),
    ] = None,
    project: Annotated[
        Path, typer.Option(help="The project for AGENTS.md and the like (and --scope project) [default: .].")
    ] = Path("."),
    instructions: Annotated[
        bool,
        typer.Option(
            "--instructions/--no-instructions",
            help="Add scout's paragraph to AGENTS.md, CLAUDE.md, GEMINI.md.",
        ),
    ] = True,
    home: Annotated[Path | None, typer.Option(help="The home directory to set up [default: yours].")] = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add scout's MCP server to the agent harnesses found in your home directory, and a paragraph to
    the project's AGENTS.md / CLAUDE.md / GEMINI.md saying when to call find_context (for aider, which
    has no MCP, CONVENTIONS.md, named in the project's .aider.conf.yml). Shows every change first;
    nothing else in those files changes. `scout uninstall` takes it out again."""
    home_dir, explicit = (home.expanduser().resolve(), True) if home else (Path.home(), False)
    chosen = _chosen(_names(only), home_dir, explicit)
    proj = project.expanduser().resolve()
    in_project = proj not in (home_dir.resolve(), Path(proj.anchor))
    notes = _notes(chosen, scope, in_project, instructions, proj)
    chosen = [h for h in chosen if in_project or not h.project_only]
    root = Repo.open(repo).root if repo else None
    state = State.load(state_path())
    command = scout_command()
    changes = []
    for h in chosen:
        path = h.config_file(home_dir, explicit, proj, scope)
        changes.append(plan_server(h, path, h.entry(command, h.args(root, scope)), state))
    files = {h.instructions: h.mcp for h in chosen if in_project and (instructions or not h.mcp)}
    changes += [plan_instructions(proj / name, state, mcp) for name, mcp in files.items()]
    _finish(changes, state, home_dir if not explicit else None, notes, yes, dry_run, as_json, installing=True)


def _chosen(names: list[str], home: Path, explicit: bool) -> list[Harness]:
    """The harnesses named with --only, else every one installed in `home`."""
    chosen = [HARNESSES[n] for n in names] or [h for h in HARNESSES.values() if h.detected(home, explicit)]
    if not chosen:
        typer.echo(f"scout: no agent harness found in {home} (name one with --only: {NAMES})", err=True)
        raise typer.Exit(1)
    return chosen


def _notes(
    chosen: list[Harness], scope: Scope, in_project: bool, instructions: bool, proj: Path
) -> list[str]:
    notes = []
    if not in_project and (instructions or any(h.project_only for h in chosen)):
        notes.append(f"no project files written: {proj} is not a project (run it in one, or --project)")
    userwide = [h.label for h in chosen if scope == Scope.project and not h.project_file]
    if userwide:
        notes.append(f"{', '.join(userwide)}: no project file exists for it; your own config is used")
    return notes


@app.command(epilog="Example: scout uninstall --dry-run")
def uninstall(
    only: OnlyOpt = None,
    yes: YesOpt = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Take out what `scout install` added. A file scout's change was the only change to gets its
    original bytes back (or is deleted, if scout created it); a file edited since loses only scout's part."""
    names = _names(only)
    state = State.load(state_path())
    records = list(state.records.values())
    if names:
        keep = [r for r in records if r["target"] != "instructions" and r["target"] not in names]
        needed = {HARNESSES[r["target"]].instructions for r in keep if r["target"] in HARNESSES}
        records = [
            r
            for r in records
            if r["target"] in names or (r["target"] == "instructions" and r["label"] not in needed)
        ]
    if not records:
        typer.echo(f"nothing to uninstall: no change by scout install is recorded in {state.path}", err=True)
        raise typer.Exit(0)
    changes = [plan_removal(r) for r in records]
    _finish(changes, state, Path.home(), [], yes, dry_run, as_json, installing=False)


def _finish(
    changes: list[Change],
    state: State,
    home: Path | None,
    notes: list[str],
    yes: bool,
    dry_run: bool,
    as_json: bool,
    installing: bool,
) -> None:
    pending = [c for c in changes if c.changed]
    if as_json:
        emit_json({"changes": [_as_dict(c, home) for c in changes], "notes": notes, "written": False})
    else:
        _preview(changes, home, notes)
    verb = "install" if installing else "uninstall"
    if not pending or dry_run:
        if not as_json:
            typer.echo(
                "nothing to change" if not pending else f"dry run: nothing written (scout {verb} writes it)"
            )
        if not pending and not dry_run:
            apply(changes, state, installing)  # forget records of files that are gone
        return
    if not confirmed(f"Write these {len(pending)} change(s)?", yes, "not writing without confirmation"):
        typer.echo("nothing written", err=True)
        raise typer.Exit(1)
    apply(changes, state, installing)
    if as_json:
        return
    for c in pending:
        done = "wrote" if installing else "deleted" if c.after is None else "edited" if c.note else "restored"
        typer.echo(f"{done} {_shown(c.path, home)}")
    harnesses = ", ".join(c.label for c in pending if c.target != "instructions")
    if installing and harnesses:
        typer.echo(
            f"restart {harnesses} (or reload its MCP servers) to start scout; `scout uninstall` undoes this"
        )


def _preview(changes: list[Change], home: Path | None, notes: list[str]) -> None:
    for c in changes:
        status = c.what if c.changed or c.what.endswith("already there") else f"{c.what}: no change"
        note = f" ({c.note})" if c.note else ""
        typer.echo(f"{c.label}: {_shown(c.path, home)}: {status}{note}")
        if c.changed:
            typer.echo(c.diff(_shown(c.path, home)), nl=False)
    for note in notes:
        typer.echo(note)


def _as_dict(c: Change, home: Path | None) -> dict:
    return {
        "target": c.target,
        "label": c.label,
        "path": str(c.path),
        "action": c.what,
        "changed": c.changed,
        "note": c.note or None,
        "diff": c.diff(_shown(c.path, home)) if c.changed else "",
    }


def _shown(path: Path, home: Path | None) -> str:
    if home is not None and path.is_relative_to(home):
        return "~/" + path.relative_to(home).as_posix()
    return str(path)


def _names(only: str | None) -> list[str]:
    names = [n.strip().lower() for n in (only or "").split(",") if n.strip()]
    for name in names:
        if name not in HARNESSES:
            raise ScoutError(f"unknown harness {name!r}", hint=f"known: {NAMES}")
    return names
