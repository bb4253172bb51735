"""Where each agent harness keeps its MCP servers, and the entry that starts scout there.

User scope (the default) is the harness's own config in your home directory, so scout serves every
project: without `--repo`, `scout mcp` serves the client's workspace roots, else the directory the
harness starts it in (the project). Project scope writes the project's own file, to share it.

Locations, as the harnesses document them:
  Claude Code  ~/.claude.json "mcpServers" (user);   .mcp.json "mcpServers" (project)
  Codex CLI    ~/.codex/config.toml [mcp_servers.scout] ($CODEX_HOME moves it);   .codex/config.toml
  Cursor       ~/.cursor/mcp.json "mcpServers";   .cursor/mcp.json
  VS Code      mcp.json "servers" in the user profile directory (Code/User: ~/.config on Linux,
               ~/Library/Application Support on macOS, %APPDATA% on Windows; VS Code 1.102 moved
               servers there from settings.json "mcp");   .vscode/mcp.json
  OpenCode     ~/.config/opencode/opencode.json (or .jsonc) "mcp", command as one list;   opencode.json
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORKSPACE = "${workspaceFolder}"  # Cursor and VS Code expand it to the open folder
# Codex's defaults are shorter than the first call on a large, never-indexed repository takes.
CODEX_TIMEOUTS = {"startup_timeout_sec": 30, "tool_timeout_sec": 120}


@dataclass(frozen=True)
class Harness:
    name: str
    label: str
    format: str  # "json" (comments allowed) or "toml"
    container: tuple[str, ...]  # where the servers live: ("mcpServers",), ("mcp_servers",), ...
    instructions: str  # the project file its agent reads: CLAUDE.md or AGENTS.md
    user_file: Callable[[Path, bool], Path]  # (home, home given explicitly) -> config file
    project_file: str
    entry: Callable[[str, list[str]], dict[str, Any]]  # (command, args) -> the server entry
    names_workspace: bool = False  # starts servers outside the project: pass ${workspaceFolder}
    marker: str | None = None  # a directory in home that also says the harness is installed

    def detected(self, home: Path, explicit_home: bool) -> bool:
        """Installed for this user: its config file, its config directory or its marker exists."""
        path = self.user_file(home, explicit_home)
        if path.exists() or (path.parent != home and path.parent.is_dir()):
            return True
        return self.marker is not None and (home / self.marker).is_dir()

    def config_file(self, home: Path, explicit_home: bool, project: Path, scope: str) -> Path:
        return project / self.project_file if scope == "project" else self.user_file(home, explicit_home)

    def args(self, repo: Path | None, scope: str) -> list[str]:
        if repo is not None:
            return ["mcp", "--repo", str(repo)]
        if self.names_workspace:
            return ["mcp", "--repo", WORKSPACE]
        return ["mcp", "--repo", "."] if scope == "project" else ["mcp"]


def _env_dir(var: str, explicit_home: bool) -> Path | None:
    # An explicit --home (tests, another account) wins over the variables of this session.
    value = None if explicit_home else os.environ.get(var)
    return Path(value) if value else None


def _claude(home: Path, explicit: bool) -> Path:
    return home / ".claude.json"


def _codex(home: Path, explicit: bool) -> Path:
    return (_env_dir("CODEX_HOME", explicit) or home / ".codex") / "config.toml"


def _cursor(home: Path, explicit: bool) -> Path:
    return home / ".cursor" / "mcp.json"


def _vscode(home: Path, explicit: bool) -> Path:
    if sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    elif os.name == "nt":
        base = _env_dir("APPDATA", explicit) or home / "AppData" / "Roaming"
    else:
        base = _env_dir("XDG_CONFIG_HOME", explicit) or home / ".config"
    return base / "Code" / "User" / "mcp.json"


def _opencode(home: Path, explicit: bool) -> Path:
    folder = (_env_dir("XDG_CONFIG_HOME", explicit) or home / ".config") / "opencode"
    jsonc = folder / "opencode.jsonc"
    return jsonc if jsonc.exists() and not (folder / "opencode.json").exists() else folder / "opencode.json"


HARNESSES = {
    h.name: h
    for h in (
        Harness(
            "claude", "Claude Code", "json", ("mcpServers",), "CLAUDE.md", _claude, ".mcp.json",
            lambda cmd, args: {"type": "stdio", "command": cmd, "args": args, "env": {}}, marker=".claude",
        ),
        Harness(
            "codex", "Codex CLI", "toml", ("mcp_servers",), "AGENTS.md", _codex, ".codex/config.toml",
            lambda cmd, args: {"command": cmd, "args": args, **CODEX_TIMEOUTS},
        ),
        Harness(
            "cursor", "Cursor", "json", ("mcpServers",), "AGENTS.md", _cursor, ".cursor/mcp.json",
            lambda cmd, args: {"command": cmd, "args": args}, names_workspace=True,
        ),
        Harness(
            "vscode", "VS Code", "json", ("servers",), "AGENTS.md", _vscode, ".vscode/mcp.json",
            lambda cmd, args: {"type": "stdio", "command": cmd, "args": args}, names_workspace=True,
        ),
        Harness(
            "opencode", "OpenCode", "json", ("mcp",), "AGENTS.md", _opencode, "opencode.json",
            lambda cmd, args: {"type": "local", "command": [cmd, *args], "enabled": True},
        ),
    )
}  # fmt: skip


def scout_command() -> str:
    """How a harness should start scout: `scout` when that is this installation on PATH, else this
    installation's full path (a harness does not activate your virtual environment)."""
    script = Path(sysconfig.get_path("scripts")) / ("scout.exe" if os.name == "nt" else "scout")
    on_path = shutil.which("scout")
    if on_path and script.exists() and Path(on_path).resolve() == script.resolve():
        return "scout"
    return str(script) if script.exists() else "scout"
