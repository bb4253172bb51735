"""The triage bot's parts on real inputs: CODEOWNERS rules, job logs, label maps, markers, the HTTP client."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import httpx
import pytest
from conftest import FIXTURES
from fake_github import TOKEN, FakeGitHub

from scout.bundle import Span
from scout.repo import Repo
from scout.triage.ci import Failure, describe_failure, repo_path
from scout.triage.codeowners import CodeOwners, parse
from scout.triage.comment import Cited, Draft, code, fenced, inert, marker, read_marker, render
from scout.triage.config import BotConfigError, load_bot_config, parse_bot_config
from scout.triage.events import EventError, load_event, parse_event
from scout.triage.github import GitHub, GitHubError, classify
from scout.triage.labels import labels_to_add, suggest_labels
from scout.triage.logs import extract

# The example file from GitHub's "About code owners" documentation, owners shortened.
GITHUB_EXAMPLE = r"""
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
\#notes @hash-owner
path\ with\ space.md @spacey
!negated @nobody
[Rr]eadme.md @nobody
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),  # later rule wins; the inline comment is not an owner
        ("cmd/main.go", ("docs@example.com",)),
        ("notes/todo.txt", ("@octo-org/octocats",)),
        ("build/logs/today/out.log", ("@octocat",)),  # **/logs, later than /build/logs/, wins
        ("build/output.bin", ("@global-owner1", "@global-owner2")),
        ("scripts/release.sh", ("@doctocat", "@octocat")),
        ("docs/getting-started.md", ("@doctocat",)),  # /docs/ is later than docs/*
        ("deeply/nested/logs/x.txt", ("@octocat",)),
        ("apps/web/index.html", ("@octocat",)),
        ("apps/github/hook.py", ()),  # a rule with no owners leaves the path unowned
        ("lib/apps/x.py", ("@octocat",)),  # apps/ matches at any depth
        ("#notes", ("@hash-owner",)),
        ("path with space.md", ("@spacey",)),
        ("Readme.md", ("@global-owner1", "@global-owner2")),  # [ ] rules are rejected, not guessed at
    ],
)
def test_codeowners_follows_githubs_documented_rules(path, owners):
    rules = parse(GITHUB_EXAMPLE)
    assert CodeOwners(".github/CODEOWNERS", rules).owners(path) == owners


def test_codeowners_star_slash_matches_direct_children_only():
    owners = CodeOwners("CODEOWNERS", parse("docs/* @docs\n"))
    assert owners.owners("docs/getting-started.md") == ("@docs",)
    assert owners.owners("docs/build-app/troubleshooting.md") == ()
    assert owners.owners("src/docs/x.md") == ()  # a pattern with a slash is anchored


