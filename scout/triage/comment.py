"""The bot's comment: permalinks to the evidence, owners, labels, a confidence, and a hidden marker.

The marker is the comment's first line, `<!-- scout-triage:KEY {json} -->`. KEY says what the
comment answers (`issue`, or `ci:WORKFLOW_ID` for a workflow's failures on a pull request), so
re-runs find their own comment and edit it; the JSON remembers state across runs (labels added).
Text that came from outside (test names, log lines, owner names) is shown as code, so it can
neither break the Markdown nor notify anyone; prose that came from outside (an explorer's note,
which an LLM explorer writes after reading the issue; a workflow's name) goes through `inert`: no
HTML, no link or image, no @-mention or issue reference survives it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from scout import __version__
from scout.bundle import NOTHING_SOLID, Bundle, Span

PREFIX = "<!-- scout-triage:"
MAX_CHARS = 60_000  # GitHub refuses comments over 65,536 characters


@dataclass(frozen=True)
class Links:
    """Where permalinks point: `{server}/{owner}/{repo}/blob/{ref}/{path}#Lstart-Lend`."""

    server: str
    owner: str
    repo: str
    ref: str

    def blob(self, path: str, start: int, end: int | None = None) -> str:
        anchor = f"#L{start}" if end is None else f"#L{start}-L{end}"
        base = f"{self.server.rstrip('/')}/{self.owner}/{self.repo}/blob/{self.ref}"
        return f"{base}/{quote(path, safe='/')}{anchor}"


@dataclass
class Cited:
    path: str
    start: int
    end: int | None  # None: a single line the log named
    why: str
    url: str
    symbol: str | None = None
    owners: tuple[str, ...] = ()

    @classmethod
    def from_span(cls, span: Span, links: Links, owners: tuple[str, ...]) -> Cited:
        url = links.blob(span.path, span.start_line, span.end_line)
        return cls(span.path, span.start_line, span.end_line, span.why, url, span.symbol, owners)


@dataclass
class Draft:
    key: str
    state: dict[str, Any]
    intro: list[str]
    cited: list[Cited]  # the explorer's answer
    confidence: tuple[str, str]  # (low|medium|high, why)
    pointed: list[Cited] = field(default_factory=list)  # CI: lines the log itself names
    owners: list[str] = field(default_factory=list)
    owners_file: str | None = None
    labels: list[str] = field(default_factory=list)
    labels_added: bool = False
    mention: bool = False
    notes: list[str] = field(default_factory=list)
    footer: str = ""
    leads: list[Cited] = field(default_factory=list)  # where to look next, after the answer


def marker(key: str, state: dict[str, Any]) -> str:
    # `>` can only occur inside JSON strings, where \u003e means the same: the comment cannot end early.
    data = json.dumps(state, sort_keys=True, ensure_ascii=True).replace(">", "\\u003e")
    return f"{PREFIX}{key} {data} -->"


def read_marker(body: str, key: str) -> dict[str, Any] | None:
    """The state in a comment's marker for `key`, or None when the comment is not ours."""
    head = f"{PREFIX}{key} "
    if not body.startswith(head):
        return None
    first = body.split("\n", 1)[0]
    raw = first[len(head) :].removesuffix("-->").strip()
    try:
        state = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return state if isinstance(state, dict) else {}


def render(draft: Draft) -> str:
    body = _render(draft)
    while len(body) > MAX_CHARS and (draft.leads or draft.cited or draft.pointed):
        (draft.leads or draft.cited or draft.pointed).pop()
        body = _render(draft)
    return body[:MAX_CHARS]


def _render(d: Draft) -> str:
    level, reason = d.confidence
    parts = [marker(d.key, d.state), *d.intro, "", f"Confidence: **{level}** ({reason})."]
    if d.pointed:
        parts += ["", "**The log points at**", *_items(d.pointed, d)]
    if d.cited:
        parts += ["", "**Where to look**", *_items(d.cited, d)]
    if d.leads:
        parts += [
            "",
            "<details><summary>Also worth a look</summary>",
            "",
            *_items(d.leads, d),
            "",
            "</details>",
        ]
    if d.owners:
        parts += ["", f"**Owners** (from `{d.owners_file}`): " + ", ".join(_owner(o, d) for o in d.owners)]
    if d.labels:
        verb = "Labels added" if d.labels_added else "Suggested labels"
        parts += ["", f"**{verb}:** " + ", ".join(code(name) for name in d.labels)]
    parts += [f"\n_{note}_" for note in d.notes]
    if d.footer:
        parts += ["", f"<sub>{d.footer}</sub>"]
    return "\n".join(parts) + "\n"


def _items(cited: list[Cited], d: Draft) -> list[str]:
    lines = []
    for n, c in enumerate(cited, 1):
        anchor = f"#L{c.start}" if c.end is None else f"#L{c.start}-L{c.end}"
        link = f"[{code(c.path + anchor)}]({c.url})"
        symbol = f" {code(c.symbol)}" if c.symbol else ""
        owners = f" · owners: {', '.join(_owner(o, d) for o in c.owners)}" if c.owners else ""
        lines.append(f"{n}. {link}{symbol} — {inert(c.why)}{owners}")
    return lines


def _owner(owner: str, d: Draft) -> str:
    mentionable = re.fullmatch(r"@[\w.-]+(?:/[\w.-]+)?", owner)
    return owner if d.mention and mentionable else code(owner)


