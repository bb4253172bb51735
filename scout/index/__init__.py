"""The index stage: repository files → tree-sitter tags → chunks → SQLite, behind one `Index`.

Owns: which files count (`files`), languages and grammars (`languages`), parsing (`tags`),
chunking and terms (`chunks`, `lexical`), one file's record (`analyze`), the SQL (`store`) and the
`rg` subprocess (`ripgrep`). May import: scout's core modules (errors, config, repo, tokens) and
`scout.models`. Everything outside this package reads the index through `Index`, never `store`.
"""

from scout.index.index import Index, IndexBusyError, Progress, UpdateStats, index_path, open_index

__all__ = ["Index", "IndexBusyError", "Progress", "UpdateStats", "index_path", "open_index"]
