"""`scout install` / `scout uninstall` on fake home directories with real harness config files: the
entry parses back in each harness's format, nothing else changes, and uninstall restores the bytes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import run_scout

from scout.harness import jsonc, tomltable

# Each harness's file with unrelated content of the kind it really holds.
ORIGINALS = {
    "claude": (
        ".claude.json",
        '{\n  "numStartups": 12,\n  "theme": "dark",\n  "projects": {\n    "/src/app": {\n'
        '      "allowedTools": [],\n      "mcpServers": {}\n    }\n  },\n  "mcpServers": {\n'
        '    "github": {\n      "type": "stdio",\n      "command": "gh-mcp",\n      "args": [],\n'
        '      "env": {"GITHUB_TOKEN": "x"}\n    }\n  }\n}\n',
    ),
    "codex": (
        ".codex/config.toml",
        'model = "o3"\napproval_policy = "on-request"\n\n[mcp_servers.github]\ncommand = "gh-mcp"\n'
        'args = ["--stdio"]\n\n[profiles.fast]\nmodel = "o4-mini"\n',
    ),
    "cursor": (
        ".cursor/mcp.json",
        '{\n  "mcpServers": {\n    "other": {\n      "command": "npx",\n      "args": ["-y", "other"]\n'
        "    }\n  }\n}\n",
    ),
    "vscode": (
        ".config/Code/User/mcp.json",
        '{\n\t// servers for every workspace\n\t"servers": {\n\t\t"fetch": {"type": "stdio",'
        ' "command": "uvx", "args": ["mcp-server-fetch"]}\n\t},\n\t"inputs": []\n}\n',
    ),
    "opencode": (
        ".config/opencode/opencode.json",
        '{\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "opencode",\n  "model": "x/y"\n}\n',
    ),
}
AGENTS = "# The project\n\nRun `make test` before committing.\n"


def scout(*args: str, home: Path, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    """scout with `home` as HOME (Path.home() too) and no variable pointing anywhere else, run from
    the project directory: nothing can reach the real home."""
    away = {"HOME": str(home), "XDG_CONFIG_HOME": None, "CODEX_HOME": None, "APPDATA": None}
    return run_scout(*args, env=away, stdin=stdin, cwd=cwd, timeout=60)


def parse(name: str, text: str):
    if name == "codex":
        return tomllib.loads(text)
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))  # VS Code's file has a comment


def entry(name: str, data) -> dict:
    key = {"claude": "mcpServers", "codex": "mcp_servers", "cursor": "mcpServers", "vscode": "servers"}
    return data[key.get(name, "mcp")]["scout"]


def snapshot(*roots: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for root in roots for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for rel, text in (v for v in ORIGINALS.values()):
        path = home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return home


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    (project / "AGENTS.md").write_text(AGENTS)
    return project


def state_file() -> Path:
    return Path(os.environ["SCOUT_CONFIG"]).parent / "installed.json"


@pytest.mark.parametrize("name", list(ORIGINALS))
def test_install_writes_a_valid_entry_and_uninstall_restores_the_original_bytes(name, home, project):
    before = snapshot(home, project)
    rel, original = ORIGINALS[name]
    out = scout("install", "--yes", "--only", name, "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    written = (home / rel).read_text()
    data, old = parse(name, written), parse(name, original)
    server = entry(name, data)
    command = server["command"][0] if name == "opencode" else server["command"]
    assert Path(command).name in ("scout", "scout.exe")
    args = server["command"][1:] if name == "opencode" else server["args"]
    assert args[0] == "mcp"
    # Everything that was there is still there, with the same values and order.
    for key, value in old.items():
        if isinstance(value, dict):
            assert list(data[key])[: len(value)] == list(value)
            assert all(data[key][k] == v for k, v in value.items())
        else:
            assert data[key] == value
    # The formatting too: every line is still there, at most with a comma added before scout's entry.
    lines = written.splitlines()
    assert all(line in lines or line + "," in lines for line in original.splitlines())
    instructions = project / ("CLAUDE.md" if name == "claude" else "AGENTS.md")
    assert "find_context" in instructions.read_text()
    assert state_file().is_file()

    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert snapshot(home, project) == before  # byte for byte; CLAUDE.md, created by scout, is gone
    assert not state_file().exists()


def test_all_found_harnesses_at_once_and_the_config_files_scout_creates(home, project):
    (home / ".cursor" / "mcp.json").unlink()  # Cursor installed, never configured
    before = snapshot(home, project)
    out = scout("install", "--yes", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    for name, (rel, _) in ORIGINALS.items():
        assert entry(name, parse(name, (home / rel).read_text())), name
    assert (home / ".cursor" / "mcp.json").read_text().startswith('{\n  "mcpServers": {\n    "scout": {')
    assert {"CLAUDE.md", "AGENTS.md"} <= {p.name for p in project.iterdir()}
    assert "restart Claude Code, Codex CLI, Cursor, VS Code, OpenCode" in out.stdout
    again = scout("install", "--yes", "--home", str(home), home=home, cwd=project)
    assert again.returncode == 0 and again.stdout.endswith("nothing to change\n")
    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert snapshot(home, project) == before  # the created mcp.json is deleted again


def test_dry_run_shows_the_diff_and_writes_nothing(home, project):
    before = snapshot(home, project)
    out = scout("install", "--dry-run", "--only", "codex", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"Codex CLI: {home}/.codex/config.toml: add [mcp_servers.scout]"
    assert "+[mcp_servers.scout]" in lines and '+args = ["mcp"]' in lines
    assert f"AGENTS.md: {project}/AGENTS.md: add scout's paragraph" in lines
    assert lines[-1] == "dry run: nothing written (scout install writes it)"
    assert snapshot(home, project) == before and not state_file().exists()


def test_without_a_terminal_it_needs_yes(home, project):
    before = snapshot(home, project)
    out = scout("install", "--only", "cursor", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 2
    assert out.stderr.splitlines() == [
        "scout: error: not writing without confirmation (pass --yes when not on a terminal)"
    ]
    assert snapshot(home, project) == before


def test_uninstall_after_other_edits_takes_out_only_scouts_part(home, project):
    scout("install", "--yes", "--only", "claude,codex", "--home", str(home), home=home, cwd=project)
    claude, codex = home / ".claude.json", home / ".codex" / "config.toml"
    data = json.loads(claude.read_text())
    data["numStartups"] = 13  # the harness rewrote its file since
    claude.write_text(json.dumps(data, indent=2) + "\n")
    codex.write_text(codex.read_text() + '\n[mcp_servers.later]\ncommand = "later"\n')
    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert "edited ~/.claude.json" in out.stdout.splitlines()
    after = json.loads(claude.read_text())
    assert (
        "scout" not in after["mcpServers"] and after["numStartups"] == 13 and "github" in after["mcpServers"]
    )
    servers = tomllib.loads(codex.read_text())["mcp_servers"]
    assert set(servers) == {"github", "later"}
    assert (project / "AGENTS.md").read_text() == AGENTS  # untouched since: restored exactly


def test_reinstalling_with_another_repository_still_uninstalls_to_the_original(home, project, sample_repo):
    before = snapshot(home, project)
    scout("install", "--yes", "--only", "cursor", "--home", str(home), home=home, cwd=project)
    out = scout("install", "--yes", "--only", "cursor", "--repo", str(sample_repo), "--home", str(home),
                home=home, cwd=project)  # fmt: skip
    assert out.returncode == 0, out.stderr
    server = entry("cursor", json.loads((home / ".cursor" / "mcp.json").read_text()))
    assert server["args"] == ["mcp", "--repo", str(sample_repo)]
    scout("uninstall", "--yes", home=home, cwd=project)
    assert snapshot(home, project) == before


def test_windows_line_endings_and_a_trailing_comma_are_kept(home, project):
    path = home / ".config" / "opencode" / "opencode.json"
    original = b'{\r\n  "$schema": "https://opencode.ai/config.json",\r\n  "theme": "opencode",\r\n}\r\n'
    path.write_bytes(original)
    out = scout("install", "--yes", "--only", "opencode", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    written = path.read_bytes()
    assert b"\n" not in written.replace(b"\r\n", b"") and b'"enabled": true\r\n    }\r\n  },\r\n}' in written
    scout("uninstall", "--yes", home=home, cwd=project)
    assert path.read_bytes() == original


def test_project_scope_writes_the_projects_own_files(home, project):
    out = scout("install", "--yes", "--scope", "project", "--only", "claude,vscode", "--home", str(home),
                home=home, cwd=project)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads((project / ".mcp.json").read_text())["mcpServers"]["scout"]["args"] == [
        "mcp",
        "--repo",
        ".",
    ]
    vscode = json.loads((project / ".vscode" / "mcp.json").read_text())["servers"]["scout"]
    assert vscode["args"] == ["mcp", "--repo", "${workspaceFolder}"] and vscode["type"] == "stdio"
    assert (home / ".claude.json").read_text() == ORIGINALS["claude"][1]
    scout("uninstall", "--yes", home=home, cwd=project)
    assert sorted(p.name for p in project.iterdir()) == ["AGENTS.md"]  # .vscode/, made by scout, went too


def test_detection_unknown_names_and_files_scout_cannot_edit(tmp_path, project):
    empty = tmp_path / "empty-home"
    empty.mkdir()
    out = scout("install", "--yes", "--home", str(empty), home=empty, cwd=project)
    assert out.returncode == 1 and "no agent harness found" in out.stderr
    (empty / ".codex").mkdir()
    (empty / ".cursor").mkdir()
    out = scout("install", "--dry-run", "--json", "--home", str(empty), home=empty, cwd=project)
    assert [c["target"] for c in json.loads(out.stdout)["changes"]] == ["codex", "cursor", "instructions"]
    out = scout("install", "--only", "zed", "--home", str(empty), home=empty, cwd=project)
    assert out.returncode == 2 and out.stderr.startswith(
        "scout: error: unknown harness 'zed' (known: claude,"
    )
    (empty / ".codex" / "config.toml").write_text('[mcp_servers]\nscout = { command = "mine" }\n')
    (empty / ".cursor" / "mcp.json").write_text('{"mcpServers": {')
    for name, words in (("codex", "defined in a form scout cannot edit"), ("cursor", "not valid JSON")):
        out = scout("install", "--yes", "--only", name, "--home", str(empty), home=empty, cwd=project)
        assert out.returncode == 2 and words in out.stderr and len(out.stderr.splitlines()) == 1, out.stderr
    assert (empty / ".codex" / "config.toml").read_text() == '[mcp_servers]\nscout = { command = "mine" }\n'


def test_a_hand_made_identical_entry_is_left_alone(home, project):
    first = scout("install", "--yes", "--only", "codex", "--no-instructions", "--home", str(home),
                  home=home, cwd=project)  # fmt: skip
    assert first.returncode == 0, first.stderr
    state_file().unlink()  # as if the user had written the table by hand
    out = scout("install", "--yes", "--only", "codex", "--no-instructions", "--home", str(home),
                home=home, cwd=project)  # fmt: skip
    assert "[mcp_servers.scout] is already there" in out.stdout and not state_file().exists()
    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0 and "nothing to uninstall" in out.stderr


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{}",
        "\ufeff{\n  // a comment with } and { in it\n}\n",
        '{"a": "a \\" } string", "mcpServers": {"x": {"args": ["/*", "//"]},},}',
        '{\n    "mcpServers": /* inline */ {\n        "scout": {"command": "old"}\n    }\n}',
    ],
)
def test_json_edits_undo_exactly_on_awkward_files(text):
    value = {"command": "scout", "args": ["mcp"]}
    splice = jsonc.put(text, ("mcpServers",), "scout", value)
    after = splice.apply(text)
    assert jsonc.get(after, ("mcpServers",), "scout") == value
    assert splice.undo(after) == text
    removed = jsonc.remove(after, ("mcpServers",), "scout").apply(after)
    assert jsonc.get(removed, ("mcpServers",), "scout") is None and isinstance(jsonc.loads(removed), dict)


def test_a_toml_table_keeps_its_neighbours_and_its_subtables_go_with_it():
    text = '[mcp_servers.scout]\ncommand = "old"\n\n[mcp_servers.scout.env]\nA = "1"\n'
    text += '\n[profiles.x]\nmodel = "y"\n'
    values = {"command": "scout", "args": ["mcp"]}
    splice = tomltable.put(text, ("mcp_servers", "scout"), values)
    after = splice.apply(text)
    assert tomllib.loads(after) == {"mcp_servers": {"scout": values}, "profiles": {"x": {"model": "y"}}}
    assert splice.undo(after) == text
