"""`scout cache list | clear | prune` and the size cap, on real index files in a temporary cache."""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import run_scout

from scout.config import load_settings

DAY = 86400


def cache_dir() -> Path:
    return Path(os.environ["SCOUT_CACHE_DIR"])


def index_of(repo: Path) -> Path:
    out = run_scout("index", "--repo", str(repo), "--json")
    assert out.returncode == 0, out.stderr
    return Path(json.loads(out.stdout)["index"])


def listed() -> dict[str, dict]:
    out = run_scout("cache", "list", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["cache"] == str(cache_dir() / "index")
    return {e["index"]: e for e in data["indexes"]}


def age(index: Path, days: float) -> None:
    """Make an index look unused for `days` (its file, companions and sidecar)."""
    when = time.time() - days * DAY
    for path in index.parent.glob(index.name + "*"):
        os.utime(path, (when, when))


def on_disk(index: Path) -> list[str]:
    return sorted(p.name for p in index.parent.glob(index.name + "*"))


@pytest.fixture
def two_repos(sample_repo: Path, tmp_path: Path) -> tuple[Path, Path]:
    other = tmp_path / "other_repo"
    shutil.copytree(sample_repo, other)
    return sample_repo, other


def test_list_shows_each_index_with_its_repository_size_files_and_whether_it_exists(two_repos):
    kept, gone = two_repos
    kept_index = index_of(kept)
    out = run_scout("ask", "where is the CSRF token checked", "--repo", str(gone), "--explorer", "heuristic")
    assert out.returncode == 0, out.stderr  # ask records its index too
    shutil.rmtree(gone)
    entries = listed()
    assert len(entries) == 2
    mine = entries[str(kept_index)]
    assert mine["root"] == str(kept) and mine["exists"] is True
    assert mine["files"] == len([p for p in kept.rglob("*") if p.is_file() and ".git" not in p.parts])
    assert mine["bytes"] == sum(p.stat().st_size for p in kept_index.parent.glob(kept_index.name + "*"))
    assert Path(mine["index"]).parent == cache_dir() / "index"
    (missing,) = [e for e in entries.values() if e["root"] == str(gone)]
    assert missing["exists"] is False and missing["files"] == mine["files"]
    text = run_scout("cache", "list").stdout
    assert f"{gone} (missing)" in text and str(kept) in text and kept_index.name in text
    assert text.splitlines()[-1].startswith("2 indexes, ") and str(cache_dir() / "index") in text


def test_clear_removes_one_repositorys_index_with_its_wal_and_shm_and_nothing_else(two_repos):
    first, second = two_repos
    first_index, second_index = index_of(first), index_of(second)
    bystander = cache_dir() / "llm" / "reply.json"  # another cache beside the indexes
    bystander.parent.mkdir()
    bystander.write_text("{}")
    reader = sqlite3.connect(first_index)  # an open WAL reader: -wal and -shm exist on disk
    reader.execute("SELECT count(*) FROM files").fetchone()
    assert {first_index.name + "-wal", first_index.name + "-shm"} <= set(on_disk(first_index))
    try:
        refused = run_scout("cache", "clear", str(first))
        assert refused.returncode == 2 and refused.stdout == ""
        assert refused.stderr.splitlines() == [
            "scout: error: not deleting without confirmation (pass --yes when not on a terminal)"
        ]
        assert first_index.exists()
        out = run_scout("cache", "clear", str(first), "--yes")
    finally:
        reader.close()
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"removed {first} (")
    assert on_disk(first_index) == []  # its term files (.g0.bags, ...) included
    term_files = [f"{second_index.name}.g0.{kind}" for kind in ("bags", "pieces", "rows")]
    companions = [second_index.name + ".json", second_index.name + ".writer"]  # .writer: the update lock
    assert on_disk(second_index) == sorted([second_index.name, *companions, *term_files])
    assert bystander.read_text() == "{}"
    again = run_scout("cache", "clear", str(first), "--yes")
    assert again.returncode == 1 and f"no index for {first}" in again.stderr


