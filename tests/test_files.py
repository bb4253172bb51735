"""Which files scout sees, and how it reads them: real `rg --files` listings on real directories."""

from __future__ import annotations

import os

import pytest

from scout.errors import OutsideRepoError, RepoError
from scout.index.files import describes_code, is_test_path, list_files, read_text
from scout.repo import Repo


def _paths(root, **kw):
    return [f.path for f in list_files(Repo.open(root), **kw)]


def test_listing_respects_gitignore_ignore_scoutignore_and_hidden(tmp_path):
    (tmp_path / ".git").mkdir()  # rg honours .gitignore in a git repo
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / ".ignore").write_text("*.log\n")
    (tmp_path / ".scoutignore").write_text("vendor/\n")
    for rel in ["src/app.py", "build/out.py", "debug.log", "vendor/lib.py", ".hidden/secret.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x = 1\n")
    assert _paths(tmp_path) == ["src/app.py"]


def test_huge_files_are_skipped_by_the_size_cap(tmp_path):
    (tmp_path / "small.py").write_text("a = 1\n")
    (tmp_path / "big.py").write_text("b = 2\n" * 1000)
    assert _paths(tmp_path, max_bytes=100) == ["small.py"]
    assert _paths(tmp_path) == ["big.py", "small.py"]


def test_binary_and_minified_files_read_as_none(tmp_path):
    (tmp_path / "blob.py").write_bytes(b"abc\x00def")
    (tmp_path / "app.min.js").write_text("var a=1;" * 2000)
    repo = Repo.open(tmp_path)
    assert read_text(repo, "blob.py") is None
    assert read_text(repo, "app.min.js") is None


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    (tmp_path / "latin.py").write_bytes(b"name = 'caf\xe9'\n")
    text = read_text(Repo.open(tmp_path), "latin.py")
    assert text == "name = 'caf\ufffd'\n"


def test_paths_outside_the_repo_are_refused(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("s3cret")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    repo = Repo.open(root)
    for bad in ["../secret.txt", str(tmp_path / "secret.txt"), "link.txt"]:
        with pytest.raises(OutsideRepoError):
            repo.resolve(bad)
    assert "link.txt" not in _paths(root)


def test_missing_repository_is_a_clear_error(tmp_path):
    with pytest.raises(RepoError, match="not found"):
        Repo.open(tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(RepoError, match="not a directory"):
        Repo.open(tmp_path / "file")


def test_a_paths_suffix_is_read_as_pathlib_reads_it_without_building_a_path():
    from pathlib import PurePosixPath

    from scout.index.languages import language_for, suffix_of

    paths = ["a/b.PY", "x.tar.gz", ".bashrc", "foo.", "dir.d/file", "a/b/c", "weird..py", "..", "Makefile"]
    assert [suffix_of(p) for p in paths] == [PurePosixPath(p).suffix.lower() for p in paths]
    assert (language_for("shop/cart/pricing.PY"), language_for("dir.py/notes")) == ("python", None)


@pytest.mark.parametrize(
    ("path", "test"),
    [
        ("absl/strings/str_cat_test.cc", True),
        ("lib/foo_spec.rb", True),
        ("src/menu.test.tsx", True),
        ("src/main/java/org/x/ParserTest.java", True),
        ("Foo/FooTests.cs", True),
        ("test/shop/inventory_test.exs", True),
        ("pkg/foo_test.go", True),
        ("tests/x.py", True),
        ("src/Contest.java", False),
        ("src/attest.rs", False),
        ("app/Testing.java", False),
        ("absl/strings/str_cat.cc", False),
        ("absl/container/btree_benchmark.cc", True),  # benchmarks exercise the code, like tests
        ("benches/parse.rs", True),
        ("gson/src/jmh/ParseBenchmark.java", True),
        ("src/lib/lexer.bench.ts", True),
        ("src/benchmark.rs", False),  # a module named so (a benchmarking tool's own code)
        ("_examples/rest/main.go", True),  # a folder with a leading underscore or dot
        ("fuzzing/afl.c", True),
        ("test.c", True),
        ("internal/configs/testdata/error-files/destroy.tf", True),
        ("discovery/puppetdb/fixtures/vhosts.json", True),
        ("src/testing/latest.py", True),
        ("src/_internal/example_utils.py", False),
    ],
)
def test_test_files_are_known_by_each_languages_naming_habit(path, test):
    assert is_test_path(path) is test


@pytest.mark.parametrize(
    ("path", "describes"),
    [
        ("index.d.ts", True),
        ("src/jsx.d.ts", True),
        ("index.d.cts", True),
        ("Gruntfile.js", True),
        ("karma.conf.js", True),
        ("babel.config.js", True),
        ("rollup.config.mjs", True),
        (".eslintrc.cjs", True),
        ("src/index.ts", False),
        ("lib/config.js", False),
        ("lib/defaults.d/index.js", False),
    ],
)
def test_declarations_and_build_configs_describe_code_without_being_it(path, describes):
    assert describes_code(path) is describes
