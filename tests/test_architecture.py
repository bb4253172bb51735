"""The layering in docs/architecture.md holds: no module imports a stage it may not, and each
package's public API imports cleanly on its own."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from conftest import ROOT

CORE = {
    "errors",
    "config",
    "tokens",
    "repo",
    "git",
    "plugins",
    "retry",
    "progress",
    "cache",
    "redact",
    "resident",
    "__init__",
    "__version__",
}
SURFACE_ENTRY = {"cli", "__main__"}


def allowed() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Allowed imports", 1)[1]
    rows = re.findall(r"^\| (\w+) \| ([\w, ]+) \|$", table, re.M)
    return {pkg: {p.strip() for p in deps.split(",")} for pkg, deps in rows}


def stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "scout":
        return None
    if len(parts) == 1 or parts[1] in CORE:
        return "core"
    return "commands" if parts[1] in SURFACE_ENTRY else parts[1]


def imports(path: Path) -> set[str]:
    """Every scout module a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "scout":
                out |= {f"scout.{a.name}" for a in node.names}
            else:
                out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_every_stage_imports_only_what_docs_architecture_allows():
    rules = allowed()
    assert "explorer" in rules and "index" in rules, "the table in docs/architecture.md is unreadable"
    wrong = []
    for path in sorted((ROOT / "scout").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        own = stage(module)
        assert own in rules, f"{module} belongs to no package listed in docs/architecture.md"
        for target in imports(path):
            other = stage(target)
            if other and other != own and other not in rules[own]:
                wrong.append(f"{module} imports {target} ({own} -> {other})")
    assert wrong == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule is not vacuous: the index importing the explorer is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from scout.explorer.loop import Policy\n")
    assert stage(next(iter(imports(bad)))) == "explorer"
    assert "explorer" not in allowed()["index"]


@pytest.mark.parametrize(
    "package", ["scout.index", "scout.tools", "scout.explorer", "scout.llm", "scout.api", "scout.bundle"]
)
def test_each_package_exports_what_it_declares(package):
    mod = importlib.import_module(package)
    for name in getattr(mod, "__all__", []):
        assert hasattr(mod, name), f"{package}.__all__ names {name}, which it does not define"


SPAWNS = {"run", "Popen", "call", "check_call", "check_output", "system", "popen", "execvp", "execv"}
SPAWNS |= {"create_subprocess_exec", "create_subprocess_shell", "spawnlp", "spawnvp"}


def runs_git(source: str) -> bool:
    """Whether any process-starting call's first argument is the program `git`: `["git", ...]`,
    `"git ..."`, a path ending in `/git`."""
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) not in SPAWNS:
            continue
        first = node.args[0]
        if isinstance(first, ast.List | ast.Tuple) and first.elts:
            first = first.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            program = first.value.split(" ", 1)[0]
            if program == "git" or program.endswith("/git"):
                return True
    return False


def test_only_scout_git_spawns_git():
    """Issue 20: every git call goes through scout/git.py, which switches the repository's own
    programs off; a module that runs `git` itself could forget to."""
    sources = [*(ROOT / "scout").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted(sources)
        if path != ROOT / "scout" / "git.py" and runs_git(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_git_checker_sees_a_direct_call():
    assert runs_git('subprocess.run(["git", "-C", root, "status"])')
    assert runs_git("subprocess.Popen(('/usr/bin/git', 'log'))")
    assert runs_git("os.system('git status')")
    assert not runs_git("git.run(root, 'status')")
    assert not runs_git("raise ScoutError('git apply failed')")
