"""Each tool against a real index of a real repository, with real `rg` processes."""

from __future__ import annotations

import pytest
from rank_bm25 import BM25Okapi

from scout.api import Workspace
from scout.errors import OutsideRepoError, RepoError, ScoutError, ToolError
from scout.explorer.replies import parse_citations
from scout.index.lexical import terms
from scout.repo import Repo
from scout.tools import TOOLS, call_tool
from scout.triage.ci import repo_path


@pytest.fixture
def ctx(sample_repo):
    ws = Workspace.open(sample_repo)
    yield ws.ctx
    ws.close()


def test_grep_returns_matches_with_their_enclosing_definition(ctx):
    result = call_tool(ctx, "grep", {"pattern": r"compare_digest\("})
    [hit] = result.hits
    assert (hit.path, hit.line, hit.symbol) == ("shop/auth/tokens.py", 25, "check_csrf_token")
    assert (hit.start_line, hit.end_line) == (19, 27)
    assert "hmac.compare_digest" in hit.snippet


def test_grep_no_matches_is_empty_not_an_error(ctx):
    assert call_tool(ctx, "grep", {"pattern": "zzz_not_here_zzz"}).hits == []


def test_grep_invalid_regex_is_a_tool_error(ctx):
    with pytest.raises(ToolError, match=r"invalid regex '\(unclosed': unclosed group"):
        call_tool(ctx, "grep", {"pattern": "(unclosed"})


def test_grep_fixed_string_and_path_filter(ctx):
    hits = call_tool(ctx, "grep", {"pattern": "X-CSRF-Token", "fixed": True, "path": "shop"}).hits
    assert {h.path for h in hits} == {"shop/auth/middleware.py"}


def test_grep_max_matches_truncates(ctx):
    result = call_tool(ctx, "grep", {"pattern": "def ", "max_matches": 3})
    assert len(result.hits) == 3 and result.truncated


def test_read_returns_the_requested_lines(ctx):
    result = call_tool(ctx, "read", {"path": "shop/auth/tokens.py", "start_line": 19, "end_line": 20})
    assert result.hits[0].snippet.splitlines() == [
        "def check_csrf_token(session, submitted):",
        '    """Compare the submitted token with the session\'s in constant time."""',
    ]


def test_read_refuses_paths_outside_the_repo(ctx):
    with pytest.raises(OutsideRepoError):
        call_tool(ctx, "read", {"path": "../../etc/passwd"})


def test_read_refuses_binary_files(ctx, sample_repo):
    (sample_repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ToolError, match="not a readable text file"):
        call_tool(ctx, "read", {"path": "logo.png"})


def test_glob_matches_paths(ctx):
    assert [h.path for h in call_tool(ctx, "glob", {"pattern": "*pricing.py"}).hits] == [
        "shop/cart/pricing.py"
    ]
    assert {h.path for h in call_tool(ctx, "glob", {"pattern": "shop/auth/*.py"}).hits} >= {
        "shop/auth/tokens.py",
        "shop/auth/middleware.py",
    }


def test_symbols_exact_fuzzy_and_references(ctx):
    exact = call_tool(ctx, "symbols", {"name": "apply_discount", "fuzzy": False}).hits
    assert [(h.path, h.start_line, h.end_line, h.symbol) for h in exact] == [
        ("shop/cart/pricing.py", 16, 21, "PriceCalculator.apply_discount")
    ]
    fuzzy = {h.symbol for h in call_tool(ctx, "symbols", {"name": "csrf"}).hits}
    assert {"check_csrf_token", "CsrfMiddleware"} <= fuzzy
    refs = call_tool(ctx, "symbols", {"name": "check_csrf_token", "references": True}).hits
    assert ("shop/auth/middleware.py", 15) in {(h.path, h.line) for h in refs}


def test_outline_lists_definitions_in_order(ctx):
    names = [h.symbol for h in call_tool(ctx, "outline", {"path": "shop/cart/pricing.py"}).hits]
    assert names[names.index("PriceCalculator") :] == [
        "PriceCalculator",
        "PriceCalculator.__init__",
        "PriceCalculator.subtotal",
        "PriceCalculator.apply_discount",
        "PriceCalculator.total_with_tax",
    ]


def test_bm25_ranks_the_answering_function_first(ctx):
    hits = call_tool(ctx, "bm25", {"query": "how is the discount code applied"}).hits
    assert hits[0].symbol == "PriceCalculator.apply_discount"


def test_bm25_within_one_file_keeps_the_repository_wide_scores(ctx):
    everywhere = call_tool(ctx, "bm25", {"query": "csrf token session discount", "limit": 50}).hits
    within = call_tool(
        ctx, "bm25", {"query": "csrf token session discount", "limit": 50, "path": "shop/cart/pricing.py"}
    ).hits
    assert within and {h.path for h in within} == {"shop/cart/pricing.py"}
    expected = [(h.start_line, round(h.score, 6)) for h in everywhere if h.path == "shop/cart/pricing.py"]
    assert [(h.start_line, round(h.score, 6)) for h in within] == expected


def test_bm25_within_one_file_reads_a_long_issue_by_the_words_that_file_holds(sample_repo):
    """Across the repository a long issue is read by its 48 rarest words; within one file those
    are mostly absent (here: sixty words of a pasted log that one other module holds), and the
    file's own words must still rank its chunks."""
    pasted = [f"zq{chr(97 + i // 26)}{chr(97 + i % 26)}word" for i in range(60)]
    legacy = "".join(f"def {w}():\n    return 1\n\n\n" for w in pasted)
    (sample_repo / "shop" / "legacy.py").write_text(legacy)
    issue = "Log:\n" + " ".join(pasted) + "\n\nThe discount code is applied twice to the price."
    ws = Workspace.open(sample_repo)
    try:
        everywhere = call_tool(ws.ctx, "bm25", {"query": issue}).hits
        within = call_tool(ws.ctx, "bm25", {"query": issue, "path": "shop/cart/pricing.py"}).hits
    finally:
        ws.close()
    assert {h.path for h in everywhere[:5]} == {"shop/legacy.py"}  # the rarest words lead there
    assert within and within[0].symbol == "PriceCalculator.apply_discount"


