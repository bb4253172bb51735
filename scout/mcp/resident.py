"""The server side of the resident process (`scout.resident`): a socket per served repository.

Each socket takes one JSON request per connection and hands it, with its repository's root, to
the handler `scout mcp` gives (`scout.commands.ask.resident_answer`: the `ask` command's own
parser and output, the server's warm workspace); whatever goes wrong declines, and the client
answers itself. Only this user's processes get in: the directory is 0700 and the peer's uid is
checked where the platform tells it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

from scout.resident import (
    CONNECT_TIMEOUT_S,
    MAX_REQUEST,
    SWITCH,
    _private,
    _read_all,
    runtime_dir,
    socket_path,
)

log = logging.getLogger("scout.mcp")

DECLINED = {"status": "declined"}


class Listener:
    """One repository's socket: accepts on a thread, answers each client on a thread of its own."""

    def __init__(self, root: Path, handle: Callable[[Path, dict], dict]) -> None:
        self.root, self.handle = root, handle
        self.last_call = time.monotonic()  # `scout serve` exits after a while without one
        self.path = Path(socket_path(root))
        self.sock = _bind(self.path)
        if self.sock is None:
            return
        self.inode = self.path.stat().st_ino
        threading.Thread(target=self._accept, name="scout-resident", daemon=True).start()

    def _accept(self) -> None:
        assert self.sock is not None
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed
                return
            self.last_call = time.monotonic()
            call = threading.Thread(
                target=self._answer, args=(conn,), name="scout-resident-call", daemon=True
            )
            call.start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            if not _same_user(conn):
                return
            try:
                reply = self.handle(self.root, json.loads(_read_all(conn, MAX_REQUEST)))
            except Exception as exc:  # the client answers in-process; the server goes on
                log.info("resident call declined: %s: %s", type(exc).__name__, exc)
                reply = DECLINED
            with contextlib.suppress(OSError):  # the client went away
                conn.sendall(json.dumps(reply).encode("utf-8"))

    def close(self) -> None:
        if self.sock is None:
            return
        self.sock.close()
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self.inode:  # ours, not a later server's
                self.path.unlink()


def listen(roots: list[Path], handle: Callable[[Path, dict], dict]) -> list[Listener]:
    """A listener for each root, unless the resident process is switched off or cannot be private."""
    if os.environ.get(SWITCH) == "0" or not hasattr(socket, "AF_UNIX"):
        return []
    folder = Path(runtime_dir())
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.info("no resident sockets: %s", exc)
        return []
    if not _private(str(folder)):
        log.warning("%s is not private to this user: `scout ask` will not use this server", folder)
        return []
    return [listener for root in roots if (listener := Listener(root, handle)).sock is not None]


def _bind(path: Path) -> socket.socket | None:
    """A listening socket at PATH; None when a live server already answers there."""
    if path.exists():
        if _alive(path):
            log.info("another scout server answers `scout ask` at %s", path)
            return None
        path.unlink(missing_ok=True)  # left by a server that was killed
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        os.chmod(path, 0o600)
        sock.listen(64)
    except OSError as exc:
        sock.close()
        log.info("no resident socket for %s: %s", path, exc)
        return None
    return sock


def _alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT_S)
        try:
            probe.connect(str(path))
            return True
        except OSError:
            return False


def _same_user(conn: socket.socket) -> bool:
    """The peer's uid is ours (Linux tells; elsewhere the private directory is the guard)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    return uid == os.getuid()
