"""The SQLite index on real files: build, incremental updates, repair of corrupt or old files."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import SCOUT, scout_env
from test_concurrency import many_files
from test_concurrency import scout as scout_popen

from scout.api import Workspace
from scout.explorer.heuristic import HeuristicPolicy
from scout.index import bags, bm25, copy_index, index_path, open_index, statcheck, store
from scout.index import index as index_module
from scout.repo import Repo


def test_index_holds_definitions_with_spans_and_parents(sample_repo):
    idx = open_index(Repo.open(sample_repo))
    [d] = store.definitions(idx.db, "apply_discount")
    assert (d.path, d.start_line, d.end_line, d.parent) == ("shop/cart/pricing.py", 16, 21, "PriceCalculator")
    refs = store.references(idx.db, "check_csrf_token")
    assert ("shop/auth/middleware.py", 15) in {(r.path, r.line) for r in refs}
    assert store.enclosing(idx.db, "shop/auth/tokens.py", 24).name == "check_csrf_token"


def test_update_reparses_only_changed_files_and_drops_removed_ones(sample_repo):
    repo = Repo.open(sample_repo)
    idx = open_index(repo, refresh=False)
    first = idx.update()
    assert first.added == first.files > 5
    os.utime(sample_repo / "shop/cart/cart.py")  # touched, same bytes
    assert (idx.update().changed, idx.update().added) == (0, 0)
    pricing = sample_repo / "shop/cart/pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef loyalty_bonus(points):\n    return points // 10\n")
    (sample_repo / "shop/auth/middleware.py").unlink()
    stats = idx.update()
    assert (stats.changed, stats.removed, stats.added) == (1, 1, 0)
    assert store.definitions(idx.db, "loyalty_bonus")[0].start_line == 28
    assert store.definitions(idx.db, "CsrfMiddleware") == []


def test_corrupt_index_is_rebuilt_with_a_warning(sample_repo, caplog):
    repo = Repo.open(sample_repo)
    path = open_index(repo).path
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="scout.index"):
        idx = open_index(repo)
    assert "corrupt" in caplog.text and "rebuilding" in caplog.text
    assert store.definitions(idx.db, "check_csrf_token")


def test_old_schema_version_is_rebuilt(sample_repo, caplog):
    repo = Repo.open(sample_repo)
    idx = open_index(repo)
    with sqlite3.connect(idx.path) as conn:
        conn.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    idx.close()
    with caplog.at_level(logging.WARNING, logger="scout.index"):
        again = open_index(repo)
    assert "schema version 0" in caplog.text
    assert store.definitions(again.db, "PriceCalculator")


def test_index_lives_in_the_cache_dir_not_the_repo(sample_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("SCOUT_CACHE_DIR", str(tmp_path / "elsewhere"))
    idx = open_index(Repo.open(sample_repo))
    assert idx.path.is_relative_to(tmp_path / "elsewhere")
    assert not any(p.suffix == ".sqlite" for p in sample_repo.rglob("*"))


def test_binary_and_bad_utf8_files_are_listed_but_not_parsed(sample_repo):
    (sample_repo / "blob.py").write_bytes(b"\x00\x01def nope(): pass")
    (sample_repo / "latin.py").write_bytes(b"def menu():\n    return 'caf\xe9'  # caf\xe9\n")
    idx = open_index(Repo.open(sample_repo))
    assert store.definitions(idx.db, "nope") == []
    [menu] = store.outline(idx.db, "latin.py")
    assert (menu.name, menu.start_line, menu.end_line) == ("menu", 1, 2)


def test_in_a_git_checkout_git_says_what_changed_and_the_tree_is_not_walked(sample_repo):
    from conftest import git

    idx = open_index(Repo.open(sample_repo))
    assert idx.update().walked is False  # nothing changed since the first build: no walk
    pricing = sample_repo / "shop" / "cart" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef loyalty_points(total):\n    return int(total)\n")
    stats = idx.update()
    assert (stats.walked, stats.changed, stats.added) == (False, 1, 0)
    assert idx.definitions("loyalty_points")[0].path == "shop/cart/pricing.py"
    git(sample_repo, "commit", "-qam", "points")  # HEAD moves; the file is clean again
    assert idx.update().walked is False
    (sample_repo / "shop" / "cart" / "pricing.py").unlink()
    stats = idx.update()
    assert (stats.walked, stats.removed) == (False, 1) and not idx.definitions("loyalty_points")
    (sample_repo / "shop" / "new_module.py").write_text("def brand_new():\n    return 1\n")
    stats = idx.update()  # a file the index never had: only a walk can say whether it counts
    assert (stats.walked, stats.added) == (True, 1) and idx.definitions("brand_new")
    idx.close()


def test_an_interrupted_build_keeps_its_finished_batches_and_the_next_parses_only_the_rest(
    tmp_path, monkeypatch
):
    """Issue 20: Ctrl-C during `scout index` kept nothing. The interrupt arrives as the progress
    line for file 50 is drawn, after batches of 20 were written (the process pool is used: 100
    files)."""
    repo = Repo.open(many_files(tmp_path / "repo", 100))
    monkeypatch.setattr(index_module, "BATCH_FILES", 20)

    def ctrl_c(done: int, total: int) -> None:
        if done == 50:
            raise KeyboardInterrupt

    idx = open_index(repo, refresh=False)
    with pytest.raises(KeyboardInterrupt):
        idx.update(ctrl_c)
    assert len(idx.paths()) == 40 and store.get_meta(idx.db, "git_state") == ""
    rest = idx.update()
    assert (rest.added, rest.files, rest.walked) == (60, 100, True)
    assert idx.db.execute("SELECT COUNT(*) FROM defs").fetchone()[0] == 300  # 3 a file, none twice


def test_ctrl_c_during_scout_index_keeps_the_files_it_finished(tmp_path):
    """The CLI's side of Ctrl-C: exit 130, one line, and an index the next run completes. That
    whole batches are kept is `test_an_interrupted_build_keeps_its_finished_batches_...` (in process, with
    no race): here the signal comes once indexing has started and a batch is in, or 0.5 s later."""
    files = 15_000
    repo = many_files(tmp_path / "repo", files)
    run = subprocess.Popen(  # SIGINT as a terminal sends it, even when the tests run in the background
        [*SCOUT, "index", "--repo", str(repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=scout_env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert "indexing" in run.stderr.readline()
    path = index_path(Repo.open(repo))
    deadline = time.monotonic() + 0.5  # 15,000 files take seconds: the signal lands mid-build
    while run.poll() is None and time.monotonic() < deadline and _count(path) < index_module.BATCH_FILES:
        time.sleep(0.05)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "interrupted" in err, err
    kept = _count(path)
    assert kept % index_module.BATCH_FILES == 0 and kept < files
    again = scout_popen("index", "--repo", str(repo), "--json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out)["added"] == files - kept


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads open files from /proc (Linux)")
def test_a_killed_scout_index_leaves_no_parsing_process_holding_the_index(tmp_path):
    """`kill -9` of `scout index` mid-build: its parsing processes (forked, so they share its
    writer lock) end with it, and the next `scout index` finishes instead of waiting forever
    (found by benchmarks/stress.py: an orphaned worker held the lock for 13 minutes)."""
    files = 6_000
    repo = many_files(tmp_path / "repo", files)
    run = scout_popen("index", "--repo", str(repo))
    assert "indexing" in run.stderr.readline()
    path = index_path(Repo.open(repo))
    deadline = time.monotonic() + 30
    while run.poll() is None and time.monotonic() < deadline and _count(path) < index_module.BATCH_FILES:
        time.sleep(0.05)
    run.kill()
    run.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while _sharing(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _sharing(path)
    kept = _count(path)
    again = scout_popen("index", "--repo", str(repo), "--json")
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    assert json.loads(out)["added"] == files - kept and _count(path) == files


def _sharing(index) -> list[int]:
    """Processes that have the index's writer lock file open (Linux: /proc)."""
    lock = str(index) + ".writer"
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == lock for fd in (proc / "fd").iterdir()):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _count(path) -> int:
    if not path.exists():  # connecting would create it
        return 0
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


