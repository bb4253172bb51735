"""The `scout` command run as a real subprocess: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import run_scout

from scout.index import index_path
from scout.repo import Repo


def test_ask_json_cites_the_checking_function(sample_repo):
    out = run_scout("ask", "where is the CSRF token checked", "--repo", str(sample_repo), "--json")
    assert out.returncode == 0, out.stderr
    bundle = json.loads(out.stdout)
    assert bundle["format"] == "scout-bundle/2"
    top = bundle["answer"][0]
    assert (top["path"], top["start_line"], top["end_line"]) == ("shop/auth/tokens.py", 19, 27)
    assert bundle["repo"]["commit"] and len(bundle["repo"]["commit"]) == 40
    assert out.stderr == ""  # no progress bar on a pipe


def test_ask_markdown_with_and_without_code(sample_repo):
    out = run_scout("ask", "discount code", "-r", str(sample_repo), "--max-spans", "1")
    assert (
        out.returncode == 0 and "### shop/cart/pricing.py:16-21" in out.stdout and "```python" in out.stdout
    )
    bare = run_scout("ask", "discount code", "-r", str(sample_repo), "--max-spans", "1", "--no-code")
    assert "```" not in bare.stdout


def test_ask_reads_an_issue_from_stdin(sample_repo):
    out = run_scout(
        "ask",
        "--issue-file",
        "-",
        "-r",
        str(sample_repo),
        "--json",
        stdin="Bug: apply_discount ignores unknown codes silently\n",
    )
    assert json.loads(out.stdout)["answer"][0]["symbol"] == "PriceCalculator.apply_discount"


def test_no_hits_exits_1(sample_repo):
    out = run_scout("ask", "zzqqxx wwvvuu", "-r", str(sample_repo))
    assert out.returncode == 1 and "no evidence found" in out.stdout


def test_empty_repository_exits_1(tmp_path):
    out = run_scout("ask", "anything at all", "-r", str(tmp_path))
    assert out.returncode == 1


def test_missing_repo_is_one_line_on_stderr_exit_2(tmp_path):
    out = run_scout("ask", "q", "--repo", str(tmp_path / "missing"))
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"scout: error: repository not found: {tmp_path / 'missing'}"]
    assert "Traceback" not in out.stderr


def test_debug_shows_the_traceback(tmp_path):
    out = run_scout("--debug", "ask", "q", "--repo", str(tmp_path / "missing"))
    assert out.returncode == 2 and "Traceback" in out.stderr


def test_corrupt_index_is_rebuilt_and_the_answer_still_comes(sample_repo):
    assert run_scout("index", "-r", str(sample_repo)).returncode == 0
    path = index_path(Repo.open(sample_repo))
    path.write_bytes(b"garbage" * 500)
    out = run_scout("ask", "where is the CSRF token checked", "-r", str(sample_repo), "--json")
    assert out.returncode == 0
    assert "corrupt" in out.stderr and "rebuilding" in out.stderr
    assert json.loads(out.stdout)["answer"][0]["path"] == "shop/auth/tokens.py"


def test_index_json_reports_counts_then_nothing_changed(sample_repo):
    first = json.loads(run_scout("index", "-r", str(sample_repo), "--json").stdout)
    second = json.loads(run_scout("index", "-r", str(sample_repo), "--json").stdout)
    assert first["added"] == first["files"] > 5
    assert (second["added"], second["changed"], second["removed"]) == (0, 0, 0)


def test_grep_symbols_outline_commands(sample_repo):
    r = str(sample_repo)
    grep = json.loads(run_scout("tools", "grep", "compare_digest", "-r", r, "--json").stdout)
    assert grep["hits"][0]["symbol"] == "check_csrf_token"
    assert run_scout("tools", "grep", "(unclosed", "-r", r).returncode == 2
    assert run_scout("tools", "grep", "nothing_matches_this_zz", "-r", r).returncode == 1
    sym = run_scout("tools", "symbols", "PriceCalculator", "-r", r, "--no-fuzzy")
    assert sym.returncode == 0 and "shop/cart/pricing.py:9-" in sym.stdout
    outline = run_scout("tools", "outline", "shop/auth/tokens.py", "-r", r)
    assert "19-27 function check_csrf_token" in outline.stdout
    outside = run_scout("tools", "outline", "../../etc/passwd", "-r", r)
    assert outside.returncode == 2 and "outside the repository" in outside.stderr


def test_trajectory_file_is_written(sample_repo, tmp_path):
    traj = tmp_path / "t.jsonl"
    run_scout("ask", "csrf", "-r", str(sample_repo), "--trajectory", str(traj))
    kinds = [json.loads(x)["type"] for x in traj.read_text().splitlines()]
    assert kinds[0] == "tool_call" and kinds[-1] == "answer"


def test_version_and_help_with_examples():
    assert run_scout("--version").stdout.startswith("scout ")
    for cmd in (["ask"], ["index"], ["tools", "grep"], ["tools", "symbols"], ["tools", "outline"]):
        assert f"Example: scout {' '.join(cmd)} " in run_scout(*cmd, "--help").stdout


def test_settings_from_scout_toml_and_env(sample_repo):
    (sample_repo / "scout.toml").write_text("max_spans = 1\n")
    out = json.loads(run_scout("ask", "csrf token", "-r", str(sample_repo), "--json").stdout)
    assert len(out["answer"]) == 1
    (sample_repo / "scout.toml").write_text("nonsense_key = 1\n")
    odd = run_scout("ask", "csrf token", "-r", str(sample_repo))  # issue 20: a warning, not a stop
    assert odd.returncode == 0 and "unknown setting 'nonsense_key'" in odd.stderr


def test_the_repository_may_be_given_positionally(sample_repo):
    by_flag = run_scout("ask", "where is the CSRF token checked", "--repo", str(sample_repo), "--json")
    by_place = run_scout("ask", "where is the CSRF token checked", str(sample_repo), "--json")
    assert by_place.returncode == 0, by_place.stderr
    assert json.loads(by_place.stdout)["answer"] == json.loads(by_flag.stdout)["answer"]
    indexed = run_scout("index", str(sample_repo), "--json")
    assert indexed.returncode == 0 and json.loads(indexed.stdout)["files"] == 9
    assert "shop/auth/tokens.py:25:" in run_scout("tools", "grep", "compare_digest", str(sample_repo)).stdout
    related = run_scout("tools", "related", "shop/auth/tokens.py", "19", str(sample_repo))
    assert related.returncode == 0 and "shop/auth/middleware.py" in related.stdout
    same = run_scout("tools", "symbols", "check_csrf_token", str(sample_repo), "--repo", f"{sample_repo}/")
    assert same.returncode == 0, same.stderr  # the same repository twice is not a conflict


def test_two_different_repositories_are_a_usage_error(sample_repo, tmp_path):
    for args in (
        ("ask", "csrf", str(sample_repo)),
        ("index", str(sample_repo)),
        ("tools", "grep", "x", str(sample_repo)),
    ):
        out = run_scout(*args, "--repo", str(tmp_path))
        assert (out.returncode, out.stdout) == (2, "")
        assert out.stderr.splitlines() == [
            f"scout: error: two repositories given: {sample_repo} and --repo {tmp_path} "
            "(give the repository once)"
        ]


def test_an_empty_question_and_empty_stdin_end_the_same_way(sample_repo):
    runs = [
        run_scout("ask", "", str(sample_repo)),
        run_scout("ask", "   ", "--repo", str(sample_repo)),
        run_scout("ask", "--issue-file", "-", str(sample_repo), stdin=""),
        run_scout("ask", "-f", "-", "-r", str(sample_repo), stdin="\n\n"),
    ]
    for out in runs:
        assert (out.returncode, out.stdout) == (2, "")
        assert out.stderr.splitlines() == [runs[0].stderr.strip()]
    assert runs[0].stderr.startswith("scout: error: the query is empty")


def test_an_issue_file_with_the_repository_positionally(sample_repo, tmp_path):
    issue = tmp_path / "issue.md"
    issue.write_text("Bug: apply_discount ignores unknown codes silently\n")
    out = run_scout("ask", "-f", str(issue), str(sample_repo), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["answer"][0]["symbol"] == "PriceCalculator.apply_discount"


def test_ask_with_only_a_path_says_the_question_is_missing_and_indexes_nothing(sample_repo, tmp_path):
    """Issue 20: `scout ask src/celery-5.5.3` took the path for the question and indexed the
    current directory for minutes."""
    for lone in (str(sample_repo), "shop/auth", "."):
        out = run_scout("ask", lone, cwd=sample_repo)
        assert out.returncode == 2 and out.stdout == ""
        assert out.stderr.count("\n") == 1 and f"did you mean `scout ask QUESTION {lone}`?" in out.stderr
    assert not any(Path(os.environ["SCOUT_CACHE_DIR"]).rglob("*.sqlite*"))
    asked = run_scout("ask", "csrf", cwd=sample_repo)  # a one-word question that names no path still runs
    assert asked.returncode == 0, asked.stderr


def test_index_says_how_many_files_it_lists_but_never_searches(tmp_path):
    """Issue 24: `indexed 5 files (5 added)` counted four files it then skipped as binary."""
    (tmp_path / "app.py").write_text("def main():\n    return 1\n")
    for n in range(4):
        (tmp_path / f"blob{n}.bin").write_bytes(b"\x00\x01\x02" * 100)
    out = run_scout("index", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "indexed 5 files" in out.stdout and "4 of them binary, minified or too large" in out.stdout
    stats = json.loads(run_scout("index", str(tmp_path), "--json").stdout)
    assert (stats["files"], stats["unsearched"]) == (5, 4)


def test_usage_mistakes_are_one_line_that_says_what_to_do(sample_repo):
    """Click's own form is four lines with the message last; the usual slip gets its fix."""
    unquoted = run_scout("ask", "where", "is", "the", "token", str(sample_repo))
    assert (unquoted.returncode, unquoted.stdout) == (2, "") and unquoted.stderr.count("\n") == 1
    assert "unexpected extra argument" in unquoted.stderr
    assert "quote a question of several words" in unquoted.stderr
    for args in (("nosuch",), ("ask", "csrf", "--nope"), ("tools", "grep")):
        out = run_scout(*args)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, args
        assert out.stderr.startswith("scout: error: "), args
        assert out.stderr.rstrip().endswith("--help')"), out.stderr
    bare = run_scout("tools")  # a group alone still shows its help
    assert bare.returncode == 2 and "Commands:" in bare.stderr


