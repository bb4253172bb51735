"""The systems a run compares, behind one interface: `predict(workspace, query) -> Prediction`.

- `rg`: what a user would type. Words and identifiers of the query, ripgrep'd as whole words in
  code files; files ranked by how many distinct query words they contain, then by matches; spans
  are the hit lines ±3 in the top files, windows with the most hits first, cut to the same token
  budget as scout's bundle.
- `bm25-files`: Okapi BM25 (rank-bm25) over whole code files, the localization papers' baseline;
  it predicts the top files, whole.
- `scout-<explorer>`: `Workspace.ask` with `make_policy(<explorer>)`: heuristic, model, llm, ...;
  `scout-<explorer>+spans=N` asks with `max_spans=N` (a longer ranking of leads than the default).

Function rankings for file-only predictions come from the system's own scoring (see
`Bm25Files.rank_functions`); for span predictions they are derived from the spans (see
`definitions.Outlines.functions_in`).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rank_bm25 import BM25Okapi

from benchmarks.definitions import Outlines
from scout.api import Workspace
from scout.bundle import Span, fit, render_markdown
from scout.config import load_settings
from scout.explorer import make_policy
from scout.explorer.query import IDENT, code_likeness
from scout.index.files import read_text
from scout.index.languages import EXTENSIONS, language_for
from scout.index.lexical import STOPWORDS, terms
from scout.index.ripgrep import run_rg
from scout.tokens import count_tokens

TOP_FILES = 5  # what the file-level baselines hand over
RG_TERMS = 20
RG_CONTEXT = 3
SPANS = "+spans="  # a scout system name's suffix: its bundle's max_spans (a longer ranking of leads)
TOKEN_CACHE_FILES = 200_000
# Both file baselines look at code files only: the extensions scout has a grammar for.
CODE_TYPE = [
    "--type-add",
    f"code:*{{{','.join(e.lstrip('.') for e in EXTENSIONS)}}}",
    "-t",
    "code",
]  # bm25-files: tokenized files kept per worker, keyed by content hash


@dataclass
class Prediction:
    files: list[str]  # ranked, distinct
    spans: list[Span]  # ranked; `text` set when the system hands over code: the answer tier
    functions: list[tuple[str, str]] | None = None  # ranked (path, qualname); None: from the spans
    tool_calls: int = 0
    turns: int = 0
    tokens: int = 0
    extra: dict = field(default_factory=dict)
    leads: list[Span] = field(default_factory=list)  # ranked places to look next, after the answer


class System(Protocol):
    name: str

    def predict(self, ws: Workspace, query: str, outlines: Outlines) -> Prediction: ...


class Unavailable(Exception):
    """A system that cannot run here (no weights, no endpoint); the run skips it with a notice."""


def tokens_of(spans: list[Span], query: str) -> int:
    return count_tokens(render_markdown(spans, [], query))


# --- rg -------------------------------------------------------------------------------------


def query_words(query: str, limit: int = RG_TERMS) -> list[str]:
    """Identifiers and words of the query, code-like names first, then by frequency."""
    counts: dict[str, int] = {}
    for token in IDENT.findall(query):
        for word in token.split("."):
            if len(word) >= 3 and word.lower() not in STOPWORDS:
                counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-code_likeness(w), -counts[w]))
    return list(dict.fromkeys(w.lower() for w in ranked))[:limit]


@dataclass
class Rg:
    name: str = "rg"

    def predict(self, ws: Workspace, query: str, outlines: Outlines) -> Prediction:
        words = query_words(query)
        if not words:
            return Prediction([], [])
        patterns = [x for w in words for x in ("-e", w)]
        base = ["--no-require-git", "--no-messages", "-i", "-w", "-F", *CODE_TYPE, *patterns]
        _, out = run_rg(["-o", "--null", "--no-heading", "--no-line-number", *base], cwd=ws.repo.root)
        found: dict[str, set[str]] = {}
        matches: dict[str, int] = {}
        for line in out.split("\n"):
            if not line:
                continue
            path, _, word = line.partition("\0")
            found.setdefault(path, set()).add(word.lower())
            matches[path] = matches.get(path, 0) + 1
        # A file holding many of the query's words beats one repeating a single common word.
        files = sorted(found, key=lambda p: (-len(found[p]), -matches[p], p))[:TOP_FILES]
        files = [p.removeprefix("./") for p in files]
        if not files:
            return Prediction([], [], tool_calls=1, turns=1)
        _, out = run_rg(["--json", *base, "--", *files], cwd=ws.repo.root)
        spans = self._windows(ws, files, _hit_lines(out))
        kept, _, _ = fit(spans, [], query, ws.limits().budget)
        return Prediction(files, kept, tool_calls=2, turns=1, tokens=tokens_of(kept, query))

    def _windows(self, ws: Workspace, files: list[str], hits: dict[str, list[int]]) -> list[Span]:
        spans = []
        for rank, path in enumerate(files):
            lines = (read_text(ws.repo, path, ws.index.max_bytes) or "").splitlines()
            for start, end, n in merge_windows(sorted(hits.get(path, [])), RG_CONTEXT, len(lines)):
                text = "\n".join(lines[start - 1 : end])
                spans.append((n, rank, Span(path, start, end, float(n), f"{n} hit lines", None, text)))
        spans.sort(key=lambda t: (-t[0], t[1], t[2].start_line))
        return [s for _, _, s in spans]


def merge_windows(lines: list[int], context: int, last: int) -> list[tuple[int, int, int]]:
    """(start, end, hits) windows of ±context around sorted hit lines, overlapping ones merged."""
    out: list[list[int]] = []
    for n in lines:
        start, end = max(1, n - context), min(last or n + context, n + context)
        if out and start <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], end)
            out[-1][2] += 1
        else:
            out.append([start, end, 1])
    return [(s, e, n) for s, e, n in out]


def _hit_lines(out: str) -> dict[str, list[int]]:
    hits: dict[str, list[int]] = {}
    for raw in out.split("\n"):  # JSON Lines: str.splitlines() would also split at U+2028 inside a string
        if not raw:
            continue
        msg = json.loads(raw)
        if msg.get("type") == "match":
            path = msg["data"]["path"].get("text", "").removeprefix("./")
            hits.setdefault(path, []).append(msg["data"]["line_number"])
    return hits


# --- bm25-files -------------------------------------------------------------------------------


@dataclass
class Bm25Files:
    """Documents are whole code files (those scout has a grammar for), tokenized with scout's
    identifier-splitting `lexical.terms`; the query is the issue text, tokenized the same way."""

    name: str = "bm25-files"
    cache: dict[str, list[str]] = field(default_factory=dict)
    top: int = TOP_FILES  # files predicted (semble's benchmark scores 10)

    def predict(self, ws: Workspace, query: str, outlines: Outlines) -> Prediction:
        hashes = ws.index.file_hashes()
        docs = [(p, hashes[p]) for p in sorted(hashes) if language_for(p) is not None]
        q = terms(query)
        if not docs or not q:
            return Prediction([], [])
        corpus = [self._tokens(ws, path, sha) for path, sha in docs]
        scores = BM25Okapi(corpus).get_scores(q)
        order = sorted(range(len(docs)), key=lambda i: (-scores[i], docs[i][0]))[: self.top]
        files = [docs[i][0] for i in order]
        spans = [self._whole(ws, path, float(scores[i])) for path, i in zip(files, order, strict=True)]
        functions = self.rank_functions(ws, files, q, outlines)
        return Prediction(files, spans, functions, tool_calls=1, turns=1, tokens=tokens_of(spans, query))

    def rank_functions(self, ws: Workspace, files: list[str], q: list[str], outlines: Outlines) -> list:
        """The same BM25, one level down: the definitions of the predicted files (each with the
        lines it owns, see `Outlines.units`) form the corpus; ties go to the better-ranked file."""
        units = []
        for rank, path in enumerate(files):
            lines = (read_text(ws.repo, path, ws.index.max_bytes) or "").splitlines()
            for qualname, owned in outlines.units(path):
                text = "\n".join(lines[n - 1] for n in owned if n <= len(lines))
                units.append((rank, path, qualname, terms(text)))
        if not units:
            return []
        scores = BM25Okapi([u[3] for u in units]).get_scores(q)
        order = sorted(range(len(units)), key=lambda i: (-scores[i], units[i][0]))
        return [(units[i][1], units[i][2]) for i in order]

    def _tokens(self, ws: Workspace, path: str, sha: str) -> list[str]:
        if sha not in self.cache:
            if len(self.cache) >= TOKEN_CACHE_FILES:
                self.cache.clear()
            self.cache[sha] = terms(read_text(ws.repo, path, ws.index.max_bytes) or "")
        return self.cache[sha]

    def _whole(self, ws: Workspace, path: str, score: float) -> Span:
        text = read_text(ws.repo, path, ws.index.max_bytes) or ""
        end = max(text.count("\n") + (0 if text.endswith("\n") else 1), 1)
        return Span(path, 1, end, score, "bm25 over whole files", None, text)


# --- scout explorers --------------------------------------------------------------------------


@dataclass
class Scout:
    """`Workspace.ask` with a fresh policy per task (policies may keep per-query state)."""

    explorer: str
    name: str = ""
    max_spans: int | None = None  # `scout-EXPLORER+spans=N`: a longer ranking (answer and leads)

    def __post_init__(self) -> None:
        spans = f"{SPANS}{self.max_spans}" if self.max_spans else ""
        self.name = self.name or f"scout-{self.explorer}{spans}"

    def predict(self, ws: Workspace, query: str, outlines: Outlines) -> Prediction:
        limits = ws.limits(max_spans=self.max_spans) if self.max_spans else ws.limits()
        bundle = ws.ask(query, policy=make_policy(self.explorer), limits=limits)
        ranked = bundle.spans + bundle.leads  # the full ranking: answer, then leads
        files = list(dict.fromkeys(s.path for s in ranked))
        st = bundle.stats
        extra = {"explorer_ms": st.elapsed_ms, "observed_tokens": st.observed_tokens}
        extra["fallback"] = bundle.fallback
        extra["confidence"] = [s.confidence for s in bundle.spans]
        extra["file_confidence"] = [s.file_confidence for s in bundle.spans]
        extra["answer_tokens"] = count_tokens(render_markdown(bundle.spans, [], query))
        return Prediction(files, bundle.spans, None, st.tool_calls, st.turns, st.tokens, extra, bundle.leads)


def make_system(name: str) -> System:
    """A system by name; raises Unavailable when it cannot run here."""
    if name == "rg":
        return Rg()
    if name == "bm25-files":
        return Bm25Files()
    if name.startswith("scout-"):
        explorer, _, spans = name.removeprefix("scout-").partition(SPANS)
        probe_explorer(explorer)
        if spans and not spans.isdigit():
            raise Unavailable(f"{name!r}: {SPANS}N takes a number of spans")
        return Scout(explorer, max_spans=int(spans) if spans else None)
    raise Unavailable(f"unknown system {name!r} (rg, bm25-files, scout-<explorer>[{SPANS}N])")


def probe_explorer(explorer: str) -> None:
    """Fail early, with the reason, for an explorer that cannot run here (unknown, no weights, no
    endpoint): it is asked one question about a one-file repository, end to end."""
    with tempfile.TemporaryDirectory(prefix="scout-bench-probe-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        (root / "probe.py").write_text("def check_token(token):\n    return token == 'ok'\n")
        try:
            ws = Workspace.open(root, settings=load_settings(root).merged(cache_dir=str(Path(tmp) / "cache")))
            try:
                ws.ask("where is the token checked?", policy=make_policy(explorer), limits=ws.limits())
            finally:
                ws.close()
        except Exception as exc:  # any reason at all: the run goes on without it
            raise Unavailable(f"scout explorer {explorer!r} unavailable: {exc}") from None
