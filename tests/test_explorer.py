"""The explorer loop driven by real policies over real tools."""

from __future__ import annotations

import json
import math
import time
from collections import Counter

import pytest
from conftest import FIXTURES

from scout.api import Workspace
from scout.bundle import Span
from scout.explorer import Limits, ToolCall
from scout.explorer.evidence import Reason, Region, Signal
from scout.explorer.heuristic import HeuristicPolicy, first_turn, path_pattern, penalty
from scout.explorer.query import analyze_query
from scout.explorer.scripted import ScriptedPolicy
from scout.explorer.trajectory import Trajectory
from scout.index.tags import extract


def test_scripted_policy_replays_calls_in_parallel_turns_and_writes_a_trajectory(sample_repo, tmp_path):
    ws = Workspace.open(sample_repo)
    policy = ScriptedPolicy(
        turns=[
            [ToolCall("grep", {"pattern": "compare_digest"}), ToolCall("symbols", {"name": "Cart"})],
            [ToolCall("read", {"path": "shop/cart/cart.py", "start_line": 15, "end_line": 20})],
        ],
        spans=[Span("shop/auth/tokens.py", 19, 27, 1.0, "scripted")],
    )
    path = tmp_path / "trajectory.jsonl"
    traj = Trajectory.to_file(path)
    bundle = ws.ask("q", policy=policy, trajectory=traj)
    traj.close()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["turn"], r["tool"]) for r in records[:-1]] == [(1, "grep"), (1, "symbols"), (2, "read")]
    assert all(r["ok"] and r["elapsed_ms"] >= 0 and len(r["digest"]) == 12 for r in records[:-1])
    assert records[-1]["type"] == "answer" and records[-1]["spans"][0][:3] == ["shop/auth/tokens.py", 19, 27]
    assert (bundle.stats.tool_calls, bundle.stats.turns) == (3, 2)
    assert bundle.spans[0].text.startswith("def check_csrf_token")


def test_turn_budget_forces_an_answer_from_what_was_touched(sample_repo):
    ws = Workspace.open(sample_repo)
    policy = ScriptedPolicy(turns=[[ToolCall("symbols", {"name": "apply_discount"})]] * 5)
    bundle = ws.ask("q", policy=policy, limits=Limits(max_turns=2))
    assert bundle.stats.turns == 2 and bundle.fallback
    assert bundle.spans[0].header == "shop/cart/pricing.py:16-21"


def test_tool_errors_become_observations_not_crashes(sample_repo, tmp_path):
    ws = Workspace.open(sample_repo)
    policy = ScriptedPolicy(
        turns=[[ToolCall("grep", {"pattern": "(bad"}), ToolCall("read", {"path": "../outside.txt"})]]
    )
    path = tmp_path / "t.jsonl"
    traj = Trajectory.to_file(path)
    bundle = ws.ask("q", policy=policy, trajectory=traj)
    traj.close()
    errors = [json.loads(x)["error"] for x in path.read_text().splitlines()[:2]]
    assert "invalid regex" in errors[0] and "outside the repository" in errors[1]
    assert bundle.spans == []


def test_heuristic_answers_a_question_with_the_checking_function(sample_repo):
    bundle = Workspace.open(sample_repo).ask("where is the CSRF token checked", policy=HeuristicPolicy())
    top = bundle.spans[0]
    assert (top.path, top.start_line, top.end_line) == ("shop/auth/tokens.py", 19, 27)
    assert top.symbol == "check_csrf_token"


def test_heuristic_follows_a_traceback_into_the_failing_function(sample_repo):
    issue = """Checkout crashes with a discount code
Traceback (most recent call last):
  File "/srv/app/shop/cart/cart.py", line 26, in checkout
  File "/srv/app/shop/cart/pricing.py", line 21, in apply_discount
TypeError: unsupported operand type(s) for -: 'Decimal' and 'str'
"""
    bundle = Workspace.open(sample_repo).ask(issue, policy=HeuristicPolicy())
    cited = {(s.path, s.start_line, s.end_line) for s in bundle.spans[:3]}
    assert ("shop/cart/pricing.py", 16, 21) in cited
    assert any("traceback" in s.why for s in bundle.spans)


