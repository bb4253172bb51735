"""The triage run: event in, evidence found, one comment created or edited, labels added.

Read-only towards the repository: it is indexed and searched, never executed. Towards GitHub the
bot's writes are idempotent: its comment is found again by the hidden marker and edited, labels
are only added, each once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scout.api import Workspace
from scout.bundle import Bundle
from scout.errors import ScoutError
from scout.triage import ci
from scout.triage.codeowners import CodeOwners
from scout.triage.comment import Cited, Draft, Links, confidence, footer, read_marker, render
from scout.triage.config import LEVELS, BotConfig, load_bot_config
from scout.triage.events import Event
from scout.triage.github import GitHub, GitHubError
from scout.triage.labels import labels_to_add, suggest_labels

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 20_000  # of an issue's title and body; the rest is noise for the explorer


@dataclass
class Options:
    dry_run: bool = False
    server_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    token: str | None = None
    ref: str | None = None  # --sha: what permalinks point at
    env_sha: str | None = None  # GITHUB_SHA
    log_file: Path | None = None
    summary_file: Path | None = None  # GITHUB_STEP_SUMMARY
    retries: int = 5
    backoff: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str], **values: Any) -> Options:
        summary = env.get("GITHUB_STEP_SUMMARY")
        return cls(
            server_url=env.get("GITHUB_SERVER_URL") or cls.server_url,
            api_url=env.get("GITHUB_API_URL") or cls.api_url,
            token=env.get("GITHUB_TOKEN") or None,
            env_sha=env.get("GITHUB_SHA") or None,
            summary_file=Path(summary) if summary else None,
            **values,
        )


@dataclass
class Outcome:
    action: str  # created | updated | printed | summary | skipped | nothing
    target: str
    reason: str = ""
    body: str | None = None
    url: str | None = None
    labels_added: list[str] = field(default_factory=list)
    bundle: Bundle | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.action == "nothing" else 0

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "bundle"}
        return {**data, "bundle": self.bundle.to_dict() if self.bundle else None}


@dataclass
class Existing:
    id: int | None = None
    url: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


def target_of(event: Event) -> str:
    where = f"{event.owner}/{event.repo}"
    if event.number is not None:
        return f"{where}#{event.number}"
    return f"{where} run {event.run.id}" if event.run else where


def triage(event: Event, ws: Workspace, options: Options) -> Outcome:
    if event.skip:
        return Outcome("skipped", target_of(event), reason=event.skip)
    gh = None
    if not options.dry_run or (event.run and options.log_file is None):  # posting, or fetching logs
        if not options.token and not options.dry_run:
            raise GitHubError("GITHUB_TOKEN is not set", hint="needed to post; --dry-run prints instead")
        gh = GitHub(options.api_url, options.token, event.owner, event.repo, options.retries, options.backoff)
    bot = Bot(event, ws, options, load_bot_config(ws.repo), CodeOwners.load(ws.repo), gh)
    try:
        return bot.answer_failure() if event.run else bot.answer_issue()
    finally:
        if gh is not None:
            gh.close()


@dataclass
class Bot:
    event: Event
    ws: Workspace
    options: Options
    config: BotConfig
    owners: CodeOwners
    gh: GitHub | None

    @property
    def target(self) -> str:
        return target_of(self.event)

    def answer_issue(self) -> Outcome:
        existing = self.existing("issue")
        query, truncated = issue_query(self.event)
        bundle = self.ask(query)
        level = confidence(bundle)
        summoned = self.event.comment is not None  # an explicit /scout always gets an answer
        if not bundle.spans:
            return Outcome("nothing", self.target, reason="no evidence found", bundle=bundle)
        if LEVELS.index(level[0]) < LEVELS.index(self.config.min_confidence) and not summoned:
            reason = f"confidence {level[0]} is below min_confidence {self.config.min_confidence}"
            return Outcome("nothing", self.target, reason=reason, bundle=bundle)
        ref = code_ref(self.event, self.ws, self.options)
        suggested = suggest_labels(bundle.spans, self.config.labels, self.config.max_labels)
        before = [str(x) for x in existing.state.get("labels", [])]
        to_add = labels_to_add(suggested, self.event.issue.labels, before) if self.config.add_labels else []
        draft = self.draft("issue", {"labels": sorted({*before, *to_add})}, level, bundle, ref)
        draft.intro = ["**scout** looked for the code behind this issue."]
        draft.labels, draft.labels_added = suggested, self.config.add_labels
        draft.footer = footer(bundle, ref, "comment `/scout` (optionally with a question) to re-run")
        if truncated:
            draft.notes.append(f"The issue is long: scout read its first {MAX_QUERY_CHARS:,} characters.")
        return self.deliver(draft, existing, bundle, to_add)

    def answer_failure(self) -> Outcome:
        run = self.event.run
        existing = self.existing(f"ci:{run.workflow_id}")
        failure = ci.read_failure(run, self.ws.repo, self.gh, self.options.log_file, self.ws.settings.redact)
        query = ci.failure_query(failure)
        bundle = self.ask(query) if query else None
        if not failure.pointed and not (bundle and bundle.spans):
            reason = "the failed jobs' logs point at no code here"
            return Outcome("nothing", self.target, reason=reason, bundle=bundle)
        ref = code_ref(self.event, self.ws, self.options)
        level = confidence(bundle, pointed=bool(failure.pointed))
        draft = self.draft(f"ci:{run.workflow_id}", {"run": run.id}, level, bundle, ref)
        draft.intro = ci.describe_failure(run, failure)
        # Log lines belong to the commit that failed, whatever the checkout is.
        at_head = Links(self.options.server_url, self.event.owner, self.event.repo, run.head_sha)
        draft.pointed = [
            Cited(
                p.path,
                p.line,
                None,
                "named by the log",
                at_head.blob(p.path, p.line),
                None,
                self.owners.owners(p.path),
            )
            for p in failure.pointed
        ]
        _add_owners(draft, self.owners)
        commit = self.ws.repo.commit
        if commit and commit != run.head_sha and ref == commit:
            draft.notes.append(
                f"The checkout is at {commit[:7]}, the failed run at {run.head_sha[:7]}: lines may differ."
            )
        return self.deliver(draft, existing, bundle, [])

    def ask(self, query: str) -> Bundle:
        return self.ws.ask(query, limits=self.ws.limits(with_code=False, max_spans=self.config.max_spans))

    def existing(self, key: str) -> Existing:
        number = self.event.number
        if self.gh is None or self.options.dry_run or number is None:
            return Existing()
        return find_comment(self.gh, number, key)

    def draft(self, key: str, state: dict[str, Any], level, bundle: Bundle | None, ref: str) -> Draft:
        links = Links(self.options.server_url, self.event.owner, self.event.repo, ref)
        cited = (
            [Cited.from_span(s, links, self.owners.owners(s.path)) for s in bundle.spans] if bundle else []
        )
        draft = Draft(key, state, [], cited, level, mention=self.config.mention_owners)
        if bundle:
            draft.leads = [Cited.from_span(s, links, self.owners.owners(s.path)) for s in bundle.leads]
        draft.footer = footer(bundle, ref) if bundle else ""
        _add_owners(draft, self.owners)
        return draft

    def deliver(self, draft: Draft, existing: Existing, bundle: Bundle | None, to_add: list[str]) -> Outcome:
        body, number, target = render(draft), self.event.number, self.target
        if self.options.dry_run:
            return Outcome("printed", target, body=body, labels_added=to_add, bundle=bundle)
        if number is None:  # a failed push build: no issue or pull request to answer on
            if self.options.summary_file:
                with self.options.summary_file.open("a", encoding="utf-8") as out:
                    out.write(body.split("\n", 1)[1] + "\n")
            return Outcome("summary", target, body=body, bundle=bundle)
        self.gh.add_labels(number, to_add)  # first: the comment must not claim labels that were not added
        if existing.id is not None:
            posted, action = self.gh.update_comment(existing.id, body), "updated"
        else:
            posted, action = self.gh.create_comment(number, body), "created"
        url = posted.get("html_url")
        return Outcome(action, target, body=body, url=url, labels_added=to_add, bundle=bundle)


def find_comment(gh: GitHub, number: int, key: str) -> Existing:
    for comment in gh.issue_comments(number):
        state = read_marker(comment.get("body") or "", key)
        if state is not None:
            return Existing(comment["id"], comment.get("html_url"), state)
    return Existing()


def issue_query(event: Event) -> tuple[str, bool]:
    """The explorer's query for an issue: the /scout question first, then title and body."""
    issue = event.issue
    command = event.comment.command if event.comment else None
    text = "\n\n".join(p for p in (command, issue.title, issue.body) if p)
    if len(text) > MAX_QUERY_CHARS:
        log.warning("issue text has %d characters; reading the first %d", len(text), MAX_QUERY_CHARS)
        return text[:MAX_QUERY_CHARS], True
    return text, False


def code_ref(event: Event, ws: Workspace, options: Options) -> str:
    """The commit the permalinks point at: the one whose lines were read, as best we know it."""
    ref = options.ref or ws.repo.commit or (event.run.head_sha if event.run else None) or options.env_sha
    if ref:
        return ref
    if event.default_branch:
        log.warning("not a git checkout and no --sha: permalinks point at branch %s", event.default_branch)
        return event.default_branch
    raise ScoutError("cannot tell which commit to link to", hint="run in a git checkout or pass --sha")


def _add_owners(draft: Draft, owners: CodeOwners) -> None:
    seen: dict[str, None] = {}
    for c in [*draft.pointed, *draft.cited]:
        seen.update(dict.fromkeys(c.owners))
    draft.owners, draft.owners_file = list(seen), owners.path
