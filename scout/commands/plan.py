"""`scout plan` and `scout patch`: explore, then hand the bundle and the issue to a frontier model.

stdout carries only the plan or the diff (or --json); the token report goes to stderr. The model
client (httpx) is imported when one of these commands runs, not whenever `scout` starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scout.api import Workspace
from scout.bundle import Bundle
from scout.commands.app import command_app
from scout.commands.options import (
    BudgetOpt,
    ExplorerOpt,
    JsonOpt,
    RepoOpt,
    TrajOpt,
    TurnsOpt,
    emit_json,
    read_query,
)
from scout.commands.progress import progress_bar
from scout.config import Settings, load_settings
from scout.explorer import make_policy
from scout.explorer.trajectory import Trajectory
from scout.progress import TRIVIAL_FILES
from scout.repo import Repo

if TYPE_CHECKING:
    from scout.llm import Chat
    from scout.orchestrator import Outcome

app = command_app()
IssueArg = Annotated[str, typer.Argument(help="The issue: its text, a file holding it, or '-' for stdin.")]
ModelOpt = Annotated[
    str | None, typer.Option(help="Frontier model: MODEL, openai:MODEL@URL or anthropic:MODEL [SCOUT_MODEL].")
]
BaseUrlOpt = Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint [SCOUT_BASE_URL].")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ask the model even if a reply is cached.")]


@app.command(epilog="Example: scout plan issue.md --model anthropic:claude-sonnet-4-5 --repo ~/src/shop")
def plan(
    issue: IssueArg,
    repo: RepoOpt = Path("."),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    explorer: ExplorerOpt = None,
    no_cache: NoCacheOpt = False,
    budget: BudgetOpt = None,
    max_turns: TurnsOpt = None,
    trajectory: TrajOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Explore for ISSUE, then print the frontier model's implementation plan (Markdown)."""
    run = _Run.start(
        issue,
        repo,
        trajectory,
        model=model,
        base_url=base_url,
        explorer=explorer,
        llm_cache=False if no_cache else None,
        budget=budget,
        max_turns=max_turns,
    )
    from scout import orchestrator

    outcome = orchestrator.plan(run.issue, run.bundle, run.frontier, run.repo, run.settings.redact)
    run.finish(outcome, as_json)
    if not as_json:
        typer.echo(outcome.text)
    raise typer.Exit(0 if outcome.ok else 1)


@app.command(epilog="Example: scout patch issue.md --model gpt-4.1 --output fix.diff")
def patch(
    issue: IssueArg,
    repo: RepoOpt = Path("."),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    explorer: ExplorerOpt = None,
    no_cache: NoCacheOpt = False,
    budget: BudgetOpt = None,
    max_turns: TurnsOpt = None,
    trajectory: TrajOpt = None,
    max_repairs: Annotated[
        int | None, typer.Option(help="Send a diff that does not apply back at most N times [default: 2].")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also write the diff here.")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Apply the diff to the working tree.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Explore for ISSUE, then print a unified diff from the frontier model, checked with
    `git apply --check` (nothing is printed or written unless it applies)."""
    run = _Run.start(
        issue,
        repo,
        trajectory,
        model=model,
        base_url=base_url,
        explorer=explorer,
        llm_cache=False if no_cache else None,
        budget=budget,
        max_turns=max_turns,
        max_repairs=max_repairs,
    )
    from scout import orchestrator

    outcome = orchestrator.patch(
        run.issue, run.bundle, run.frontier, run.repo, run.settings.max_repairs, run.settings.redact
    )
    if outcome.ok and output:
        output.write_text(outcome.text, encoding="utf-8")
    if outcome.ok and apply:
        orchestrator.apply(run.repo, outcome.text)
    run.finish(
        outcome,
        as_json,
        extra={"output": str(output) if outcome.ok and output else None, "applied": outcome.ok and apply},
    )
    if not as_json and outcome.ok:
        typer.echo(outcome.text, nl=False)
    raise typer.Exit(0 if outcome.ok else 1)


class _Run:
    """What both commands share: settings, the explored bundle, the frontier client, the report."""

    def __init__(self, issue: str, repo: Repo, settings: Settings, bundle: Bundle, explorer: object) -> None:
        self.issue, self.repo, self.settings, self.bundle = issue, repo, settings, bundle
        self.explorer_usage = getattr(getattr(explorer, "client", None), "usage", None)
        from scout.llm import client_for

        self.frontier: Chat = client_for(settings)

    @classmethod
    def start(cls, issue: str, repo: Path, trajectory: Path | None, **overrides: object) -> _Run:
        from scout.explorer.llm import LLMPolicy
        from scout.llm import model_spec

        text = read_issue(issue)
        root = Repo.open(repo)
        settings = load_settings(root.root).merged(**overrides)
        model_spec(settings)  # a missing or malformed model fails here, before any exploring
        with progress_bar("indexing", threshold=TRIVIAL_FILES) as progress:
            ws = Workspace.open(root.root, settings, progress=progress)
        policy = make_policy(settings.explorer)
        if isinstance(policy, LLMPolicy) and policy.client is None:
            policy.settings = settings  # an LLM explorer honours this run's flags (--no-cache, ...)
        traj = Trajectory.to_file(trajectory) if trajectory else None
        try:
            bundle = ws.ask(text, policy=policy, limits=ws.limits(with_code=True), trajectory=traj)
        finally:
            if traj:
                traj.close()
            ws.close()
        return cls(text, root, settings, bundle, policy)

    def finish(self, outcome: Outcome, as_json: bool, extra: dict | None = None) -> None:
        if as_json:
            emit_json(self.report(outcome) | (extra or {}))
            return
        s, u = outcome.savings, outcome.usage
        saved = f"{s.saved:.0%} saved" if s.saved >= 0 else f"{-s.saved:.0%} more"  # a tiny repository
        typer.echo(
            f"scout: evidence: {len(self.bundle.spans)} spans from {self.bundle.explorer}; "
            f"sent {s.sent:,} tokens vs {s.baseline:,} for the full text of the {len(s.files)} cited files "
            f"({saved})",
            err=True,
        )
        typer.echo(
            f"scout: model {self.frontier.name}: {u.requests} requests ({u.cache_hits} more from cache), "
            f"{u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion tokens reported",
            err=True,
        )
        if outcome.kind == "patch":
            repairs = max(0, outcome.attempts - 1)
            verdict = "applies" if outcome.ok else "does not apply: " + outcome.errors[-1].splitlines()[0]
            typer.echo(f"scout: patch {verdict} ({repairs} repairs)", err=True)

    def report(self, outcome: Outcome) -> dict:
        usage = {"frontier": outcome.usage.__dict__}
        if self.explorer_usage is not None:
            usage["explorer"] = self.explorer_usage.__dict__
        return {
            "kind": outcome.kind,
            "ok": outcome.ok,
            "text": outcome.text,
            "prompt": outcome.prompt,
            "model": self.frontier.name,
            "tokens": outcome.savings.to_dict(),
            "usage": usage,
            "attempts": outcome.attempts,
            "errors": outcome.errors,
            "bundle": self.bundle.to_dict(),
        }


def read_issue(issue: str) -> str:
    """ISSUE is '-' (stdin), a file holding the issue, or the issue's text itself."""
    names_a_file = issue == "-" or (len(issue) < 4096 and "\n" not in issue and Path(issue).is_file())
    return read_query(None, issue) if names_a_file else read_query(issue)
