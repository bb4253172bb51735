"""`scout mine` on a small git repository built here, commit by commit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import git

from scout.errors import ScoutError
from scout.learn.gitlog import parse_diff
from scout.learn.mine import MineOptions, check_allowed, clean_message, mine, split_for

PRICING = '''"""Cart pricing."""


def apply_discount(total, percent):
    """Reduce a cart total by a percentage of its value."""
    if percent < 0:
        raise ValueError("negative discount")
    return total * (1 - percent / 100)


class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        return sum(price for _, price in self.items)
'''


def write_commit(root, files: dict[str, str], message: str) -> str:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path):
    """A repository whose commits cover each kind the miner keeps or skips."""
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shas = {
        "initial": write_commit(root, {"shop/pricing.py": PRICING, "README.md": "shop\n"}, "Initial import")
    }
    fixed = PRICING.replace("percent < 0", "percent < 0 or percent > 100")
    shas["fix"] = write_commit(
        root,
        {"shop/pricing.py": fixed, "tests/test_pricing.py": "def test_x():\n    pass\n"},
        "Fix crash when the discount is over 100 percent (#42)\n\n"
        "A discount above 100 made the total negative.\n\nSigned-off-by: A Dev <a@dev>\n",
    )
    shas["docs"] = write_commit(root, {"README.md": "shop, a tiny store\n"}, "Docs: describe the shop")
    shas["tests"] = write_commit(root, {"tests/test_pricing.py": "def test_y():\n    pass\n"}, "Add a test")
    shas["format"] = write_commit(
        root, {"shop/pricing.py": fixed.replace("sum(price for _, price", "sum( price for _, price")},
        "Make the code prettier and more consistent overall",
    )  # fmt: skip
    shas["bump"] = write_commit(root, {"shop/__init__.py": '__version__ = "1.1"\n'}, "Bump version to 1.1")
    return root, shas


def test_a_fix_commit_becomes_a_task_with_pre_image_gold(history):
    root, shas = history
    tasks = list(mine(root / ".git", "acme/shop", MineOptions(max_doc_tasks=0)))
    assert [t["commit"] for t in tasks] == [shas["fix"]]
    task = tasks[0]
    assert task["base_commit"] == shas["initial"]
    assert (
        task["query"]
        == "Fix crash when the discount is over 100 percent\n\nA discount above 100 made the total negative."
    )
    assert task["gold_files"] == ["shop/pricing.py"]
    assert task["gold_ranges"] == [["shop/pricing.py", 3, 9]]  # line 6 changed, 3 context lines each side
    assert task["gold_functions"] == {"shop/pricing.py": ["apply_discount"]}
    assert task["split"] == split_for("acme/shop")
    assert "tests/test_pricing.py" in task["patch"]


def test_docstrings_become_questions_without_the_definitions_name(history):
    root, _ = history
    tasks = [t for t in mine(root / ".git", "acme/shop", MineOptions()) if t["source"] == "docstring"]
    assert len(tasks) == 1
    assert tasks[0]["query"] == "Reduce a cart total by a percentage of its value."
    assert tasks[0]["gold_ranges"] == [["shop/pricing.py", 4, 8]]
    assert tasks[0]["gold_functions"] == {"shop/pricing.py": ["apply_discount"]}


def test_trailers_issue_numbers_and_squash_noise_are_removed():
    message = (
        "Handle empty carts (#7)\n\n* add tests\n* Cart.total returns zero with no items\n\n"
        "Closes #7\nCo-authored-by: B <b@c>"
    )
    assert clean_message(message) == "Handle empty carts\n\n* Cart.total returns zero with no items"


def test_evaluation_repositories_are_refused():
    with pytest.raises(ScoutError):
        check_allowed("pallets/flask", set())
    with pytest.raises(ScoutError):
        check_allowed("swe-bench/django__django", set())
    with pytest.raises(ScoutError):
        check_allowed("acme/shop", {"acme/shop"})
    check_allowed("python-attrs/attrs", set())


def test_insertions_belong_to_the_line_above():
    diff = ["diff --git a/m.py b/m.py", "--- a/m.py", "+++ b/m.py", "@@ -10,6 +10,7 @@ def f():",
            "     a", "     b", "     c", "+    d", "     e", "     f", "     g"]  # fmt: skip
    (hunk,) = parse_diff(diff)[0].hunks
    assert hunk.old_range == (10, 15)
    assert hunk.changed == [12]


def test_the_command_writes_json_lines(history, tmp_path):
    root, _ = history
    out = tmp_path / "tasks.jsonl"
    cmd = [sys.executable, "-m", "scout", "mine", str(root), "--name", "acme/shop", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert {t["source"] for t in tasks} == {"commit", "docstring"}
    assert "acme/shop: 1 commit tasks, 1 docstring tasks" in done.stderr
