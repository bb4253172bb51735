"""Building one repository's training data under `data/` from its git directory.

Three steps, each a file of its own, each resumable (a step whose file is in the manifest is
skipped unless forced): `tasks` (mined questions with their gold definitions, and the terms of the
tree for the vocabulary), `pairs` (question → code term counts for the embedder, answered on the
repository's snapshot), and `recordings` (explorations for the explorer's nets, made with an
embedder that never saw the repository's pairs). The first two need only the repository; the
third needs the fold embedders `scout learn train` fits from every repository's pairs.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path

from scout.learn.codec import encode_pairs, encode_recordings
from scout.learn.data import DataDir, scrub
from scout.learn.manifest import Source
from scout.learn.progress import Eta

log = logging.getLogger("scout.learn")

PAIRS_PER_REPO = 1500  # question → code pairs per repository for the embedder
EXPLORE_PER_REPO = {"train": 100, "dev": 60}  # recorded explorations per repository
PAIRS_SEED, RECORD_SEED = 0, 1
# LICENSE, COPYING, LICENSE-MIT and LICENSE-APACHE (Rust's dual licence), MIT-LICENSE (Ruby's);
# not a commercial add-on's COMM-LICENSE.
LICENCE_FILES = re.compile(r"^(?!comm-)(\w+-)?(licen[cs]e|copying)(-\w+)?(\.(md|txt|rst))?$", re.I)
# The first pattern that matches a licence file's text names it (SPDX identifiers).
LICENCES = (
    ("Apache-2.0", r"apache license,?\s+version 2\.0"),
    ("MPL-2.0", r"mozilla public license,?\s+version 2\.0"),
    ("LGPL-3.0", r"gnu lesser general public license\s+version 3"),
    ("LGPL-2.1", r"gnu lesser general public license\s+version 2\.1"),
    ("GPL-3.0", r"gnu general public license\s+version 3"),
    ("GPL-2.0", r"gnu general public license\s+version 2"),
    ("curl", r"copyright \(c\).*daniel stenberg"),
    ("BSD-3-Clause", r"neither the name"),
    ("BSD-2-Clause", r"redistributions in binary form must reproduce"),
    ("ISC", r"permission to use, copy, modify, and(/or)? distribute this software for any purpose"),
    ("LGPL-3.0", r"\blgpl ?v?3\b"),
    ("MIT", r"permission is hereby granted, free of charge"),
    ("Unlicense", r"this is free and unencumbered software"),
)


def mine_repo(data: DataDir, source: Source, opts, excluded: set[str]) -> dict:
    """Mine tasks and the vocabulary's terms of one repository into its data folder."""
    from scout.learn.mine import mine
    from scout.learn.vocab import repository_terms

    git_dir = source.git_dir
    tasks = list(
        mine(git_dir, source.repo, replace(opts, rev=source.head or opts.rev), excluded, source.split)
    )
    rows = "".join(json.dumps(_stored_task(t), ensure_ascii=False) + "\n" for t in tasks)
    facts = {"licence": licence(git_dir, source.head), "mined_by": scout_commit(), "tasks": len(tasks)}
    data.write(source.repo, "tasks.jsonl.gz", rows.encode(), **facts)
    found = sorted(repository_terms(source))
    data.write(source.repo, "terms.txt.gz", "\n".join(found).encode(), terms=len(found))
    return {"tasks": len(tasks), "terms": len(found)}


def _stored_task(task: dict) -> dict:
    """A mined task as the data folder keeps it: no patch (it is source code), no e-mail address."""
    kept = {k: v for k, v in task.items() if k != "patch"}
    kept["query"] = scrub(kept["query"])
    return kept


def read_tasks(data: DataDir, repo: str) -> list[dict]:
    return [json.loads(line) for line in data.read(repo, "tasks.jsonl.gz").decode().splitlines() if line]


def pair_repo(data: DataDir, source: Source, work: Path) -> int:
    """Question → code pairs of one repository, answered on its snapshot."""
    from scout.learn.examples import embedding_pairs, sample_tasks
    from scout.learn.snapshots import open_snapshot

    picked = sample_tasks(read_tasks(data, source.repo), PAIRS_PER_REPO, PAIRS_SEED).get(source.repo, [])
    ws = open_snapshot(source, work)
    try:
        pairs = embedding_pairs(ws, picked)
    finally:
        ws.close()
    doc = encode_pairs(pairs, {"repo": source.repo, "made_by": scout_commit()})
    data.write(
        source.repo, "pairs.json.gz", json.dumps(doc, separators=(",", ":")).encode(), pairs=len(pairs)
    )
    return len(pairs)


