"""The LLM explorer: any chat model drives scout's tools through function calling.

Each `decide` sends the conversation so far (tool results of the last turn included) and turns the
reply into the next turn's parallel tool calls, or into an answer. Calls whose arguments are not a
JSON object go straight back to the model as tool errors; calls the tools reject come back the
same way through the loop. A reply with neither calls nor citations gets one reminder; with no
turns left the model is asked for its final answer with tools off, and if it still cites nothing
the loop's fallback (the spans its tool calls touched) is returned, flagged as such. Tool results
arrive masked (`scout.tools.call_tool`); the query is masked here before it is sent. The query,
the layout and every tool result are fenced as untrusted text (`scout.prompts.fence`).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from scout.config import Settings, load_settings
from scout.explorer.loop import Answer, Observation, State, ToolCall, fallback_answer
from scout.explorer.replies import parse_citations, parse_text_tool_calls, remove_tool_calls, tool_arguments
from scout.llm import Chat, Message, Reply, client_for, tool_message
from scout.prompts import load
from scout.prompts.fence import new_tag, wrap
from scout.redact import redact
from scout.tokens import line_prefix
from scout.tools import TOOLS, ToolContext

log = logging.getLogger("scout.explorer.llm")

RESULT_TOKENS = 1500  # one tool result, as the model sees it
MAX_REMINDERS = 2  # replies in one turn that neither call a tool nor answer
LAYOUT_LINES = 40
FINAL_NUDGE = (
    "You have no tool calls left. Give your final answer now: a <final_answer> block of "
    "path:start-end lines, best first."
)
REMINDER = "Either call tools, or give your final answer as a <final_answer> block of path:start-end lines."


@dataclass
class LLMPolicy:
    """Needs a `Chat`; with `client=None` one is made on first use from the repository's settings
    and `model` (a model name as in `scout.llm.parse_model`, None for the configured model)."""

    client: Chat | None = None
    name: str = "llm"
    model: str | None = None
    settings: Settings | None = None
    result_tokens: int = RESULT_TOKENS
    max_spans: int = Settings.max_spans
    messages: list[Message] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # ids of the calls the loop is running
    fence: str = ""  # this exploration's tag for untrusted text (the query, layout, tool output)

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        chat = self._chat(ctx)
        if not state.turns:
            self.fence = new_tag()
            self.messages = opening(state, ctx, self.max_spans, self.fence)
        else:
            self._add_results(state.turns[-1])
        if state.turns_left <= 0:
            return self._final(chat, state, ctx)
        for _ in range(MAX_REMINDERS + 1):
            reply = self._ask(chat, tool_choice="auto")
            calls = self._calls(reply)
            if calls:
                return calls
            spans = parse_citations(reply.text, ctx.repo)
            if spans:
                return Answer(spans)
            if not reply.tool_calls:
                self.messages.append({"role": "user", "content": REMINDER})
        return fallback_answer(state)

    def _chat(self, ctx: ToolContext) -> Chat:
        if self.client is None:
            self.client = client_for(self.settings or load_settings(ctx.repo.root), self.model)
            self.name = f"llm:{self.client.name}" if self.name == "llm" else self.name
        return self.client

    def _ask(self, chat: Chat, tool_choice: str) -> Reply:
        reply = chat.chat(self.messages, tools=TOOL_SPECS, tool_choice=tool_choice)
        if not reply.tool_calls and "<tool_call>" in reply.text:
            reply.tool_calls = parse_text_tool_calls(reply.text)
            reply.text = remove_tool_calls(reply.text)
        self.messages.append(reply.as_message())
        return reply

    def _calls(self, reply: Reply) -> list[ToolCall]:
        """The reply's valid calls; the invalid ones are answered with an error at once."""
        calls, self.pending = [], []
        for requested in reply.tool_calls:
            try:
                tool, args = tool_arguments(requested)
            except ValueError as exc:
                self.messages.append(tool_message(requested.id, f"error: {exc}"))
                continue
            calls.append(ToolCall(tool, args))
            self.pending.append(requested.id)
        return calls

    def _add_results(self, turn: list[Observation]) -> None:
        for call_id, obs in zip(self.pending, turn, strict=False):
            text = wrap(render_observation(obs, self.result_tokens), self.fence, f"{obs.call.tool} output")
            self.messages.append(tool_message(call_id, text))
        self.pending = []

    def _final(self, chat: Chat, state: State, ctx: ToolContext) -> Answer:
        self.messages.append({"role": "user", "content": FINAL_NUDGE})
        reply = self._ask(chat, tool_choice="none")
        spans = parse_citations(reply.text, ctx.repo)
        return Answer(spans) if spans else fallback_answer(state)


TOOL_SPECS = [t.schema() for t in TOOLS.values()]


def opening(state: State, ctx: ToolContext, max_spans: int, fence: str) -> list[Message]:
    """The system prompt and the request; the query (masked: a pasted log may hold a secret) and
    the layout (directory names are the repository's too) fenced as untrusted text."""
    prompt = load("explorer")
    system = prompt.render_system(turns=state.turns_left, max_spans=max_spans, fence=fence)
    query = redact(state.query.strip()).text if ctx.redact else state.query.strip()
    user = prompt.render_user(query=wrap(query, fence, "request"), layout=wrap(layout(ctx), fence, "layout"))
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def layout(ctx: ToolContext) -> str:
    """Directories (two levels deep) with their file counts: a map to aim the first searches."""
    counts: Counter[str] = Counter()
    for path in ctx.index.paths():
        parts = path.split("/")[:-1]
        counts["/".join(parts[:2]) + "/" if parts else "./"] += 1
    lines = [f"{d} ({n})" for d, n in sorted(counts.items())]
    if len(lines) > LAYOUT_LINES:
        lines = [*lines[:LAYOUT_LINES], f"... {len(lines) - LAYOUT_LINES} more directories"]
    return "\n".join(lines) or "(no files indexed)"


def render_observation(obs: Observation, budget: int) -> str:
    if obs.result is None:
        return f"error: {obs.error}"
    text = obs.result.text or "(no results)"
    text, cut = line_prefix(text, budget)
    if cut or obs.result.truncated:
        text += "\n[output truncated: narrow the search or read fewer lines]"
    return text


def explorer(arg: str) -> LLMPolicy:
    """`llm[:MODEL]`: the configured model (SCOUT_MODEL), or MODEL, drives the tools."""
    return LLMPolicy(model=arg or None)


def openai(arg: str) -> LLMPolicy:
    """`openai:MODEL@URL`: any OpenAI-compatible endpoint drives the tools."""
    return LLMPolicy(name=f"openai:{arg.split('@', 1)[0]}", model=f"openai:{arg}")


def anthropic(arg: str) -> LLMPolicy:
    """`anthropic:MODEL[@URL]`: a model behind Anthropic's Messages API drives the tools."""
    return LLMPolicy(name=f"anthropic:{arg.split('@', 1)[0]}", model=f"anthropic:{arg}")
