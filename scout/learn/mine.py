"""Training tasks from git history, in the benchmark's JSON Lines format.

A commit that fixes or changes behaviour is a localisation task: its message (minus trailers and
PR numbers) is the query, the pre-image hunks of the non-test source files it touched are the gold
ranges, and the definitions enclosing the changed lines at the parent are the gold functions.
Commit bodies that describe behaviour are issue-like tasks of their own. The tree at the mined
commit adds tasks that read like users' questions: docstrings and their question forms
(`docquestions`), README and docs sections (`readme`) and test names (`testnames`). Repositories
are split train/dev by the manifest or a hash of their name, so no repository is on both sides.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scout.errors import ScoutError
from scout.index.languages import parsed_as
from scout.index.records import Definition
from scout.index.tags import extract
from scout.learn.docquestions import doc_tasks, question_tasks
from scout.learn.gitlog import Blobs, Commit, FileDiff, commits
from scout.learn.headtree import HeadTree, is_source
from scout.learn.readme import readme_tasks
from scout.learn.tasks import language_of, normalise
from scout.learn.testnames import test_tasks

log = logging.getLogger("scout.learn.mine")

# Evaluation repositories (SWE-bench Lite, and those held out for evaluation): never mined. The
# plain-question benchmark's repositories are matched by owner/name: their short names (cli, chi,
# fd, koa, ...) are shared by unrelated projects such as urfave/cli.
EVAL_NAMES = frozenset(
    "astropy django matplotlib seaborn flask requests xarray pylint pytest scikit-learn sphinx sympy"
    " click httpx rich gin cobra express zod ripgrep clap".split()
)
EVAL_REPOS = frozenset(
    "httpie/cli go-chi/chi sharkdp/fd koajs/koa jhy/jsoup sinatra/sinatra slimphp/slim"
    " davegamble/cjson"
    # the held-out questions (benchmarks/questions/fresh.jsonl)
    " benoitc/gunicorn go-task/task dandavison/delta markedjs/marked thoughtbot/factory_bot".split()
)
FIX_WORDS = re.compile(
    r"\b(fix|bug|error|crash|wrong|should|support|add|allow|handle|raise|prevent|avoid|correct|fail"
    r"|broken|regression|ensure|missing|incorrect|respect|honou?r)", re.I
)  # fmt: skip
SKIP_SUBJECT = re.compile(
    r"^\s*(revert|merge|bump|release|prepare|back to dev|version|changelog|update changelog|\[pre-commit"
    r"|pre-commit|\[?docs?\b|typo|style|format|reformat|lint|ci\b|chore|tests?\b|build\b|v?\d+\.\d+)", re.I
)  # fmt: skip
TRAILER = re.compile(
    r"^\s*([\w-]+-by|cc|change-id|fixes|closes|resolves|refs?|see|pr|issue|related|signed-off)\b\s*[:#]", re.I
)
NOISE_LINE = re.compile(
    r"^\s*[*-]?\s*(update \S+\.\w+$|apply suggestions? from|fixup|wip$|merge branch|address review"
    r"|\[pre-commit\.ci\]|pre-commit-ci|for more information, see|---+$)", re.I
)  # fmt: skip
ISSUE_REF = re.compile(
    r"\(?(?:\b[\w.-]+/[\w.-]+)?(?:#|\bgh-|\bGH-)\d+\)?|https?://\S+/(?:pull|issues)/\d+\S*"
)
# A commit body that says what went wrong or should happen reads like an issue.
BEHAVIOUR = re.compile(
    r"\b(when|should|instead|error|fail(s|ed|ing|ure)?|expected|exception|crash(es|ed)?|incorrect(ly)?"
    r"|wrong|broken|previously)\b", re.I
)  # fmt: skip
SENTENCE = re.compile(r"\w[^.!?]*[.!?](?=\s|$)")
MAX_QUERY_CHARS = 4000
MAX_PATCH_CHARS = 20_000  # the patch is kept for analysis only; never an input
COMMENT = ("#", "//", "/*", "*", "--", '"""', "'''")


@dataclass
class MineOptions:
    max_commits: int = 5000  # newest commits scanned per repository
    max_tasks: int = 1500  # commit tasks kept per repository, fix-like messages first
    max_doc_tasks: int = 300  # docstring questions per repository
    max_docquestion_tasks: int = 150  # ...asked as questions in plain words
    max_readme_tasks: int = 100  # README and docs sections
    max_test_tasks: int = 200  # test names
    max_issue_tasks: int = 300  # commit bodies that read like issues
    max_files: int = 8  # more touched source files than this is a huge commit
    max_lines: int = 300  # ...and so is more changed source lines than this
    min_words: int = 4
    dev_percent: int = 20
    rev: str = "HEAD"


