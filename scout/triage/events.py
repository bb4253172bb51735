"""GitHub event payloads the bot answers: new or edited issues, `/scout` comments, failed workflow runs.

Actions stores the triggering webhook payload at $GITHUB_EVENT_PATH and names the event in
$GITHUB_EVENT_NAME. The payload does not name itself, so without a name it is recognised by shape.
A payload scout cannot read, or an event it does not answer, is an `EventError` (exit 2); a
supported event that needs no answer (a closed issue, a green run) has a `skip` reason instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scout.errors import ScoutError

SUPPORTED = ("issues", "issue_comment", "workflow_run")
ISSUE_ACTIONS = ("opened", "edited")
FAILED = ("failure", "timed_out")
COMMAND = "/scout"
# Who may summon the bot on someone else's issue: people with a stake in the repository.
TRUSTED = ("OWNER", "MEMBER", "COLLABORATOR")


class EventError(ScoutError):
    """The event file is unreadable, malformed, or of a kind the bot does not answer."""


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    labels: tuple[str, ...]
    author: str
    html_url: str


@dataclass(frozen=True)
class Comment:
    body: str
    author: str
    association: str
    is_bot: bool

    @property
    def command(self) -> str | None:
        """The text after `/scout` when the comment's first line is a command, else None."""
        first = self.body.strip().split("\n", 1)[0].strip()
        if first == COMMAND or first.startswith(COMMAND + " "):
            return first[len(COMMAND) :].strip()
        return None


@dataclass(frozen=True)
class Run:
    id: int
    name: str
    number: int
    workflow_id: int
    head_sha: str
    head_branch: str
    conclusion: str
    html_url: str
    pull_requests: tuple[int, ...]


@dataclass(frozen=True)
class Event:
    name: str
    action: str
    owner: str
    repo: str
    default_branch: str | None
    issue: Issue | None = None
    comment: Comment | None = None
    run: Run | None = None

    @property
    def number(self) -> int | None:
        """The issue or pull request the answer belongs on, if any."""
        if self.issue:
            return self.issue.number
        return self.run.pull_requests[0] if self.run and self.run.pull_requests else None

    @property
    def skip(self) -> str | None:
        """Why this event needs no answer, or None when it does."""
        if self.name == "issues" and self.action not in ISSUE_ACTIONS:
            return f"issues event with action {self.action!r} (scout answers opened and edited)"
        if self.name == "issue_comment":
            return _comment_skip(self)
        if self.name == "workflow_run" and self.run:
            if self.action != "completed":
                return f"workflow_run event with action {self.action!r} (scout answers completed runs)"
            if self.run.conclusion not in FAILED:
                return f"workflow run concluded {self.run.conclusion!r}, not failure"
        return None


def _comment_skip(event: Event) -> str | None:
    comment, issue = event.comment, event.issue
    assert comment is not None and issue is not None
    if event.action != "created":
        return f"issue_comment event with action {event.action!r} (scout answers new comments)"
    if comment.command is None:
        return f"comment does not start with {COMMAND}"
    if comment.is_bot:
        return f"{COMMAND} comment from a bot"
    if comment.association not in TRUSTED and comment.author != issue.author:
        return f"{COMMAND} from {comment.author}, who is neither the issue's author nor a collaborator"
    return None


def load_event(path: str | Path, name: str | None = None) -> Event:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EventError(f"event file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EventError(f"cannot read event file {path}: {exc}") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventError(f"event file {path} is not JSON: {exc}") from None
    except RecursionError:  # nesting deeper than the parser's stack: no payload GitHub sends
        raise EventError(f"event file {path} is not JSON scout can read: nested too deeply") from None
    return parse_event(payload, name)


def parse_event(payload: Any, name: str | None = None) -> Event:
    if not isinstance(payload, dict):
        raise EventError("malformed event: the payload is not a JSON object")
    name = name or infer_name(payload)
    if name not in SUPPORTED:
        raise EventError(f"unsupported event {name!r}: scout triage answers {', '.join(SUPPORTED)}")
    full_name = _field(payload, "repository.full_name", str)
    owner, _, repo = full_name.partition("/")
    if not owner or not repo:
        raise EventError(f"malformed event: repository.full_name {full_name!r} is not OWNER/REPO")
    event = Event(
        name=name,
        action=_field(payload, "action", str),
        owner=owner,
        repo=repo,
        default_branch=_optional(payload, "repository.default_branch", str),
    )
    if name == "workflow_run":
        return replace(event, run=_run(payload))
    issue = _issue(payload)
    if name == "issue_comment":
        return replace(event, issue=issue, comment=_comment(payload))
    return replace(event, issue=issue)


def infer_name(payload: dict[str, Any]) -> str:
    if "workflow_run" in payload:
        return "workflow_run"
    if "issue" in payload:
        return "issue_comment" if "comment" in payload else "issues"
    for name in ("pull_request", "push", "release", "check_run", "workflow_job"):
        if name in payload or (name == "push" and "commits" in payload):
            return name
    raise EventError(
        "unsupported event: the payload has none of issue, comment or workflow_run "
        "(set GITHUB_EVENT_NAME or --event-name)"
    )


def _issue(payload: dict[str, Any]) -> Issue:
    labels = _optional(payload, "issue.labels", list) or []
    return Issue(
        number=_field(payload, "issue.number", int),
        title=_field(payload, "issue.title", str),
        body=_optional(payload, "issue.body", str) or "",  # GitHub sends null for an empty body
        labels=tuple(
            lab["name"] for lab in labels if isinstance(lab, dict) and isinstance(lab.get("name"), str)
        ),
        author=_optional(payload, "issue.user.login", str) or "",
        html_url=_optional(payload, "issue.html_url", str) or "",
    )


def _comment(payload: dict[str, Any]) -> Comment:
    return Comment(
        body=_optional(payload, "comment.body", str) or "",
        author=_optional(payload, "comment.user.login", str) or "",
        association=_optional(payload, "comment.author_association", str) or "NONE",
        is_bot=_optional(payload, "comment.user.type", str) == "Bot",
    )


def _run(payload: dict[str, Any]) -> Run:
    prs = _optional(payload, "workflow_run.pull_requests", list) or []
    return Run(
        id=_field(payload, "workflow_run.id", int),
        name=_optional(payload, "workflow_run.name", str) or "workflow",
        number=_optional(payload, "workflow_run.run_number", int) or 0,
        workflow_id=_optional(payload, "workflow_run.workflow_id", int) or 0,
        head_sha=_field(payload, "workflow_run.head_sha", str),
        head_branch=_optional(payload, "workflow_run.head_branch", str) or "",
        conclusion=_optional(payload, "workflow_run.conclusion", str) or "",
        html_url=_optional(payload, "workflow_run.html_url", str) or "",
        pull_requests=tuple(pr["number"] for pr in prs if isinstance(pr, dict) and _is_int(pr.get("number"))),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # `true` is no pull request's number


def _field(payload: dict[str, Any], dotted: str, typ: type) -> Any:
    value = _optional(payload, dotted, typ)
    if value is None:
        raise EventError(f"malformed event: {dotted} is missing")
    return value


def _optional(payload: dict[str, Any], dotted: str, typ: type) -> Any:
    value: Any = payload
    for key in dotted.split("."):
        if not isinstance(value, dict):
            raise EventError(f"malformed event: {dotted} is not where GitHub puts it")
        value = value.get(key)
        if value is None:
            return None
    # bool is an int in Python; an issue number of `true` is still malformed.
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise EventError(f"malformed event: {dotted} should be a {typ.__name__}, got {type(value).__name__}")
    return value
