"""The layering in docs/architecture.md holds: no module imports a stage it may not, and each
package's public API imports cleanly on its own."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CORE = {
    "errors",
    "config",
    "tokens",
    "repo",
    "plugins",
    "retry",
    "progress",
    "cache",
    "redact",
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
