"""Every example output in README.md and docs/, regenerated from real runs on a fixture repository.

A block between `<!-- example: NAME -->` and `<!-- /example -->` holds what NAME's function below
prints now: the CLI as a subprocess, the MCP server through the SDK's client, `scout install`'s own
entries. `python docs/examples.py` (`make docs`) rewrites the blocks; `--check` changes nothing and
exits 1 naming the blocks that drifted (tests/test_docs.py runs it, so `make test` and CI do). After
a change in ranking, wording or defaults, `make docs` is all the documentation needs.

The fixture is tests/fixtures/sample_repo, copied to a fresh directory shown as ~/src/shop, with a
fresh cache and no user config. Nothing that changes from run to run is shown: wall times are taken
out (`stats.elapsed_ms`, a triage comment's "in N ms") and the copy's path is shown as /home/me/src/shop.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sample_repo"
EVENTS = ROOT / "tests" / "fixtures" / "events"
FILES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
SHOWN_ROOT = "/home/me/src/shop"  # where the examples say the fixture lives
CSRF = "where is the CSRF token checked"
BLOCK = re.compile(r"(<!-- example: ([\w-]+) -->\n)(.*?)(<!-- /example -->)", re.S)


@dataclass(frozen=True)
class Fence:
    """A block's text, fenced for Markdown (`lang` None: raw Markdown, such as a table)."""

    text: str
    lang: str | None = "text"

    def markdown(self) -> str:
        # Trailing blanks go (an editor would strip them, and the check would fail on that).
        body = "\n".join(line.rstrip() for line in self.text.rstrip("\n").splitlines()) + "\n"
        if self.lang is None:
            return body
        ticks = "````" if "```" in body else "```"
        return f"{ticks}{self.lang}\n{body}{ticks}\n"


class Fixture:
    """The sample repository in a temporary directory, and scout run on it as a user would."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.saved: dict[str, dict[str, str]] = {}  # outputs several examples share
        self.repo = work / "shop"
        shutil.copytree(FIXTURE, self.repo)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SCOUT_", "GITHUB_"))}
        self.env |= {
            "SCOUT_CACHE_DIR": str(work / "cache"),
            "SCOUT_CONFIG": str(work / "config.toml"),  # none: the defaults
            "COLUMNS": "100",  # help text wraps the same everywhere
            "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        }

    def scout(self, *args: str, code: int = 0, env: dict | None = None) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            [sys.executable, "-m", "scout", *args],
            capture_output=True,
            text=True,
            env=self.env | (env or {}),
            cwd=self.work,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
        if out.returncode != code:
            raise SystemExit(f"scout {' '.join(args)}: exit {out.returncode}, not {code}:\n{out.stderr}")
        return out

    def shown(self, text: str) -> str:
        return text.replace(str(self.repo), SHOWN_ROOT)


EXAMPLES: dict[str, Callable[[Fixture], Fence]] = {}


def example(name: str):
    def register(fn: Callable[[Fixture], Fence]) -> Callable[[Fixture], Fence]:
        EXAMPLES[name] = fn
        return fn

    return register


@example("help")
def _help(fx: Fixture) -> Fence:
    return Fence(fx.scout("--help").stdout)


@example("ask-json")
def _ask_json(fx: Fixture) -> Fence:
    bundle = json.loads(fx.scout("ask", CSRF, str(fx.repo), "--json").stdout)
    del bundle["stats"]["elapsed_ms"]  # a wall time: different on every run
    return Fence(fx.shown(compact_json(bundle)), "json")


def compact_json(data: dict) -> str:
    """The same JSON with a line per top-level key and per element of a list (`--json` indents
    every value on its own line, which makes a bundle three times as long to read)."""
    lines = []
    for key, value in data.items():
        head = f"  {json.dumps(key)}: "
        if isinstance(value, list) and value:
            items = [f"    {json.dumps(v, ensure_ascii=False)}," for v in value]
            lines += [head + "[", *items[:-1], items[-1].rstrip(","), "  ],"]
        else:
            lines.append(head + json.dumps(value, ensure_ascii=False) + ",")
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(["{", *lines, "}"])


@example("ask-markdown")
def _ask_markdown(fx: Fixture) -> Fence:
    return Fence(fx.scout("ask", CSRF, str(fx.repo)).stdout, "markdown")


@example("triage-comment")
def _triage_comment(fx: Fixture) -> Fence:
    args = ["--event", str(EVENTS / "issues-opened.json"), "--repo", str(fx.repo), "--dry-run"]
    comment = fx.scout("triage", *args, "--sha", "v1.0.0").stdout
    return Fence(re.sub(r" in \d+ ms ·", " ·", comment), "markdown")


@example("triage-errors")
def _triage_errors(fx: Fixture) -> Fence:
    bad, push = fx.work / "e.json", fx.work / "push.json"
    bad.write_text("{bad", encoding="utf-8")
    push.write_text('{"ref": "refs/heads/main", "pusher": {"name": "mona"}}', encoding="utf-8")
    lines = [
        fx.scout("triage", "--event", str(bad), "--dry-run", code=2).stderr,
        fx.scout("triage", "--event", str(push), "--event-name", "push", "--dry-run", code=2).stderr,
    ]
    return Fence(fx.shown("".join(lines)).replace(str(fx.work), "/tmp"))


ISSUE = """Discount codes are case-sensitive

