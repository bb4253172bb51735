"""Training examples as compact JSON: the files under `data/repos/<repo>/` and back.

Term counts are written as flat `[term id, count, ...]` lists against the file's own term table,
and paths against its path table, so a repository's files stay small and readable with nothing
but `json`. A recording keeps the raw evidence of its exploration (every tool call and every hit,
without the matched line's text) and, for each file it explored, each definition's terms and
cosine to the query (in thousandths): a new head feature is a function over these, computed
with no repository.
"""

from __future__ import annotations

import json

from scout.explorer.loop import Observation, State, ToolCall
from scout.learn.data import FORMAT, scrub
from scout.learn.examples import Chunk, Recording
from scout.tools import Hit, Kind, ToolResult


class Table:
    """Strings (terms, paths) ↔ small integers, in order of first use."""

    def __init__(self, items: list[str] | None = None) -> None:
        self.items: list[str] = list(items or [])
        self.ids = {s: i for i, s in enumerate(self.items)}

    def id(self, s: str) -> int:
        if s not in self.ids:
            self.ids[s] = len(self.items)
            self.items.append(s)
        return self.ids[s]

    def flat(self, counts: dict[str, int]) -> list[int]:
        return [x for term, n in sorted(counts.items()) for x in (self.id(term), n)]

    def counts(self, flat: list[int]) -> dict[str, int]:
        return {self.items[flat[i]]: flat[i + 1] for i in range(0, len(flat), 2)}


# --- pairs: question → code, for the embedder --------------------------------------------------


def encode_pairs(pairs: list[dict], meta: dict) -> dict:
    """Pairs against one table of chunks: a chunk is the positive or a negative of many pairs."""
    terms, chunks = Table(), Table()
    rows = []
    for p in pairs:
        ids = [chunks.id(json.dumps(terms.flat(c))) for c in (p["positive"], *p["negatives"])]
        rows.append([p["task"], scrub(p["query"]), ids[0], ids[1:]])
    bags = [json.loads(c) for c in chunks.items]
    return {"format": FORMAT, **meta, "terms": terms.items, "chunks": bags, "pairs": rows}


def decode_pairs(doc: dict) -> list[dict]:
    terms = Table(doc["terms"])
    bags = [terms.counts(flat) for flat in doc["chunks"]]
    return [
        {"task": task, "query": query, "positive": bags[pos], "negatives": [bags[n] for n in negs]}
        for task, query, pos, negs in doc["pairs"]
    ]


# --- recordings: explorations with every graph link followed, for the explorer's nets -----------


def encode_recordings(recs: list[Recording], meta: dict) -> dict:
    terms, paths = Table(), Table()
    chunks: dict[int, list] = {}
    out = []
    for rec in recs:
        for path, items in rec.chunks.items():
            chunks.setdefault(
                paths.id(path), [[c.start, c.end, c.symbol, c.kind, terms.flat(c.counts)] for c in items]
            )
        out.append(
            {
                "id": rec.id,
                "split": rec.split,
                "source": rec.source,
                "query": scrub(rec.query),
                "gold": [[paths.id(p), s, e] for p, s, e in rec.gold],
                "turns": [[_observation(o, paths) for o in turn] for turn in rec.state.turns],
                "cosines": {str(paths.id(p)): [round(c * 1000) for c in cs] for p, cs in rec.cosines.items()},
            }
        )
    return {
        "format": FORMAT,
        **meta,
        "terms": terms.items,
        "paths": paths.items,
        "chunks": {str(k): v for k, v in chunks.items()},
        "recordings": out,
    }


def decode_recordings(doc: dict, repo: str) -> list[Recording]:
    terms, paths = doc["terms"], doc["paths"]
    table = Table(terms)
    chunks = {
        paths[int(k)]: [Chunk(s, e, sym, kind, table.counts(flat)) for s, e, sym, kind, flat in v]
        for k, v in doc["chunks"].items()
    }
    out = []
    for r in doc["recordings"]:
        state = State(r["query"], [[_decode_observation(o, paths) for o in turn] for turn in r["turns"]], 0)
        cos = {paths[int(k)]: [c / 1000 for c in v] for k, v in r["cosines"].items()}
        gold = [(paths[p], s, e) for p, s, e in r["gold"]]
        out.append(
            Recording(
                r["id"],
                repo,
                r["split"],
                r["source"],
                r["query"],
                gold,
                state,
                {p: chunks[p] for p in cos if p in chunks},
                cos,
            )
        )
    return out


def _observation(obs: Observation, paths: Table) -> list:
    hits = [] if obs.result is None else [_hit(h, paths) for h in obs.result.hits]
    return [obs.call.tool, obs.call.args, hits, obs.error]


def _hit(h: Hit, paths: Table) -> list:
    # The matched line's text (snippet) is source code: it stays out of the data.
    return [
        paths.id(h.path),
        h.start_line,
        h.end_line,
        h.symbol,
        _num(h.score),
        h.line,
        str(h.kind),
        h.detail,
    ]


def _decode_observation(row: list, paths: list[str]) -> Observation:
    tool, args, hits, error = row
    result = None if error else ToolResult([_decode_hit(h, paths) for h in hits])
    return Observation(ToolCall(tool, args), result, error)


def _decode_hit(row: list, paths: list[str]) -> Hit:
    p, start, end, symbol, score, line, kind, detail = row
    return Hit(paths[p], start, end, symbol, score, line, "", Kind(kind), detail)


def _num(x: float) -> float:
    return float(f"{x:.6g}")
