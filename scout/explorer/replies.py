"""Reading what a language model wrote: tool calls and final answers.

Used by every LLM explorer (remote or local), so a model behaves the same whichever runs it.

- Final answers are `path:start-end` citations, one per line, optionally followed by a note in
  parentheses. FastContext's format, a `<final_answer>` block whose paths may be absolute or
  prefixed by the repository's name, is read as well; when such a block is present, only it counts.
- Tool calls written as text (local models, servers without native tool calling) are
  `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks, the Hermes/Qwen convention.
- Tool names are matched case-insensitively and a few common argument spellings (`file_path`,
  `offset`/`limit`) are mapped onto scout's (the tool registry converts numbers and booleans sent
  as strings), so models trained on other tool sets work unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scout.bundle import Span
from scout.errors import ScoutError
from scout.llm.chat import RequestedCall
from scout.repo import Repo

_BLOCK = re.compile(r"<final_answer>(.*?)(?:</final_answer>|\Z)", re.S | re.I)
_CITATION = re.compile(r"(?P<path>[^\s:`'\"()<>\[\],]+):(?P<start>\d+)(?:\s*-\s*L?(?P<end>\d+))?")
_NOTE = re.compile(r"[`*]*[ \t]*(?:\((?P<note>[^)\n]*)\)|[-–—:][ \t]*(?P<tail>[^\n]+))")
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.S)
ALIASES = {"file_path": "path", "filepath": "path", "file": "path", "filename": "path", "include": "glob"}


def parse_citations(text: str, repo: Repo) -> list[Span]:
    """Spans for the citations in `text` that name real files in `repo`, in the model's order."""
    blocks = _BLOCK.findall(text)
    body = "\n".join(blocks) if blocks else text
    spans: list[Span] = []
    seen: set[tuple[str, int, int]] = set()
    for m in _CITATION.finditer(body):
        path = _repo_path(m["path"], repo)
        start = int(m["start"])
        end = max(int(m["end"] or start), start)
        if path is None or start < 1 or (path, start, end) in seen:
            continue
        seen.add((path, start, end))
        spans.append(Span(path, start, end, round(1.0 - 0.01 * len(spans), 4), _why(body, m.end())))
    return spans


def _why(body: str, pos: int) -> str:
    note = _NOTE.match(body, pos)
    text = (note["note"] or note["tail"]).strip() if note else ""
    return f"cited by the explorer: {text}" if text else "cited by the explorer"


def _repo_path(raw: str, repo: Repo) -> str | None:
    """The repo-relative path a model meant: relative, absolute under the root, or
    FastContext-style `/<repo-name>/...`; None when no such file exists."""
    raw = raw.strip("`*").removeprefix("./")
    candidates = [raw]
    if raw.startswith("/"):
        parts = Path(raw.lstrip("/")).parts
        candidates += [raw.lstrip("/"), *("/".join(parts[i:]) for i in range(1, len(parts)))]
    for candidate in candidates:
        try:
            if candidate and repo.resolve(candidate).is_file():
                return repo.relative(candidate)
        except ScoutError:
            continue
    return None


def parse_text_tool_calls(text: str) -> list[RequestedCall]:
    """`<tool_call>{json}</tool_call>` blocks as calls; identical repeats are kept once."""
    calls: list[RequestedCall] = []
    seen: set[tuple[str, str]] = set()
    for raw in _TOOL_CALL.findall(text):
        try:
            data = json.loads(raw)
            name, args = data.get("name", ""), data.get("arguments", data.get("parameters", {}))
        except (ValueError, AttributeError):
            name, args = "", raw  # handed on as invalid, so the model hears about it
        args_text = args if isinstance(args, str) else json.dumps(args, sort_keys=True)
        if (name, args_text) not in seen:
            seen.add((name, args_text))
            calls.append(RequestedCall(f"call_{len(calls)}", name, args_text))
    return calls


def remove_tool_calls(text: str) -> str:
    """`text` without its `<tool_call>` blocks: the calls travel as structured tool calls, and a
    chat template that renders them would otherwise show each one twice."""
    return _TOOL_CALL.sub("", text).strip()


def tool_arguments(call: RequestedCall) -> tuple[str, dict[str, Any]]:
    """The scout tool name and keyword arguments a requested call means.

    Raises ValueError with a message for the model when the arguments are not a JSON object."""
    name = call.name.strip().lower()
    try:
        args = json.loads(call.arguments or "{}")
    except ValueError as exc:
        raise ValueError(f"arguments are not valid JSON ({exc}); send a JSON object") from None
    if not isinstance(args, dict):
        raise ValueError("arguments must be a JSON object")
    args = {ALIASES.get(k, k): v for k, v in args.items()}
    if name == "read" and "offset" in args:
        args["start_line"] = args.pop("offset")
    if name == "read" and "limit" in args:
        args["end_line"] = int(args.get("start_line") or 1) + int(args.pop("limit")) - 1
    return name, args  # the registry converts "10" and "true" when it checks them
