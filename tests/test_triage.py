"""`scout triage` as a real subprocess against a loopback GitHub: comments, labels, retries, errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, git, run_scout
from fake_github import TOKEN, FakeGitHub
from llm_fakes import FakeModel, Text

EVENTS = FIXTURES / "events"
LOG = FIXTURES / "logs" / "pytest-failure.log"
SERVER = "https://ghe.example.com"  # GITHUB_SERVER_URL: permalinks must use it, not github.com
HEAD_SHA = "9f2c1e7b4a5d6c8e0f1a2b3c4d5e6f708192a3b4"  # workflow_run-failure.json
CODEOWNERS = (
    "*  @octo-org/maintainers\n/shop/auth/  @octo-org/security @alice  # auth review\n*.md docs@example.com\n"
)
SCOUT_YML = "labels:\n  shop/auth/: [auth, security]\n  shop/cart/: cart\n  '*.md': documentation\n"


@pytest.fixture
def shop(sample_repo: Path) -> Path:
    """The sample repository with CODEOWNERS and a label map, committed."""
    (sample_repo / ".github").mkdir()
    (sample_repo / ".github" / "CODEOWNERS").write_text(CODEOWNERS)
    (sample_repo / ".github" / "scout.yml").write_text(SCOUT_YML)
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "owners and labels")
    return sample_repo


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.close()


def triage(
    repo: Path, event: Path | str, api: str | None, *args: str, **env: str
) -> subprocess.CompletedProcess:
    base: dict[str, str | None] = {k: None for k in os.environ if k.startswith("GITHUB_")}
    base.update(
        GITHUB_SERVER_URL=SERVER, GITHUB_TOKEN=TOKEN, SCOUT_GITHUB_BACKOFF_MS="1", SCOUT_GITHUB_RETRIES="3"
    )
    if api:
        base["GITHUB_API_URL"] = api
    base.update(env)
    return run_scout("triage", "--event", str(event), "--repo", str(repo), *args, env=base)


def event_file(tmp_path: Path, source: str, edit=None, name: str = "event.json") -> Path:
    payload = json.loads((EVENTS / source).read_text())
    if edit:
        edit(payload)
    path = tmp_path / name
    path.write_text(json.dumps(payload))
    return path


def one_error_line(out: subprocess.CompletedProcess) -> str:
    assert out.returncode == 2, (out.stdout, out.stderr)
    errors = [line for line in out.stderr.splitlines() if line.startswith("scout: error: ")]
    assert len(errors) == 1 and out.stderr.endswith(errors[0] + "\n") and "Traceback" not in out.stderr
    return errors[0]


def test_new_issue_gets_one_comment_with_permalinks_owners_and_labels(shop, github):
    out = triage(shop, EVENTS / "issues-opened.json", github.url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(
        "created comment on octo-org/shop#42: https://github.com/octo-org/shop/issues/42#"
    )
    posts = github.made("POST", r".*/issues/42/comments")
    assert len(posts) == 1 and len(github.comments[42]) == 1
    body = posts[0].body["body"]
    assert body.startswith('<!-- scout-triage:issue {"labels": ["auth", "security"]} -->\n')
    commit = git(shop, "rev-parse", "HEAD")
    assert f"]({SERVER}/octo-org/shop/blob/{commit}/shop/auth/tokens.py#L19-L27)" in body
    assert "**Owners** (from `.github/CODEOWNERS`): `@octo-org/security`, `@alice`" in body
    assert "**Labels added:** `auth`, `security`" in body and "Confidence: **high**" in body
    assert [r.body for r in github.made("POST", r".*/labels")] == [{"labels": ["auth", "security"]}]
    assert github.labels[42] == ["auth", "security"]  # `bug` was already on the issue: not re-added
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in github.requests)


def test_rerun_edits_the_same_comment_and_adds_labels_only_once(shop, github):
    for n in range(120):  # the bot's comment lands on the second page of comments
        github.add_comment(42, f"+1 from reader {n}")
    first = triage(shop, EVENTS / "issues-opened.json", github.url)
    assert first.returncode == 0, first.stderr
    github.labels[42].remove("security")  # a maintainer disagrees with one label
    second = triage(shop, EVENTS / "issues-edited.json", github.url)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("updated comment on octo-org/shop#42")
    assert len(github.made("POST", r".*/comments")) == 1 and len(github.made("PATCH")) == 1
    ours = [c for c in github.comments[42] if c["body"].startswith("<!-- scout-triage:")]
    assert len(ours) == 1 and len(github.comments[42]) == 121
    assert github.made("PATCH")[0].path == f"/repos/octo-org/shop/issues/comments/{ours[0]['id']}"
    assert len(github.made("POST", r".*/labels")) == 1 and github.labels[42] == ["auth"]
    assert not github.made("DELETE") and not github.made("PUT")
    pages = [r.query.get("page", ["1"])[0] for r in github.made("GET", r".*/issues/42/comments")]
    assert pages == ["1", "2", "1", "2"]


def test_slash_scout_comment_answers_on_its_issue(shop, github):
    out = triage(shop, EVENTS / "issue_comment-scout.json", github.url)
    assert out.returncode == 0, out.stderr
    body = github.comments[57][0]["body"]
    assert "/shop/cart/pricing.py#L16-L21)" in body and "`PriceCalculator.apply_discount`" in body
    assert github.labels[57] == ["cart"]


def test_failed_run_comments_on_its_pull_request_with_the_lines_the_log_names(sample_repo, github, tmp_path):
    plain = tmp_path / "plain"  # not a git checkout: permalinks take the event's head sha
    shutil.copytree(sample_repo, plain, ignore=shutil.ignore_patterns(".git"))
    github.jobs[11863457102] = [
        {"id": 501, "name": "lint", "conclusion": "success", "steps": []},
        {
            "id": 502,
            "name": "test (3.12)",
            "conclusion": "failure",
            "html_url": "https://github.com/octo-org/shop/actions/runs/11863457102/job/502",
            "steps": [{"name": "Run python -m pytest -q", "conclusion": "failure", "number": 4}],
        },
    ]
    github.logs[502] = LOG.read_text(encoding="utf-8")
    out = triage(plain, EVENTS / "workflow_run-failure.json", github.url)
    assert out.returncode == 0, out.stderr
    body = github.comments[58][0]["body"]
    assert body.startswith("<!-- scout-triage:ci:4127709 ")
    assert f"]({SERVER}/octo-org/shop/blob/{HEAD_SHA}/shop/auth/tokens.py#L25)" in body
    assert f"/blob/{HEAD_SHA}/shop/auth/tokens.py#L19-L27)" in body
    assert "`tests/test_auth.py::test_rotated_session_keeps_token`" in body
    assert (
        "at step `Run python -m pytest -q`" in body
        and "shop.auth.tokens.TokenError: CSRF token missing" in body
    )
    assert [r.path for r in github.blob_requests] == ["/logs/502"]
    assert "authorization" not in github.blob_requests[0].headers  # the token never leaves the API host
    again = triage(plain, EVENTS / "workflow_run-failure.json", github.url)
    assert again.returncode == 0 and len(github.comments[58]) == 1 and len(github.made("PATCH")) == 1
    assert not github.made("POST", r".*/labels")


def test_5xx_429_and_secondary_rate_limits_are_retried_then_succeed(shop, github):
    github.fail("GET", r".*/issues/42/comments", 500)
    github.fail("GET", r".*/issues/42/comments", 429, {"Retry-After": "1"}, {"message": "API rate limit"})
    github.fail(
        "POST", r".*/issues/42/labels", 403, {"Retry-After": "0"}, {"message": "secondary rate limit"}
    )
    github.fail("POST", r".*/issues/42/comments", 503)
    out = triage(shop, EVENTS / "issues-opened.json", github.url)
    assert out.returncode == 0, out.stderr
    assert len(github.comments[42]) == 1 and github.labels[42] == ["auth", "security"]
    gets = github.made("GET", r".*/issues/42/comments")
    assert [r.status for r in gets] == [500, 429, 200]
    assert gets[2].at - gets[1].at >= 0.95  # Retry-After: 1 was honoured, not the 1 ms backoff
    assert [r.status for r in github.made("POST", r".*/comments")] == [503, 201]
    assert "retrying" not in out.stderr and "error" not in out.stderr  # retries are logged with --debug only


def test_persistent_5xx_is_reported_after_the_retries(shop, github):
    github.fail("GET", r".*/comments", 502, times=100)
    line = one_error_line(triage(shop, EVENTS / "issues-opened.json", github.url))
    assert "502" in line and "/repos/octo-org/shop/issues/42/comments (tried 4 times)" in line
    assert len(github.requests) == 4 and not github.made("POST")  # 1 try + SCOUT_GITHUB_RETRIES=3


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "check GITHUB_TOKEN"), (403, "issues: write"), (404, "check the repository name")],
)
def test_401_403_404_fail_at_once_with_one_line(shop, github, status, words):
    github.fail("GET", r".*/comments", status, body={"message": "No"}, times=100)
    line = one_error_line(triage(shop, EVENTS / "issues-opened.json", github.url))
    assert f"GitHub API: {status} No on GET" in line and words in line
    assert len(github.requests) == 1


def test_a_bad_token_is_refused_by_the_server_and_reported(shop, github):
    line = one_error_line(triage(shop, EVENTS / "issues-opened.json", github.url, GITHUB_TOKEN="ghs_wrong"))
    assert "401 Bad credentials" in line


def test_no_network_and_no_token_are_one_line_errors(shop):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once this closes
    line = one_error_line(triage(shop, EVENTS / "issues-opened.json", closed))
    assert f"cannot reach the GitHub API at {closed}: " in line
    line = one_error_line(triage(shop, EVENTS / "issues-opened.json", closed, GITHUB_TOKEN=""))
    assert "GITHUB_TOKEN is not set" in line


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"action": "opened", "issue": {"number": 1, "title": "x"}}', "repository.full_name is missing"),
        (
            '{"action": "opened", "issue": {"number": "1"}, "repository": {"full_name": "a/b"}}',
            "int",
        ),
        (
            '{"ref": "refs/heads/main", "commits": [], "repository": {"full_name": "a/b"}}',
            "unsupported event 'push'",
        ),
        ('{"action": "opened", "pull_request": {}, "repository": {"full_name": "a/b"}}', "'pull_request'"),
        ('{"zen": "Keep it logically awesome.", "hook_id": 1}', "unsupported event"),
    ],
)
def test_malformed_or_unsupported_events_exit_2_with_one_line(shop, tmp_path, github, content, words):
    path = tmp_path / "event.json"
    path.write_text(content)
    assert words in one_error_line(triage(shop, path, github.url))
    assert github.requests == []


def test_missing_event_file_and_unsupported_event_name(shop, github):
    assert "event file not found" in one_error_line(triage(shop, "/nonexistent/event.json", github.url))
    out = triage(shop, EVENTS / "issues-opened.json", github.url, GITHUB_EVENT_NAME="push")
    assert "unsupported event 'push'" in one_error_line(out)


@pytest.mark.parametrize(
    ("source", "edit", "reason"),
    [
        (
            "issue_comment-scout.json",
            lambda p: p["comment"].update(body="Thanks, same here"),
            "does not start",
        ),
        ("issue_comment-scout.json", lambda p: p["comment"].update(author_association="NONE"), "neither"),
        ("issues-opened.json", lambda p: p.update(action="closed"), "'closed'"),
        ("workflow_run-failure.json", lambda p: p["workflow_run"].update(conclusion="success"), "'success'"),
    ],
)
def test_events_not_for_the_bot_are_skipped_quietly(shop, tmp_path, github, source, edit, reason):
    out = triage(shop, event_file(tmp_path, source, edit), github.url)
    assert out.returncode == 0 and out.stdout == ""
    assert out.stderr.startswith("scout: skipped: octo-org/shop#") and reason in out.stderr
    assert github.requests == []


def test_huge_issue_body_is_truncated_not_fatal(shop, tmp_path):
    def huge(p):
        p["issue"]["body"] += "\n\nlog line that repeats " * 200_000  # ~4.6 MB

    out = triage(shop, event_file(tmp_path, "issues-opened.json", huge), None, "--dry-run", GITHUB_TOKEN="")
    assert out.returncode == 0, out.stderr
    assert "scout read its first 20,000 characters" in out.stdout
    assert "/shop/auth/tokens.py#L19-L27)" in out.stdout
    assert "reading the first 20000" in out.stderr


def test_dry_run_prints_the_comment_and_touches_nothing(shop, github):
    out = triage(shop, EVENTS / "issues-opened.json", github.url, "--dry-run", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["action"] == "printed" and result["target"] == "octo-org/shop#42"
    assert result["body"].startswith("<!-- scout-triage:issue ")
    assert result["bundle"]["answer"][0]["path"] == "shop/auth/tokens.py"
    assert github.requests == []


def test_failed_run_dry_run_reads_a_local_log_and_an_explicit_sha(shop):
    out = triage(
        shop, EVENTS / "workflow_run-failure.json", None, "--dry-run", "--log", str(LOG), "--sha", "v1.2.0"
    )
    assert out.returncode == 0, out.stderr
    assert (
        f"{SERVER}/octo-org/shop/blob/{HEAD_SHA}/shop/auth/tokens.py#L25)" in out.stdout
    )  # log lines: run's sha
    assert f"{SERVER}/octo-org/shop/blob/v1.2.0/shop/auth/tokens.py#L19-L27)" in out.stdout  # spans: --sha


def test_an_llm_explorers_note_cannot_ping_link_or_show_an_image(shop, tmp_path):
    """The issue's author asks the LLM explorer to write mentions, links and HTML into its note; the
    note becomes the citation's `why` in the comment, and renders as plain text."""
    note = (
        "see <img src=x onerror=alert(1)> ![p](https://evil.example/p.png) [docs](https://evil.example) "
        "@mallory @octo-org/admins #1"
    )
    answer = f"<final_answer>\nshop/auth/tokens.py:19-27 - {note}\n</final_answer>"
    with FakeModel([Text(answer)]) as fake:
        env = {
            "SCOUT_EXPLORER": f"openai:fake@{fake.url}",
            "SCOUT_API_KEY": "sk-test",
            "SCOUT_LLM_CACHE": "0",
        }
        out = triage(shop, EVENTS / "issues-opened.json", None, "--dry-run", GITHUB_TOKEN="", **env)
    assert out.returncode == 0, out.stderr
    item = next(line for line in out.stdout.splitlines() if line.startswith("1. "))
    assert "cited by the explorer" in item
    for live in ("<img", "@mallory", "@octo-org/admins", "#1"):
        assert live not in item, live
    assert not re.search(r"(?<!\\)\]\(https://evil", item)
