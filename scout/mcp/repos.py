"""The repositories an MCP server answers for: the `--repo` ones, warmed at start, and the client's roots.

A call names its repository by path or by directory name, or leaves it out for the default: the
first `--repo`, else the client's first root, else the server's working directory. Only those
are served: a path outside all of them is refused, so an HTTP client cannot read the whole disk.
Each workspace is opened once (in the background, so `initialize` never waits for an index
build) and re-indexed at most once per `refresh_seconds`: a refresh lists and stats every file
(about 0.2 s on Django), too much to pay on every call of a busy server.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from scout.api import Workspace
from scout.config import Settings, load_settings
from scout.errors import RepoError, ScoutError
from scout.explorer import make_policy
from scout.index import IndexBusyError
from scout.index.index import BUSY_WAIT_MS
from scout.progress import TRIVIAL_FILES, phase_lines
from scout.repo import Repo, checked

log = logging.getLogger("scout.mcp")


WATCHED_FALLBACK_S = 60  # with --watch, a refresh on a call still happens this rarely (lost events)


class Served:
    """One open workspace, its explorer's name, its refresh clock, and (with --watch) a watcher."""

    def __init__(self, ws: Workspace, refresh_seconds: int, watch: bool = False) -> None:
        self.ws = ws
        self.explorer = ws.settings.explorer
        make_policy(self.explorer)  # a bad name or missing weights fail when the repository opens
        self.refresh_seconds = max(refresh_seconds, WATCHED_FALLBACK_S) if watch else refresh_seconds
        self._checked = time.monotonic()  # just opened, so just refreshed
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if watch:
            threading.Thread(target=self._watch, name="scout-watch", daemon=True).start()

    def _watch(self) -> None:
        """Re-index as soon as files change (file-system notifications, `watchfiles`), so a call
        never waits for a refresh and never answers from a stale index."""
        from watchfiles import watch

        for _changes in watch(self.ws.repo.root, stop_event=self._stop, debounce=300, rust_timeout=1000,
                              ignore_permission_denied=True):  # fmt: skip
            self._checked = -math.inf  # due now (0.0 is not: the monotonic clock starts at boot)
            self.refresh()

    def close(self) -> None:
        self._stop.set()
        self.ws.close()

    def new_policy(self):
        """A fresh policy for each call: concurrent calls never share an explorer's state (an LLM
        explorer's conversation, say). Weights are loaded once per process, not per policy."""
        return make_policy(self.explorer)

    def refresh(self, force: bool = False) -> None:
        """Re-index changed files if the last refresh is older than the interval (FORCE: now).

        A call that arrives while another refresh runs does not queue behind it: it answers from
        the index as it stands, which is at most one interval stale. A forced one (`scout ask`
        through the server, which must answer as the CLI would) waits for it instead.
        """
        if not force and time.monotonic() - self._checked < self.refresh_seconds:
            return
        if not self._lock.acquire(blocking=force):
            return
        try:
            stats = self.ws.index.update(wait_ms=BUSY_WAIT_MS)
            if stats.added or stats.changed or stats.removed:
                log.info("re-indexed %s: %s", self.ws.repo.root, stats)
        except IndexBusyError as exc:  # another process is writing it: that refresh will do
            log.info("%s", exc)
        except (ScoutError, OSError) as exc:  # a failed refresh leaves the last index, which still answers
            log.warning("re-indexing %s failed: %s", self.ws.repo.root, exc)
        finally:
            self._checked = time.monotonic()
            self._lock.release()


