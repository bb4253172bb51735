"""The scout-bundle/2 wire format (answer and leads), its Markdown, its JSON Schema, the budget."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from scout.bundle import FORMAT, MIN_BUDGET, Bundle, Span, fit, render_markdown
from scout.tokens import count_tokens

SCHEMA = json.loads((ROOT / "docs" / "bundle.schema.json").read_text())


def _spans(n: int, lines: int = 30) -> list[Span]:
    body = "\n".join(f"    value_{i} = compute(value_{i - 1}, factor={i})" for i in range(lines))
    return [
        Span(f"pkg/mod{i}.py", 10, 10 + lines - 1, 1.0 - i / 100, "lexical match", f"f{i}", body)
        for i in range(n)
    ]


def _leads(n: int) -> list[Span]:
    return [Span(f"pkg/other{i}.py", 3, 4, 0.1, "mentions value", f"g{i}") for i in range(n)]


QUERIES = ["where is value computed", "x" * 5000, "Crash in compute()\n\nTraceback:\n  File 'a.py'", ""]


@settings(max_examples=200, deadline=None)
@given(
    budget=st.integers(min_value=MIN_BUDGET, max_value=6000),
    n_spans=st.integers(min_value=0, max_value=12),
    n_leads=st.integers(min_value=0, max_value=10),
    lines=st.integers(min_value=1, max_value=120),
    query=st.sampled_from(QUERIES),
)
def test_a_fitted_bundle_never_exceeds_its_budget(budget, n_spans, n_leads, lines, query):
    spans, leads, cut = fit(_spans(n_spans, lines), _leads(n_leads), query, budget)
    bundle = Bundle(query, "/r", None, "x", spans, budget=budget, leads=leads, truncated=cut)
    assert bundle.tokens() <= budget
    assert bundle.to_dict()["budget"]["used"] <= budget
    if n_spans:
        assert spans, "the first answer span always fits, at least as a citation"


def test_the_last_span_is_trimmed_to_fit_with_its_range_adjusted():
    spans = _spans(2)
    whole = count_tokens(render_markdown(spans[:1], [], "q"))
    kept, _, cut = fit(spans, [], "q", whole + 200)
    assert cut and len(kept) == 2
    trimmed = kept[1]
    assert trimmed.end_line - trimmed.start_line + 1 == len(trimmed.text.splitlines()) < 30
    assert "trimmed" in trimmed.why


def test_evidence_that_does_not_fit_whole_is_cited_without_code_not_dropped():
    kept, _, cut = fit(_spans(1, lines=400), [], "q", MIN_BUDGET)
    assert cut and len(kept) == 1 and kept[0].text is None and "left out" in kept[0].why


def test_json_round_trip_documented_fields_and_schema():
    b = Bundle("q", "/repo", "abc123", "model", _spans(2, lines=3), leads=_leads(2))
    data = json.loads(b.to_json())
    assert data["format"] == FORMAT == "scout-bundle/2"
    assert set(data) == {"format", "query", "repo", "explorer", "budget", "truncated", "fallback",
                         "redacted_lines", "answer", "leads", "stats"}  # fmt: skip
    assert set(data["answer"][0]) == {"path", "start_line", "end_line", "score", "why", "symbol", "text"}
    assert "text" not in data["leads"][0]
    jsonschema.validate(data, SCHEMA)
    assert Bundle.from_dict(data).to_dict() == data


def test_the_json_carries_a_digest_of_a_long_query_not_its_text():
    issue = "Crash on save\n" + "pasted log line\n" * 60_000
    data = Bundle(issue, "/r", None, "x", _spans(1, 2)).to_dict()
    assert data["query"]["chars"] == len(issue) and data["query"]["excerpt"] == "Crash on save"
    assert len(json.dumps(data)) < 3000
    jsonschema.validate(data, SCHEMA)


def test_the_schema_refuses_what_the_format_does_not_allow():
    data = Bundle("q", "/r", None, "x", _spans(1, 2)).to_dict()
    for broken in ({**data, "format": "scout-bundle/1"}, {**data, "extra": 1},
                   {**data, "answer": [{**data["answer"][0], "start_line": 0}]}):  # fmt: skip
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_a_calibrated_explorers_confidence_survives_the_round_trip_and_trimming():
    spans = [replace(s, confidence=0.42) for s in _spans(2)]
    data = json.loads(Bundle("q", "/repo", None, "model", spans).to_json())
    assert data["answer"][0]["confidence"] == 0.42
    assert Bundle.from_dict(data).spans[0].confidence == 0.42
    whole = count_tokens(render_markdown(spans[:1], [], "q"))
    kept, _, _ = fit(spans, [], "q", whole + 200)
    assert "trimmed" in kept[1].why and kept[1].confidence == 0.42


def test_markdown_shows_the_answer_with_code_and_the_leads_as_a_list():
    md = Bundle("where", "/r", None, "x", _spans(1, lines=2), leads=_leads(2)).to_markdown()
    assert "### pkg/mod0.py:10-11 `f0`" in md and "```python" in md
    assert "**Leads** (where to look next):\n- pkg/other0.py:3-4 `g0` — mentions value" in md
    assert md.index("### pkg/mod0.py") < md.index("**Leads**")


def test_a_superseded_v1_bundle_is_still_read_and_others_are_refused():
    v1 = {"format": "scout-bundle/1", "query": "q", "repo": {"root": "/r", "commit": None},
          "spans": [{"path": "a.py", "start_line": 1, "end_line": 2, "score": 1.0, "why": "w"}]}  # fmt: skip
    assert Bundle.from_dict(v1).spans[0].path == "a.py"
    with pytest.raises(ValueError, match="scout-bundle/2"):
        Bundle.from_dict({"format": "other/9"})


def test_token_counting_rule():
    assert count_tokens("") == 0
    assert count_tokens("abcd") == 1 and count_tokens("abcde") == 2
    assert count_tokens("x = 12345") == 1 + 1 + 2  # x, =, 123|45 (spaces fold into words)
    assert count_tokens("a\n\nb") == 3


def test_a_one_line_lead_is_cited_as_path_line_not_a_range_of_one():
    """issue 24: leads printed as `path:143-143`."""
    lead = Span("django/middleware/csrf.py", 143, 143, 0.4, "close in meaning", "_check_token_format")
    text = render_markdown([], [lead], "csrf")
    assert "- django/middleware/csrf.py:143 `_check_token_format` — close in meaning" in text
    assert "143-143" not in text
    assert _spans(1)[0].header == "pkg/mod0.py:10-39"


def test_for_a_model_the_markdown_keeps_citations_and_code_and_drops_every_why_and_the_heading():
    """What a frontier model is sent beside the issue (`scout plan`): the excerpts and where they
    are, not scout's reasons for them (a seventh of the prompt, saying less than the code) nor a
    heading that repeats the issue's title."""
    span = Span(
        "pkg/pricing.py",
        16,
        18,
        0.9,
        "defines `apply_discount`; close in meaning",
        "apply_discount",
        "def apply_discount(code):\n    return RATES.get(code)\n",
        confidence=0.71,
    )
    lead = Span("pkg/rates.py", 3, 3, 0.2, "called by `apply_discount`", "RATES")
    full = render_markdown([span], [lead], "discount codes")
    bare = Bundle("discount codes", "/r", None, "x", [span], leads=[lead]).to_markdown(for_model=True)
    assert "close in meaning" in full and "called by" in full
    assert "close in meaning" not in bare and "called by" not in bare and " — " not in bare
    assert "## scout: discount codes" in full and "discount codes" not in bare
    assert bare.startswith("### pkg/pricing.py:16-18 `apply_discount` (71%)\n")
    assert "    return RATES.get(code)" in bare and "- pkg/rates.py:3 `RATES`" in bare
    assert count_tokens(bare) < count_tokens(full)