# --- issue 21: opening cost, one-file updates, what is searched -----------------------------------


def test_an_update_that_finds_nothing_changed_writes_nothing(sample_repo):
    idx = open_index(Repo.open(sample_repo))
    other = sqlite3.connect(idx.path)
    before = other.execute("PRAGMA data_version").fetchone()[0]
    assert idx.update().changed == 0 and idx.update().added == 0
    assert other.execute("PRAGMA data_version").fetchone()[0] == before  # no other connection committed
    other.close()


def test_outside_git_the_indexed_files_are_stat_ed_and_the_tree_is_walked_only_when_a_directory_changed(
    tmp_path,
):
    root = many_files(tmp_path / "repo", 30)
    idx = open_index(Repo.open(root))
    assert idx.update().walked is False
    module = root / "pkg3" / "mod3.py"  # edited in place: its directory's mtime does not move
    module.write_text(module.read_text() + "\ndef extra_three():\n    return 3\n")
    stats = idx.update()
    assert (stats.walked, stats.changed, stats.added) == (False, 1, 0) and idx.definitions("extra_three")
    (root / "pkg4" / "fresh.py").write_text("def brand_new():\n    return 1\n")
    stats = idx.update()
    assert (stats.walked, stats.added) == (True, 1) and idx.definitions("brand_new")
    (root / "pkg5" / "empty").mkdir()
    assert idx.update().walked is True
    # a directory that held no file when the tree was walked is watched too
    (root / "pkg5" / "empty" / "inner.py").write_text("def inner_one():\n    return 1\n")
    assert idx.update().added == 1 and idx.definitions("inner_one")
    (root / ".gitignore").write_text("pkg6/\n")  # honoured outside git too, as rg does
    assert idx.update().removed == 3
    (root / ".gitignore").write_text("pkg6/\npkg7/\n")  # the same file, rewritten in place
    stats = idx.update()
    assert (stats.walked, stats.removed) == (True, 3) and not idx.definitions("compute_7")


