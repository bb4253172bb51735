"""Where each agent harness keeps its MCP servers, and the entry that starts scout there.

User scope (the default) is the harness's own config in your home directory, so scout serves every
project: without `--repo`, `scout mcp` serves the client's workspace roots, else the directory the
harness starts it in (the project). Project scope writes the project's own file, to share it.

Locations and formats, as each harness documents them (user file; project file):
  Claude Code  ~/.claude.json "mcpServers";  .mcp.json
  Codex CLI    ~/.codex/config.toml [mcp_servers.scout] ($CODEX_HOME moves it);  .codex/config.toml
  Cursor       ~/.cursor/mcp.json "mcpServers";  .cursor/mcp.json
  VS Code      mcp.json "servers" in the user profile directory (Code/User: ~/.config on Linux,
               ~/Library/Application Support on macOS, %APPDATA% on Windows);  .vscode/mcp.json
  OpenCode     ~/.config/opencode/opencode.json (or .jsonc) "mcp", command as one list;  opencode.json
  Gemini CLI   ~/.gemini/settings.json "mcpServers";  .gemini/settings.json; reads GEMINI.md
  Windsurf     ~/.codeium/windsurf/mcp_config.json "mcpServers"; no project file
  Zed          ~/.config/zed/settings.json (%APPDATA%/Zed on Windows) "context_servers";  .zed/settings.json
  Cline        cline_mcp_settings.json "mcpServers" in VS Code's globalStorage/saoudrizwan.claude-dev/
               settings; no project file
  Roo Code     mcp_settings.json "mcpServers" in globalStorage/rooveterinaryinc.roo-cline/settings;
               .roo/mcp.json
  Continue     a file of its own in ~/.continue/mcpServers/ (JSON in Claude's shape);
               .continue/mcpServers/
  Aider        no MCP: scout's conventions in CONVENTIONS.md, named in the project's .aider.conf.yml
               `read:` list (aider reads that file from the git root)
Every MCP harness here reads AGENTS.md except Claude Code (CLAUDE.md) and Gemini CLI (GEMINI.md).
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
    format: str  # "json" (comments allowed), "toml", or "yaml" (a list item: aider's read)
    container: tuple[str, ...]  # where the servers live: ("mcpServers",), ("mcp_servers",), ...
    instructions: str  # the project file its agent reads: AGENTS.md, CLAUDE.md, GEMINI.md, ...
    user_file: Callable[[Path, bool], Path]  # (home, home given explicitly) -> config file
    project_file: str | None  # None: the harness reads no project file; project scope uses the user's
    entry: Callable[[str, list[str]], Any]  # (command, args) -> the server entry
    names_workspace: bool = False  # starts servers outside the project: pass ${workspaceFolder}
    marker: str | None = None  # a directory in home that also says the harness is installed
    mcp: bool = True  # False: no MCP client (aider); the person runs scout, the paragraph says how
    project_only: bool = False  # its config is the project's file whatever the scope (aider)

    def detected(self, home: Path, explicit_home: bool) -> bool:
        """Installed for this user: its config file, its config directory or its marker exists."""
        path = self.user_file(home, explicit_home)
        if path.exists() or (path.parent != home and path.parent.is_dir()):
            return True
        return self.marker is not None and (home / self.marker).is_dir()

    def config_file(self, home: Path, explicit_home: bool, project: Path, scope: str) -> Path:
        if self.project_file and (scope == "project" or self.project_only):
            return project / self.project_file
        return self.user_file(home, explicit_home)

    def args(self, repo: Path | None, scope: str) -> list[str]:
        if repo is not None:
            return ["mcp", "--repo", str(repo)]
        if self.names_workspace:
            return ["mcp", "--repo", WORKSPACE]
        return ["mcp", "--repo", "."] if scope == "project" and self.project_file else ["mcp"]


def _env_dir(var: str, explicit_home: bool) -> Path | None:
    # An explicit --home (tests, another account) wins over the variables of this session.
    value = None if explicit_home else os.environ.get(var)
    return Path(value) if value else None


def _claude(home: Path, explicit: bool) -> Path:
    return home / ".claude.json"


def _codex(home: Path, explicit: bool) -> Path:
    return (_env_dir("CODEX_HOME", explicit) or home / ".codex") / "config.toml"


def _config_home(home: Path, explicit: bool) -> Path:
    return _env_dir("XDG_CONFIG_HOME", explicit) or home / ".config"


def _vscode_user(home: Path, explicit: bool) -> Path:
    """VS Code's user profile directory, where its own and its extensions' settings live."""
    if sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    elif os.name == "nt":
        base = _env_dir("APPDATA", explicit) or home / "AppData" / "Roaming"
    else:
        base = _config_home(home, explicit)
    return base / "Code" / "User"


def _vscode_mcp(home: Path, explicit: bool) -> Path:
    return _vscode_user(home, explicit) / "mcp.json"


def _opencode(home: Path, explicit: bool) -> Path:
    folder = _config_home(home, explicit) / "opencode"
    jsonc = folder / "opencode.jsonc"
    return jsonc if jsonc.exists() and not (folder / "opencode.json").exists() else folder / "opencode.json"


def _zed(home: Path, explicit: bool) -> Path:
    if os.name == "nt":
        return (_env_dir("APPDATA", explicit) or home / "AppData" / "Roaming") / "Zed" / "settings.json"
    return _config_home(home, explicit) / "zed" / "settings.json"  # macOS too


def _in_home(*parts: str) -> Callable[[Path, bool], Path]:
    return lambda home, explicit: home.joinpath(*parts)


def _extension(publisher: str, file: str) -> Callable[[Path, bool], Path]:
    """A VS Code extension's settings file in its global storage (Cline, Roo Code)."""

    def path(home: Path, explicit: bool) -> Path:
        return _vscode_user(home, explicit) / "globalStorage" / publisher / "settings" / file

    return path


