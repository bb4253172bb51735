"""The Python API every consumer uses: open a workspace (repo + warm index), ask, get a Bundle."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scout import cache as cache_files
from scout.bundle import MIN_BUDGET, Bundle
from scout.config import Settings, load_settings
from scout.errors import ScoutError
from scout.explorer import Limits, Policy, explore, make_policy
from scout.explorer.trajectory import Trajectory
from scout.index import Index, Progress, open_index, refresh_index
from scout.repo import Repo
from scout.tools import ToolContext


@dataclass
class Workspace:
    repo: Repo
    index: Index
    settings: Settings
    unchecked: bool = False  # opened with `overlap`: the tree not yet compared with the index
    progress: Progress | None = None  # what an update the first `ask` makes reports to

    @classmethod
    def open(
        cls,
        path: str | Path,
        settings: Settings | None = None,
        refresh: bool = True,
        progress: Progress | None = None,
        overlap: bool = False,
    ) -> Workspace:
        """With `overlap`, an index that has been built is not brought up to date here: the first
        `ask` looks at the tree in a thread while it answers from the index as it is, and answers
        again after an update only when something changed. A monorepo's look outside git stats
        every file (~0.4 s); a one-off CLI ask need not wait for it before it starts."""
        repo = Repo.open(path)
        settings = settings or load_settings(repo.root)
        cache = Path(settings.cache_dir).expanduser() if settings.cache_dir else None
        index = open_index(
            repo,
            cache,
            settings.max_file_bytes,
            refresh=refresh and not overlap,
            progress=progress,
            semantic=settings.semantic,
            vendored=settings.index_vendored,
        )
        deferred = False
        if refresh and overlap:
            deferred = index.complete()
            if not deferred:
                refresh_index(index, progress)  # nothing built yet: the first answer needs it
        # Whose index this is and when it was last used, for `scout cache`; then the size cap.
        cache_files.opened(index.path, repo.root, settings.cache_max_mb)
        return cls(repo, index, settings, unchecked=deferred, progress=progress)

    @property
    def ctx(self) -> ToolContext:
        return ToolContext(self.repo, self.index, self.settings.redact)

    def limits(self, **overrides) -> Limits:
        s = self.settings
        base = {"max_turns": s.max_turns, "budget": s.budget, "max_spans": s.max_spans, "with_code": s.code}
        base.update({k: v for k, v in overrides.items() if v is not None})
        if base["budget"] < MIN_BUDGET:
            raise ScoutError(f"budget must be at least {MIN_BUDGET} tokens, got {base['budget']}")
        if base["max_spans"] < 1 or base["max_turns"] < 1:
            raise ScoutError("max_spans and max_turns must be at least 1")
        return Limits(**base)

    def ask(
        self,
        query: str,
        policy: Policy | str | None = None,
        limits: Limits | None = None,
        trajectory: Trajectory | None = None,
    ) -> Bundle:
        chosen = (
            policy
            if policy is not None and not isinstance(policy, str)
            else make_policy(policy or self.settings.explorer)
        )
        query, limits = cap_query(query), limits or self.limits()
        if self.unchecked:
            self.unchecked = False
            # a trajectory records one exploration, and a remote model's is not thrown away
            if trajectory is None and getattr(chosen, "local", False):
                bundle, stale = self._answer_while_checking(query, chosen, limits)
                if not stale:
                    return bundle
            refresh_index(self.index, self.progress)
        return explore(query, self.ctx, chosen, limits, trajectory)

    def _answer_while_checking(self, query: str, policy: Policy, limits: Limits) -> tuple[Bundle, bool]:
        """An answer from the index as it is, and whether the tree has moved on since its last
        update (checked in a thread meanwhile: the check is stat calls and the answer mostly
        numpy, so on two cores they overlap)."""
        with ThreadPoolExecutor(1, thread_name_prefix="scout-fresh") as pool:
            pending = pool.submit(self.index.pending)
            bundle = explore(query, self.ctx, policy, limits)
            return bundle, pending.result()

    def close(self) -> None:
        self.index.close()


log = logging.getLogger("scout")
MAX_QUERY_CHARS = 100_000  # an issue longer than this is mostly pasted output: its head and tail are kept
QUERY_TAIL_CHARS = 20_000  # the tail of a pasted log holds the error


def cap_query(query: str) -> str:
    """The query, or its first and last parts when it is longer than `MAX_QUERY_CHARS` (said once
    on stderr): every surface asks through here, so no input makes exploring unbounded."""
    if len(query) <= MAX_QUERY_CHARS:
        return query
    log.warning(
        "the query has %d characters; reading its first %d and last %d",
        len(query),
        MAX_QUERY_CHARS - QUERY_TAIL_CHARS,
        QUERY_TAIL_CHARS,
    )
    return query[: MAX_QUERY_CHARS - QUERY_TAIL_CHARS] + "\n…\n" + query[-QUERY_TAIL_CHARS:]


def ask(query: str, repo: str | Path = ".", **limits) -> Bundle:
    """One-shot convenience: index (incrementally) and answer."""
    ws = Workspace.open(repo)
    try:
        return ws.ask(query, limits=ws.limits(**limits))
    finally:
        ws.close()
