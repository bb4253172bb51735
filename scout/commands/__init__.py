"""CLI commands: each module here registers its commands on `scout.commands.app.app`."""

from __future__ import annotations

import importlib
import pkgutil


def load_commands() -> None:
    """Import every command module (in name order) so its @app.command functions register."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name not in ("app", "progress", "remote"):
            importlib.import_module(f"{__name__}.{info.name}")