def test_a_long_pasted_traceback_is_followed_from_its_innermost_frame(sample_repo):
    """A session pasted from a notebook in a virtualenv: the shell's and the IDE's frames come
    first, the package's (installed, under site-packages) last, where the error was raised. Only
    six named files are looked up; the innermost must be among them, read as the checkout's."""
    venv, ide = "/home/u/venv/lib/python3.11/site-packages", "/home/u/.pycharm_helpers"
    frames = [
        (f"{venv}/IPython/core/interactiveshell.py", 3508, "run_code"),
        ("<ipython-input-7-1f2e3d>", 1, "<module>"),
        (f"{ide}/pydev/pydevconsole.py", 364, "runcode"),
        (f"{ide}/pydev/_pydev_bundle/pydev_console_utils.py", 21, "do_exec"),
        (f"{venv}/IPython/core/displayhook.py", 262, "__call__"),
        (f"{venv}/IPython/core/formatters.py", 223, "format"),
        (f"{venv}/IPython/lib/pretty.py", 394, "pretty"),
        (f"{venv}/shop/cart/cart.py", 26, "checkout"),
        (f"{venv}/shop/cart/pricing.py", 21, "apply_discount"),
    ]
    lines = [f'  File "{path}", line {line}, in {name}' for path, line, name in frames]
    error = "TypeError: unsupported operand type(s) for -: 'Decimal' and 'str'"
    head = ["Checkout crashes with a discount code", "Traceback (most recent call last):"]
    issue = "\n".join([*head, *lines, error])
    globs = [c.args["pattern"] for c in first_turn(analyze_query(issue)) if c.tool == "glob"]
    assert globs[:2] == ["*shop/cart/pricing.py", "*shop/cart/cart.py"]
    assert not any("<" in g for g in globs)
    bundle = Workspace.open(sample_repo).ask(issue, policy=HeuristicPolicy())
    where = ("shop/cart/pricing.py", 16, 21)
    found = [s for s in bundle.spans if (s.path, s.start_line, s.end_line) == where]
    assert found and "traceback" in found[0].why


PRICING_GO = """package cart

import "errors"

type Coupon struct {
\tPercent int
}

// Total is what the cart costs before any coupon.
func Total(prices []int) int {
\tsum := 0
\tfor _, p := range prices {
\t\tsum += p
\t}
\treturn sum
}

// ApplyDiscount takes a coupon's percentage off a total.
func ApplyDiscount(total int, coupon *Coupon) (int, error) {
\tif coupon.Percent > 100 {
\t\treturn 0, errors.New("too much")
\t}
\treturn total * (100 - coupon.Percent) / 100, nil
}
"""


def test_a_go_panic_points_at_the_line_through_its_module_cache_path(tmp_path):
    """Other languages' traces are not Python's `File "...", line N`: a Go panic names
    `path.go:21` under the module cache, innermost call first; the definition holding the line
    is marked as a traceback frame's."""
    (tmp_path / "cart").mkdir()
    (tmp_path / "cart" / "pricing.go").write_text(PRICING_GO)
    issue = (
        "Checkout panics when the coupon is missing\n\n"
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "goroutine 1 [running]:\n"
        "example.com/shop/cart.ApplyDiscount(0x64, 0x0)\n"
        "\t/home/u/go/pkg/mod/example.com/shop@v1.2.0/cart/pricing.go:21 +0x1d\n"
        "main.main()\n"
        "\t/home/u/src/app/main.go:12 +0x25\n"
    )
    facts = analyze_query(issue)
    assert [(f.path, f.line) for f in facts.located][:1] == [
        ("home/u/go/pkg/mod/example.com/shop@v1.2.0/cart/pricing.go", 21)
    ]
    globs = [c.args["pattern"] for c in first_turn(facts) if c.tool == "glob"]
    assert "*cart/pricing.go" in globs
    bundle = Workspace.open(tmp_path).ask(issue, policy=HeuristicPolicy())
    found = [s for s in bundle.spans if s.symbol == "ApplyDiscount"]
    assert found and "traceback" in found[0].why


