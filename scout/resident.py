"""The resident process: `scout ask` answered by a running `scout mcp` over a Unix socket.

An agent calls the CLI in a loop, and each call pays for starting Python, importing numpy and
typer, opening the index and loading the weights before it thinks (~0.35 s on Django, where the
answer itself takes ~0.08 s). A `scout mcp` that is already running has all of that warm. It
listens on one socket per repository it serves, in a directory only this user can enter; `scout
ask` looks for the socket of the repository it names before importing anything heavy, sends its
arguments and working directory, and prints what comes back.

The fast path changes timings, never answers: the server parses the arguments with the command's
own parser, refreshes the index first as the CLI would, and declines anything it would not answer
the same way (another scout version or environment, options it does not take, an error, a stdin
issue), upon which the CLI answers in-process as if no server existed. `SCOUT_RESIDENT=0` turns
both sides off; `SCOUT_RESIDENT=require` makes a declined `scout ask` an error (exit 2), to check
that a server answers.

This module imports only the standard library at the top: the client runs before scout's own
imports.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket

PROTOCOL = 1
CONNECT_TIMEOUT_S = 0.5  # a live server accepts at once; longer means it is stuck: answer here
ANSWER_TIMEOUT_S = 300  # an answer on a busy server can take a while; the in-process one too
MAX_REQUEST = 4 << 20  # an issue text is at most a few hundred kB
SWITCH = "SCOUT_RESIDENT"
# Flags the server never takes (it would print help, or write or read where the client is).
LOCAL_ONLY = ("-h", "--help", "--server", "--trajectory", "--explorer", "--max-turns", "--max-file-bytes")


# Paths are strings here, not pathlib's: this module runs before anything else is imported.


def runtime_dir() -> str:
    """Where the sockets live: $SCOUT_RUNTIME_DIR, else $XDG_RUNTIME_DIR/scout, else /tmp/scout-UID."""
    if env := os.environ.get("SCOUT_RUNTIME_DIR"):
        return env
    if xdg := os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(xdg, "scout")
    return f"/tmp/scout-{os.getuid()}"  # noqa: S108 - private: 0700 and checked before use


def socket_path(root: str | os.PathLike) -> str:
    """The socket of the server for the repository at ROOT (a short name: paths are ≤ 107 bytes)."""
    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:20]
    return os.path.join(runtime_dir(), f"{digest}.sock")


def environment() -> dict[str, str]:
    """The settings that reach scout through the environment: client and server must agree."""
    return {k: v for k, v in os.environ.items() if k.startswith("SCOUT_") and k not in (SWITCH,)}


# --- the client: `scout ask` before anything is imported ---


def answer(argv: list[str]) -> dict | None:
    """`scout ARGV` run by a resident server: its {"stdout", "stderr", "exit"} for the CLI to
    print, or None to answer in-process."""
    if not argv or argv[0] != "ask" or os.environ.get(SWITCH) == "0" or not hasattr(socket, "AF_UNIX"):
        return None
    if not servable(argv):
        return None
    cwd = os.getcwd()
    path = _find_socket(argv[1:], cwd)
    if path is None:
        return None
    from scout import __version__

    request = {"v": PROTOCOL, "scout": __version__, "argv": argv, "cwd": cwd, "env": environment()}
    reply = _exchange(path, request)
    return reply if reply and reply.get("status") == "ok" else None


def servable(argv: list[str]) -> bool:
    """Whether ARGV (`ask ...`) may go to a server at all: no flag only this process can honour
    (`--server=URL` counts as `--server`), no issue read from stdin. Both sides check it: the
    server never parses `--help`, which would print where its protocol is."""
    if any(a.split("=", 1)[0] in LOCAL_ONLY for a in argv[1:]):
        return False
    pairs = zip(argv, argv[1:], strict=False)
    return not any(a in ("-f", "--issue-file") and b == "-" for a, b in pairs) and not any(
        a in ("-f-", "--issue-file=-") for a in argv
    )


def _find_socket(args: list[str], cwd: str) -> str | None:
    """The socket of a served repository named in ARGS, or of the working directory: the server
    checks that it is the repository the command means."""
    if not _private(runtime_dir()):
        return None
    named = [os.path.join(cwd, os.path.expanduser(a)) for a in args if _maybe_path(a)]
    for folder in [*(p for p in named if os.path.isdir(p)), cwd]:
        path = socket_path(os.path.realpath(folder))
        if os.path.exists(path):
            return path
    return None


def _maybe_path(arg: str) -> bool:
    return not arg.startswith("-") and 0 < len(arg) < 4096 and "\n" not in arg and "\0" not in arg


def _private(folder: str) -> bool:
    """Only a directory of ours that nobody else can enter: another user's socket is never used."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return st.st_uid == os.getuid() and st.st_mode & 0o077 == 0 and (st.st_mode & 0o170000) == 0o040000


def _exchange(path: str, request: dict) -> dict | None:
    """Send one JSON request, read one JSON reply; None when anything goes wrong."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CONNECT_TIMEOUT_S)
            conn.connect(path)
            conn.settimeout(ANSWER_TIMEOUT_S)
            conn.sendall(json.dumps(request).encode("utf-8"))
            conn.shutdown(socket.SHUT_WR)
            return json.loads(_read_all(conn))
    except (OSError, ValueError):
        return None


def _read_all(conn: socket.socket, limit: int | None = None) -> bytes:
    parts, size = [], 0
    while chunk := conn.recv(1 << 16):
        parts.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            raise ValueError("request too large")
    return b"".join(parts)
