"""Plugins through Python entry points, the way pytest and llm find theirs.

scout's own explorers and model providers are registered in its `pyproject.toml` exactly as a
third-party package registers one; nothing here knows their names.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from scout.errors import ScoutError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

EXPLORERS = "scout.explorers"  # name = "module:factory", factory(arg: str) -> Policy
PROVIDERS = "scout.providers"  # name = "module" speaking one model API (see scout.llm.client)


@cache
def registered(group: str) -> dict[str, EntryPoint]:
    from importlib.metadata import entry_points  # ~10 ms: only when a name is looked up

    found = {ep.name: ep for ep in entry_points(group=group)}
    if not found:
        raise ScoutError(f"no {group} are registered", hint="is scout installed? pip install -e .")
    return found


def load(group: str, name: str, what: str) -> Any:
    """The object registered as `name` in `group`; a one-line error listing the names otherwise."""
    ep = registered(group).get(name)
    if ep is None:
        raise ScoutError(
            f"unknown {what} {name!r}", hint=f"registered: {', '.join(sorted(registered(group)))}"
        )
    try:
        return ep.load()
    except Exception as exc:  # a broken plugin is the plugin's problem: say which one
        raise ScoutError(f"cannot load {what} {name!r} from {ep.value}: {type(exc).__name__}: {exc}") from exc
