"""On-disk cache of model replies, keyed by a hash of the request (endpoint + body, never the key).

Only deterministic requests (temperature 0) are cached: asking again would give the same answer,
so a second `scout plan` on an unchanged repository costs nothing. Entries are written atomically;
an unreadable entry counts as a miss and is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from scout.llm.chat import Reply
from scout.prompts.fence import canonical

log = logging.getLogger("scout.llm")

VERSION = "1"  # bump when the stored shape changes; old entries are then simply never hit


class ResponseCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(url: str, body: dict[str, Any]) -> str:
        """The request's hash; fence tags (random per conversation) do not count."""
        text = json.dumps({"v": VERSION, "url": url, "body": body}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical(text).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Reply | None:
        path = self._path(key)
        try:
            return Reply.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            log.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def put(self, key: str, reply: Reply) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(reply.to_dict(), f, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError as exc:  # a cache that cannot be written only costs money, never the run
            log.warning("cannot write model cache %s: %s", path, exc)
