"""One training task: the benchmark's JSON Lines row, plus where it came from.

Every source (commits, docstrings, READMEs, tests) writes the same fields as the benchmark task
files (id, repo, base_commit, query, gold_files, gold_ranges, gold_functions) so the training code
and the evaluation read one format, and adds `source`, `language` and (in `mine`) `split`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from scout.index.languages import language_for
from scout.index.records import Definition

# The benchmark's language names (swebench_multilingual.jsonl, benchmarks/questions/plain.jsonl).
LANGUAGE_NAMES = {
    "python": "Python", "javascript": "JavaScript", "typescript": "TypeScript", "tsx": "TypeScript",
    "go": "Go", "rust": "Rust", "java": "Java", "c": "C", "cpp": "C++", "c_sharp": "C#", "ruby": "Ruby",
    "php": "PHP", "kotlin": "Kotlin", "swift": "Swift", "scala": "Scala", "bash": "Shell", "lua": "Lua",
    "elixir": "Elixir", "haskell": "Haskell", "ocaml": "OCaml", "ocaml_interface": "OCaml", "dart": "Dart",
    "zig": "Zig", "perl": "Perl", "hcl": "HCL", "sql": "SQL",
}  # fmt: skip


def language_of(paths: list[str]) -> str:
    """The language most of the gold files are written in ('' when none is known)."""
    names = Counter(LANGUAGE_NAMES[lang] for p in paths if (lang := language_for(p)))
    return names.most_common(1)[0][0] if names else ""


def normalise(text: str) -> str:
    """The key two queries are duplicates under: their words, lowercased."""
    return " ".join(re.findall(r"\w+", text.lower()))


def definition_task(
    repo: str, commit: str, source: str, query: str, defs: list[Definition], tag: str = "", key: str = ""
) -> dict:
    """A task whose gold is whole definitions at `commit`. Its id, `<repo>-<tag>-<hash of key>`, is
    stable across runs (the key defaults to the source, the gold and the query)."""
    key = key or "|".join([source, query, *(f"{d.path}:{d.qualname}:{d.start_line}" for d in defs)])
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    functions: dict[str, list[str]] = {}
    for d in defs:
        functions.setdefault(d.path, []).append(d.qualname)
    files = sorted(functions)
    return {
        "id": f"{repo.replace('/', '__')}-{tag or source}-{digest}",
        "repo": repo,
        "base_commit": commit,
        "query": query,
        "gold_files": files,
        "gold_ranges": [[d.path, d.start_line, d.end_line] for d in defs],
        "gold_functions": functions,
        "source": source,
        "language": language_of(files),
    }
