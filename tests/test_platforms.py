"""Windows-style paths (a Windows CI log, rg on Windows, a model or an MCP client on Windows) never
reach a bundle, a tool result or an owners lookup with a backslash: scout's paths are POSIX."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conftest import FIXTURES, git, run_scout

from scout.repo import Repo, posix_path
from scout.tools.base import Hit
from scout.triage.codeowners import CodeOwners, parse

CODEOWNERS = "*  @octo-org/maintainers\n/shop/auth/  @octo-org/security @alice\n\\#notes.md  @bob\n"


def test_posix_path_and_the_repository_door_take_backslashes_as_separators(sample_repo):
    assert posix_path(".\\shop\\auth\\tokens.py") == "shop/auth/tokens.py"
    assert posix_path("./shop/cart/") == "shop/cart/"
    repo = Repo.open(sample_repo)
    assert repo.relative("shop\\auth\\tokens.py") == "shop/auth/tokens.py"
    assert repo.resolve("shop\\auth\\tokens.py") == repo.root / "shop" / "auth" / "tokens.py"
    assert Hit(".\\shop\\auth\\tokens.py", 19, 27).path == "shop/auth/tokens.py"


def test_tools_answer_windows_style_paths_with_posix_ones(sample_repo):
    out = run_scout(
        "tools",
        "read",
        "shop\\auth\\tokens.py",
        str(sample_repo),
        "--start-line",
        "19",
        "--end-line",
        "20",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert [h["path"] for h in json.loads(out.stdout)["hits"]] == ["shop/auth/tokens.py"]
    outline = run_scout("tools", "outline", ".\\shop\\auth\\middleware.py", str(sample_repo))
    assert outline.returncode == 0 and outline.stdout.startswith("shop/auth/middleware.py\n")


def test_a_bundle_built_from_windows_style_tool_calls_has_posix_span_paths(sample_repo, tmp_path):
    script = tmp_path / "script.json"
    calls = [
        {"tool": "read", "args": {"path": "shop\\auth\\tokens.py", "start_line": 19, "end_line": 27}},
        {"tool": "grep", "args": {"pattern": "apply_discount", "path": "shop\\cart"}},
    ]
    script.write_text(json.dumps({"turns": [calls]}))
    out = run_scout("ask", "csrf", str(sample_repo), "--explorer", f"scripted:{script}", "--json")
    assert out.returncode == 0, out.stderr
    bundle = json.loads(out.stdout)
    spans = bundle["answer"] + bundle.get("leads", [])
    assert {"shop/auth/tokens.py", "shop/cart/pricing.py"} <= {s["path"] for s in spans}
    assert not any("\\" in s["path"] for s in spans)
    tokens = next(s for s in spans if s["path"] == "shop/auth/tokens.py")
    assert "def check_csrf_token" in tokens["text"]


def test_codeowners_matches_a_windows_style_path_and_keeps_its_escapes():
    owners = CodeOwners(".github/CODEOWNERS", parse(CODEOWNERS))
    assert owners.owners("shop\\auth\\tokens.py") == owners.owners("shop/auth/tokens.py")
    assert owners.owners("shop\\auth\\tokens.py") == ("@octo-org/security", "@alice")
    assert owners.owners(".\\shop\\cart\\pricing.py") == ("@octo-org/maintainers",)
    assert owners.owners("#notes.md") == ("@bob",)  # `\#` in a pattern is GitHub's escape, not a path


def test_the_ci_bot_on_a_windows_runners_log_links_posix_paths_with_their_owners(sample_repo, tmp_path):
    (sample_repo / ".github").mkdir()
    (sample_repo / ".github" / "CODEOWNERS").write_text(CODEOWNERS)
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "owners")
    log = (FIXTURES / "logs" / "pytest-failure.log").read_text(encoding="utf-8-sig")
    windows = tmp_path / "windows.log"
    windows.write_text(
        log.replace("shop/auth/tokens.py:25", "shop\\auth\\tokens.py:25")
        .replace("tests/test_auth.py", "tests\\test_auth.py")
        .replace("/home/runner/work/shop/shop", "D:\\a\\shop\\shop"),
        encoding="utf-8",
    )
    assert "shop\\auth\\tokens.py:25" in windows.read_text()
    event = FIXTURES / "events" / "workflow_run-failure.json"
    env = {k: None for k in os.environ if k.startswith("GITHUB_")}  # the CI's own event is not ours
    env |= {"GITHUB_SERVER_URL": "https://ghe.example.com", "GITHUB_TOKEN": "", "SCOUT_EXPLORER": "heuristic"}
    args = ["--dry-run", "--log", str(windows), "--sha", "v1.2.0"]
    out = run_scout("triage", "--event", str(event), "--repo", str(sample_repo), *args, env=env)
    assert out.returncode == 0, out.stderr
    assert "/shop/auth/tokens.py#L25)" in out.stdout
    assert "@octo-org/security" in out.stdout
    links = [part.split(")")[0] for part in out.stdout.split("](")[1:]]
    assert links and not any("\\" in link for link in links)


def test_posix_path_leaves_absolute_paths_absolute():
    assert Path(posix_path(str(Path.cwd()))).is_absolute()
