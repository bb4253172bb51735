"""Versioned prompt texts. Each `<name>-v<N>.md` holds a `=== system ===` and/or `=== user ===`
section; `$placeholders` are filled with `string.Template`, so braces in code stay literal.

A prompt is never edited in place once released: a change is a new version file and a bump in
CURRENT, so cached replies, trajectories and benchmark results stay tied to the text that made them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

CURRENT = {"explorer": 2, "plan": 2, "patch": 2, "repair": 2}  # v2: untrusted text fenced (fence.py)
_SECTION = re.compile(r"^=== (system|user) ===\n", re.M)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    user: str

    @property
    def id(self) -> str:
        return f"{self.name}-v{self.version}"

    def render_system(self, **values: object) -> str:
        return Template(self.system).substitute(values).strip()

    def render_user(self, **values: object) -> str:
        return Template(self.user).substitute(values).strip()


@cache
def load(name: str, version: int | None = None) -> Prompt:
    version = version or CURRENT[name]
    text = resources.files(__name__).joinpath(f"{name}-v{version}.md").read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    return Prompt(name, version, sections.get("system", ""), sections.get("user", ""))