_TICKS = re.compile(r"`+")
# A scheme is at most 32 characters (RFC 3986 sets no limit; the longest registered is 31): with
# none, each word start in a long run of `A.A.A.` scanned the whole run.
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]{0,31}://|www\.)\S+", re.I)
_ESCAPES = str.maketrans(
    {"\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`"}
)
_REFERENCE = re.compile(r"([@#])(?=[\w-])")  # @user, @org/team, #12: notify people, cross-link issues


def inert(text: str) -> str:
    """Prose from outside as Markdown that renders as itself, on one line: its code spans kept
    (they render literally), URLs made code, and outside them no HTML tag or entity, no link or
    image (`[`, `]` escaped), no @-mention and no #reference (a zero-width space after the sign)."""
    text = " ".join(text.split())
    out, pos = [], 0
    for start, end in _code_spans(text):
        out += [_inert_prose(text[pos:start]), text[start:end]]
        pos = end
    out.append(_inert_prose(text[pos:]))
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where the code spans of one line are: a backtick run, or the end of one, closed by the next
    run of the same length. What `(`+)(?!`)(.+?)(?<!`)\\1(?!`)` finds, without its search from every
    backtick to the end of the text for each run that nothing closes (quadratic in a long note)."""
    runs = [m.span() for m in _TICKS.finditer(text)]
    closed_by: list[tuple[int, int] | None] = [None] * len(runs)  # (where it opens, the closing run)
    nearest: dict[int, int] = {}  # run length → the nearest later run of that length
    for i in range(len(runs) - 1, -1, -1):
        start, end = runs[i]
        # The regex tries the whole run first, then ever shorter ends of it.
        length = next((n for n in range(end - start, 0, -1) if n in nearest), 0)
        closed_by[i] = (end - length, nearest[length]) if length else None
        nearest[end - start] = i
    spans, i = [], 0
    while i < len(runs):
        found = closed_by[i]
        if found is None:
            i += 1
            continue
        spans.append((found[0], runs[found[1]][1]))
        i = found[1] + 1
    return spans


def _inert_prose(text: str) -> str:
    out, pos = [], 0
    for m in _URL.finditer(text):
        out += [_escape(text[pos : m.start()]), code(m.group())]
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _escape(text: str) -> str:
    return _REFERENCE.sub("\\1\u200b", text.translate(_ESCAPES))


def code(text: str) -> str:
    """Inline code that survives backticks inside `text`."""
    text = text.replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(lines: list[str], lang: str = "text") -> list[str]:
    """A fenced block that no backtick run inside it can close."""
    longest = max((len(run) for line in lines for run in re.findall(r"`{3,}", line)), default=2)
    fence = "`" * (longest + 1)
    return [f"{fence}{lang}", *lines, fence]


def footer(bundle: Bundle, ref: str, extra: str = "") -> str:
    stats = bundle.stats
    short = ref[:7] if re.fullmatch(r"[0-9a-f]{40}", ref) else ref
    took = f"{stats.elapsed_ms:.0f} ms" if stats.elapsed_ms < 1000 else f"{stats.elapsed_ms / 1000:.1f} s"
    text = (
        f"scout {__version__} · {bundle.explorer} explorer · {stats.tool_calls} tool calls in {took} · "
        f"code at {code(short)} · this comment is updated in place"
    )
    return f"{text} · {extra}" if extra else text


# The model explorer's confidence is the probability that a span's cited lines touch what was
# asked (on an issue: the lines its fix changes), calibrated on held-out repositories, so the levels
# are cut on its meaning: more likely right than not (0.6), and "nothing solid" (0.3 or less, for the
# lines and their file alike; the ceiling of a question the code lacks the words for). The first
# answer's file was right for 88% of the plain questions at >= 0.6 (17 of 80), 76% at 0.3-0.6 and
# 56% below; for 86% of SWE-bench Lite's issues (7 of 300), 71% and 45% (benchmarks/RESULTS.md).
SURE, UNSURE = 0.6, NOTHING_SOLID
# Its file confidence, the probability that the answer lies in the first span's file, is the surer
# call on an issue: the first files it put at >= 0.8 were right for 81% of SWE-bench Lite's issues
# and 88% of SWE-bench Multilingual's, where a span at >= 0.6 had its file right for 73% and 62%.
SURE_FILE = 0.8


def confidence(bundle: Bundle | None, pointed: bool = False) -> tuple[str, str]:
    """How much to trust the spans: from the explorer's scores, or the log naming lines outright."""
    if pointed:
        return "high", "the failing job's log names these lines"
    spans = bundle.spans if bundle else []
    if not spans:
        return "low", "no evidence found"
    if bundle is None or bundle.fallback:
        return "low", "the explorer did not settle on an answer; these are the places it touched"
    top = spans[0]
    if top.file_confidence is not None and top.file_confidence >= SURE_FILE:
        return "high", f"the learned explorer puts {top.file_confidence:.0%} on the file {code(top.path)}"
    if top.confidence is not None:  # a calibrated explorer says how sure it is
        if top.confidence >= SURE:
            return "high", f"the learned explorer puts {top.confidence:.0%} on {code(top.path)}"
        if top.confidence > UNSURE:
            return "medium", f"the learned explorer puts {top.confidence:.0%} on its best match"
        if (top.file_confidence or 0.0) > UNSURE:
            return "medium", f"the learned explorer puts {top.file_confidence:.0%} on {code(top.path)}"
        return "low", "the learned explorer found no clear answer"
    runner_up = next((s.score for s in spans if s.path != top.path), 0.0)
    if top.score >= 2.0 and top.score >= 1.5 * runner_up:
        return "high", f"strong, specific matches concentrated in {code(top.path)}"
    if top.score >= 1.0:
        return "medium", "specific matches, spread over several files"
    return "low", "only weak word matches"
