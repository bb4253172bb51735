"""What a repository's changes touch besides the code: a file many of them edit (its changelog).

Some projects ask every fix for a line in `CHANGELOG.md` (bat, axum and PhpSpreadsheet in
SWE-bench Multilingual: 21 of their 25 issues' fixes edit it). No search finds that file from an
issue's words, and an agent that leaves it out sends a patch its reviewers return. The history
says it plainly: of the newest changes to code under a folder, the share that also edit a change
log beside it. A file kept here is shown as a lead of every issue whose answer lies under its folder
(`scout.models.adaptation.convention_for`), with that share as the reason.

Every git work tree gets them without `scout adapt`: `learnt` reads the history up to the
checked-out commit once per commit (one `git log`, Django's 3,000 changes in a quarter of a
second) and keeps the result beside the index.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import threading
from collections import Counter
from pathlib import Path

from scout import git
from scout.errors import ScoutError
from scout.index.files import is_test_path
from scout.index.languages import language_for
from scout.models.adaptation import valid_convention, within

log = logging.getLogger("scout.index")

# a file that records changes: CHANGELOG.md, CHANGES.rst, HISTORY.md, NEWS, RELEASE_NOTES.txt
RECORDS_CHANGES = re.compile(
    r"^(?:change|history|news|release)[\w-]*(?:\.(?:md|markdown|rst|txt|adoc))?$", re.IGNORECASE
)
# Of the newest changes to code under its folder, at least this share edit the file. The lead it
# takes is worth its chance of naming a file the fix edits: an issue's eighth lead named a file that
# it alone named and the fix edited for 0 of SWE-bench Lite's 300 issues and 5 of Multilingual's
# 266; a change log a quarter of the changes edit is the better bet (bat's: 26-40%, by the commit).
MIN_SHARE = 0.25
MIN_CHANGES = 20  # ... out of at least this many
RECENT = 200  # the newest changes under a folder say what its convention is now (bat's began in 2020)
MAX_KEPT = 3
MAX_COMMITS = 3000  # the newest changes read, as `scout adapt` reads them
SUFFIX = ".conventions"  # beside the index: <index>.conventions, JSON
RULE = 2  # how they are learnt: a file kept under another rule (or none, the first) is learnt again
_held: dict[Path, tuple[str, list[dict]]] = {}  # the index's file → (commit, conventions) this process read
_lock = threading.Lock()


def changed_files(where: Path, rev: str, max_commits: int, bare: bool = True) -> list[set[str]]:
    """The files each of the newest `max_commits` changes up to `rev` changed, newest first: the
    first-parent history, a merged pull request as one change (its changelog line is often a
    commit of its own). A history git cannot read to the end (a clone missing old trees) is read
    as far as it goes; none when git cannot list any of it: the conventions are then unknown, not
    wrong."""
    # git reads a --format without a % as the name of a format: RECORD goes as its escape
    args = ("--first-parent", "-m", f"-n{max_commits}", "--name-only", "--format=%x1e", rev)
    try:
        done = git.run(where, "log", *args, bare=bare, timeout=120)
    except ScoutError as exc:
        log.warning("no conventions learnt: %s", exc)
        return []
    blocks = done.stdout.decode("utf-8", "replace").split(git.RECORD)[1:]
    if done.returncode != 0:
        blocks = blocks[:-1]  # the change git died on may be listed in part
        _stopped(where, done, len(blocks))
    return [set(filter(None, block.split("\n"))) for block in blocks]


def _stopped(where: Path, done: subprocess.CompletedProcess[bytes], read: int) -> None:
    why = git.complaint(done.stderr) or f"exit {done.returncode}"
    if read:
        log.warning(
            "conventions read from the newest %d changes: git log stopped in %s: %s", read, where, why
        )
    else:
        log.warning("no conventions learnt: git log failed in %s: %s", where, why)


def conventions(commits: list[set[str]]) -> list[dict]:
    """The change logs that many of the newest changes to code under their folder also edit, best
    first: `{"path", "scope", "share", "changes"}` (`scope` the folder, "" for the root). A change
    to tests, examples or benchmarks alone is not a change to the code: an issue's fix is one."""
    coded = [(c, [p for p in c if language_for(p) and not is_test_path(p)]) for c in commits]
    coded = [(c, code) for c, code in coded if code]
    candidates = Counter(p for c, _ in coded for p in c if RECORDS_CHANGES.search(p.rpartition("/")[2]))
    kept = []
    for path, _ in candidates.most_common(50):
        scope = path.rpartition("/")[0]
        under = [c for c, code in coded if any(within(p, scope) for p in code)][:RECENT]
        share = _share(path, under)
        if len(under) >= MIN_CHANGES and share >= MIN_SHARE:
            kept.append({"path": path, "scope": scope, "share": round(share, 3), "changes": len(under)})
    return sorted(kept, key=lambda k: -k["share"])[:MAX_KEPT]


def _share(path: str, commits: list[set[str]]) -> float:
    return sum(path in c for c in commits) / max(len(commits), 1)


def learnt(root: Path, commit: str | None, index: Path) -> list[dict]:
    """The conventions of the work tree at `root` as of its checked-out `commit`: kept beside
    `index` once learnt at that commit, learnt now otherwise; none outside git. A damaged or
    unwritable file beside the index costs a `git log`, never the ask."""
    if commit is None:
        return []
    path = path_for(index)
    with _lock:
        held = _held.get(path)
    if held is not None and held[0] == commit:
        return held[1]
    kept = stored(index, commit)
    if kept is None:
        kept = conventions(changed_files(root, commit, MAX_COMMITS, bare=False))
        keep(index, commit, kept)
    with _lock:
        _held[path] = (commit, kept)
    return kept


def path_for(index: Path) -> Path:
    return index.with_name(index.name + SUFFIX)


def keep(index: Path, commit: str, kept: list[dict]) -> None:
    """What `learnt` reads beside `index` for `commit`; whole or not at all (a reader sees the
    old file or the new one), and nothing when the index's folder is not writable."""
    path = path_for(index)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps({"commit": commit, "rule": RULE, "conventions": kept}), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.debug("conventions not kept beside the index: %s", exc)
        tmp.unlink(missing_ok=True)


def stored(index: Path, commit: str) -> list[dict] | None:
    """The conventions kept beside `index` for `commit`; None when none are, or they are damaged."""
    try:
        data = json.loads(path_for(index).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("commit") != commit
        or data.get("rule") != RULE
        or not isinstance(data.get("conventions"), list)
    ):
        return None  # another commit's, another rule's, or not ours
    kept = [k for k in data["conventions"] if valid_convention(k)]
    return kept if len(kept) == len(data["conventions"]) else None  # damaged: learnt again