def test_bm25_within_a_path_outside_the_repository_is_refused(ctx):
    with pytest.raises(OutsideRepoError):
        call_tool(ctx, "bm25", {"query": "token", "path": "../../etc/passwd"})


def test_bm25_agrees_with_rank_bm25_on_the_ordering(ctx):
    """Our BM25 uses the same k1/b as rank-bm25; with a positive idf the orders match."""
    bags = ctx.index.chunk_bags()
    ids = sorted(bags)
    corpus = [[t for t, n in bags[i].items() for _ in range(n)] for i in ids]
    query = terms("csrf token session")
    reference = BM25Okapi(corpus).get_scores(query)
    theirs = sorted(range(len(ids)), key=lambda i: -reference[i])[:3]
    ours = call_tool(ctx, "bm25", {"query": "csrf token session", "limit": 3}).hits
    assert ctx.index.chunk_id(ours[0].path, ours[0].start_line, ours[0].end_line) == ids[theirs[0]]


def test_unknown_tool_and_bad_arguments_are_tool_errors(ctx):
    with pytest.raises(ToolError, match="unknown tool"):
        call_tool(ctx, "rm", {})
    with pytest.raises(ToolError, match="grep has no parameter 'regex'"):
        call_tool(ctx, "grep", {"regex": "x"})
    with pytest.raises(ToolError, match="grep needs pattern"):
        call_tool(ctx, "grep", {})
    with pytest.raises(ToolError, match="max_matches must be at most 1000"):
        call_tool(ctx, "grep", {"pattern": "x", "max_matches": 5000})
    with pytest.raises(ToolError, match="limit must be integer"):
        call_tool(ctx, "bm25", {"query": "x", "limit": "many"})
    assert call_tool(ctx, "bm25", {"query": "csrf token", "limit": "2"}).hits  # a model's "2" is 2


def test_every_tool_has_a_schema_for_function_calling():
    for entry in TOOLS.values():
        schema = entry.schema()
        assert schema["description"] and schema["parameters"]["type"] == "object"
        for prop in schema["parameters"]["properties"].values():
            assert prop["description"] and prop["type"] in ("string", "integer", "boolean")
    grep = TOOLS["grep"].schema()["parameters"]
    assert grep["required"] == ["pattern"]
    assert grep["properties"]["max_matches"] == {
        "type": "integer", "description": "Stop after this many matches in all.",
        "minimum": 1, "maximum": 1000, "default": 50,
    }  # fmt: skip


def test_dotted_symbol_names_keep_only_definitions_under_that_qualifier(ctx):
    qualified = call_tool(ctx, "symbols", {"name": "PriceCalculator.apply_discount"}).hits
    assert [h.symbol for h in qualified] == ["PriceCalculator.apply_discount"]
    by_module = call_tool(ctx, "symbols", {"name": "pricing.PriceCalculator", "fuzzy": False}).hits
    assert [h.path for h in by_module] == ["shop/cart/pricing.py"]
    assert call_tool(ctx, "symbols", {"name": "x.apply_discount"}).hits == []  # a user's variable
    assert call_tool(ctx, "symbols", {"name": "self.apply_discount"}).hits[0].line == 16


@pytest.mark.parametrize("tool", ["outline", "read"])
@pytest.mark.parametrize("path", ["a" * 5000, "shop/" + "b" * 300 + ".py", "shop/auth/tokens.py\x00.txt"])
def test_a_path_that_is_no_path_is_a_scout_error(ctx, tool, path):
    """Found by fuzzing: a file name over NAME_MAX made `Path.is_file()` raise OSError (ENAMETOOLONG)
    from outline; the same path from a model's citation or a CI log reached is_file() elsewhere."""
    with pytest.raises(ScoutError, match="not a path"):
        call_tool(ctx, tool, {"path": path})


def test_citations_and_log_paths_that_are_no_paths_are_skipped(sample_repo):
    repo = Repo.open(sample_repo)
    long = "shop/" + "c" * 300 + ".py"
    assert parse_citations(f"{long}:1-3\nshop/auth/tokens.py:19-27", repo)[0].path == "shop/auth/tokens.py"
    assert repo_path(repo, f"/home/runner/work/{long}") is None
    with pytest.raises(RepoError, match="not a path"):
        Repo.open("d" * 5000)


def test_an_integer_beyond_any_file_is_a_tool_error(ctx):
    """Found by fuzzing: `related` passed line 2**63 to SQLite, which raised OverflowError."""
    with pytest.raises(ToolError, match="line must be at most 2147483647"):
        call_tool(ctx, "related", {"path": "shop/auth/tokens.py", "line": 2**63})
    with pytest.raises(ToolError, match="start_line must be at most"):
        call_tool(ctx, "read", {"path": "shop/auth/tokens.py", "start_line": "99999999999999999999"})


@pytest.mark.parametrize("value", ["0\x1f", "²", "1\x00"])
def test_a_number_sent_as_a_string_that_is_no_number_is_a_tool_error(ctx, value):
    """Found by fuzzing: these pass `str.isdigit()` after `strip()`, and int() raised ValueError."""
    with pytest.raises(ToolError, match="max_matches must be integer"):
        call_tool(ctx, "grep", {"pattern": "csrf", "max_matches": value})
