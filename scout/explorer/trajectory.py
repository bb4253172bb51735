"""Trajectories: one JSON Lines record per tool call, then the answer. Debug log, benchmark
artifact and training data in one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scout.bundle import Bundle
    from scout.explorer.loop import Observation


class Trajectory:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    @classmethod
    def to_file(cls, path: str | Path) -> Trajectory:
        return cls(open(path, "w", encoding="utf-8"))  # noqa: SIM115 - closed by close()

    def _write(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.stream.flush()

    def turn(self, number: int, observations: list[Observation]) -> None:
        for obs in observations:
            result = obs.result
            text = result.text if result else ""
            self._write(
                {
                    "type": "tool_call",
                    "turn": number,
                    "tool": obs.call.tool,
                    "args": obs.call.args,
                    "ok": obs.error is None,
                    "error": obs.error,
                    "hits": len(result.hits) if result else 0,
                    "digest": hashlib.sha1(text.encode()).hexdigest()[:12],
                    "preview": text[:300],
                    "elapsed_ms": obs.elapsed_ms,
                }
            )

    def answer(self, bundle: Bundle) -> None:
        self._write(
            {
                "type": "answer",
                "spans": [[s.path, s.start_line, s.end_line, round(s.score, 4)] for s in bundle.spans],
                "fallback": bundle.fallback,
                "stats": bundle.to_dict()["stats"],
            }
        )

    def close(self) -> None:
        self.stream.close()