def test_lines_a_query_points_at_are_read_in_each_languages_way():
    text = (
        "see [the code](https://github.com/o/r/blob/abc123/src/t_zset.c#L4044) and\n"
        "thread 'main' panicked at src/fmt/mod.rs:88:13\n"
        "#0 /app/vendor/laravel/framework/src/Illuminate/Database/DatabaseManager.php(205): x()\n"
        "PHP Warning: oops in /var/www/src/Cell/Coordinate.php on line 42\n"
    )
    located = [(f.path, f.line) for f in analyze_query(text).located]
    assert located == [
        ("src/t_zset.c", 4044),
        ("src/fmt/mod.rs", 88),
        ("app/vendor/laravel/framework/src/Illuminate/Database/DatabaseManager.php", 205),
        ("var/www/src/Cell/Coordinate.php", 42),
    ]
    # an installed copy's path is read from its package's root
    assert path_pattern(located[2][0]) == "*Illuminate/Database/DatabaseManager.php"
    # Python's frames in pytest's and IPython's formats are frames, outermost first: looked up
    # from the innermost, as the interpreter's own
    pytest_run = (
        "/usr/lib/python3.8/site-packages/_pytest/runner.py:341: in from_call\n"
        "~/code/pkg/_core/plot.py:804, in Plot.plot(self, pyplot)\n"
        "/usr/lib/python3.8/site-packages/_pytest/assertion/rewrite.py:695: in run\n"
    )
    facts = analyze_query(pytest_run)
    assert [f.line for f in facts.frames] == [341, 804, 695] and facts.located == []
    globs = [c.args["pattern"] for c in first_turn(facts) if c.tool == "glob"]
    assert globs[:3] == ["*_pytest/assertion/rewrite.py", "*pkg/_core/plot.py", "*_pytest/runner.py"]
    assert path_pattern("/home/u/.cargo/registry/src/index-1/axum-0.6.15/src/extract/path.rs") == (
        "*src/extract/path.rs"
    )
    assert path_pattern("/usr/lib/ruby/gems/3.1.0/gems/fluentd-1.15.2/lib/fluent/config/types.rb") == (
        "*fluent/config/types.rb"
    )


def test_a_region_both_searches_found_says_its_matched_words_once():
    region = Region("shop/auth/tokens.py", 19, 27, "check_csrf_token")
    region.add(Reason(Signal.BM25, "session, token, csrf"), 2.0)
    region.add(Reason(Signal.SEMANTIC), 1.5)
    region.add(Reason(Signal.BM25_IN_FILE, "submitted, token, check"), 1.0)
    region.add(Reason(Signal.CALLER, "issue_token"), 0.5)
    assert region.why == "mentions session, token, csrf, submitted; close in meaning; calls `issue_token`"


def test_bundle_respects_budget_and_span_limits(sample_repo):
    ws = Workspace.open(sample_repo)
    bundle = ws.ask("csrf token cart discount price", limits=Limits(budget=200, max_spans=2))
    assert len(bundle.spans) <= 2 and bundle.tokens() <= 200 and bundle.stats.tokens <= 200


def test_query_analysis_finds_identifiers_strings_paths_and_frames():
    facts = analyze_query(
        "`PriceCalculator.apply_discount` fails in shop/cart/pricing.py:\n"
        'File "x/shop/cart/pricing.py", line 21, in apply_discount\n'
        'ValueError: discount code "SPRING" is unknown here'
    )
    assert "PriceCalculator.apply_discount" in facts.identifiers[:3]
    assert "shop/cart/pricing.py" in facts.paths
    assert facts.frames[0].line == 21 and facts.frames[0].function == "apply_discount"
    assert 'discount code "SPRING" is unknown here' in facts.strings


