"""`scout triage`: the CI bot (docs/ci-bot.md). Exit 0 answered or skipped, 1 nothing found, 2 error."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scout.commands.app import command_app
from scout.commands.ask import open_workspace
from scout.commands.options import JsonOpt, RepoOpt, emit_json

if TYPE_CHECKING:
    from scout.triage.bot import Outcome

app = command_app()


@app.command(
    "triage",
    epilog="Example: scout triage --event $GITHUB_EVENT_PATH --repo . --dry-run",
)
def triage_command(
    event: Annotated[Path, typer.Option("--event", help="The GitHub event payload (JSON) to answer.")],
    repo: RepoOpt = Path("."),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the comment; post nothing.")] = False,
    event_name: Annotated[
        str | None,
        typer.Option(
            help="issues, issue_comment or workflow_run [default: $GITHUB_EVENT_NAME, else inferred]."
        ),
    ] = None,
    sha: Annotated[
        str | None,
        typer.Option("--sha", help="Commit (or tag) permalinks point at [default: the checkout's]."),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Option("--log", help="workflow_run: read this job log instead of downloading logs."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer an issue, a /scout comment or a failed workflow run with the code it points at."""
    # Imported here: the bot's HTTP stack would slow every other scout command's start-up.
    from scout.triage.bot import Options, Outcome, target_of, triage
    from scout.triage.events import load_event

    parsed = load_event(event, event_name or os.environ.get("GITHUB_EVENT_NAME") or None)
    if parsed.skip:  # before indexing: most comments on a busy repository are not for the bot
        _report(Outcome("skipped", target_of(parsed), reason=parsed.skip), as_json)
        raise typer.Exit(0)
    ws = open_workspace(repo)
    options = Options.from_env(
        os.environ,
        dry_run=dry_run,
        ref=sha,
        log_file=log,
        retries=ws.settings.github_retries,
        backoff=ws.settings.github_backoff_ms / 1000,
    )
    try:
        outcome = triage(parsed, ws, options)
    finally:
        ws.close()
    _report(outcome, as_json)
    raise typer.Exit(outcome.exit_code)


def _report(outcome: Outcome, as_json: bool) -> None:
    if as_json:
        emit_json(outcome.to_dict())
        return
    if outcome.action in ("skipped", "nothing"):
        typer.echo(f"scout: {outcome.action}: {outcome.target}: {outcome.reason}", err=True)
    elif outcome.action in ("printed", "summary"):
        typer.echo(outcome.body, nl=False)
    else:
        added = f" (labels added: {', '.join(outcome.labels_added)})" if outcome.labels_added else ""
        typer.echo(f"{outcome.action} comment on {outcome.target}: {outcome.url}{added}")
