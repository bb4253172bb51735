"""README.md and docs/ say what the code does: their example outputs are what the code prints now
(`docs/examples.py --check`), the defaults they quote are the code's, and the Makefile's test target
installs what the tests need."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from conftest import ROOT, scout_env

from scout.bundle import MIN_BUDGET
from scout.commands import BY_NAME
from scout.commands.app import load_command
from scout.config import Settings


def test_every_example_in_the_docs_is_what_the_code_prints_now():
    """Regenerate each block in a scratch copy of nothing: `--check` writes no file. On failure,
    `make docs` rewrites them (and `git diff` shows what changed)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples.py"), "--check"],
        capture_output=True,
        text=True,
        env=scout_env(),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr


def test_every_example_block_names_an_example_and_every_example_is_shown():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import examples
    finally:
        sys.path.remove(str(ROOT / "docs"))
    shown = [name for rel in examples.FILES for name, _ in examples.blocks((ROOT / rel).read_text())]
    assert sorted(set(shown)) == sorted(examples.EXAMPLES), "an example nobody shows, or a block with none"
    assert "help" in shown and "ask-json" in shown


def test_the_defaults_the_docs_quote_are_the_codes():
    readme = " ".join((ROOT / "README.md").read_text().split())
    bundle = " ".join((ROOT / "docs" / "bundle.md").read_text().split())
    mcp = " ".join((ROOT / "docs" / "mcp.md").read_text().split())
    assert f"`--budget N` (tokens, default {Settings.budget};" in readme
    assert f"(`--budget`, default {Settings.budget}, at least {MIN_BUDGET})" in bundle
    assert f"`budget_tokens` (default {Settings.budget}, at least {MIN_BUDGET}," in mcp
    assert f"`max_spans` (1-50, default {Settings.max_spans})" in mcp
    assert f"Output is capped (default {Settings.mcp_max_tokens:,} tokens" in readme
    assert f"| `mcp_max_tokens` | {Settings.mcp_max_tokens} |" in mcp
    assert f"| `mcp_refresh_seconds` | {Settings.mcp_refresh_seconds} |" in mcp


def test_every_option_of_scout_ask_is_in_the_readme():
    """issue 24: `--server` was only in docs/mcp.md."""
    readme = (ROOT / "README.md").read_text()
    ask = load_command(BY_NAME["ask"])
    flags = [(p.name, p.opts + p.secondary_opts) for p in ask.params if p.param_type_name == "option"]
    assert [name for name, opts in flags if not any(o in readme for o in opts)] == []


def test_make_test_installs_what_the_tests_import_or_skip():
    """issue 24: the Makefile promised the training and local-LLM tests, which then skipped: its
    test target must install every package a test skips without."""
    skipped = set()
    for path in (ROOT / "tests").glob("*.py"):
        skipped |= set(re.findall(r'importorskip\("([\w.]+)"\)', path.read_text()))
    makefile = (ROOT / "Makefile").read_text()
    needs = re.search(r"^test: (.*?)(?:##|$)", makefile, re.M).group(1).split()
    extras = set()
    for target in needs:
        recipe = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M)
        for group in re.findall(r"-e '\.\[([\w,-]+)\]'", recipe.group(1) if recipe else ""):
            extras |= set(group.split(","))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = {
        re.split(r"[=<>\[ ]", r)[0].lower() for e in extras for r in project["optional-dependencies"][e]
    }
    assert skipped and skipped <= installed, skipped - installed