def test_codeowners_location_order(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs-team\n")
    (tmp_path / "CODEOWNERS").write_text("* @root-team\n")
    found = CodeOwners.load(Repo.open(tmp_path))
    assert found.path == "CODEOWNERS" and found.owners("a.py") == ("@root-team",)


PYTHON_TRACEBACK = """\
2025-11-05T12:00:01.0000000Z ERROR: test_total (tests.test_cart.CartTest.test_total)
2025-11-05T12:00:01.0000000Z Traceback (most recent call last):
2025-11-05T12:00:01.0000000Z   File "/home/runner/work/s/s/tests/test_cart.py", line 9, in test_total
2025-11-05T12:00:01.0000000Z     cart.checkout()
2025-11-05T12:00:01.0000000Z   File "/home/runner/work/s/s/shop/cart/pricing.py", line 21, in apply_discount
2025-11-05T12:00:01.0000000Z     return amount * (Decimal("100") - percent) / Decimal("100")
2025-11-05T12:00:01.0000000Z   File "/opt/py/lib/python3.12/decimal.py", line 3, in f
2025-11-05T12:00:01.0000000Z TypeError: unsupported operand type(s) for -: 'decimal.Decimal' and 'str'
"""


def test_log_tracebacks_give_innermost_repository_frames_first(sample_repo):
    facts = extract(PYTHON_TRACEBACK)
    assert facts.tests == ["tests.test_cart.CartTest.test_total"]
    assert facts.errors == ["TypeError: unsupported operand type(s) for -: 'decimal.Decimal' and 'str'"]
    assert len(facts.tracebacks) == 1 and facts.tracebacks[0].endswith("'str'")
    assert [(loc.path.rsplit("/", 2)[-1], loc.line) for loc in facts.locations] == [
        ("pricing.py", 21),
        ("test_cart.py", 9),
    ]  # the interpreter's decimal.py is not the repository's code
    repo = Repo.open(sample_repo)
    assert repo_path(repo, facts.locations[0].path) == "shop/cart/pricing.py"
    assert repo_path(repo, "/home/runner/work/s/s/shop/missing.py") is None
    assert repo_path(repo, "../../etc/passwd") is None


@pytest.mark.parametrize(
    ("log", "test", "location"),
    [
        (
            "--- FAIL: TestParse (0.00s)\n    parse_test.go:42: got 1, want 2\nFAIL\n",
            "TestParse",
            ("parse_test.go", 42),
        ),
        (
            "---- tests::totals stdout ----\nthread 'tests::totals' panicked at src/cart.rs:88:9:\n",
            "tests::totals",
            ("src/cart.rs", 88),
        ),
        (
            "  ● Cart › applies discounts\n\n      at Object.<anonymous> (src/cart.test.js:12:5)\n",
            "Cart › applies discounts",
            ("src/cart.test.js", 12),
        ),
    ],
)
def test_log_other_languages_failing_tests_and_locations(log, test, location):
    facts = extract(log)
    assert facts.tests == [test]
    assert (facts.locations[0].path, facts.locations[0].line) == location


def test_log_cleaning_strips_timestamps_colours_and_groups():
    facts = extract((FIXTURES / "logs" / "pytest-failure.log").read_text(encoding="utf-8"))
    assert facts.tests == ["tests/test_auth.py::test_rotated_session_keeps_token"]
    assert facts.errors == ["shop.auth.tokens.TokenError: CSRF token missing"]
    assert [(loc.path, loc.line) for loc in facts.locations] == [
        ("tests/test_auth.py", 31),
        ("shop/auth/tokens.py", 25),
    ]
    assert not extract("##[group]Run make\nall good\n##[endgroup]\n")


def test_labels_follow_the_evidence_and_are_added_once():
    config = parse_bot_config(
        {"labels": {"shop/auth/": ["auth", "security"], "*.md": "docs", "shop/cart/": "cart"}}
    )
    spans = [
        Span("shop/auth/tokens.py", 19, 27, 2.8, "x"),
        Span("shop/auth/middleware.py", 1, 2, 1.3, "x"),
        Span("shop/cart/cart.py", 1, 2, 0.4, "x"),
        Span("docs/security.md", 1, 4, 0.2, "x"),
    ]
    assert suggest_labels(spans, config.labels, 3) == ["auth", "security"]
    assert suggest_labels(spans, config.labels, 1) == ["auth"]
    assert labels_to_add(["auth", "security"], ("Auth",), []) == ["security"]  # GitHub's names ignore case
    assert labels_to_add(["auth", "security"], (), ["security"]) == ["auth"]  # removed by a maintainer: stays


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("lables: {}\n", "unknown key 'lables'"),
        ("labels: [a, b]\n", "labels must map"),
        ("labels:\n  src/: []\n", "must be a label or a list"),
        ("labels:\n  '!src/': x\n", "unsupported path pattern"),
        ("max_spans: 0\n", "positive integer"),
        ("add_labels: 'yes'\n", "must be a bool"),
        ("min_confidence: sure\n", "one of low, medium, high"),
        ("labels: [unclosed\n", "cannot read .github/scout.yml"),
    ],
)
def test_bad_scout_yml_is_one_clear_error(tmp_path, text, words):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "scout.yml").write_text(text)
    with pytest.raises(BotConfigError) as err:
        load_bot_config(Repo.open(tmp_path))
    assert words in err.value.one_line() and "\n" not in err.value.one_line()


def test_marker_round_trips_state_and_cannot_end_the_html_comment_early():
    state = {"labels": ["needs --> triage", "auth"]}
    body = marker("issue", state) + "\nrest"
    assert body.count("-->") == 1 and read_marker(body, "issue") == state
    assert read_marker(body, "ci:1") is None and read_marker("> " + body, "issue") is None


def test_code_spans_and_fences_survive_backticks():
    assert code("a`b") == "``a`b``" and code("`x`") == "`` `x` ``"
    assert fenced(["```python", "x"])[0] == "````text"


HOSTILE = (
    "see <img src=x onerror=alert(1)> <details><summary>x</summary></details> &#64;carol "
    "![pixel](https://evil.example/p.png) [the docs](https://evil.example/phish) https://evil.example/x "
    "www.evil.example @alice @octo-org/admins #12 octo-org/shop#7 \\[escaped](https://evil.example) `@kept` `"
)


def test_prose_from_outside_renders_inert():
    text = inert(HOSTILE + "\nsecond line")
    for live in ("<img", "<details", "@alice", "@octo-org", "#12", "#7", "&#64;"):
        assert live not in text, live
    assert not re.search(r"(?<!\\)[\[\]]", text.split("`@kept`")[0])  # every bracket escaped: no link
    assert "`https://evil.example/x`" in text and "`www.evil.example`" in text  # URLs as code
    assert "`@kept`" in text  # a code span renders literally and is kept
    assert "\n" not in text and text.endswith("\\` second line")  # one line; a lone backtick escaped
    assert inert("defines `check_csrf_token`; mentions csrf, token") == (
        "defines `check_csrf_token`; mentions csrf, token"
    )


