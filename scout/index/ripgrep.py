"""Running the `rg` binary: found once, driven by argv lists, killed (with its children) on timeout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
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
    proc = subprocess.Popen(
        [rg_binary(), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so a timeout kills everything it spawned
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ToolError(f"rg timed out after {timeout:g}s", hint="narrow the pattern or path") from None
    if proc.returncode not in (0, 1):
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"rg failed: {message[-1] if message else proc.returncode}")
    return proc.returncode, out.decode("utf-8", "replace")
