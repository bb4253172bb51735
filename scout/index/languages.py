"""File extension → tree-sitter grammar (from the pinned per-language wheels) and our tags query."""

from __future__ import annotations

import ctypes
import importlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tree-sitter loads with the first grammar: naming a language costs nothing
    from tree_sitter import Language, Query


@dataclass(frozen=True)
class LanguageSpec:
    name: str  # also the stem of grammars/<name>-tags.scm
    module: str
    function: str = "language"
    qualifier: str = ""  # how names are written qualified (`A.B` or `A::B`): `B` inside `A`, see tags.py


INHERITS = re.compile(r"^; inherits: ([\w,]+)[ \t]*$", re.M)  # see grammars/README.md

SPECS = {
    s.name: s
    for s in [
        LanguageSpec("python", "tree_sitter_python"),
        LanguageSpec("javascript", "tree_sitter_javascript"),
        LanguageSpec("typescript", "tree_sitter_typescript", "language_typescript"),
        LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx"),
        LanguageSpec("go", "tree_sitter_go"),
        LanguageSpec("rust", "tree_sitter_rust"),
        LanguageSpec("java", "tree_sitter_java"),
        LanguageSpec("c", "tree_sitter_c"),
        LanguageSpec("cpp", "tree_sitter_cpp"),
        LanguageSpec("c_sharp", "tree_sitter_c_sharp"),
        LanguageSpec("ruby", "tree_sitter_ruby"),
        LanguageSpec("php", "tree_sitter_php", "language_php"),
        LanguageSpec("kotlin", "tree_sitter_kotlin"),
        LanguageSpec("swift", "tree_sitter_swift"),
        LanguageSpec("scala", "tree_sitter_scala"),
        LanguageSpec("bash", "tree_sitter_bash"),
        LanguageSpec("lua", "tree_sitter_lua"),
        LanguageSpec("elixir", "tree_sitter_elixir", qualifier="."),
        LanguageSpec("haskell", "tree_sitter_haskell"),
        LanguageSpec("ocaml", "tree_sitter_ocaml", "language_ocaml"),
        LanguageSpec("ocaml_interface", "tree_sitter_ocaml", "language_ocaml_interface"),
        LanguageSpec("dart", "tree_sitter_dart"),
        LanguageSpec("zig", "tree_sitter_zig"),
        LanguageSpec("perl", "tree_sitter_perl", qualifier="::"),
        LanguageSpec("hcl", "tree_sitter_hcl"),
        LanguageSpec("sql", "tree_sitter_sql"),
    ]
}

EXTENSIONS = {
    ".py": "python", ".pyi": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp",
    ".cs": "c_sharp",
    ".rb": "ruby", ".rake": "ruby",
    ".php": "php",
    ".kt": "kotlin", ".kts": "kotlin",
    ".swift": "swift",
    ".scala": "scala", ".sc": "scala",
    ".sh": "bash", ".bash": "bash",
    ".lua": "lua",
    ".ex": "elixir", ".exs": "elixir",
    ".hs": "haskell",
    ".ml": "ocaml", ".mli": "ocaml_interface",
    ".dart": "dart",
    ".zig": "zig",
    ".pl": "perl", ".pm": "perl",
    ".tf": "hcl", ".hcl": "hcl",
    ".sql": "sql",
}  # fmt: skip


# Code-block tags for Markdown where they differ from the language name, and for prose files.
FENCE_NAMES = {"c_sharp": "csharp", "ocaml_interface": "ocaml"}
PROSE_FENCES = {".md": "markdown", ".html": "html", ".json": "json", ".yaml": "yaml", ".yml": "yaml",
                ".toml": "toml", ".rst": "rst"}  # fmt: skip


def suffix_pattern(extra: tuple[str, ...] = ()) -> str:
    """A regex alternation of every extension scout parses (and `extra` ones), without dots,
    longest first: for finding file names in free text such as issues and CI logs."""
    suffixes = {s.lstrip(".") for s in EXTENSIONS} | set(extra)
    return "|".join(sorted(suffixes, key=lambda s: (-len(s), s)))


def fence_for(path: str) -> str:
    """The Markdown code-block tag for a file's text ('' when none fits)."""
    suffix = suffix_of(path)
    lang = EXTENSIONS.get(suffix)
    return FENCE_NAMES.get(lang, lang) if lang else PROSE_FENCES.get(suffix, "")


