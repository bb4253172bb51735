"""`scout install` / `scout uninstall` on fake home directories with real harness config files: the
entry parses back in each harness's format, nothing else changes, and uninstall restores the bytes."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import run_scout

from scout.harness import block, jsonc, tomltable, yamllist
from scout.mcp.server import find_context

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
    "gemini": (
        ".gemini/settings.json",
        '{\n  "theme": "GitHub",\n  "mcpServers": {\n    "github": {"httpUrl": "https://api.example/mcp"}\n'
        "  }\n}\n",
    ),
    "windsurf": (
        ".codeium/windsurf/mcp_config.json",
        '{\n  "mcpServers": {\n    "git": {"command": "uvx", "args": ["mcp-server-git"]}\n  }\n}\n',
    ),
    "zed": (
        ".config/zed/settings.json",
        "// Zed settings\n//\n// For information on how to configure Zed, see the Zed documentation.\n{\n"
        '  "ui_font_size": 16,\n  "theme": {"mode": "system", "dark": "One Dark"},\n}\n',
    ),
    "cline": (
        ".config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
        '{\n  "mcpServers": {\n    "fetch": {\n      "command": "uvx",\n      "args": ["mcp-server-fetch"],\n'
        '      "disabled": false,\n      "autoApprove": []\n    }\n  }\n}',
    ),
    "roo": (
        ".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
        '{\n  "mcpServers": {}\n}',
    ),
    "continue": (".continue/config.yaml", "name: Local Assistant\nversion: 1.0.0\nschema: v1\nmodels: []\n"),
}
# Where each harness's documentation says its MCP servers go, and what a stdio entry must hold.
SERVERS = {
    "claude": ("mcpServers",),
    "codex": ("mcp_servers",),
    "cursor": ("mcpServers",),
    "vscode": ("servers",),
    "opencode": ("mcp",),
    "gemini": ("mcpServers",),
    "windsurf": ("mcpServers",),
    "zed": ("context_servers",),
    "cline": ("mcpServers",),
    "roo": ("mcpServers",),
    "continue": ("mcpServers",),
}
# Continue reads a file of its own per server (scout's, created), not its config.yaml.
CONFIG_FILE = {"continue": ".continue/mcpServers/scout.json"}
AGENTS = "# The project\n\nRun `make test` before committing.\n"


def scout(*args: str, home: Path, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    """scout with `home` as HOME (Path.home() too) and no variable pointing anywhere else, run from
    the project directory: nothing can reach the real home."""
    away = {"HOME": str(home), "XDG_CONFIG_HOME": None, "CODEX_HOME": None, "APPDATA": None}
    return run_scout(*args, env=away, stdin=stdin, cwd=cwd, timeout=60)


def loads_jsonc(text: str):
    """JSON with the comments and trailing commas the harnesses' files allow (VS Code, Zed)."""
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))


def parse(name: str, text: str):
    return tomllib.loads(text) if name == "codex" else loads_jsonc(text)


def entry(name: str, data) -> dict:
    for key in SERVERS[name]:
        data = data[key]
    return data["scout"]


def assert_valid_entry(name: str, server: dict) -> None:
    """The shape each harness documents for a stdio server that runs `scout mcp`."""
    command, args = (server["command"][0], server["command"][1:]) if name == "opencode" else (
        server["command"], server["args"]
    )  # fmt: skip
    assert Path(command).name in ("scout", "scout.exe") and args[0] == "mcp"
    assert all(isinstance(a, str) for a in args)
    if name == "opencode":
        assert server["type"] == "local" and server["enabled"] is True
    if name in ("vscode", "claude"):
        assert server["type"] == "stdio"
    if name == "zed":
        assert server["env"] == {}
    if name == "codex":
        assert server["startup_timeout_sec"] > 0 and server["tool_timeout_sec"] > 0


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


