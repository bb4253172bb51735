"""The heuristic explorer: deterministic, no model. The default until learned weights are present.

Turn 1 runs every cheap probe the query suggests at once (BM25 over chunks, symbol lookups for
code-like names, literal greps for quoted strings and error messages, globs for mentioned paths
and traceback files). Turn 2, only when the query named files, outlines them so traceback lines
land in their enclosing definitions. Then the evidence is scored (see `regions`) into spans.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import partial

from scout.bundle import Span
from scout.config import Settings
from scout.explorer.evidence import (
    MAX_SPAN_LINES,
    Evidence,
    Reason,
    Signal,
    cap,
    choose_spans,
)
from scout.explorer.lookup import definitions, file_pattern, names_file
from scout.explorer.loop import Answer, State, ToolCall
from scout.explorer.preamble import read_lines, without_preambles
from scout.explorer.query import COMPOUND_WEIGHT, QueryFacts, analyze_query, code_likeness
from scout.index.files import describes_code, is_doc_path, is_test_code, is_vendored_path
from scout.index.languages import language_for
from scout.tools import ToolContext

MAX_SYMBOL_LOOKUPS = 12
LOOKUP_LIMIT = 50  # definitions of the one name a symbol query asks for
MAX_IDENT_GREPS = 4
MAX_STRING_GREPS = 4
MAX_PATHS = 6
# Where a named path's package begins: Python's installed packages, Ruby's gems, npm's, Composer's,
# Cargo's and Go's module caches, a GitHub link (the last one in the path wins).
PACKAGE_ROOT = re.compile(
    r"^(?:.*/)?(?:site-packages|dist-packages|gems/[^/]+|node_modules/(?:@[^/]+/)?[^/]+|vendor/[^/]+/[^/]+"
    r"|registry/src/[^/]+/[^/]+|pkg/mod/[^@/]+(?:/[^@/]+)*@[^/]+|github\.com/[^/]+/[^/]+(?:/(?:blob|tree)/[^/]+)?)/"
)
FOCUS_WEIGHT = 0.25  # a within-file BM25 hit, relative to a repository-wide one
DESCRIBES = 0.5  # a type declaration or build configuration (`describes_code`) against the code itself


@dataclass
class HeuristicPolicy:
    name: str = "heuristic"
    reads_text = False  # hits by kind and score only (`Policy`)
    local = True  # an exploration costs only this machine's CPU (`Policy`)
    max_files: int = 6
    per_file: int = 2
    max_spans: int = Settings.max_spans

    def decide(self, state: State, ctx: ToolContext) -> list[ToolCall] | Answer:
        facts = analyze_query(state.query)
        calls = probe_turn(facts, state)
        if calls:
            return calls
        evidence = gather(facts, state)
        kept = {id(r) for r in without_preambles(list(evidence.regions.values()), partial(read_lines, ctx))}
        evidence.regions = {k: r for k, r in evidence.regions.items() if id(r) in kept}
        spans = choose_spans(
            evidence, lambda p: penalty(facts, p), self.max_files, self.per_file, self.max_spans
        )
        found = definitions(facts.symbol, evidence) if facts.symbol else []
        if found:  # go to definition: it comes first, the rest as they ranked
            first = found[0][0]
            head = Span(
                first.path, *cap(first), round(max(s.score for s in spans), 4), first.why, first.symbol
            )
            spans = [head, *(s for s in spans if not _overlap(s, head))][: self.max_spans]
        return Answer(spans)


def _overlap(a: Span, b: Span) -> bool:
    return a.path == b.path and a.start_line <= b.end_line and b.start_line <= a.end_line


def explorer(arg: str) -> HeuristicPolicy:
    """`heuristic`: deterministic probes and hand-set scoring, no model."""
    return HeuristicPolicy()


def probe_turn(facts: QueryFacts, state: State) -> list[ToolCall] | None:
    """The probing turns every explorer built on this one shares: all cheap probes at once, then
    the outlines of files the query names; None once they are done."""
    if not state.turns:
        return first_turn(facts)
    if len(state.turns) == 1 and state.turns_left > 0:
        return second_turn(state) or None
    return None


def first_turn(facts: QueryFacts) -> list[ToolCall]:
    # The title and first paragraph count twice: long issues bury the point under pasted output.
    calls = [ToolCall("bm25", {"query": f"{facts.focus}\n{facts.text}", "limit": 60})]
    idents = facts.identifiers[:MAX_SYMBOL_LOOKUPS]
    if facts.symbol:  # go to definition: every definition of the name, and files named after it
        calls.append(
            ToolCall("symbols", {"name": facts.symbol.lookup, "fuzzy": False, "limit": LOOKUP_LIMIT})
        )
        idents = [n for n in idents if n != facts.symbol.lookup]
        if not facts.symbol.member:  # a member is never a file's name
            calls.append(ToolCall("glob", {"pattern": file_pattern(facts.symbol), "limit": LOOKUP_LIMIT}))
    calls += [ToolCall("symbols", {"name": n, "fuzzy": False, "limit": 10}) for n in idents]
    calls += [
        ToolCall("symbols", {"name": n, "fuzzy": False, "limit": COMPOUND_LIMIT + 1}) for n in facts.compounds
    ]
    code_like = [n for n in idents if code_likeness(n) >= 2.0 and "." not in n][:MAX_IDENT_GREPS]
    calls += [ToolCall("grep", {"pattern": n, "fixed": True, "max_matches": 60}) for n in code_like]
    calls += [
        ToolCall("grep", {"pattern": s, "fixed": True, "max_matches": 30})
        for s in facts.strings[:MAX_STRING_GREPS]
    ]
    patterns = [path_pattern(p) for p in named_paths(facts)]
    calls += [ToolCall("glob", {"pattern": p, "limit": 5}) for p in dict.fromkeys(patterns) if p][:MAX_PATHS]
    return calls


def named_paths(facts: QueryFacts) -> list[str]:
    """The files a query names, surest first, as only the first `MAX_PATHS` are looked up: paths
    it spells with their folders (`django/db/models/sql/query.py`), then its traceback's frames
    from the innermost (where the error was raised: a Python traceback lists it last; a pasted
    session's outer frames are the shell's and the IDE's), then the lines it points at otherwise
    (`engine.go:438`, a permalink's `#L109`; other languages' traces list the innermost first),
    then bare file names. A frame of no file (`<ipython-input-3>`, `<stdin>`) is none."""
    frames = [f.path for f in reversed(facts.frames) if "<" not in f.path]
    spelled = [p for p in facts.paths if "/" in p]
    bare = [p for p in facts.paths if "/" not in p]
    return list(dict.fromkeys(spelled + frames + [f.path for f in facts.located] + bare))


COMPOUND_LIMIT = 3  # a name its question's words spell, defined more often than this, is a common word


def path_pattern(path: str) -> str:
    """A glob for a named path's last three parts, read from its package's root when it names an
    installed or published copy (`.../site-packages/matplotlib/pyplot.py` is `matplotlib/pyplot.py`
    of a checkout, `vendor/laravel/framework/src/Illuminate/...` is `src/Illuminate/...`)."""
    path = PACKAGE_ROOT.sub("", path.replace("\\", "/"))
    parts = [p for p in path.split("/") if p and p not in (".", "..")]
    return "*" + "/".join(parts[-3:]) if parts else ""


def second_turn(state: State) -> list[ToolCall]:
    files = []
    for obs in state.turns[0]:
        if obs.call.tool == "glob" and obs.result and len(obs.result.hits) <= 2:
            files += [h.path for h in obs.result.hits]
    return [ToolCall("outline", {"path": p}) for p in dict.fromkeys(files)][:MAX_PATHS]


def gather(facts: QueryFacts, state: State) -> Evidence:
    ev = Evidence()
    outlines: dict[str, list] = {}
    for obs in state.observations:
        if obs.result is None:
            continue
        hits, args = obs.result.hits, obs.call.args
        tool = obs.call.tool
        if tool == "bm25" and hits:
            # A search within one file ranks that file's chunks; it says nothing new about the
            # file itself, so its hits count for less than the repository-wide search's.
            top = hits[0].score or 1.0
            signal, weight = (Signal.BM25_IN_FILE, FOCUS_WEIGHT) if args.get("path") else (Signal.BM25, 1.0)
            if not args.get("path"):
                ev.matched_terms.update(w for h in hits for w in h.detail.split())
            for h in hits:
                words = ", ".join(sorted(h.detail.split(), key=len, reverse=True)[:4])
                reason = Reason(signal, words)
                ev.region(h.path, h.start_line, h.end_line, h.symbol).add(reason, weight * h.score / top)
        elif tool == "symbols" and not (args["name"] in facts.compounds and len(hits) > COMPOUND_LIMIT):
            _add_symbols(ev, facts, args["name"], hits)
        elif tool == "grep":
            _add_grep(ev, facts, args, hits)
        elif tool == "glob" and facts.symbol and args["pattern"] == file_pattern(facts.symbol):
            ev.named_files = [h.path for h in hits if names_file(facts.symbol, h.path)]
        elif tool == "glob" and 0 < len(hits) <= 3:
            for h in hits:
                ev.boost_file(h.path, 1.5 / len(hits), Reason(Signal.PATH, args["pattern"].lstrip("*")))
        elif tool == "outline":
            outlines[args["path"]] = hits
    _add_frames(ev, facts, outlines)
    return ev


def _add_symbols(ev: Evidence, facts: QueryFacts, name: str, hits: list) -> None:
    code = COMPOUND_WEIGHT if name in facts.compounds else facts.weights.get(name, code_likeness(name))
    weight = 1.2 * min(code, 2.0) / 2 / math.sqrt(max(len(hits), 1))
    reason = Reason(Signal.DEFINITION, name)
    own = name.rsplit(".", 1)[-1].lower()
    for h in hits:
        region = ev.region(h.path, h.start_line, h.end_line, h.symbol, h.detail)
        if h.symbol and h.symbol.rsplit(".", 1)[-1].lower() == own:
            # one line can hold several definitions (`enum Category { FOOD, TOOLS }`): the region
            # is the one the query names
            region.symbol, region.kind = h.symbol, h.detail
        if h.detail == "class" and h.end_line - h.start_line >= MAX_SPAN_LINES:
            # A big class named in the query says which file, not which lines: let the methods
            # with real evidence take the file's span slots.
            ev.boost_file(h.path, 0.7 * weight * h.score, reason)
            region.add(reason, 0.3 * weight * h.score, h.line)
        else:
            region.add(reason, weight * h.score, h.line)


def _add_grep(ev: Evidence, facts: QueryFacts, args: dict, hits: list) -> None:
    literal = args["pattern"] in facts.strings
    files = {h.path for h in hits}
    weight = (1.0 if literal else 0.3) / math.sqrt(max(len(files), 1))
    reason = Reason(Signal.QUOTED) if literal else Reason(Signal.IDENTIFIER, args["pattern"])
    seen = set()
    for h in hits:
        start, end = (h.start_line, h.end_line) if h.symbol else (max(1, h.line - 5), h.line + 5)
        region = ev.region(h.path, start, end, h.symbol)
        if (region.path, region.start_line) in seen:
            region.lines.add(h.line)
            continue
        seen.add((region.path, region.start_line))
        region.add(reason, weight, h.line)


def _add_frames(ev: Evidence, facts: QueryFacts, outlines: dict[str, list]) -> None:
    for frame in [*facts.frames, *facts.located]:
        for path, defs in outlines.items():
            if not frame.path.replace("\\", "/").endswith(path.split("/", 1)[-1]):
                continue
            inner = [d for d in defs if d.start_line <= frame.line <= d.end_line]
            named = [d for d in defs if frame.function and (d.symbol or "").endswith(frame.function)]
            for d in inner[-1:] or named[:1]:
                ev.region(path, d.start_line, d.end_line, d.symbol).add(
                    Reason(Signal.TRACEBACK), 2.0, frame.line if inner else d.line
                )


def penalty(facts: QueryFacts, path: str, symbol: str | None = None) -> float:
    """How far a place's kind of file (or, with its `symbol`, its test module) pushes it down."""
    factor = 1.0
    if is_test_code(path, symbol) and not facts.asks_about_tests:
        factor *= 0.6 if facts.mentions_tests else 0.35
    if is_vendored_path(path):
        factor *= 0.25
    if describes_code(path):
        factor *= DESCRIBES
    if is_doc_path(path) and not facts.mentions_docs:
        factor *= 0.3
    elif language_for(path) is None:
        factor *= 0.6
    return factor