def varied_files(root: Path, n: int, seed: int) -> Path:
    """Modules whose names come in no order, as in real code (B-trees then split part empty)."""
    rng = random.Random(seed)
    word = lambda: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 12)))  # noqa: E731
    for i in range(n):
        body = "".join(f"def {word()}_{word()}(x):\n    return {word()}(x)\n\n\n" for _ in range(8))
        (root / f"pkg{i % 7}").mkdir(parents=True, exist_ok=True)
        (root / f"pkg{i % 7}" / f"{word()}.py").write_text(f"class {word().title()}:\n    pass\n\n\n" + body)
    return root


def test_an_update_that_rewrites_most_of_the_index_repacks_it_and_answers_as_it_would_unpacked(
    tmp_path, monkeypatch
):
    root = varied_files(tmp_path / "repo", 300, seed=1)
    monkeypatch.setattr(index_module, "PACK_MIN_FILES", 10**9)
    packed, loose = (open_index(Repo.open(root), tmp_path / d) for d in ("packed", "loose"))
    reader = open_index(Repo.open(root), tmp_path / "packed", refresh=False)
    reader.db.execute("BEGIN")
    before = reader.db.execute("SELECT COUNT(*) FROM defs").fetchone()
    for path in root.rglob("*.py"):
        path.unlink()
    varied_files(root, 300, seed=2)
    assert loose.update().added == 300
    monkeypatch.setattr(index_module, "PACK_MIN_FILES", 100)
    assert packed.update().added == 300  # and repacked while another reader's snapshot is open
    assert reader.db.execute("SELECT COUNT(*) FROM defs").fetchone() == before  # still its snapshot
    reader.db.execute("COMMIT")
    for idx in (packed, loose, reader):
        idx.close()
    assert packed.path.stat().st_size < 0.97 * loose.path.stat().st_size  # ~5% here, as in a monorepo
    packed, loose = (open_index(Repo.open(root), tmp_path / d) for d in ("packed", "loose"))
    name = loose.outline(loose.paths()[5])[3].name
    assert packed.definitions(name) == loose.definitions(name) != []
    query = {t: 1.0 for t in name.split("_")}
    assert packed.bm25(query) == loose.bm25(query) != []
    assert packed.file_hashes() == loose.file_hashes()
    assert all(len(h) == 40 for h in packed.file_hashes().values())


