"""The SQLite index on real files: build, incremental updates, repair of corrupt or old files."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import time

import pytest
from test_concurrency import many_files
from test_concurrency import scout as scout_popen

from scout.index import index as index_module
from scout.index import index_path, open_index, store
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
    repo = many_files(tmp_path / "repo", 5000)
    run = scout_popen("index", "--repo", str(repo))
    path = index_path(Repo.open(repo))
    kept = 0
    while run.poll() is None and kept < index_module.BATCH_FILES:
        time.sleep(0.05)
        kept = _count(path)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "interrupted" in err, err
    kept = _count(path)
    assert kept % index_module.BATCH_FILES == 0 and index_module.BATCH_FILES <= kept < 5000
    again = scout_popen("index", "--repo", str(repo), "--json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out)["added"] == 5000 - kept


def _count(path) -> int:
    try:
        conn = sqlite3.connect(path, timeout=5)
        try:
            return conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0