Customers typing `save10` instead of `SAVE10` get no discount: codes should match in any case.
"""
FIX = """```diff
--- a/shop/cart/pricing.py
+++ b/shop/cart/pricing.py
@@ -16,6 +16,8 @@ class PriceCalculator:
     def apply_discount(self, code, amount):
         \"\"\"Apply a discount code; unknown codes leave the amount unchanged.\"\"\"
+        if code is not None:
+            code = code.upper()
         percent = self.discounts.get(code)
         if percent is None:
             return amount
```
"""


@example("patch-report")
def _patch_report(fx: Fixture) -> Fence:
    """`scout patch` against a scripted loopback model (the tests' fake), whose first diff misquotes a
    context line, so git rejects it and the repair goes back once."""
    sys.path.insert(0, str(ROOT / "tests"))
    from llm_fakes import FakeModel, Text

    repo = fx.work / "git-shop"
    shutil.copytree(fx.repo, repo)
    who = {"GIT_AUTHOR_NAME": "me", "GIT_AUTHOR_EMAIL": "me@example.com", "GIT_COMMITTER_NAME": "me"}
    who |= {"GIT_COMMITTER_EMAIL": "me@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(fx.work)}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "shop"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=os.environ | who)
    issue = fx.work / "issue.md"
    issue.write_text(ISSUE, encoding="utf-8")
    wrong = FIX.replace('"""Apply a discount code;', '"""Apply the discount code;')
    with FakeModel([Text(wrong), Text(FIX)]) as model:
        env = {"SCOUT_MODEL": f"openai:frontier@{model.url}", "SCOUT_API_KEY": "sk-example"}
        report = fx.scout("patch", str(issue), "--repo", str(repo), env=env).stderr
    # Each run fences the issue and the code with a fresh random tag (scout.prompts.fence), so the
    # token counts move by a few from run to run: shown as N.
    report = re.sub(r"\b\d[\d,]*(?= tokens|%| prompt| completion| for the full text)", "N", report)
    return Fence(report.replace(model.url, "URL"))


def _harness_entry(name: str) -> Fence:
    """The entry `scout install` writes for one harness, as it writes it (with `scout` on PATH)."""
    from scout.harness import jsonc, tomltable
    from scout.harness.harnesses import HARNESSES

    h = HARNESSES[name]
    entry = h.entry("scout", h.args(None, "user"))
    if h.format == "toml":
        return Fence(tomltable.render((*h.container, "scout"), entry), "toml")
    return Fence(jsonc.put("", h.container, "scout", entry).inserted, "json")


for _name in ("codex", "cursor", "vscode", "zed"):  # the ones docs/mcp.md shows
    example(f"entry-{_name}")(lambda fx, name=_name: _harness_entry(name))


@example("harnesses")
def _harnesses(fx: Fixture) -> Fence:
    from scout.harness.harnesses import HARNESSES

    home = Path("/home/me")
    rows = [
        "| `--only` | harness | its file (user scope) | project scope | instructions |",
        "|---" * 5 + "|",
    ]
    for h in HARNESSES.values():
        where = ".".join(h.container) if h.format != "yaml" else f"{h.container[0]}:"
        user = "~/" + h.user_file(home, True).relative_to(home).as_posix()
        user = f"`{user}` `{where}`" if not h.project_only else "(the project's)"
        project = f"`{h.project_file}`" if h.project_file else "(none: the user file)"
        if h.project_only:
            project += f" `{where}`"
        rows.append(f"| `{h.name}` | {h.label} | {user} | {project} | `{h.instructions}` |")
    return Fence("\n".join(rows), None)


def _mcp_calls(fx: Fixture) -> dict[str, str]:
    """The tool calls shown in docs/mcp.md, through the real server and the SDK's client."""
    import anyio
    from mcp import Client

    from scout.mcp.server import ServerConfig, build_server

    calls = {
        "find_context": {"query": CSRF, "max_spans": 2},
        "read_range": {"path": "shop/auth/tokens.py", "start_line": 19, "end_line": 27, "context": 1},
        "grep": {"pattern": "compare_digest"},
        "symbols": {"name": "check_csrf_token", "references": True},
        "outline": {"path": "shop/auth/middleware.py"},
        "grep-error": {"pattern": "check_(csrf"},
    }

    async def main() -> dict[str, str]:
        out = {}
        async with Client(build_server(ServerConfig(repos=(fx.repo,), workers=0))) as client:
            for key, args in calls.items():
                result = await client.call_tool(key.split("-")[0], args)
                shown = ", ".join(f"{k}={json.dumps(v)}" for k, v in args.items())
                out[key] = f"{key.split('-')[0]}({shown})\n\n{result.content[0].text}"
        return out

    os.environ.update({k: fx.env[k] for k in ("SCOUT_CACHE_DIR", "SCOUT_CONFIG")})  # this process is ours
    return anyio.run(main)


def _mcp(fx: Fixture, key: str) -> Fence:
    if "mcp" not in fx.saved:
        fx.saved["mcp"] = _mcp_calls(fx)
    return Fence(fx.saved["mcp"][key], "markdown" if key == "find_context" else "text")


for _key in ("find_context", "read_range", "grep", "symbols", "outline", "grep-error"):
    example(f"mcp-{_key}")(lambda fx, key=_key: _mcp(fx, key))


def blocks(text: str) -> list[tuple[str, str]]:
    """(name, current content) of each example block in a Markdown text."""
    return [(m.group(2), m.group(3)) for m in BLOCK.finditer(text)]


def regenerate(text: str, fx: Fixture) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in EXAMPLES:
            raise SystemExit(f"no example named {name!r} (docs/examples.py knows {', '.join(EXAMPLES)})")
        return m.group(1) + EXAMPLES[name](fx).markdown() + m.group(4)

    return BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a block drifted")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # this checkout's scout, for the examples run in this process
    drifted = []
    with tempfile.TemporaryDirectory(prefix="scout-docs-") as tmp:
        fx = Fixture(Path(tmp))
        for rel in FILES:
            path = ROOT / rel
            text = path.read_text(encoding="utf-8")
            new = regenerate(text, fx)
            if new == text:
                continue
            changed = [n for (n, old), (_, cur) in zip(blocks(text), blocks(new), strict=True) if old != cur]
            drifted += [f"{rel}: {name}" for name in changed]
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "out of date (run `make docs`)" if args.check else "regenerated"
    for line in drifted:
        print(f"{verb}: {line}", file=sys.stderr)
    return 1 if args.check and drifted else 0


if __name__ == "__main__":
    sys.exit(main())