class Repos:
    """Which repository a call means, and its warm workspace."""

    def __init__(
        self,
        paths: Sequence[str | Path] = (),
        overrides: dict[str, Any] | None = None,
        refresh_seconds: int = Settings.mcp_refresh_seconds,
        cwd: Path | None = None,
        watch: bool = False,
        on_open: Callable[[Path], object] | None = None,
    ) -> None:
        self.explicit = [Repo.open(p).root for p in paths]  # a missing --repo fails at start-up
        self.cwd = (cwd or Path.cwd()).resolve()
        self.overrides = overrides or {}
        self.refresh_seconds = refresh_seconds
        self.watch = watch
        self.on_open = on_open  # told each root once its index is ready (`scout mcp --adapt`)
        self._open: dict[Path, Future[Served]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="scout-open")

    @property
    def configured(self) -> list[Path]:
        """The `--repo` roots, or the working directory when none were given (unless it is / or ~)."""
        if self.explicit:
            return self.explicit
        return [] if self.cwd in (Path(self.cwd.anchor), Path.home().resolve()) else [self.cwd]

    def warm(self) -> None:
        """Start opening (and indexing) the configured repositories in the background."""
        for root in self.configured:
            self._opening(root)

    def get(self, repo: str | None, roots: Sequence[Path] = ()) -> Served:
        """The warm workspace for a call's `repo` argument (blocks until it is open).

        Models often fill an optional argument anyway: "" and "." mean the default, like None.
        """
        served = self._opening(self.choose(repo, roots)).result()
        served.refresh()
        return served

    def needs_roots(self, repo: str | None) -> bool:
        """Whether the client's roots could change which repository `repo` means."""
        if not repo or repo == ".":
            return not self.explicit
        return self._configured_match(repo) is None

    def choose(self, repo: str | None, roots: Sequence[Path] = ()) -> Path:
        """The root of the repository a call means; RepoError when it is missing or not served."""
        if not repo or repo == ".":
            default = [*self.explicit, *roots, *self.configured]
            if not default:
                hint = "start scout mcp with --repo PATH, or from inside the repository"
                raise RepoError("no repository to search", hint=hint)
            return default[0]
        match = self._configured_match(repo)
        if match is not None:
            return match
        try:  # a client may send any string: a NUL byte or a name over NAME_MAX makes stat() raise
            path = checked(repo).expanduser()
            path = (path if path.is_absolute() else self.cwd / path).resolve()
            found = path.is_dir()
        except (OSError, ScoutError):
            found = False
        if not found:
            raise RepoError(f"repository not found: {repo[:200]}", hint=self.served_hint(roots))
        if any(path == r or r in path.parents for r in [*self.configured, *roots]):
            return path
        raise RepoError(f"repository not served by this server: {repo}", hint=self.served_hint(roots))

    def served_hint(self, roots: Sequence[Path] = ()) -> str:
        names = [str(p) for p in dict.fromkeys([*self.configured, *roots])]
        served = ", ".join(names) if names else "none yet"
        return (
            f"omit `repo` for the default, or pass one of: {served} (start scout mcp with --repo to add more)"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for fut in list(self._open.values()):
            if fut.done() and fut.exception() is None:
                fut.result().close()

    def _configured_match(self, repo: str) -> Path | None:
        for root in self.configured:
            if repo in (root.name, str(root)):
                return root
        try:
            path = checked(repo).expanduser()
            full = (path if path.is_absolute() else self.cwd / path).resolve()
        except (OSError, ScoutError):  # no path at all: it matches nothing, `choose` says not found
            return None
        return full if full in self.configured else None

    def _opening(self, root: Path) -> Future[Served]:
        with self._lock:
            fut = self._open.get(root)
            if fut is None or (fut.done() and fut.exception() is not None):  # a failed open is retried
                fut = self._pool.submit(self._open_one, root)
                self._open[root] = fut
            return fut

    def _open_one(self, root: Path) -> Served:
        started = time.perf_counter()
        settings = load_settings(root).merged(**self.overrides)
        # Lines on stderr, never a bar: stdout is the protocol, and stderr is the harness's MCP log.
        with phase_lines(root.name, threshold=TRIVIAL_FILES) as progress:
            ws = Workspace.open(root, settings, progress=progress)
        log.info("serving %s (index ready in %.1fs)", root, time.perf_counter() - started)
        served = Served(ws, self.refresh_seconds, self.watch)
        if self.on_open is not None:
            try:
                self.on_open(root)
            except Exception as exc:  # noqa: BLE001 - an extra for the repository must not stop serving it
                log.warning("after opening %s: %s", root, exc)
        return served


def root_paths(uris: Sequence[str]) -> list[Path]:
    """Local directories from the client's `file://` root URIs; anything else is skipped."""
    paths = []
    for uri in uris:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            continue
        try:
            path = checked(unquote(parsed.path)).expanduser()
            if path.is_dir():
                paths.append(path.resolve())
        except (OSError, ScoutError):
            continue
    return paths
