"""Which files of a repository scout looks at, and how their bytes become text.

Listing follows ripgrep (`rg --files`: .gitignore, .ignore, hidden files skipped) plus a
`.scoutignore` at the root. Binary, minified and oversized files are skipped; text is decoded as
UTF-8 with replacement so bad bytes never stop a run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from scout.index.ripgrep import run_rg
from scout.index.statcheck import stat_path
from scout.repo import Repo

DEFAULT_MAX_FILE_BYTES = 1_000_000
SNIFF_BYTES = 8192
MINIFIED_LINE_CHARS = 500  # a file whose average line is longer than this is generated/minified
# Code that exercises the project rather than being it: tests, and benchmarks (abseil's
# *_benchmark.cc files outranked the headers a question was about).
# Test-like code: it uses the project's code rather than being it (tests, benchmarks, examples, demos,
# tutorials); the explorer ranks it below the rest unless the question asks for it.
TEST_PATH_WORDS = frozenset(
    """test tests testing spec __tests__ benchmark benchmarks benches examples example samples sample demo
    demos docs_src tutorial tutorials fuzz fuzzing fuzzer fuzzers testdata fixtures e2e""".split()
)
DOC_SUFFIXES = (".txt", ".rst", ".md", ".html")
HTML = (".html", ".htm")


@dataclass(frozen=True)
class FileInfo:
    path: str  # repo-relative POSIX
    size: int
    mtime_ns: int


def list_files(repo: Repo, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[FileInfo]:
    """Repository files the way `rg --files` sees them, minus huge ones, sorted by path."""
    args = ["--files", "--no-require-git", "--no-messages"]
    scoutignore = repo.root / ".scoutignore"
    if scoutignore.is_file():
        args += ["--ignore-file", str(scoutignore)]
    _, out = run_rg(args, cwd=repo.root, timeout=60)
    files = []
    for rel in out.split("\n"):  # not splitlines(): a file name may hold U+2028 or a form feed
        if not rel:
            continue
        info = stat_file(repo, rel)
        if info and info.size <= max_bytes:
            files.append(info)
    return sorted(files, key=lambda f: f.path)


def stat_file(repo: Repo, rel: str) -> FileInfo | None:
    found = stat_path(str(repo.root), rel)
    return FileInfo(rel.replace(os.sep, "/"), *found) if found else None


def stat_files(repo: Repo, paths: Iterable[str], max_bytes: int) -> dict[str, FileInfo]:
    """`stat_file` for many paths (those that are files of at most `max_bytes`)."""
    return {info.path: info for rel in paths if (info := stat_file(repo, rel)) and info.size <= max_bytes}


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:SNIFF_BYTES]


def is_minified(text: str) -> bool:
    lines = text.count("\n") + 1
    return len(text) > 2000 and len(text) / lines > MINIFIED_LINE_CHARS


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def read_text(repo: Repo, rel: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str | None:
    """The file's text, or None for binary, minified or oversized files."""
    path = repo.resolve(rel)
    if path.stat().st_size > max_bytes:
        return None
    data = path.read_bytes()
    if is_binary(data):
        return None
    text = decode(data)
    return None if is_minified(text) else text


# --- what kind of file a path is: tests, docs, code a project carries but does not own ----------
# The explorer asks these of every candidate file many times a question: they are remembered.
KINDS_CACHED = 1 << 16


@lru_cache(maxsize=KINDS_CACHED)
def is_test_path(path: str) -> bool:
    """Code that uses the project rather than being it: tests, examples, benchmarks, fuzzers. A
    folder counts with leading dots and underscores off (chi's `_examples/`), and so does a file
    named test or tests (cJSON's `test.c`)."""
    parts = path.lower().split("/")
    folders = [p.lstrip("._") for p in parts[:-1]]
    name = path.rsplit("/", 1)[-1]
    return (
        any(p in TEST_PATH_WORDS for p in [*folders, parts[-1]])
        or any(p.startswith("test_") for p in parts)
        or parts[-1].split(".", 1)[0] in ("test", "tests")
        or bool(TEST_FILE.search(name))
    )


TEST_MODULES = ("tests.", "test.")


def in_test_module(symbol: str | None) -> bool:
    """A definition inside a module of tests in a source file: Rust's `#[cfg(test)] mod tests`
    holds a crate's unit tests beside the code (delta's `tests.test_feature_flag…` answered where
    `.gitconfig` settings are read)."""
    return symbol is not None and symbol.startswith(TEST_MODULES)


def is_test_code(path: str, symbol: str | None = None) -> bool:
    """Test code: in a test file (`is_test_path`), or, given its symbol, in a source file's module
    of tests (`in_test_module`)."""
    return is_test_path(path) or in_test_module(symbol)


# A test file by its name, in each language's habit: foo_test.cc, foo_spec.rb, foo.test.tsx,
# FooTest.java, FooTests.cs (abseil's *_test.cc files outranked the code they test).
TEST_FILE = re.compile(
    r"(?:_test|_tests|_spec|_benchmark|_bench)\.\w+$|\.(?:test|spec|bench)\.[jt]sx?$|\.(?:test|spec)\.m[jt]s$"
    r"|[a-z0-9](?:Test|Tests|Spec|Benchmark)\.(?:java|kt|scala|cs|php|swift|groovy)$"
)


VENDOR_PARTS = frozenset(
    """vendor vendored _vendor third_party thirdparty extern external node_modules bower_components
    dist""".split()
)


@lru_cache(maxsize=KINDS_CACHED)
def is_vendored_path(path: str) -> bool:
    """Code a project carries but does not own: bundled libraries, minified or static assets."""
    parts = path.lower().split("/")
    return is_vendored_tree(path) or ("static" in parts[:-1] and parts[-1].endswith((".js", ".css")))


@lru_cache(maxsize=KINDS_CACHED)
def is_vendored_tree(path: str) -> bool:
    """In a directory of bundled code (vendor/, third_party/, node_modules/, dist/...) or minified."""
    parts = path.lower().split("/")
    return any(p in VENDOR_PARTS for p in parts[:-1]) or ".min." in parts[-1]


# Files that describe code without being it: TypeScript declarations (`index.d.ts` restates the
# API that `lib/` implements) and build tools' configuration (Gruntfile.js, karma.conf.js,
# rollup.config.mjs). Their words match almost any issue about the API or the build, and in
# preact's and axios's issues they filled the answers while never being the only file fixed.
DESCRIBES_CODE = re.compile(
    r"\.d\.[cm]?ts$|^(?:gruntfile|gulpfile|karma\.conf|\.eslintrc|[\w-]+\.config)\.[cm]?[jt]s$"
)


@lru_cache(maxsize=KINDS_CACHED)
def describes_code(path: str) -> bool:
    """A type declaration file or a build tool's configuration (`DESCRIBES_CODE`)."""
    return bool(DESCRIBES_CODE.search(path.rsplit("/", 1)[-1].lower()))


@lru_cache(maxsize=KINDS_CACHED)
def is_doc_path(path: str) -> bool:
    return path.lower().endswith(DOC_SUFFIXES) or path.lower().startswith(("docs/", "doc/"))


def generated_or_vendored(path: str) -> bool:
    """Whether the `index_vendored` setting can change how this file is indexed (by its path):
    HTML (`analyze` reads whether a page was generated) and vendored trees."""
    return path.lower().endswith(HTML) or is_vendored_tree(path)


def chunking_key(vendored: bool) -> str:
    """What the index records of the `index_vendored` setting: a change re-reads the files it
    concerns."""
    return "all" if vendored else "own"