def test_query_analysis_discounts_sentence_capitals_shouting_and_local_receivers():
    facts = analyze_query(
        "However the SELECT in x.query breaks when the Cart checks out.\n\nPython 3.11.4\nnumpy: 1.26.0\n"
    )
    assert "However" not in facts.weights
    assert facts.weights["Cart"] == 0.5 and facts.weights["SELECT"] == 0.5
    assert facts.weights["x.query"] == 0.5
    assert "numpy" not in facts.text or "1.26.0" not in facts.focus


def test_an_issue_is_read_without_its_template_comments_and_its_links_hosts_and_hashes():
    facts = analyze_query(
        "Numbers are dropped from labels\n<!-- Please do NOT ask support questions here -->\n"
        "There is no case for int in "
        "https://github.com/acme/shop/blob/01c55822169a9123367e333dc407edd8a263f75d"
        "/shop/cart/pricing.py#L39-L72 "
        "(see https://docs.example.org/rules/yield-in-for-loop/ and <https://example.org/t/topic/48677>)."
    )
    assert "shop/cart/pricing.py" in facts.paths  # a link to a source file is its path
    assert "yield-in-for-loop" in facts.text and "rules" in facts.text  # a page's words stay
    for noise in ("support", "github", "01c55822169a", "48677", "L39", "example.org", "https"):
        assert noise not in facts.text, noise
    html = analyze_query("Tokeniser.read drops `<!--[if IE]>` comments\n<!-- never closed: kept")
    assert "Tokeniser.read" in html.identifiers and "never closed" in html.text
    quoted = analyze_query('get("https://a.com/v1?c=1") fails: "invalid literal for int" in `Parser.feed`')
    assert quoted.strings == ["invalid literal for int"] and "Parser.feed" in quoted.identifiers[:1]


def test_vendored_files_rank_below_the_projects_own(sample_repo):
    vendored = sample_repo / "vendor" / "tokens_lib.py"
    vendored.parent.mkdir()
    vendored.write_text((sample_repo / "shop/auth/tokens.py").read_text())
    bundle = Workspace.open(sample_repo).ask("where is the CSRF token checked", policy=HeuristicPolicy())
    assert bundle.spans[0].path == "shop/auth/tokens.py"
    assert all(not s.path.startswith("vendor/") for s in bundle.spans[:2])


def test_a_questions_leads_go_three_deep_in_a_file_and_an_issues_two(sample_repo):
    """A question asks for a place in code that may share a file with its neighbours; an issue's
    fix may be in any of several files, so its leads span them."""
    (sample_repo / "shop/auth/checks.py").write_text("".join(
        f"def check_csrf_token_{n}(request):\n    \"\"\"Check the CSRF token of a {n} request.\"\"\"\n"
        f"    return request.csrf_token == request.session.csrf_token\n\n\n"
        for n in ("form", "ajax", "upload", "api", "admin", "login")
    ))  # fmt: skip
    ws = Workspace.open(sample_repo)
    try:
        question = ws.ask("where is the CSRF token checked")
        issue = ws.ask(
            "CSRF token check fails for ajax uploads: the admin login form rejects every api request"
            " when the session cookie was rotated after the upload started"
        )
    finally:
        ws.close()
    assert max(Counter(s.path for s in question.leads).values()) == 3
    assert max(Counter(s.path for s in issue.leads).values()) == 2
    assert len({s.path for s in issue.leads}) > len({s.path for s in question.leads})


DECLARATIONS = """/** CSRF tokens: check the CSRF token of every unsafe request. */
export declare function checkCsrfToken(session: Session, submitted: string): boolean;
/** Where the CSRF token is checked, and the token checked against the session. */
export declare function issueToken(session: Session): string;
"""


BUILD_CONFIG = """// Check the CSRF token checked in every unsafe request of the CSRF token suite.
function checkCsrfToken(config) { return config.csrfTokenChecked; }
module.exports = function (config) { config.set({ csrfToken: checkCsrfToken(config) }); };
"""


