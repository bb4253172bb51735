"""The learned models at run time: loading shipped weights and scoring with them.

Owns: `scout/models/weights/` and the code that runs them: the static term embedder (`embedder`)
and the small networks of the learned explorer (`mlp`).
May import: scout's core modules only; it knows nothing of tools, explorers or surfaces, which
hand it numbers and texts.
"""

from pathlib import Path

WEIGHTS_DIR = Path(__file__).parent / "weights"  # shipped; `scout learn train --install` writes them