def test_the_comment_neutralises_what_an_explorer_or_a_workflow_wrote():
    """An LLM explorer's note is written after it read the issue; a workflow's name is the
    repository's text. Neither may ping anyone, link anywhere or show an image."""
    cited = Cited(
        "shop/auth/tokens.py", 19, 27, f"cited by the explorer: {HOSTILE}", "https://x/blob/1/a#L19-L27"
    )
    body = render(Draft("issue", {}, ["**scout** looked."], [cited], ("high", "sure")))
    item = next(line for line in body.splitlines() if line.startswith("1. "))
    for live in ("<img", "@alice", "@octo-org", "#12"):
        assert live not in item, live
    assert not re.search(r"(?<!\\)\]\(https://evil", item)
    run = parse_event(json.loads((FIXTURES / "events" / "workflow_run-failure.json").read_text())).run
    hostile_run = replace(run, name="CI @octo-org/admins [win](https://evil.example) <b>x</b>")
    intro = "\n".join(describe_failure(hostile_run, Failure()))
    assert "@octo-org" not in intro and "<b>" not in intro and "\\[win\\](" in intro
    assert f"]({run.html_url})" in intro  # the run's own link is kept


def test_events_are_validated_field_by_field():
    base = json.loads((FIXTURES / "events" / "issues-opened.json").read_text())
    event = parse_event(base)
    assert (event.name, event.owner, event.repo, event.number, event.issue.labels) == (
        "issues",
        "octo-org",
        "shop",
        42,
        ("bug",),
    )
    base["issue"]["number"] = True
    with pytest.raises(EventError, match="issue.number should be a int, got bool"):
        parse_event(base)
    base["issue"]["number"], base["issue"]["body"] = 42, None
    assert parse_event(base).issue.body == ""
    with pytest.raises(EventError, match="unsupported event 'workflow_job'"):
        parse_event(base, "workflow_job")


def _response(status: int, headers: dict | None = None, body: dict | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, json=body or {"message": "x"})


def test_retry_classification():
    assert classify(_response(500)).wait is None
    assert classify(_response(429, {"Retry-After": "7"})).wait == 7.0
    assert classify(_response(403, body={"message": "You have exceeded a secondary rate limit"})).wait == 60.0
    reset = classify(_response(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}))
    assert reset is not None and reset.wait == 1.0  # the reset is past: try again almost at once
    assert classify(_response(403, body={"message": "Resource not accessible by integration"})) is None
    assert classify(_response(404)) is None and classify(_response(422)) is None


def test_client_waits_what_github_asks_and_gives_up_on_long_waits():
    fake = FakeGitHub()
    waits: list[float] = []
    gh = GitHub(fake.url, TOKEN, "octo-org", "shop", retries=3, backoff=0.25, sleep=waits.append)
    try:
        fake.fail("POST", r".*/labels", 429, {"Retry-After": "2"})
        fake.fail("POST", r".*/labels", 500)
        gh.add_labels(7, ["bug"])
        assert (
            waits[0] == 2.0 and 0.5 <= waits[1] <= 0.75
        )  # second try: backoff doubled, jittered and fake.labels[7] == ["bug"]
        gh.add_labels(7, [])  # never sent: an empty list would remove every label
        assert len(fake.made("POST")) == 3
        fake.fail("GET", r".*/comments", 429, {"Retry-After": "3600"})
        with pytest.raises(GitHubError, match="asks to wait 3600s"):
            list(gh.issue_comments(7))
    finally:
        gh.close()
        fake.close()


@pytest.mark.parametrize(
    ("probability", "file", "level"),
    [
        (0.92, None, "high"),
        (0.6, None, "high"),
        (0.45, None, "medium"),
        (0.31, None, "medium"),
        (0.3, None, "low"),  # "nothing solid", as the Markdown says
        (0.2, 0.5, "medium"),  # unsure lines in a likely file
        (0.2, 0.3, "low"),
        (0.2, 0.85, "high"),  # a sure file
    ],
)
def test_confidence_follows_a_calibrated_explorers_probability(probability, file, level):
    from scout.bundle import Bundle, Span
    from scout.triage.comment import confidence

    spans = [Span("a.py", 1, 9, 0.3, "model: defines `f`", "f", confidence=probability, file_confidence=file)]
    assert confidence(Bundle("q", "/r", None, "model", spans))[0] == level


def test_a_deeply_nested_event_file_is_an_event_error(tmp_path):
    """Found by fuzzing (tests/test_fuzz.py): json.loads raised RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(EventError, match="not JSON"):
        load_event(path)


def test_a_workflow_run_whose_pull_request_number_is_true_names_no_pull_request():
    """Found by fuzzing: `true` passed as an int and became the pull request to comment on."""
    doc = json.loads((FIXTURES / "events" / "workflow_run-failure.json").read_text())
    doc["workflow_run"]["pull_requests"] = [{"number": True}]
    assert parse_event(doc).number is None


@pytest.mark.parametrize(
    ("span", "file", "level"), [(0.4, 0.85, "high"), (0.4, 0.7, "medium"), (0.2, 0.2, "low")]
)
def test_a_sure_file_makes_a_high_confidence_even_when_its_lines_are_not(span, file, level):
    from scout.bundle import Bundle, Span
    from scout.triage.comment import confidence

    spans = [Span("a.py", 1, 9, 0.3, "model: defines `f`", "f", confidence=span, file_confidence=file)]
    got = confidence(Bundle("q", "/r", None, "model", spans))
    assert got[0] == level
    assert ("85% on the file" in got[1]) == (level == "high")
