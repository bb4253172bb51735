"""What a repository's changes touch besides the code: a file most of them edit (its changelog).

Some projects ask every fix for a line in `CHANGELOG.md` (bat, axum and PhpSpreadsheet in
SWE-bench Multilingual: 21 of their 25 issues' fixes edit it). No search finds that file from an
issue's words, and an agent that leaves it out sends a patch its reviewers return. The history
says it plainly: of the newest changes to code under a folder, the share that also edit a change
log beside it. A file kept here is shown as a lead of every issue whose answer lies under its folder
(`scout.models.adaptation.convention_for`), with that share as the reason.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

from scout.errors import ScoutError
from scout.index.languages import language_for
from scout.learn.gitlog import RECORD, git
from scout.models.adaptation import within

log = logging.getLogger("scout.learn")

# a file that records changes: CHANGELOG.md, CHANGES.rst, HISTORY.md, NEWS, RELEASE_NOTES.txt
RECORDS_CHANGES = re.compile(
    r"^(?:change|history|news|release)[\w-]*(?:\.(?:md|markdown|rst|txt|adoc))?$", re.IGNORECASE
)
MIN_SHARE = 0.4  # of the newest changes to code under its folder, at least this share edit the file
MIN_CHANGES = 20  # ... out of at least this many
RECENT = 200  # the newest changes under a folder say what its convention is now (bat's began in 2020)
MAX_KEPT = 3


def changed_files(git_dir: Path, rev: str, max_commits: int) -> list[set[str]]:
    """The files each of the newest `max_commits` changes up to `rev` changed, newest first: the
    first-parent history, a merged pull request as one change (its changelog line is often a
    commit of its own); none when git cannot list them (a clone missing old trees): the
    conventions are then unknown, not wrong."""
    try:
        # git reads a --format without a % as the name of a format: RECORD goes as its escape
        args = ("--first-parent", "-m", f"-n{max_commits}", "--name-only", "--format=%x1e", rev)
        out = git(git_dir, "log", *args)
    except ScoutError as exc:
        log.warning("no conventions learnt: %s", exc)
        return []
    return [set(filter(None, block.split("\n"))) for block in out.split(RECORD)[1:]]


def conventions(commits: list[set[str]]) -> list[dict]:
    """The change logs that most of the newest changes to code under their folder also edit, best
    first: `{"path", "scope", "share", "changes"}` (`scope` the folder, "" for the root)."""
    coded = [(c, [p for p in c if language_for(p)]) for c in commits]
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
