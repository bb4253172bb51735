"""The scout-bundle/1 wire format, its Markdown, and the token budget."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from scout.bundle import FORMAT, Bundle, Span, fit, render_markdown
from scout.tokens import count_tokens


def _spans(n: int, lines: int = 30) -> list[Span]:
    body = "\n".join(f"    value_{i} = compute(value_{i - 1}, factor={i})" for i in range(lines))
    return [
        Span(f"pkg/mod{i}.py", 10, 10 + lines - 1, 1.0 - i / 100, "lexical match", f"f{i}", body)
        for i in range(n)
    ]


@pytest.mark.parametrize("budget", [60, 150, 400, 1000, 4000])
def test_fitted_markdown_never_exceeds_the_budget(budget):
    kept, cut = fit(_spans(10), "where is value computed", budget)
    assert count_tokens(render_markdown(kept, "where is value computed")) <= budget
    assert cut  # ten 30-line spans never fit in 4000 scout tokens... unless they do:
    assert len(kept) < 10


def test_the_last_span_is_trimmed_to_fit_with_its_range_adjusted():
    spans = _spans(2)
    whole = count_tokens(render_markdown(spans[:1], "q"))
    kept, cut = fit(spans, "q", whole + 200)
    assert cut and len(kept) == 2
    trimmed = kept[1]
    assert trimmed.end_line - trimmed.start_line + 1 == len(trimmed.text.splitlines()) < 30
    assert "trimmed" in trimmed.why


def test_json_round_trip_and_documented_fields():
    b = Bundle("q", "/repo", "abc123", "heuristic", _spans(2, lines=3))
    data = json.loads(b.to_json())
    assert data["format"] == FORMAT == "scout-bundle/1"
    assert set(data) == {
        "format",
        "query",
        "repo",
        "explorer",
        "budget",
        "truncated",
        "fallback",
        "spans",
        "stats",
    }
    assert set(data["spans"][0]) == {"path", "start_line", "end_line", "score", "why", "symbol", "text"}
    assert Bundle.from_dict(data).to_dict() == data


def test_a_calibrated_explorers_confidence_survives_the_round_trip_and_trimming():
    spans = [replace(s, confidence=0.42) for s in _spans(2)]
    data = json.loads(Bundle("q", "/repo", None, "model", spans).to_json())
    assert data["spans"][0]["confidence"] == 0.42
    assert Bundle.from_dict(data).spans[0].confidence == 0.42
    whole = count_tokens(render_markdown(spans[:1], "q"))
    kept, _ = fit(spans, "q", whole + 200)
    assert "trimmed" in kept[1].why and kept[1].confidence == 0.42


def test_spans_without_text_omit_the_field_and_the_fence():
    span = Span("a.py", 1, 2, 0.5, "why", None, None)
    b = Bundle("q", "/r", None, "x", [span])
    assert "text" not in b.to_dict()["spans"][0]
    assert "```" not in b.to_markdown() and "### a.py:1-2" in b.to_markdown()


def test_markdown_has_path_range_headers_and_fenced_code():
    md = Bundle("where", "/r", None, "x", _spans(1, lines=2)).to_markdown()
    assert "### pkg/mod0.py:10-11 `f0`" in md and "```python" in md


def test_from_dict_rejects_other_formats():
    with pytest.raises(ValueError, match="scout-bundle/1"):
        Bundle.from_dict({"format": "other/9"})


def test_token_counting_rule():
    assert count_tokens("") == 0
    assert count_tokens("abcd") == 1 and count_tokens("abcde") == 2
    assert count_tokens("x = 12345") == 1 + 1 + 2  # x, =, 123|45 (spaces fold into words)
    assert count_tokens("a\n\nb") == 3