def test_clear_finds_the_index_of_a_repository_that_is_gone_and_all_clears_only_indexes(two_repos):
    first, second = two_repos
    index_of(first)
    second_index = index_of(second)
    shutil.rmtree(second)
    out = run_scout("cache", "clear", str(second), "--yes", "--json")
    assert out.returncode == 0, out.stderr
    assert [e["root"] for e in json.loads(out.stdout)["removed"]] == [str(second)]
    assert on_disk(second_index) == []
    (cache_dir() / "notes.txt").write_text("keep me")
    out = run_scout("cache", "clear", "--all", "--yes")
    assert out.returncode == 0, out.stderr
    assert list((cache_dir() / "index").iterdir()) == []
    assert (cache_dir() / "notes.txt").read_text() == "keep me"
    neither = run_scout("cache", "clear")
    assert neither.returncode == 2 and len(neither.stderr.splitlines()) == 1


def test_prune_by_age_and_by_missing_repository(two_repos, tmp_path):
    old_repo, gone_repo = two_repos
    fresh_repo = tmp_path / "fresh"
    shutil.copytree(old_repo, fresh_repo)
    old, gone, fresh = index_of(old_repo), index_of(gone_repo), index_of(fresh_repo)
    age(old, 40)
    shutil.rmtree(gone_repo)
    preview = run_scout("cache", "prune", "--older-than", "30d", "--dry-run")
    assert preview.returncode == 0 and preview.stdout.startswith(f"would remove {old_repo} (")
    assert old.exists()
    out = run_scout("cache", "prune", "--older-than", "4w", "--json")
    assert [e["root"] for e in json.loads(out.stdout)["removed"]] == [str(old_repo)]
    assert on_disk(old) == [] and gone.exists() and fresh.exists()
    out = run_scout("cache", "prune", "--missing")
    assert out.returncode == 0 and out.stdout.startswith(f"removed {gone_repo} (missing)")
    assert on_disk(gone) == [] and fresh.exists()
    assert run_scout("cache", "prune", "--older-than", "1h").stdout == "nothing to prune\n"
    # issue 24: a dry run that matches nothing said nothing at all
    assert run_scout("cache", "prune", "--older-than", "1h", "--dry-run").stdout == "nothing to prune\n"
    for bad in (["--older-than", "30"], ["--older-than", "3 months"], []):
        out = run_scout("cache", "prune", *bad)
        assert out.returncode == 2 and len(out.stderr.splitlines()) == 1, out.stderr


def big_repo(root: Path) -> Path:
    """A repository whose index takes over 1 MB, so a cap in whole MB can hold two but not three."""
    root.mkdir()
    for i in range(200):
        body = "\n".join(
            f"def fn_{i}_{j}(alpha_{j}, beta_{i}):\n    return alpha_{j} * beta_{i}\n" for j in range(40)
        )
        root.joinpath(f"m{i}.py").write_text(body)
    return root


def test_cache_max_mb_evicts_the_least_recently_used_never_the_one_just_used(tmp_path):
    a, b, c = (big_repo(tmp_path / name) for name in "abc")
    ia, ib = index_of(a), index_of(b)
    age(ia, 3)
    age(ib, 1)
    size = max(e["bytes"] for e in listed().values())
    cap = math.ceil(2 * size / 2**20)  # room for two indexes, not three
    assert cap * 2**20 < 3 * min(e["bytes"] for e in listed().values())
    Path(os.environ["SCOUT_CONFIG"]).write_text(f"cache_max_mb = {cap}\n")
    ic = index_of(c)
    assert set(listed()) == {str(ib), str(ic)}  # a, the least recently used, went
    out = run_scout(
        "ask", "fn_1_2 alpha", "--repo", str(b), "--explorer", "heuristic", env={"SCOUT_CACHE_MAX_MB": "1"}
    )
    assert out.returncode == 0, out.stderr
    assert set(listed()) == {str(ib)}  # a cap below one index still keeps the index in use
    assert on_disk(ic) == []


def test_a_repository_may_not_set_the_cache_cap(sample_repo):
    (sample_repo / "scout.toml").write_text("cache_max_mb = 1\nmax_spans = 3\n")
    settings = load_settings(sample_repo)
    assert settings.cache_max_mb is None and settings.max_spans == 3
    assert load_settings(sample_repo, env={"SCOUT_CACHE_MAX_MB": "500"}).cache_max_mb == 500
