"""A failed workflow run: its failed jobs, what their logs point at, and the query that follows.

Logs come from the API (the run's latest attempt), or from a file (`--log`) for dry runs. Paths
in logs are the CI machine's (`/home/runner/work/shop/shop/shop/auth/tokens.py`); each is mapped
to the longest suffix that is a file in the local checkout, so only repository code is cited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scout.errors import ScoutError
from scout.redact import redact as mask
from scout.repo import Repo
from scout.triage.comment import code, fenced, inert
from scout.triage.events import FAILED, Run
from scout.triage.github import GitHub
from scout.triage.logs import Location, LogFacts, extract

log = logging.getLogger(__name__)

MAX_JOBS = 3
MAX_LOG_BYTES = 2 * 1024 * 1024  # per job, from the end of the log
MAX_POINTED = 5
MAX_QUERY_TRACEBACKS = 2


@dataclass
class Failure:
    jobs: list[dict[str, Any]] = field(default_factory=list)
    facts: LogFacts = field(default_factory=LogFacts)
    pointed: list[Location] = field(default_factory=list)  # repo-relative, innermost first


def read_failure(
    run: Run, repo: Repo, gh: GitHub | None, log_file: Path | None, redact: bool = True
) -> Failure:
    failure = Failure()
    if log_file is not None:
        try:
            failure.facts = extract(log_file.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            raise ScoutError(f"cannot read log file {log_file}: {exc.strerror or exc}") from None
    elif gh is not None:
        failure.jobs = [j for j in gh.run_jobs(run.id) if j.get("conclusion") in FAILED][:MAX_JOBS]
        for job in failure.jobs:
            failure.facts.merge(extract(gh.job_log(job["id"], MAX_LOG_BYTES)))
    failure.pointed = in_repo(repo, failure.facts.locations)[:MAX_POINTED]
    if redact:  # a log can print a token or a password; its errors and test names are quoted
        failure.facts = masked(failure.facts)
    return failure


def masked(facts: LogFacts) -> LogFacts:
    """The facts with secrets masked in everything the comment or the query quotes."""
    return replace(
        facts,
        tests=[mask(t).text for t in facts.tests],
        errors=[mask(e).text for e in facts.errors],
        tracebacks=[mask(t).text for t in facts.tracebacks],
    )


def in_repo(repo: Repo, locations: list[Location]) -> list[Location]:
    found: dict[Location, None] = {}
    for loc in locations:
        rel = repo_path(repo, loc.path)
        if rel is not None:
            found.setdefault(Location(rel, loc.line))
    return list(found)


def repo_path(repo: Repo, path: str) -> str | None:
    """The repo-relative file a log's path names: its longest suffix that exists here."""
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    if ".." in parts:
        return None
    for i in range(len(parts)):
        candidate = "/".join(parts[i:])
        try:
            if repo.resolve(candidate).is_file():
                return repo.relative(candidate)
        except ScoutError:
            continue
    return None


def failure_query(failure: Failure) -> str:
    """Explorer input: test names, errors, tracebacks, and the lines the log names as frames."""
    facts = failure.facts
    parts = []
    if facts.tests:
        parts.append("Failing tests: " + ", ".join(facts.tests))
    parts += facts.errors
    parts += facts.tracebacks[-MAX_QUERY_TRACEBACKS:]
    # In traceback form the explorer treats them as frames: outline the file, cite the enclosing definition.
    parts += [f'File "{loc.path}", line {loc.line}' for loc in failure.pointed]
    return "\n".join(parts)


def describe_failure(run: Run, failure: Failure) -> list[str]:
    """The comment's opening lines for a failed run."""
    name = inert(f"{run.name} #{run.number}")  # the workflow's name is the repository's text
    title = f"[{name}]({run.html_url})" if run.html_url else name
    lines = [f"**scout** read the failed run {title} at {code(run.head_sha[:7])}."]
    if failure.jobs:
        jobs = [_job(j) for j in failure.jobs]
        lines += ["", "**Failed jobs:** " + "; ".join(jobs)]
    facts = failure.facts
    if facts.tests:
        lines += ["", "**Failing tests:** " + ", ".join(code(t) for t in facts.tests)]
    if facts.errors:
        lines += ["", "**Errors:**", *fenced(facts.errors)]
    if not facts:
        lines += ["", "The logs name no failing test, error or source line."]
    return lines


def _job(job: dict[str, Any]) -> str:
    name = code(str(job.get("name", "job")))
    text = f"[{name}]({job['html_url']})" if job.get("html_url") else name
    steps = [s.get("name") for s in job.get("steps") or [] if s.get("conclusion") in FAILED]
    return text + (f" at step {code(str(steps[0]))}" if steps and steps[0] else "")