@pytest.mark.parametrize(("name", "text"), [("tokens.d.ts", DECLARATIONS), ("karma.conf.js", BUILD_CONFIG)])
def test_declarations_and_build_configs_rank_below_the_code(sample_repo, name, text):
    (sample_repo / "shop/auth" / name).write_text(text)
    ws = Workspace.open(sample_repo)
    try:
        bundle = ws.ask("where is the CSRF token checked")
    finally:
        ws.close()
    assert bundle.spans[0].path == "shop/auth/tokens.py"


@pytest.mark.parametrize(
    ("folder", "word"),
    [
        ("examples", "examples"),
        ("_examples", "examples"),
        ("demo", "demos"),
        ("docs_src/tutorial", "tutorials"),
    ],
)
def test_examples_rank_below_the_projects_own_code_unless_asked_for(sample_repo, folder, word):
    copy = sample_repo / folder / "tokens.py"
    copy.parent.mkdir(parents=True)
    copy.write_text((sample_repo / "shop/auth/tokens.py").read_text())
    ws = Workspace.open(sample_repo)
    try:
        plain = ws.ask("where is the CSRF token checked")
        asked = ws.ask(f"which {word} check the CSRF token")
    finally:
        ws.close()
    assert plain.spans[0].path == "shop/auth/tokens.py"
    assert not plain.spans[0].path.startswith(folder)
    assert any(s.path.startswith(folder) for s in asked.spans + asked.leads)


def test_a_question_about_tests_finds_the_test(sample_repo):
    ws = Workspace.open(sample_repo)
    try:
        bundle = ws.ask("which tests check the cart total with tax")
    finally:
        ws.close()
    assert (bundle.spans[0].path, bundle.spans[0].symbol) == ("tests/test_cart.py", "test_checkout_adds_tax")


def test_a_reported_configuration_table_is_not_searched_but_the_issues_own_table_is():
    config = "\r\n".join([
        "### Configuration",
        "| key | value |",
        "| --- | --- |",
        "| version | 0.96.0 |",
        "| commit_hash | a80dfe8e807035ad8d5bb751b385315982e7aad6 |",
        "| build_target | x86_64-unknown-linux-gnu |",
        "| installed_plugins | formats, gstat |",
        "| allocator | mimalloc |",
    ])  # fmt: skip
    data = "| price | quantity |\n|---|---|\n| 1.5 | 2 |\n| 0.25 | 4 |\n| 3 | refund_total |"
    facts = analyze_query(f"`ls -f` loses the symlink target\n{data}\n{config}\nExpected /tmp/a")
    for noise in ("build_target", "installed_plugins", "gstat", "mimalloc", "commit_hash"):
        assert noise not in facts.text and noise not in facts.identifiers, noise
    assert "refund_total" in facts.identifiers and "symlink" in facts.text and "Expected" in facts.text


ISSUE_FORM = """[Bug]: Function statements require a function name
### 💻

- [X] Would you like to work on a fix?

### How are you using Babel?

@babel/cli

### Input code

```js
### Environment (a heading inside code is code)
(() => {})().map(c)
```

### Current and expected behavior

The arrow function is printed without parentheses.

### Environment

- @babel/preset-env@7.16.11
- Node: [v17.3.0]

### Possible solution

_No response_
"""


def test_an_issue_forms_setup_fields_and_checklists_are_not_searched_but_its_problem_is():
    facts = analyze_query(ISSUE_FORM)
    for noise in ("fix", "cli", "preset", "Node", "No response", "💻"):
        assert noise not in facts.text, noise
    for kept in ("Function statements", "heading inside code", "printed without parentheses", "Possible"):
        assert kept in facts.text, kept
    # the focus is the title and the first paragraph with content, not a field's name
    assert facts.focus.startswith("[Bug]: Function statements") and "```js" in facts.focus
    assert "Input code" not in facts.focus


