"""The scripted explorer: replays a fixed list of tool-call turns, then answers with given spans
(or, with none given, with the spans its calls touched). Tests drive the real loop and tools
with it, no model needed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from scout.bundle import Span
from scout.explorer.loop import Answer, State, ToolCall, fallback_answer
from scout.tools import ToolContext


@dataclass
class ScriptedPolicy:
    turns: list[list[ToolCall]] = field(default_factory=list)
    spans: list[Span] | None = None
    name: str = "scripted"

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedPolicy:
        """A JSON file: {"turns": [[{"tool": ..., "args": {...}}, ...], ...], "spans": [[p, s, e], ...]}."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        turns = [[ToolCall(c["tool"], c.get("args", {})) for c in turn] for turn in data.get("turns", [])]
        spans = data.get("spans")
        return cls(turns, [Span(p, s, e, 1.0, "scripted") for p, s, e in spans] if spans else None)

    @classmethod
    def explorer(cls, arg: str) -> ScriptedPolicy:
        """`scripted:FILE`: replay the tool calls (and spans) a JSON file lists."""
        if not arg:
            from scout.errors import ScoutError

            raise ScoutError("scripted needs a file: scripted:FILE")
        return cls.from_file(arg)

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        done = len(state.turns)
        if done < len(self.turns) and state.turns_left > 0:
            return self.turns[done]
        if self.spans is not None:
            return Answer(list(self.spans))
        return fallback_answer(state)
