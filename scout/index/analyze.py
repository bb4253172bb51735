"""One file → its record for the index: hash, definitions, references, chunks. Pure; runs in workers."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from scout.index.chunks import chunk_file
from scout.index.files import decode, is_binary, is_minified
from scout.index.languages import language_for
from scout.index.records import FileRecord
from scout.index.tags import extract

# Text worth lexical search even without a grammar; translations (.po) and data are left to grep.
PROSE_EXTENSIONS = frozenset(
    """.md .rst .txt .html .htm .css .scss .json .yaml .yml .toml .cfg .ini .xml .sql .proto .graphql
    .vue .svelte .erb .jinja .j2 .tpl .py-tpl .gradle .cmake .mk .dockerfile""".split()
)
PROSE_NAMES = frozenset({"Makefile", "Dockerfile", "README", "CMakeLists.txt", "Rakefile", "Gemfile"})


def searchable(path: str) -> bool:
    p = PurePosixPath(path)
    return language_for(path) is not None or p.suffix.lower() in PROSE_EXTENSIONS or p.name in PROSE_NAMES


def analyze(root: str, path: str, size: int, mtime_ns: int) -> FileRecord:
    data = (Path(root) / path).read_bytes()
    sha1 = hashlib.sha1(data).hexdigest()
    lang = language_for(path)
    if is_binary(data) or not searchable(path):
        return FileRecord(path, size, mtime_ns, sha1, lang, chunked=False)
    text = decode(data)
    if is_minified(text):
        return FileRecord(path, size, mtime_ns, sha1, lang, chunked=False)
    lines = text.splitlines()
    defs, refs = extract(lang, text, path) if lang else ([], [])
    chunks = chunk_file(path, lines, defs)
    return FileRecord(path, size, mtime_ns, sha1, lang, True, len(lines), defs, refs, chunks)


def analyze_args(args: tuple[str, str, int, int]) -> FileRecord | None:
    """Pool-friendly wrapper: a file that vanished or cannot be read is skipped, not fatal."""
    try:
        return analyze(*args)
    except OSError:
        return None