def _stdio(command: str, args: list[str]) -> dict[str, Any]:
    return {"command": command, "args": args}


CONVENTIONS = "CONVENTIONS.md"  # aider's conventions file, which its .aider.conf.yml `read:` names
HARNESSES = {
    h.name: h
    for h in (
        Harness(
            "claude", "Claude Code", "json", ("mcpServers",), "CLAUDE.md", _claude, ".mcp.json",
            entry=lambda cmd, args: {"type": "stdio", "command": cmd, "args": args, "env": {}},
            marker=".claude",
        ),
        Harness(
            "codex", "Codex CLI", "toml", ("mcp_servers",), "AGENTS.md", _codex, ".codex/config.toml",
            entry=lambda cmd, args: {"command": cmd, "args": args, **CODEX_TIMEOUTS},
        ),
        Harness(
            "cursor", "Cursor", "json", ("mcpServers",), "AGENTS.md", _in_home(".cursor", "mcp.json"),
            ".cursor/mcp.json", entry=_stdio, names_workspace=True,
        ),
        Harness(
            "vscode", "VS Code", "json", ("servers",), "AGENTS.md", _vscode_mcp, ".vscode/mcp.json",
            entry=lambda cmd, args: {"type": "stdio", "command": cmd, "args": args}, names_workspace=True,
        ),
        Harness(
            "opencode", "OpenCode", "json", ("mcp",), "AGENTS.md", _opencode, "opencode.json",
            entry=lambda cmd, args: {"type": "local", "command": [cmd, *args], "enabled": True},
        ),
        Harness(
            "gemini", "Gemini CLI", "json", ("mcpServers",), "GEMINI.md",
            _in_home(".gemini", "settings.json"), ".gemini/settings.json", entry=_stdio,
        ),
        Harness(
            "windsurf", "Windsurf", "json", ("mcpServers",), "AGENTS.md",
            _in_home(".codeium", "windsurf", "mcp_config.json"), None, entry=_stdio,
        ),
        Harness(
            "zed", "Zed", "json", ("context_servers",), "AGENTS.md", _zed, ".zed/settings.json",
            entry=lambda cmd, args: {"command": cmd, "args": args, "env": {}},
        ),
        Harness(
            "cline", "Cline", "json", ("mcpServers",), "AGENTS.md",
            _extension("saoudrizwan.claude-dev", "cline_mcp_settings.json"), None,
            entry=lambda cmd, args: {"command": cmd, "args": args, "disabled": False},
        ),
        Harness(
            "roo", "Roo Code", "json", ("mcpServers",), "AGENTS.md",
            _extension("rooveterinaryinc.roo-cline", "mcp_settings.json"), ".roo/mcp.json", entry=_stdio,
        ),
        Harness(
            "continue", "Continue", "json", ("mcpServers",), "AGENTS.md",
            _in_home(".continue", "mcpServers", "scout.json"), ".continue/mcpServers/scout.json",
            entry=_stdio, marker=".continue",
        ),
        Harness(
            "aider", "Aider", "yaml", ("read", CONVENTIONS), CONVENTIONS, _in_home(".aider.conf.yml"),
            ".aider.conf.yml", entry=lambda cmd, args: CONVENTIONS, marker=".aider", mcp=False,
            project_only=True,
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
