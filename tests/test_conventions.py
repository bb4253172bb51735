"""What a repository's changes edit besides the code (`scout.index.conventions`): a real git history
where pull requests add their changelog line in a commit of their own, and an issue answered with
the changelog as a lead, learnt from the history at the checked-out commit without `scout adapt`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import git, run_scout

from scout.index.conventions import RULE, SUFFIX, changed_files, conventions, learnt, path_for, stored
from scout.learn.gitlog import resolve_git_dir

BILLING = '''def apply_discount(total, coupon):
    """Take a coupon's percentage off an order's total."""
    if coupon.percent <= 0:
        raise ValueError("a coupon takes something off")
    return total * (100 - coupon.percent) / 100
'''
NETWORK = '''def retry_request(request, attempts):
    """Send a request again after a timeout, at most `attempts` times."""
    for attempt in range(attempts):
        response = request.send()
        if response.ok:
            return response
    raise TimeoutError(request.url)
'''
ISSUE = (
    "Coupons with a zero percent discount are rejected at checkout. When a customer applies a "
    "promotional coupon whose percent is zero, apply_discount raises ValueError instead of leaving "
    "the order total unchanged; the shop front then shows an internal error page to the customer."
)


def change(root: Path, name: str, n: int) -> None:
    path = root / "shop" / name
    path.write_text(path.read_text() + f"# revision {n}\n")


def log_line(root: Path, n: int) -> None:
    with (root / "CHANGELOG.md").open("a") as handle:
        handle.write(f"- change {n}\n")


def make_history(root: Path, every: int) -> Path:
    """30 changes to the code; one in `every` a pull request (a branch merged with a merge commit)
    whose changelog line is a commit of its own; the others plain commits without one."""
    git(root, "init", "-q", "-b", "main")
    (root / "shop").mkdir()
    (root / "shop" / "billing.py").write_text(BILLING)
    (root / "shop" / "network.py").write_text(NETWORK)
    (root / "CHANGELOG.md").write_text("# Changelog\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial version of the shop")
    for n in range(30):
        name = "billing.py" if n % 2 else "network.py"
        if n % every == 0:
            git(root, "checkout", "-q", "-b", f"pr-{n}")
            change(root, name, n)
            git(root, "commit", "-q", "-am", f"Fix case {n}")
            log_line(root, n)
            git(root, "commit", "-q", "-am", f"Changelog for case {n}")
            git(root, "checkout", "-q", "main")
            git(root, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{n}", f"pr-{n}")
        else:
            change(root, name, n)
            git(root, "commit", "-q", "-am", f"Tidy case {n}")
    return root


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> Path:
    return make_history(tmp_path_factory.mktemp("logged"), every=1)


def test_a_changelog_every_merged_change_edits_is_a_convention(tmp_path):
    root = make_history(tmp_path, every=2)  # half the changes: pull requests with a changelog line
    kept = conventions(changed_files(resolve_git_dir(root), "HEAD", 3000))
    assert [(k["path"], k["scope"]) for k in kept] == [("CHANGELOG.md", "")]
    # 16 of 31 changes: the 15 pull requests and the first commit, which wrote the changelog
    assert kept[0]["share"] == round(16 / 31, 3) and kept[0]["changes"] == 31
    # read commit by commit, a pull request's code and its changelog line are apart: no commit
    # but the first changes code and the changelog, which is why a merged pull request is one change
    commits = git(root, "log", "--no-merges", "--name-only", "--format=%x1e").split("\x1e")[1:]
    assert sum("CHANGELOG.md" in c and "shop/" in c for c in commits) == 1


def test_a_changelog_few_changes_edit_is_not(tmp_path):
    root = make_history(tmp_path, every=5)  # 7 of 31 changes: 23%
    assert conventions(changed_files(resolve_git_dir(root), "HEAD", 3000)) == []


def test_changes_to_tests_alone_do_not_thin_a_changelog_a_third_of_the_changes_edit(tmp_path):
    """bat: 26-40% of its changes to code edit CHANGELOG.md, by the commit, and its issues' fixes
    mostly do; commits that touch only tests (or benchmarks, examples) are not changes an issue's
    fix resembles."""
    root = make_history(tmp_path, every=3)  # 11 of 31 changes edit the changelog: 35%
    (root / "tests").mkdir()
    for n in range(20):
        (root / "tests" / "test_billing.py").write_text(f"def test_case_{n}():\n    assert True\n")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", f"More tests {n}")
    kept = conventions(changed_files(resolve_git_dir(root), "HEAD", 3000))
    assert kept == [{"path": "CHANGELOG.md", "scope": "", "share": round(11 / 31, 3), "changes": 31}]


def test_conventions_kept_under_an_older_rule_are_learnt_again(logged, tmp_path):
    """A file from before the rule changed (none named, or another) is read as absent: an upgrade
    must not keep answering by the old rule until the next commit."""
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(logged), str(repo))
    head = git(repo, "rev-parse", "HEAD").strip()
    index = tmp_path / "index.sqlite"
    path_for(index).write_text(json.dumps({"commit": head, "conventions": []}))
    assert stored(index, head) is None
    assert [k["path"] for k in learnt(repo, head, index)] == ["CHANGELOG.md"]
    assert json.loads(path_for(index).read_text())["rule"] == RULE
    assert stored(index, head) == learnt(repo, head, index)


def test_a_history_with_a_hole_is_read_as_far_as_git_goes(tmp_path, caplog):
    """A clone missing an old commit's tree (a damaged or partial one, as some fetched mirrors are):
    git lists the newer changes, then dies; they are kept, and the stop is said."""
    root = make_history(tmp_path, every=1)
    tree = git(root, "rev-parse", "HEAD~20^{tree}").strip()
    (root / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # loose: nothing is packed yet
    with caplog.at_level("WARNING", logger="scout.index"):
        commits = changed_files(resolve_git_dir(root), "HEAD", 3000)
    assert 0 < len(commits) < 31 and all("CHANGELOG.md" in c for c in commits)
    assert "git log stopped" in caplog.text and tree in caplog.text


def test_an_unreadable_history_learns_nothing_rather_than_failing(tmp_path):
    assert changed_files(tmp_path, "HEAD", 3000) == []  # not a git repository


def test_an_issue_lists_the_changelog_its_history_asks_for_and_a_question_does_not(logged, tmp_path):
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(logged), str(repo))

    def leads(query: str) -> list[dict]:
        done = run_scout("ask", query, str(repo), "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["leads"]

    def learnt_leads(found: list[dict]) -> list[str]:
        return [s["path"] for s in found if s["why"].startswith("history:")]

    found = leads(ISSUE)  # no `scout adapt`: the history at HEAD says it
    first = found[0]
    assert (first["path"], first["start_line"]) == ("CHANGELOG.md", 1)
    assert [s["path"] for s in found].count("CHANGELOG.md") == 1  # it stands for the whole file
    assert first["why"] == "history: 100% of the changes to the repository also edit it"
    assert learnt_leads(leads("where are coupons applied")) == []  # a question asks where, not to change
    long_question = (  # more words than a question (`is_issue`), still one line that asks
        "when a customer applies a promotional coupon code at checkout in the web shop, how is its"
        " discount percentage taken off the order total before tax and shipping?"
    )
    assert learnt_leads(leads(long_question)) == []

    # kept beside the index, for the commit it was learnt at
    kept = list(Path(os.environ["SCOUT_CACHE_DIR"]).rglob("*" + SUFFIX))
    assert len(kept) == 1
    head = git(repo, "rev-parse", "HEAD").strip()
    assert json.loads(kept[0].read_text())["commit"] == head

    # a damaged file is learnt again, never a failed ask
    kept[0].write_text('{"commit": "' + head + '", "conventions": [{"path": 3}]')
    assert learnt_leads(leads(ISSUE)) == ["CHANGELOG.md"]
    assert json.loads(kept[0].read_text())["conventions"][0]["path"] == "CHANGELOG.md"

    # a new commit is read anew: its history now says the changelog is no longer kept
    for n in range(100):
        change(repo, "billing.py" if n % 2 else "network.py", 100 + n)
        git(repo, "commit", "-q", "-am", f"Quiet change {n}")
    assert learnt_leads(leads(ISSUE)) == []
    assert json.loads(kept[0].read_text())["commit"] == git(repo, "rev-parse", "HEAD").strip()


def test_a_tree_without_git_learns_no_conventions(tmp_path):
    assert learnt(tmp_path, None, tmp_path / "index.db") == []
    assert not list(tmp_path.glob("*" + SUFFIX))


def test_scout_adapt_still_reports_the_conventions_it_sees(logged, tmp_path):
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(logged), str(repo))
    done = run_scout("adapt", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["conventions"] == [
        {"path": "CHANGELOG.md", "scope": "", "share": 1.0, "changes": 31}
    ]


def test_the_benchmarks_exported_trees_answer_as_a_clone_at_their_commit_would(logged, tmp_path):
    """The harness checks out `git archive` trees without .git: it tells the workspace its commit and
    the conventions of its history (`benchmarks.checkouts.as_a_clone`)."""
    from benchmarks.checkouts import Checkouts
    from scout.explorer.model import ModelPolicy

    head = git(logged, "rev-parse", "HEAD").strip()
    prepared = Checkouts(tmp_path / "cache", {"o/shop": logged / ".git"}).prepare("o/shop", head)
    ws = prepared.workspace
    try:
        assert not (ws.repo.root / ".git").exists() and ws.repo.commit == head
        bundle = ws.ask(ISSUE, policy=ModelPolicy())
    finally:
        ws.close()
    assert bundle.leads[0].path == "CHANGELOG.md"
    assert bundle.leads[0].why == "history: 100% of the changes to the repository also edit it"