def repo_name(git_dir: Path) -> str:
    """owner/name from a `fetch` mirror path (…/owner+name/repo), else the directory's name."""
    for part in reversed(git_dir.parts):
        if "+" in part:
            return part.replace("+", "/", 1)
    name = git_dir.name if git_dir.name not in (".git", "repo") else git_dir.parent.name
    return name.removesuffix(".git")


def check_allowed(repo: str, excluded: set[str]) -> None:
    """Refuse evaluation repositories: training on them would leak the benchmark."""
    full = repo.lower()
    short = full.split("/")[-1]
    swe_style = short.replace("__", "/", 1)  # swe-bench/django__django names owner__name
    if (
        full in excluded
        or full in EVAL_REPOS
        or swe_style in EVAL_REPOS
        or short in EVAL_NAMES
        or short.split("__")[-1] in EVAL_NAMES
    ):
        raise ScoutError(f"{repo} is an evaluation repository; it is never mined")


def split_for(repo: str, dev_percent: int = 20) -> str:
    bucket = int(hashlib.sha1(repo.lower().encode()).hexdigest()[:8], 16) % 100
    return "dev" if bucket < dev_percent else "train"


def clean_message(message: str) -> str:
    """Subject and body without trailers, PR/issue numbers, squash noise or repeated lines."""
    kept: list[str] = []
    for line in message.splitlines():
        if TRAILER.match(line) or NOISE_LINE.match(line):
            continue
        line = ISSUE_REF.sub("", line).rstrip()
        if line.lstrip().startswith(("* ", "- ")) and len(line.split()) <= 4:
            continue  # squash-merge bullets like "* fix test" say nothing about the change
        if line.strip() and any(line.strip(" *-") == k.strip(" *-") for k in kept):
            continue
        kept.append(line)
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]{2,}", " ", text))[:MAX_QUERY_CHARS]


def skip_reason(commit: Commit, opts: MineOptions) -> str | None:
    """Why a commit makes no task, or None when it does."""
    subject = commit.message.splitlines()[0] if commit.message else ""
    if commit.parent is None:
        return "merge or root"
    if SKIP_SUBJECT.match(subject) or "[bot]" in commit.author:
        return "revert, release, docs, tests or tooling"
    if not commit.files:
        return "huge or empty diff"
    source = source_files(commit)
    if not source:
        return "no source file changed"
    if len(source) > opts.max_files or sum(len(h.changed) for f in source for h in f.hunks) > opts.max_lines:
        return "huge"
    removed = [line for f in source for h in f.hunks for line in h.removed]
    added = [line for f in source for h in f.hunks for line in h.added]
    if _signature(removed) == _signature(added):
        return "formatting only"
    if all(_trivial(line) for line in removed + added):
        return "comments, blank lines or version strings only"
    return None


def source_files(commit: Commit) -> list[FileDiff]:
    return [f for f in commit.files if f.status == "M" and f.hunks and is_source(f.path)]


def _signature(lines: list[str]) -> list[str]:
    return sorted(s for s in ("".join(line.split()) for line in lines) if s)


