"""The index stage: repository files → tree-sitter tags → chunks → SQLite, behind one `Index`.

Owns: which files count (`files`), languages and grammars (`languages`), parsing (`tags`),
chunking and terms (`chunks`, `lexical`), one file's record (`analyze`), the SQL (`store`), the
chunks' terms in flat files beside it (`bags`), BM25 and the semantic scores over them (`bm25`,
`vectors`), what changed since the last update (`freshness`) and the `rg` subprocess
(`ripgrep`). May import: scout's core modules and `scout.models`. Everything outside
this package reads the index through `Index`, never `store`.

The names below load on first use: a command that never opens an index (`--help`, `--version`,
a call answered by a running server) does not pay for SQLite, numpy and tree-sitter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scout.index.index import (
        Index,
        IndexBusyError,
        Progress,
        UpdateStats,
        copy_index,
        index_path,
        open_index,
        refresh_index,
    )

__all__ = [
    "Index",
    "IndexBusyError",
    "Progress",
    "UpdateStats",
    "copy_index",
    "index_path",
    "open_index",
    "refresh_index",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("scout.index.index"), name)
    raise AttributeError(f"module 'scout.index' has no attribute {name!r}")