def test_a_repository_given_before_the_question_is_said_as_such(sample_repo):
    out = run_scout("ask", str(sample_repo), "where is the CSRF token checked")
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr.splitlines() == [
        f"scout: error: '{sample_repo}' is the repository and 'where is the CSRF token checked' the "
        f'question: the question comes first, `scout ask "where is the CSRF token checked" {sample_repo}`'
    ]


def test_a_citation_as_printed_reads_its_lines_and_hints_use_the_commands_flags(sample_repo):
    cited = run_scout("tools", "read", "shop/auth/tokens.py:19-21", str(sample_repo))
    lines = ("--start-line", "19", "--end-line", "21")
    whole = run_scout("tools", "read", "shop/auth/tokens.py", *lines, str(sample_repo))
    assert cited.returncode == 0 and cited.stdout == whole.stdout and "def check_csrf_token" in cited.stdout
    one = run_scout("tools", "read", "shop/auth/tokens.py:19", str(sample_repo))
    assert one.returncode == 0 and one.stdout.splitlines()[1:] == whole.stdout.splitlines()[1:2]
    bad = run_scout("tools", "grep", "check_(csrf", str(sample_repo))
    assert bad.returncode == 2 and "or pass --fixed)" in bad.stderr and "fixed=true" not in bad.stderr
    capped = run_scout("tools", "grep", "def ", str(sample_repo), "--max-matches", "1")
    assert capped.returncode == 0 and "raise --max-matches" in capped.stdout


def test_an_answer_cut_to_its_budget_says_so_on_stderr_only(sample_repo):
    cut = run_scout("ask", "where is the CSRF token checked", str(sample_repo), "--budget", "120")
    whole = run_scout("ask", "where is the CSRF token checked", str(sample_repo))
    assert cut.returncode == whole.returncode == 0 and whole.stderr == ""
    assert cut.stderr.splitlines() == [
        "scout: some of the answer was left out to fit the budget of 120 tokens (raise --budget to see it)"
    ]
    assert "**Leads**" in whole.stdout and len(cut.stdout) < len(whole.stdout)
    as_json = run_scout(
        "ask", "where is the CSRF token checked", str(sample_repo), "--budget", "120", "--json"
    )
    assert json.loads(as_json.stdout)["truncated"] is True and as_json.stderr == ""  # the JSON says it