@pytest.mark.parametrize("name", list(SERVERS))
def test_install_writes_a_valid_entry_and_uninstall_restores_the_original_bytes(name, home, project):
    before = snapshot(home, project)
    rel = CONFIG_FILE.get(name, ORIGINALS[name][0])
    original = ORIGINALS[name][1] if rel == ORIGINALS[name][0] else None
    preview = scout(
        "install", "--dry-run", "--json", "--only", name, "--home", str(home), home=home, cwd=project
    )
    assert preview.returncode == 0, preview.stderr
    assert snapshot(home, project) == before  # a dry run writes nothing
    out = scout("install", "--yes", "--only", name, "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    written = (home / rel).read_text()
    shown = {c["path"]: c["diff"] for c in json.loads(preview.stdout)["changes"]}
    assert shown[str(home / rel)] == unified(original, written, str(home / rel))  # the dry run showed this
    data = parse(name, written)
    assert_valid_entry(name, entry(name, data))
    old = parse(name, original) if original else {}
    # Everything that was there is still there, with the same values and order.
    for key, value in old.items():
        if isinstance(value, dict):
            assert list(data[key])[: len(value)] == list(value)
            assert all(data[key][k] == v for k, v in value.items())
        else:
            assert data[key] == value
    # The formatting too: every line is still there, at most with a comma added before scout's entry
    # (an empty `{}` that scout's entry goes into is opened up).
    lines = written.splitlines()
    kept = [line for line in (original or "").splitlines() if not line.endswith("{}")]
    assert all(line in lines or line + "," in lines for line in kept)
    instructions = project / {"claude": "CLAUDE.md", "gemini": "GEMINI.md"}.get(name, "AGENTS.md")
    assert "find_context" in instructions.read_text()
    assert state_file().is_file()

    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert snapshot(home, project) == before  # byte for byte; CLAUDE.md, created by scout, is gone
    assert not state_file().exists()


def unified(before: str | None, after: str, shown: str) -> str:
    lines = difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        after.splitlines(keepends=True),
        "/dev/null" if before is None else shown,
        shown,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def test_all_found_harnesses_at_once_and_the_config_files_scout_creates(home, project):
    (home / ".cursor" / "mcp.json").unlink()  # Cursor installed, never configured
    before = snapshot(home, project)
    out = scout("install", "--yes", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    for name in SERVERS:
        rel = CONFIG_FILE.get(name, ORIGINALS[name][0])
        assert_valid_entry(name, entry(name, parse(name, (home / rel).read_text())))
    assert (home / ".cursor" / "mcp.json").read_text().startswith('{\n  "mcpServers": {\n    "scout": {')
    assert {"CLAUDE.md", "AGENTS.md", "GEMINI.md"} <= {p.name for p in project.iterdir()}
    labels = "Claude Code, Codex CLI, Cursor, VS Code, OpenCode, Gemini CLI, Windsurf, Zed, Cline, Roo Code"
    assert f"restart {labels}, Continue (or reload" in out.stdout
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
    out = scout("install", "--only", "emacs", "--home", str(empty), home=empty, cwd=project)
    assert out.returncode == 2 and out.stderr.startswith(
        "scout: error: unknown harness 'emacs' (known: claude,"
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


def test_aider_gets_scouts_conventions_named_in_the_projects_aider_conf(tmp_path, project):
    """Aider has no MCP: CONVENTIONS.md says how to ask scout, and `read:` makes aider load it."""
    home = tmp_path / "home"
    (home / ".aider").mkdir(parents=True)  # aider keeps its caches there
    conf = project / ".aider.conf.yml"
    conf.write_text("# project settings\nmodel: gpt-4o\nread: STYLE.md\nauto-commits: false\n")
    before = snapshot(home, project)
    out = scout("install", "--yes", "--home", str(home), home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    data = yaml.safe_load(conf.read_text())
    assert data == {"model": "gpt-4o", "read": ["STYLE.md", "CONVENTIONS.md"], "auto-commits": False}
    conventions = (project / "CONVENTIONS.md").read_text()
    assert '/run scout ask "<the question>"' in conventions and "find_context" not in conventions
    assert (project / "AGENTS.md").read_text() == AGENTS  # aider reads CONVENTIONS.md, not AGENTS.md
    out = scout("uninstall", "--yes", home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert snapshot(home, project) == before


def test_project_scope_for_a_harness_without_project_files_uses_your_own_and_says_so(home, project):
    args = ["install", "--dry-run", "--scope", "project", "--only", "windsurf,cline,roo", "--home", str(home)]
    out = scout(*args, home=home, cwd=project)
    assert out.returncode == 0, out.stderr
    assert "Windsurf, Cline: no project file exists for it; your own config is used" in out.stdout
    assert f"Roo Code: {project}/.roo/mcp.json: add mcpServers.scout" in out.stdout
    assert f"Windsurf: {home}/.codeium/windsurf/mcp_config.json: add mcpServers.scout" in out.stdout


def test_the_paragraph_is_short_and_says_when_to_call_find_context_and_when_not():
    for text in block.TEXTS.values():
        assert len(text.splitlines()) <= 8 and max(map(len, text.splitlines())) <= 100
    mcp = " ".join(block.MCP_TEXT.split())
    assert "Call its `find_context` with the question or the whole issue text when" in mcp
    assert "Skip it when you already know the file and line" in mcp
    described = " ".join((find_context.__doc__ or "").split())
    assert (
        "Call this FIRST" in described and "Not for an exact string or a name you already know" in described
    )


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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "model: x",
        "read: STYLE.md  # the style guide\n",
        "read:\n- A.md\n- 'B C.md'\nauto-commits: false\n",
        "read: [A.md, B.md]\n",
        "read: []\n",
        "read:\n\n  # files aider always reads\n  - A.md\n\nmodel: y\n",
    ],
)
def test_yaml_list_edits_undo_exactly_and_leave_the_rest(text):
    splice = yamllist.put(text, "read", "CONVENTIONS.md")
    after = splice.apply(text)
    before = yamllist.loads(text)
    data = yamllist.loads(after)
    assert data["read"] == [*yamllist.items(before, "read"), "CONVENTIONS.md"]
    assert {k: v for k, v in data.items() if k != "read"} == {k: v for k, v in before.items() if k != "read"}
    assert splice.undo(after) == text
    removed = yamllist.loads(yamllist.remove(after, "read", "CONVENTIONS.md").apply(after))
    assert yamllist.items(removed, "read") == yamllist.items(before, "read")


def test_a_yaml_file_scout_cannot_edit_is_refused():
    with pytest.raises(yamllist.YamlError, match="not valid YAML"):
        yamllist.put("read: [a\n", "read", "CONVENTIONS.md")
    with pytest.raises(yamllist.YamlError):  # a folded scalar: not a form the text edit knows
        yamllist.put("read: >\n  A.md\n", "read", "CONVENTIONS.md")
