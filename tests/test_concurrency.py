"""Several scout processes on one index: no false "corrupt" rebuild, no integrity error, and every
reader sees a whole update or none of it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from pathlib import Path

from conftest import SCOUT, scout_env

from scout.index import index_path, store
from scout.repo import Repo


def many_files(root: Path, n: int = 400) -> Path:
    for i in range(n):
        pkg = root / f"pkg{i % 10}"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / f"mod{i}.py").write_text(
            f'"""Module {i}."""\n\n\ndef compute_{i}(value):\n    return value * {i}\n\n\n'
            f"class Handler{i}:\n    def handle(self, request):\n        return compute_{i}(request)\n"
        )
    return root


def scout(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*SCOUT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=scout_env()
    )


def test_two_index_builds_at_once_both_succeed_without_a_corrupt_warning(tmp_path):
    repo = many_files(tmp_path / "repo")
    procs = [scout("index", "--repo", str(repo), "--json") for _ in range(3)]
    procs.append(
        scout("ask", "compute handler request", "--repo", str(repo), "--json", "--explorer", "heuristic")
    )
    results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    for out, err, code in results:
        assert code == 0, (err, out[:3000])  # exit 1 with no stderr is an ask that found nothing
        assert "corrupt" not in err and "IntegrityError" not in err and "internal error" not in err
    assert json.loads(results[0][0])["files"] == 400
    assert json.loads(results[-1][0])["answer"]


def test_an_index_created_but_not_yet_built_is_not_rebuilt_by_the_next_process(tmp_path, caplog):
    # Between the schema's creation and the first build's commit there is no bag state yet: a
    # process opening it then once took it for an index that lost its term files, rebuilt it and
    # swapped the file under the builder (an ask beside three `scout index` answered nothing).
    path = tmp_path / "i.sqlite"
    store.ensure_schema(path)
    store.ensure_schema(path)
    assert "rebuilding" not in caplog.text


def test_an_empty_index_file_being_created_is_not_corrupt(tmp_path, caplog):
    path = tmp_path / "i.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=0")  # what another process's brand-new file looks like
    conn.close()
    store.ensure_schema(path)
    assert "rebuilding" not in caplog.text
    conn = sqlite3.connect(path)
    assert (
        conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        == store.SCHEMA_VERSION
    )


def test_a_reader_sees_an_update_whole_or_not_at_all(tmp_path):
    repo = many_files(tmp_path / "repo", 50)
    build = scout("index", "--repo", str(repo))
    assert build.communicate(timeout=120) and build.returncode == 0
    path = index_path(Repo.open(repo))
    seen: set[tuple[int, int]] = set()
    stop = threading.Event()

    def counts(conn: sqlite3.Connection) -> tuple[int, int]:
        conn.execute("BEGIN")  # one read transaction: one snapshot for both counts
        files = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        defs = conn.execute("SELECT COUNT(*) FROM defs").fetchone()[0]
        conn.execute("COMMIT")
        return files, defs

    def read() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        while not stop.is_set():
            seen.add(counts(conn))
        conn.close()

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(50, 80):  # 30 more files, one update
        (repo / f"extra{i}.py").write_text(f"def extra_{i}():\n    return {i}\n")
    update = scout("index", "--repo", str(repo))
    assert update.communicate(timeout=120) and update.returncode == 0
    stop.set()
    reader.join()
    # before: 50 files, 3 defs each; after: 80 files, 30 more defs. Nothing in between.
    assert seen <= {(50, 150), (80, 180)} and (50, 150) in seen
    after = sqlite3.connect(path, isolation_level=None)
    assert counts(after) == (80, 180)
    after.close()
