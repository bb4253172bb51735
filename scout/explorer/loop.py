"""The explorer loop: a policy proposes tool calls, the loop runs them, until the policy answers.

The loop does not know which policy it drives. It enforces the turn budget and the observation
token budget, runs each turn's calls in parallel, records the trajectory, and turns the answer
into a bundle that fits the output budget. `make_bundle` is where cited lines enter a bundle, so it
is where their secrets are masked: every surface hands on bundles, none re-reads the lines.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from scout.bundle import Bundle, Span, Stats, fit
from scout.config import DEFAULT_BUDGET, Settings
from scout.errors import ScoutError
from scout.explorer.trajectory import Trajectory
from scout.index.files import read_text
from scout.redact import redact, redact_range
from scout.tokens import count_tokens
from scout.tools import ToolContext, ToolResult, call_tool


@dataclass(frozen=True)
class ToolCall:
    tool: str
    args: dict[str, Any]


@dataclass
class Observation:
    call: ToolCall
    result: ToolResult | None
    error: str | None = None
    elapsed_ms: float = 0.0


@dataclass
class Answer:
    spans: list[Span]  # what the explorer asserts
    fallback: bool = False
    leads: list[Span] = field(default_factory=list)  # where to look next, best first


@dataclass
class State:
    query: str
    turns: list[list[Observation]] = field(default_factory=list)
    turns_left: int = 4
    observed_tokens: int = 0
    max_spans: int = Settings.max_spans  # what the bundle may hold, answer and leads (`Limits`)

    @property
    def observations(self) -> list[Observation]:
        return [o for turn in self.turns for o in turn]


class Policy(Protocol):
    """Decides the next tool calls, or answers. With `state.turns_left == 0` it must answer.

    A policy that sets `reads_text = False` weighs hits by kind, path, lines and score and never
    reads a result's text: its tools' results are then not masked for secrets (nobody sees them;
    the bundle's citations are masked on their own), which saves the first ask in a process the
    ~40 ms of loading the masker. A policy that sets `local = True` costs nothing but local CPU to
    run: a warm CLI ask may explore with it before it knows the index is fresh and throw that
    answer away (`Workspace.open(overlap=True)`); one that calls a model endpoint is never run
    twice for one question."""

    name: str

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer: ...


@dataclass
class Limits:
    max_turns: int = Settings.max_turns
    max_observed_tokens: int = 60_000  # what the policy may read across all turns
    budget: int = DEFAULT_BUDGET  # the bundle's token budget
    max_spans: int = Settings.max_spans
    with_code: bool = True
    workers: int = 4


def explore(
    query: str,
    ctx: ToolContext,
    policy: Policy,
    limits: Limits | None = None,
    trajectory: Trajectory | None = None,
) -> Bundle:
    limits = limits or Limits()
    started = time.perf_counter()
    state = State(query, turns_left=limits.max_turns, max_spans=limits.max_spans)
    answer = None
    # what only the policy sees needs no masking; a trajectory is written out, so it does
    seen = ctx if getattr(policy, "reads_text", True) or trajectory else replace(ctx, redact=False)
    with ThreadPoolExecutor(max_workers=limits.workers) as pool:
        while answer is None:
            decision = policy.decide(state, ctx)
            if isinstance(decision, Answer):
                answer = decision
            elif state.turns_left <= 0 or not decision:
                answer = fallback_answer(state)
            else:
                turn = list(pool.map(lambda c: run_call(seen, c), decision))
                state.turns.append(turn)
                state.turns_left -= 1
                state.observed_tokens += sum(count_tokens(o.result.text) for o in turn if o.result)
                if state.observed_tokens >= limits.max_observed_tokens:
                    state.turns_left = 0
                if trajectory:
                    trajectory.turn(len(state.turns), turn)
    bundle = make_bundle(query, ctx, policy.name, answer, limits)
    bundle.stats = Stats(
        tool_calls=len(state.observations),
        turns=len(state.turns),
        tokens=bundle.tokens(),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        observed_tokens=state.observed_tokens,
    )
    if trajectory:
        trajectory.answer(bundle)
    return bundle


def run_call(ctx: ToolContext, call: ToolCall) -> Observation:
    started = time.perf_counter()
    try:
        result, error = call_tool(ctx, call.tool, call.args), None
    except ScoutError as exc:
        result, error = None, exc.one_line()
    return Observation(call, result, error, round((time.perf_counter() - started) * 1000, 2))


def fallback_answer(state: State) -> Answer:
    """Spans the tool calls touched, best-scored first: used when a policy never answered."""
    seen: dict[tuple[str, int, int], Span] = {}
    for obs in state.observations:
        for h in obs.result.hits if obs.result else []:
            if h.start_line and (h.path, h.start_line, h.end_line) not in seen:
                seen[(h.path, h.start_line, h.end_line)] = Span(
                    h.path, h.start_line, h.end_line, h.score, f"touched by {obs.call.tool}", h.symbol
                )
    spans = sorted(seen.values(), key=lambda s: -s.score)
    return Answer(spans, fallback=True)


def make_bundle(query: str, ctx: ToolContext, explorer: str, answer: Answer, limits: Limits) -> Bundle:
    valid = [s for s in answer.spans if _valid(ctx, s)]
    spans = valid[: limits.max_spans]
    leads = [s for s in answer.leads if _valid(ctx, s)][: max(limits.max_spans - len(spans), 0)]
    masked = 0
    for span in spans:
        span.text = None
        if limits.with_code:
            masked += _cite(ctx, span)
    for lead in leads:
        lead.end_line = header_end(_file_lines(ctx, lead.path), lead.start_line, lead.end_line)
    if ctx.redact:  # an explorer's note can quote the query or the file; the bundle echoes the query
        for span in [*spans, *leads]:
            span.why = redact(span.why).text
        query = redact(query).text
    kept, shown, cut = fit(spans, leads, query, limits.budget)
    return Bundle(
        query,
        str(ctx.repo.root),
        ctx.repo.commit,
        explorer,
        kept,
        budget=limits.budget,
        truncated=cut or len(valid) > len(spans),
        fallback=answer.fallback,
        leads=shown,
        redacted_lines=masked,
    )


def _valid(ctx: ToolContext, span: Span) -> bool:
    try:
        ctx.repo.resolve(span.path)
    except ScoutError:
        return False
    return span.start_line >= 1 and span.end_line >= span.start_line


def _file_lines(ctx: ToolContext, path: str) -> list[str]:
    return (read_text(ctx.repo, path, ctx.index.max_bytes) or "").splitlines()


def _cite(ctx: ToolContext, span: Span) -> int:
    """Fill in the span's lines, secrets masked unless masking is off; how many lines were masked."""
    lines = _file_lines(ctx, span.path)
    span.end_line = min(span.end_line, max(len(lines), span.start_line))
    if not ctx.redact:
        span.text = "\n".join(lines[span.start_line - 1 : span.end_line])
        return 0
    result = redact_range(lines, span.start_line, span.end_line, span.path)
    span.text = result.text
    return result.lines


OPENS_BODY = ("{", ":", "=>", " do", "->", "=")
HEADER_LINES = 8


def header_end(lines: list[str], start: int, end: int) -> int:
    """Where a lead stops: the line that opens the body after `start` (a signature can span
    lines and follow decorators), never past `end` unless `end` is `start`; `start` if none."""
    limit = min(len(lines), start + HEADER_LINES - 1) if end <= start else min(len(lines), end)
    for n in range(start, limit + 1):
        text = lines[n - 1].split("#")[0].split("//")[0].rstrip()
        if text.endswith(OPENS_BODY):
            return n
    return max(start, min(end, len(lines)))