def test_what_only_looks_like_an_issue_forms_setup_field_is_kept():
    trace = 'Traceback (most recent call last):\n  File "shop/cart.py", line 12, in total\nKeyError: tax'
    cases = {
        # an indented code comment is not a heading; an unfenced one names no setup field first
        "Total fails\n\n    # check the version\n    cart.total()\n\n" + trace: "cart.total",
        "Total fails\n# check the version\ncart.total()\n# set up the environment\ncart.add(x)": "cart.add",
        # a setup field's answer is its first block: what follows it is the reporter's again
        "Total fails\n## Versions\n```\npip list\nnumpy 1.2\n```\n\nThe discount_rate is applied twice": (
            "discount_rate"
        ),
        # a reporter's own heading with a sentence, and a traceback pasted under a setup field
        "Total fails\n### Summary\nx\n### Type system: generics are lost\nsee refund_total\n### Steps\ny": (
            "refund_total"
        ),
        "Total fails\n### Summary\nx\n### Steps\ny\n### Environment\n" + trace: "KeyError",
    }
    for issue, kept in cases.items():
        facts = analyze_query(issue)
        assert kept in facts.text, issue
    assert "numpy" not in analyze_query(list(cases)[2]).text
    # a setup field left empty goes with its name
    assert "Python" not in analyze_query("Total fails\n### Python version\n### Steps\ncart.total()").text
    assert analyze_query(next(iter(cases))).frames  # the traceback after the comment is still read


# Shapes that were slow: capitalised words (each copied the text before it), a long run of blanks
# after a word (version lines with three optional blank runs side by side, error lines whose
# blanks crossed newlines), and prose.
SHAPES = {
    "capitalised words": lambda n: ("Word " * n)[:n],
    "blanks after a word": lambda n: "python" + " " * (n - 8) + "x\n",
    "trailing blanks": lambda n: "python 3.1" + " " * (n - 12) + "x",
    "blank lines": lambda n: "\n" * n,
    "prose": lambda n: ("However the Function Returns. See `QuerySet.only()` in a/b.py. " * n)[:n],
    "unclosed comments": lambda n: ("\n<!-- a " * n)[:n],
    "comments": lambda n: ("\n<!-- a --> x" * n)[:n],
    "one long link": lambda n: "https://github.com/o/r/blob/main/" + ("ab/" * n)[:n],
    "many links": lambda n: ("http://x https://y/z#L1 " * n)[:n],
    "table rows": lambda n: ("| build_os | 1.2.3 |\r\n" * n)[:n],
    "one long table row": lambda n: "|" + "ab|" * (n // 3),
    "form headings": lambda n: ("### Version\n- [x] a\n" * n)[:n],
}


def _cpu_seconds(text: str) -> float:
    best = math.inf
    for _ in range(3):
        started = time.process_time()
        analyze_query.__wrapped__(text)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize("shape", SHAPES)
def test_a_400_kb_issue_analyses_in_linear_time(shape):
    """Four times the text may take about four times as long, not sixteen (quadratic) or more.
    The ratio is generous (8) and CPU time is the best of three, so a busy machine cannot fail it."""
    make = SHAPES[shape]
    small, large = _cpu_seconds(make(100_000)), _cpu_seconds(make(400_000))
    assert large <= 8 * max(small, 0.002), f"{shape}: 100 KB {small:.3f}s, 400 KB {large:.3f}s"
    # before: "capitalised words" 16x-48x, blank runs minutes (backtracking), now about 4x


def test_a_rust_files_module_of_tests_is_test_code_and_the_code_beside_it_is_not():
    source = (FIXTURES / "tags" / "sample.rs").read_text()
    defs, _ = extract("rust", source, "src/lexer.rs")
    names = {d.qualname for d in defs}
    assert "tests.smoke" in names and "collect_tokens" in names  # names as the explorer sees them
    question = analyze_query("how is a line split into tokens")
    as_test_file = penalty(question, "tests/lexer.rs")
    assert penalty(question, "src/lexer.rs", "tests.smoke") == as_test_file < 1.0
    assert penalty(question, "src/lexer.rs", "collect_tokens") == penalty(question, "src/lexer.rs") == 1.0
    # a question about tests is answered from them, wherever they live
    asks = analyze_query("which tests cover the tokenizer")
    assert penalty(asks, "src/lexer.rs", "tests.smoke") == penalty(asks, "src/lexer.rs", "collect_tokens")