def _trivial(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith(COMMENT) or bool(re.search(r"version", s, re.I))


def commit_task(repo: str, commit: Commit, blobs: Blobs) -> dict | None:
    """The task for a commit that passed `skip_reason`; None when its gold cannot be placed."""
    files = source_files(commit)
    ranges = [[f.path, *h.old_range] for f in files for h in f.hunks]
    functions = {}
    for f in files:
        names = changed_definitions(blobs, commit.parent or "", f)
        if names:
            functions[f.path] = names
    return {
        "id": f"{repo.replace('/', '__')}-{commit.sha[:12]}",
        "repo": repo,
        "base_commit": commit.parent,
        "created_at": datetime.fromtimestamp(commit.time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "query": clean_message(commit.message),
        "gold_files": sorted({f.path for f in files}),
        "gold_ranges": ranges,
        "gold_functions": functions,
        "patch": commit.diff[:MAX_PATCH_CHARS],
        "source": "commit",
        "language": language_of(sorted({f.path for f in files})),
        "commit": commit.sha,
    }


def issue_query(message: str) -> str | None:
    """A commit body that describes behaviour in two sentences or more, on its own: it reads like
    the issue that asked for the change (the subject line reads like its title)."""
    body = clean_message(message).partition("\n")[2].strip()
    if len(SENTENCE.findall(body)) >= 2 and BEHAVIOUR.search(body):
        return body
    return None


def issue_tasks(commit_tasks: list[dict], messages: dict[str, str]) -> Iterator[dict]:
    for task in commit_tasks:
        body = issue_query(messages[task["commit"]])
        if body:
            yield {**task, "id": f"{task['id']}-issue", "query": body, "source": "issue"}


def changed_definitions(blobs: Blobs, rev: str, diff: FileDiff) -> list[str]:
    """Qualified names of the innermost definitions (at `rev`) enclosing the changed lines."""
    data = blobs.read(rev, diff.path)
    lang = parsed_as(diff.path, data) if data is not None else None
    if lang is None:
        return []
    defs, _ = extract(lang, data, diff.path)
    names: list[str] = []
    for line in (n for h in diff.hunks for n in h.changed):
        inner = innermost(defs, line)
        if inner and inner.qualname not in names:
            names.append(inner.qualname)
    return names


def innermost(defs: list[Definition], line: int) -> Definition | None:
    around = [d for d in defs if d.start_line <= line <= d.end_line]
    return min(around, key=lambda d: d.end_line - d.start_line) if around else None


def mine_commits(git_dir: Path, repo: str, opts: MineOptions) -> Iterator[tuple[dict, str]]:
    """Commit tasks with their commit's message, fix-like messages first, deduplicated by query."""
    kept: list[tuple[bool, Commit]] = []
    reasons: dict[str, int] = {}
    for commit in commits(git_dir, opts.rev, opts.max_commits):
        reason = skip_reason(commit, opts)
        if reason is None and len(clean_message(commit.message).split()) < opts.min_words:
            reason = "message too short"
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
            continue
        kept.append((bool(FIX_WORDS.search(commit.message)), commit))
    log.info("%s: %d commits kept; skipped %s", repo, len(kept), reasons)
    kept.sort(key=lambda kc: (not kc[0], -kc[1].time))
    seen: set[str] = set()
    with Blobs(git_dir) as blobs:
        for _, commit in kept[: opts.max_tasks]:
            task = commit_task(repo, commit, blobs)
            key = normalise(task["query"]) if task else ""
            if task and key not in seen:
                seen.add(key)
                yield task, commit.message


def mine(
    git_dir: Path, repo: str, opts: MineOptions, excluded: set[str] = frozenset(), split: str | None = None
) -> Iterator[dict]:
    """Every task of one repository, each tagged with its split (`split`, else by name): commits and
    the issue-like bodies among them, then from the tree at `opts.rev` docstrings, their question
    forms, README/docs sections and test names. Each source is capped per repository and no two
    tasks share a normalised query."""
    check_allowed(repo, excluded)
    yield from sources(git_dir, repo, opts, split or split_for(repo, opts.dev_percent))


def sources(git_dir: Path, repo: str, opts: MineOptions, split: str = "") -> Iterator[dict]:
    """`mine` without the evaluation-repository check: `scout adapt` mines the user's own."""
    seen: set[str] = set()
    found = list(mine_commits(git_dir, repo, opts))
    seen.update(normalise(t["query"]) for t, _ in found)
    commit_tasks = [t for t, _ in found]
    messages = {t["commit"]: message for t, message in found}
    yield from ({**t, "split": split} for t in commit_tasks)
    yield from _capped(issue_tasks(commit_tasks, messages), opts.max_issue_tasks, seen, split)
    with HeadTree(git_dir, opts.rev) as tree:
        docs = list(_capped(doc_tasks(tree, repo), opts.max_doc_tasks, seen, split))
        yield from docs
        yield from _capped(question_tasks(docs), opts.max_docquestion_tasks, seen, split)
        yield from _capped(readme_tasks(tree, repo), opts.max_readme_tasks, seen, split)
        yield from _capped(test_tasks(tree, repo), opts.max_test_tasks, seen, split)


def _capped(tasks: Iterator[dict], limit: int, seen: set[str], split: str) -> Iterator[dict]:
    """Up to `limit` of `tasks` whose query no earlier task asked (`seen` is shared and updated)."""
    kept = 0
    for task in tasks:
        if kept >= limit:
            return
        key = normalise(task["query"])
        if key and key not in seen:
            seen.add(key)
            kept += 1
            yield {**task, "split": split}
