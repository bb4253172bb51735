"""The repository as it stands at the mined commit: its files, their bytes, their definitions.

Docstring questions, README sections and test names all read the tree at one commit (the mined
HEAD) and resolve names to definitions there. One `HeadTree` parses each source file once for all of
them, through one `git cat-file --batch` process.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from scout.index.files import is_doc_path, is_test_path, is_vendored_path
from scout.index.languages import language_for, parsed_as
from scout.index.records import Definition, Reference
from scout.index.tags import extract
from scout.learn.gitlog import Blobs, git

MAX_BYTES = 500_000  # larger files are generated tables or bundles, not code people ask about
# Definitions a question can be about; modules, fields, variables and Rust `impl` blocks are not
# (a Go package name is "defined" in every file of its package).
CODE_KINDS = frozenset("function method class interface struct enum trait type macro".split())
NOT_SOURCE_FILES = ("setup.py", "conftest.py", "noxfile.py", "_version.py")
# Test files beyond scout's path rule, by the names other ecosystems give them: date-fns'
# src/addDays/test.ts, FooTest.java, FooSpec.kt, foo_spec.rb; and folders such as Kotlin's jvmTest,
# Gradle's testFixtures, integration_tests.
TEST_FILE_NAME = re.compile(
    r"(?:^test_|_test\.|(?:^|[._-])(?:test|spec)s?\.\w+$|Tests?\.(?:java|kt|cs|swift|php|scala)$"
    r"|Spec\.(?:kt|scala|swift|groovy)$)"
)
TEST_DIR = re.compile(r"(?i:^test|[_-]tests?$)|[a-z]Test(?:s|Fixtures)?$")


def is_test_file(path: str) -> bool:
    *folders, name = path.split("/")
    return is_test_path(path) or bool(TEST_FILE_NAME.search(name)) or any(TEST_DIR.search(f) for f in folders)


def is_source(path: str) -> bool:
    """Code a project owns and ships: parseable, and not a test, doc or vendored file."""
    return bool(
        language_for(path)
        and not is_test_file(path)
        and not is_doc_path(path)
        and not is_vendored_path(path)
        and path.rsplit("/", 1)[-1] not in NOT_SOURCE_FILES
    )


class HeadTree:
    """The tree at `rev`, read lazily; definitions of source files are parsed once and kept."""

    def __init__(self, git_dir: Path, rev: str = "HEAD") -> None:
        self.commit = git(git_dir, "rev-parse", f"{rev}^{{commit}}").strip()
        listing = git(git_dir, "ls-tree", "-r", "-z", "--name-only", self.commit)
        self.paths = [p for p in listing.split("\0") if p]
        self.blobs = Blobs(git_dir)
        self._defs: dict[str, list[Definition]] = {}
        self._by_name: dict[str, list[Definition]] | None = None

    def read(self, path: str) -> bytes | None:
        data = self.blobs.read(self.commit, path)
        return data if data is not None and len(data) < MAX_BYTES else None

    def text(self, path: str) -> str | None:
        data = self.read(path)
        return data.decode("utf-8", "replace") if data is not None else None

    def source_paths(self) -> list[str]:
        return [p for p in self.paths if is_source(p)]

    def definitions(self, path: str) -> list[Definition]:
        if path not in self._defs:
            self._defs[path] = self.parse(path)[0]
        return self._defs[path]

    def parse(self, path: str) -> tuple[list[Definition], list[Reference]]:
        """Definitions and references of any parseable file (not kept: references are many)."""
        data = self.read(path) if language_for(path) else None
        lang = parsed_as(path, data) if data is not None else None
        return extract(lang, data, path) if lang else ([], [])

    def named(self, name: str) -> list[Definition]:
        """Source definitions (of `CODE_KINDS`) called `name`, over the whole tree."""
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for path in self.source_paths():
                for d in self.definitions(path):
                    if d.kind in CODE_KINDS:
                        self._by_name[d.name].append(d)
        return self._by_name.get(name, [])

    def close(self) -> None:
        self.blobs.close()

    def __enter__(self) -> HeadTree:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
