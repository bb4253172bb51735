"""The learned models at run time: loading shipped weights and scoring with them.

Owns: `scout/models/weights/` and the code that runs them (`head`, `reranker`, `encoder`).
May import: scout's core modules only; it knows nothing of tools, explorers or surfaces, which
hand it numbers and texts.
"""