def record_repo(data: DataDir, source: Source, work: Path, embedder) -> int:
    """Explorations of one repository's tasks, on its snapshot re-embedded with `embedder`."""
    from scout.learn.examples import record, sample_tasks
    from scout.learn.snapshots import open_snapshot

    per = EXPLORE_PER_REPO.get(source.split, EXPLORE_PER_REPO["train"])
    picked = sample_tasks(read_tasks(data, source.repo), per, RECORD_SEED).get(source.repo, [])
    ws = open_snapshot(source, work)
    try:
        ws.index.embedder = embedder
        ws.index.update()  # the vectors from that embedder
        recs = [r for r in (record(ws, {**t, "split": source.split}) for t in picked) if r is not None]
    finally:
        ws.close()
    meta = {"repo": source.repo, "made_by": scout_commit(), "embedder": embedder.digest}
    doc = encode_recordings(recs, meta)
    payload = json.dumps(doc, separators=(",", ":")).encode()
    data.write(
        source.repo, "recordings.json.gz", payload, recordings=len(recs), recorded_with=embedder.digest
    )
    return len(recs)


def licence(git_dir: Path, rev: str) -> str:
    """The SPDX expression of the licence files at the repository's root ("MIT OR Apache-2.0" for
    two), or "unknown" when none matches a known text."""
    from scout.learn.gitlog import Blobs, git

    rev = rev or "HEAD"
    names = [n for n in git(git_dir, "ls-tree", "--name-only", rev).splitlines() if LICENCE_FILES.match(n)]
    found = set()
    with Blobs(git_dir) as blobs:
        for name in names:
            text = " ".join((blobs.read(rev, name) or b"").decode("utf-8", "replace").lower().split())
            found.update(next(([spdx] for spdx, pattern in LICENCES if re.search(pattern, text)), []))
    return " OR ".join(sorted(found)) or "unknown"


def scout_commit() -> str:
    """The scout commit that made a file (its checkout's HEAD), or its version when installed."""
    from scout import __version__
    from scout.learn.gitlog import git

    root = Path(__file__).resolve().parents[2]
    try:
        return git(root / ".git", "rev-parse", "HEAD").strip() if (root / ".git").exists() else __version__
    except Exception:  # noqa: BLE001 - provenance is best effort; a missing git must not stop a build
        return __version__


def build(
    data: DataDir,
    sources: list[Source],
    steps: set[str],
    work: Path,
    opts,
    excluded: set[str],
    force: bool = False,
    embedders=None,
) -> list[str]:
    """Run `steps` ("tasks", "pairs", "recordings") for each source, skipping files the manifest
    already lists unless `force`; one repository that fails is reported and the rest go on.
    `embedders` is (embedder, folds), needed for "recordings". Returns the repositories that failed."""
    from scout.learn.gitlog import resolve_git_dir
    from scout.learn.mine import check_allowed
    from scout.learn.pipeline import for_recording

    eta, failed = Eta("data", len(sources), every=0), []
    for n, source in enumerate(sources, 1):
        try:
            check_allowed(source.repo, excluded)
            source = replace(source, git_dir=resolve_git_dir(source.git_dir))
            if "tasks" in steps and (force or not data.has(source.repo, "terms.txt.gz")):
                eta.step(n - 1, f"{source.repo}: mining tasks and terms")
                mine_repo(data, source, opts, excluded)
            if "pairs" in steps and (force or not data.has(source.repo, "pairs.json.gz")):
                eta.step(n - 1, f"{source.repo}: pairs")
                pair_repo(data, source, work)
            if "recordings" in steps and (force or not data.has(source.repo, "recordings.json.gz")):
                eta.step(n - 1, f"{source.repo}: recordings")
                record_repo(data, source, work, for_recording(*embedders, source.repo, source.split))
        except Exception as exc:  # noqa: BLE001 - one broken repository must not end a long run
            log.debug("building %s failed", source.repo, exc_info=True)
            log.error("%s: failed: %s: %s", source.repo, type(exc).__name__, exc)
            failed.append(source.repo)
    return failed