def test_a_child_interpreter_looks_at_the_tree_as_this_process_does(tmp_path):
    root = many_files(tmp_path / "repo", 30)
    idx = open_index(Repo.open(root))
    where = str(root)
    assert statcheck.look_in_child(idx.path, where, idx.max_bytes) == {
        "watched": True,
        "changed": [],
        "gone": [],
    }
    module = root / "pkg3" / "mod3.py"
    module.write_text(module.read_text() + "\n# edited in place\n")
    (root / "pkg4" / "mod4.py").unlink()  # its directory moves: only a walk can tell
    assert statcheck.look_in_child(idx.path, where, idx.max_bytes) == {"watched": False}
    idx.update()
    module.write_text(module.read_text() + "\n# again\n")
    found = statcheck.look_in_child(idx.path, where, idx.max_bytes)
    st = module.stat()
    assert found == {"watched": True, "changed": [["pkg3/mod3.py", st.st_size, st.st_mtime_ns]], "gone": []}
    assert json.loads(json.dumps(statcheck.look(idx.db, where, idx.max_bytes))) == found


def test_a_warm_ask_answers_beside_its_look_at_the_tree_and_again_only_when_the_tree_moved(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(index_module, "CHILD_LOOK_FILES", 1)  # the child process, as in a monorepo
    root = many_files(tmp_path / "repo", 30)
    Workspace.open(root).close()  # built
    ws = Workspace.open(root, overlap=True)
    assert ws.unchecked
    other = sqlite3.connect(ws.index.path)
    before = other.execute("PRAGMA data_version").fetchone()[0]
    assert ws.ask("compute_3", policy="heuristic").spans[0].path == "pkg3/mod3.py"
    assert other.execute("PRAGMA data_version").fetchone()[0] == before  # fresh: nothing written
    ws.close()
    module = root / "pkg5" / "mod5.py"
    module.write_text(module.read_text() + "\ndef reconcile_ledger(value):\n    return value\n")
    ws = Workspace.open(root, overlap=True)
    assert not ws.index.definitions("reconcile_ledger")  # not yet looked at
    bundle = ws.ask("where is reconcile_ledger defined", policy="heuristic")
    assert bundle.spans[0].path == "pkg5/mod5.py" and ws.index.definitions("reconcile_ledger")
    ws.close()
    other.close()


def test_a_policy_that_is_not_local_explores_once_after_the_index_is_brought_up_to_date(tmp_path):
    root = many_files(tmp_path / "repo", 30)
    Workspace.open(root).close()
    module = root / "pkg5" / "mod5.py"
    module.write_text(module.read_text() + "\ndef reconcile_ledger(value):\n    return value\n")
    explorations = []

    class Remote:  # stands for an LLM explorer: no `local`, so never run on a stale index
        name = "remote"

        def decide(self, state, ctx):
            if not state.turns:
                explorations.append(state.query)
            return HeuristicPolicy().decide(state, ctx)

    ws = Workspace.open(root, overlap=True)
    bundle = ws.ask("where is reconcile_ledger defined", policy=Remote())
    assert bundle.spans[0].path == "pkg5/mod5.py" and len(explorations) == 1
    ws.close()


def test_a_workspace_that_would_overlap_its_first_ask_builds_a_missing_index_first(tmp_path):
    root = many_files(tmp_path / "repo", 12)
    ws = Workspace.open(root, overlap=True)
    assert not ws.unchecked and ws.index.definitions("compute_7")
    ws.close()


def test_one_changed_file_is_appended_to_the_term_files_and_the_rest_stays_as_it_was(sample_repo):
    idx = open_index(Repo.open(sample_repo))
    files = {kind: bags.file_for(idx.path, 0, kind) for kind in bags.KINDS}
    before = {kind: (path.stat().st_ino, path.read_bytes()) for kind, path in files.items()}
    pricing = sample_repo / "shop" / "cart" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef loyalty_multiplier(points):\n    return points * 2\n")
    assert idx.update().changed == 1
    for kind, path in files.items():
        inode, data = before[kind]
        assert path.stat().st_ino == inode and path.read_bytes().startswith(data), kind
    assert idx.view().state.dead_bags > 0  # the old chunks of pricing.py: still in the file, never answered
    [hit] = [h for h in idx.bm25({"multiplier": 1.0}) if h[0] == "shop/cart/pricing.py"]
    assert hit[3] == "loyalty_multiplier"
    spans = [(h[0], h[1]) for h in idx.bm25({"price": 1.0}, limit=100)]
    assert len(set(spans)) == len(spans)  # no span twice: the old version of the file is gone


def test_dead_entries_are_compacted_into_the_next_generation_and_answers_stay_the_same(
    sample_repo, tmp_path, monkeypatch
):
    monkeypatch.setattr(bags, "DEAD_MIN", 0)
    repo = Repo.open(sample_repo)
    idx = open_index(repo)
    pricing = sample_repo / "shop" / "cart" / "pricing.py"
    pricing.write_text(pricing.read_text() + "\n\ndef loyalty_multiplier(points):\n    return points * 2\n")
    idx.update()
    state = idx.view().state
    assert (state.gen, state.dead_bags) == (1, 0)
    assert sorted(p.name.split(".g")[-1] for p in idx.path.parent.glob(idx.path.name + ".g*")) == [
        "1.bags",
        "1.pieces",
        "1.rows",
    ]
    fresh = open_index(repo, tmp_path / "fresh")
    query = {"price": 1.0, "discount": 2.0, "multiplier": 1.0}
    assert idx.bm25(query) == fresh.bm25(query)
    vector = idx.embedder.embed({"price": 1, "discount": 1}, query=True)
    assert [r[:3] for r in idx.semantic(vector, 10)] == [r[:3] for r in fresh.semantic(vector, 10)]


HTML_PAGE = """<!DOCTYPE html><html><head><title>API</title>
<link rel="stylesheet" href="../_static/pygments.css" type="text/css" /></head>
<body><p>frobnicate the checkout totals</p></body></html>
"""


def test_generated_html_and_vendored_trees_are_listed_but_not_searched_unless_asked(tmp_path):
    (tmp_path / "app.py").write_text("def checkout_total(cart):\n    return sum(cart)\n")
    (tmp_path / "docs" / "_build" / "html").mkdir(parents=True)
    (tmp_path / "docs" / "_build" / "html" / "api.html").write_text(HTML_PAGE)
    (tmp_path / "vendor" / "widgets").mkdir(parents=True)
    (tmp_path / "vendor" / "widgets" / "frob.js").write_text("function frobnicate(x) {\n  return x;\n}\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{% block body %}frobnicate{% endblock %}\n")
    repo = Repo.open(tmp_path)
    idx = open_index(repo)
    assert len(idx.paths()) == 4
    assert {h[0] for h in idx.bm25({"frobnicate": 1.0})} == {"templates/page.html"}
    assert idx.definitions("frobnicate")[0].path == "vendor/widgets/frob.js"  # its symbols still count
    everything = open_index(repo, vendored=True)  # the setting changed: those files are read again
    assert {h[0] for h in everything.bm25({"frobnicate": 1.0})} == {
        "templates/page.html",
        "docs/_build/html/api.html",
        "vendor/widgets/frob.js",
    }


def test_an_index_whose_term_files_are_missing_is_rebuilt_with_a_warning(sample_repo, caplog):
    repo = Repo.open(sample_repo)
    idx = open_index(repo)
    idx.close()
    for path in idx.path.parent.glob(idx.path.name + ".g*"):
        path.unlink()
    with caplog.at_level(logging.WARNING, logger="scout.index"):
        again = open_index(repo)
    assert "missing the term files" in caplog.text and "rebuilding" in caplog.text
    assert again.bm25({"csrf": 1.0})


def test_a_copied_index_answers_like_the_original_without_a_rebuild(sample_repo, tmp_path, caplog):
    repo = Repo.open(sample_repo)
    idx = open_index(repo)
    target = index_path(repo, tmp_path / "seeded")
    target.parent.mkdir(parents=True)
    copy_index(idx.path, target)
    with caplog.at_level(logging.WARNING, logger="scout.index"):
        copy = open_index(repo, tmp_path / "seeded")
    assert caplog.text == "" and copy.update().changed == 0
    assert copy.bm25({"csrf": 1.0, "token": 1.0}) == idx.bm25({"csrf": 1.0, "token": 1.0})


def test_bm25_scores_are_the_same_to_the_bit_whether_entries_are_scanned_or_read_by_term(
    sample_repo, monkeypatch
):
    """A process that asks many questions sorts the entries by term once (`bm25.POSTINGS_AFTER`);
    a one-off ask scans them. Both sum a chunk's score term by term in the query's order."""
    idx = open_index(Repo.open(sample_repo))
    queries = [{"csrf": 1.0, "token": 2.0, "check": 1.0}, {"price": 1.0, "discount": 1.0, "cart": 3.0}]
    scanned = [idx.bm25(q, limit=100) for q in queries]
    monkeypatch.setattr(bm25, "POSTINGS_AFTER", 1)
    idx.view().derived.clear()
    assert [idx.bm25(q, limit=100) for q in queries] == scanned and "postings" in idx.view().derived


def test_a_query_of_indexed_words_is_embedded_from_the_index_without_the_vocabulary(sample_repo):
    """The index's pieces already say which embedder rows its terms read as: a query made of
    them gets the vector the embedder computes itself, and the embedder's 70k-term vocabulary
    (~12 ms to build) is left unbuilt; a word the repository lacks still needs it."""
    from collections import Counter

    import numpy as np

    from scout.index.lexical import terms
    from scout.models.embedder import WEIGHTS, Embedder

    idx = open_index(Repo.open(sample_repo))
    idx.embedder = Embedder.load(WEIGHTS)  # a fresh copy: the process's own may have built it
    idx.update()
    own = Embedder.load(WEIGHTS)
    asked = Counter(terms("where is the CSRF token checked in the session"))
    assert np.array_equal(idx.embed_query(asked), own.embed(asked, query=True))
    assert idx.embedder._vocab is None
    unknown = Counter(terms("frobnicate the quuxes"))
    assert np.array_equal(idx.embed_query(unknown), own.embed(unknown, query=True))
    assert idx.embedder._vocab is not None


def test_names_match_across_ascii_case_and_a_non_ascii_name_exactly(tmp_path):
    (tmp_path / "grüße.py").write_text(
        "class ÄpfelKorb:\n    pass\n\n\ndef HTTPHandler():\n    return 1\n", encoding="utf-8"
    )
    idx = open_index(Repo.open(tmp_path))
    assert [d.name for d in store.definitions(idx.db, "httphandler")] == ["HTTPHandler"]
    assert [d.name for d in store.definitions(idx.db, "ÄpfelKorb")] == ["ÄpfelKorb"]
    assert [d.name for d in store.definitions(idx.db, "äpfelkorb")] == []  # SQLite folds ASCII only
    assert [d.name for d in store.definitions(idx.db, "pfelkorb", fuzzy=True)] == ["ÄpfelKorb"]
    plan = idx.db.execute("EXPLAIN QUERY PLAN SELECT id FROM defs WHERE lower(name)='x'").fetchall()
    assert "defs_name" in str(plan)  # a lookup by name reads the index, not the table


CPP_HEADER = """\
#pragma once
#include <string>

FMT_BEGIN_NAMESPACE
namespace detail {

template <typename Char> class basic_writer {
 public:
  explicit basic_writer(Char* out) : out_(out) {}
  void write_padded(const std::basic_string<Char>& s, int width);

 private:
  Char* out_;
};

}  // namespace detail
FMT_END_NAMESPACE
"""

C_HEADER = """\
#ifndef LIST_H
#define LIST_H
typedef struct node { struct node *next; int value; } node;
int list_length(const node *head);
#endif
"""


def test_a_header_that_reads_as_cpp_is_parsed_as_cpp_and_a_c_header_as_c(tmp_path):
    (tmp_path / "format.h").write_text(CPP_HEADER, encoding="utf-8")
    (tmp_path / "list.h").write_text(C_HEADER, encoding="utf-8")
    idx = open_index(Repo.open(tmp_path))
    cls, constructor = store.definitions(idx.db, "basic_writer")
    assert (cls.kind, cls.start_line, cls.end_line) == ("class", 7, 14)
    assert (constructor.kind, constructor.parent) == ("method", "basic_writer")
    [method] = store.definitions(idx.db, "write_padded")
    assert (method.kind, method.parent) == ("method", "basic_writer")
    assert [d.kind for d in store.definitions(idx.db, "list_length")] == ["function"]
    langs = dict(idx.db.execute("SELECT path, lang FROM files").fetchall())
    assert (langs["format.h"], langs["list.h"]) == ("cpp", "c")


FLOW_SOURCE = """\
// @flow
import type { Node } from "./types";

export default class ExpressionParser {
  parseMaybeAssign(refExpressionErrors?: ?ExpressionErrors): N.Expression {
    return this.parseExpression(refExpressionErrors);
  }

  isSimpleParamList(params: $ReadOnlyArray<N.Pattern>): boolean {
    return params.every(param => param.type === "Identifier");
  }
}
"""


def test_a_flow_typed_javascript_file_is_parsed_with_the_types_it_is_written_in(tmp_path):
    (tmp_path / "expression.js").write_text(FLOW_SOURCE, encoding="utf-8")
    (tmp_path / "plain.js").write_text("function add(a, b) {\n  return a + b;\n}\n", encoding="utf-8")
    idx = open_index(Repo.open(tmp_path))
    [method] = store.definitions(idx.db, "isSimpleParamList")
    assert (method.kind, method.start_line, method.end_line, method.parent) == (
        "method",
        9,
        11,
        "ExpressionParser",
    )
    assert [d.kind for d in store.definitions(idx.db, "parseMaybeAssign")] == ["method"]
    langs = dict(idx.db.execute("SELECT path, lang FROM files").fetchall())
    assert (langs["expression.js"], langs["plain.js"]) == ("tsx", "javascript")


def test_references_survive_packing_in_line_order_with_their_kinds(tmp_path):
    lines = ["def helper(x):", "    return x", ""]
    lines += [f"def caller_{i}():\n    return helper({i}) + helper({i + 1})\n" for i in range(200)]
    (tmp_path / "many.py").write_text("\n".join(lines), encoding="utf-8")
    idx = open_index(Repo.open(tmp_path))
    refs = store.references(idx.db, "helper", limit=1000)
    assert [r.line for r in refs] == [5 + 3 * i for i in range(200)]  # one a line, in line order
    assert {r.kind for r in refs} == {"call"}
    window = store.references_within(idx.db, "many.py", 5, 8)
    assert [(r.name, r.line) for r in window] == [("helper", 5), ("helper", 8)]


def test_a_count_above_what_an_entry_holds_is_capped_and_a_term_id_past_it_is_refused(tmp_path, monkeypatch):
    (tmp_path / "loud.py").write_text("def loud():\n" + "    boom()\n" * 400)
    idx = open_index(Repo.open(tmp_path))
    [(chunk, bag)] = [(c, b) for c, b in idx.chunk_bags().items() if "boom" in b]
    assert bag["boom"] == bags.MAX_TF == 255
    monkeypatch.setattr(bags, "MAX_TERM", idx.view().state.pieces + 2)
    (tmp_path / "more.py").write_text("def fresh_words():\n    return alpha_beta_gamma + delta_epsilon\n")
    with pytest.raises(Exception, match="distinct terms"):
        idx.update()
    assert store.definitions(idx.db, "fresh_words") == []  # nothing of the refused write is kept
    assert idx.chunk_bags()[chunk]["boom"] == 255