def language_for(path: str) -> str | None:
    """The language name for a repo path, or None when scout has no grammar for it."""
    return EXTENSIONS.get(suffix_of(path))


# `.h` is the header of C and of C++ alike. Read with C's grammar, a C++ header's templates,
# namespaces and classes are errors and most of its definitions are lost: fmt's `format.h` (where
# its issues are fixed) kept a fraction, and 12 of the 20 changed places in SWE-bench
# Multilingual's C++ tasks lay outside any definition. A header whose text has a line only C++
# writes is read as C++.
CPP_LINE = re.compile(
    r"^[ \t]*(?:template[ \t]*<"  # template <typename T>
    r"|namespace(?:[ \t]+[\w:]+)?[ \t]*\{"  # namespace fmt {
    r"|(?:class|struct)[ \t]+\w+[ \t]*(?:final[ \t]*)?:[ \t]*(?:public|private|protected)\b"  # A : public B
    r"|(?:public|private|protected)[ \t]*:"  # access labels
    r"|using[ \t]+namespace\b)",
    re.M,
)
SNIFF_CHARS = 65_536  # a header shows what it is well before this


# A JavaScript file that says `@flow` at its head is written with Flow's type annotations, which
# JavaScript's grammar cannot read: babel's parser (`expression.js`, 2,976 lines) kept 67 of its
# definitions. TSX's grammar reads Flow's annotations as types, and JSX beside them.
FLOW_MARK = re.compile(r"@flow\b")
FLOW_CHARS = 2048  # Flow wants the mark in the file's first comment


def parsed_as(path: str, text: str | bytes) -> str | None:
    """The grammar a file's text is parsed with: `language_for(path)`, but C++ for a `.h` file
    whose text reads as C++, and TSX for JavaScript with Flow's types."""
    lang = language_for(path)
    if lang == "c" and suffix_of(path) == ".h" and CPP_LINE.search(_head(text, SNIFF_CHARS)):
        return "cpp"
    if lang == "javascript" and FLOW_MARK.search(_head(text, FLOW_CHARS)):
        return "tsx"
    return lang


def _head(text: str | bytes, chars: int) -> str:
    head = text[:chars]
    return head.decode("utf-8", "replace") if isinstance(head, bytes) else head


@lru_cache(maxsize=1 << 16)
def suffix_of(path: str) -> str:
    """`PurePosixPath(path).suffix.lower()` for a repository path (normalised: no `.` parts) without
    building a path: the explorer asks it of every candidate file many times a question (a third
    of its ranking time went to pathlib)."""
    name = path.rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def grammars_dir() -> Path:
    """`scout/grammars` inside an installed wheel; the checkout's top-level `grammars/` otherwise."""
    package = Path(__file__).parent.parent
    for candidate in (package / "grammars", package.parent / "grammars"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("scout's grammars/ directory is missing from this installation")


@cache
def grammar(name: str) -> Language:
    from tree_sitter import Language

    spec = SPECS[name]
    return Language(_capsule(getattr(importlib.import_module(spec.module), spec.function)()))


CAPSULE_NAME = b"tree_sitter.Language"  # what py-tree-sitter asks for; lives as long as the capsules


def _capsule(language: object) -> object:
    """The grammar as the capsule py-tree-sitter takes. tree-sitter-perl's binding still returns a
    bare pointer, which py-tree-sitter accepts only with a DeprecationWarning (an error under
    pytest, and support for it is on its way out)."""
    if not isinstance(language, int):
        return language
    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
    return new(language, CAPSULE_NAME, None)


@cache
def tags_query(name: str) -> Query:
    from tree_sitter import Query

    return Query(grammar(name), query_source(name))


def query_source(name: str) -> str:
    """grammars/<name>-tags.scm with the files it names in `; inherits: a,b` lines placed first
    (a superset grammar such as TSX reuses TypeScript's patterns instead of copying them)."""
    source = (grammars_dir() / f"{name}-tags.scm").read_text(encoding="utf-8")
    parents = [p for m in INHERITS.finditer(source) for p in m.group(1).split(",")]
    return "".join(query_source(p) + "\n" for p in parents) + source
