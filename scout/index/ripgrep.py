"""Running the `rg` binary: found once, driven by argv lists, killed (with its children) on timeout.

`run_rg` collects the whole output (file listings); `stream_rg` yields it line by line and stops
rg as soon as the caller has enough, so a search that matches everywhere costs what it returns.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

from scout.errors import MissingBinaryError, ToolError

DEFAULT_TIMEOUT_S = 10.0


@cache
def rg_binary() -> str:
    """Path of `rg`: the venv's scripts directory first (the pinned `ripgrep` wheel), then PATH."""
    scripts = Path(sys.executable).parent
    for candidate in (scripts / "rg", scripts / "rg.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("rg")
    if found:
        return found
    raise MissingBinaryError(
        "ripgrep (rg) not found", hint="pip install ripgrep==14.1.0, or install rg on PATH"
    )


def run_rg(args: list[str], cwd: Path, timeout: float = DEFAULT_TIMEOUT_S) -> tuple[int, str]:
    """Run rg with `args` in `cwd`; return (exit code, stdout). Exit 1 is 'no matches', not an error."""
    proc = _start(args, cwd, subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise _timed_out(timeout) from None
    _check(proc.returncode, err)
    return proc.returncode, out.decode("utf-8", "replace")


@contextmanager
def stream_rg(args: list[str], cwd: Path, timeout: float = DEFAULT_TIMEOUT_S) -> Iterator[Iterator[str]]:
    """rg's stdout line by line. Leaving the block before the end stops rg (its exit is then not
    checked); reading to the end checks it like `run_rg`. A run past `timeout` raises ToolError."""
    with tempfile.TemporaryFile() as err:
        proc = _start(args, cwd, err)
        timed_out = threading.Event()
        timer = threading.Timer(timeout, lambda: (timed_out.set(), _kill(proc)))
        timer.start()
        lines = _Lines(proc)
        try:
            yield iter(lines)
        finally:
            timer.cancel()
            if not lines.done:
                _kill(proc)
            code = proc.wait()
            proc.stdout.close()  # type: ignore[union-attr]
        if timed_out.is_set():
            raise _timed_out(timeout)
        if lines.done:
            err.seek(0)
            _check(code, err.read())


class _Lines:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.done = False

    def __iter__(self) -> Iterator[str]:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            yield raw.decode("utf-8", "replace")
        self.done = True


def _start(args: list[str], cwd: Path, stderr) -> subprocess.Popen:
    return subprocess.Popen(
        [rg_binary(), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so a kill stops everything it spawned
    )


def _kill(proc: subprocess.Popen) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _timed_out(timeout: float) -> ToolError:
    return ToolError(f"rg timed out after {timeout:g}s", hint="narrow the pattern or path")


def _check(code: int, err: bytes) -> None:
    if code not in (0, 1):
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"rg failed: {message[-1] if message else code}")
