"""`scout learn train` from the committed data: vocabulary → distilled table → embedder → explorer nets.

Everything is read from the data folder (`scout.learn.data`); no repository is needed. Each stage
writes its result under the work directory with a key beside it (the stage's inputs' checksums,
its options and the source of the code that makes it): a stage is reused only while its key
matches, so a resumed run redoes exactly what changed. The weights go to `<work>/weights/`;
`scout learn train --install` copies them into the package with a training report.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scout.learn import HEADS
from scout.learn.data import DataDir

log = logging.getLogger("scout.learn")

Progress = Callable[[str, int, int], None]  # (stage, done, total)
SCOUT = Path(__file__).resolve().parents[1]
# The modules whose source makes each stage's output: editing one redoes that stage and those after.
CODE = {
    "vocab": ("learn/vocab.py",),
    "distilled": ("learn/distill.py", "learn/encoder.py"),
    "pairs": ("learn/codec.py", "learn/embedtrain.py", "learn/examples.py", "index/lexical.py"),
    "embedder": ("learn/embedtrain.py", "models/embedder.py"),
    # the recordings replayed into the head's inputs: the explorer's evidence, candidates and
    # features, and the fit's replay (balance.py is not here: every weighting shares one replay)
    "replay": tuple(sorted(f"explorer/{p.name}" for p in (SCOUT / "explorer").glob("*.py")))
    + ("learn/fit.py", "learn/examples.py", "learn/codec.py", "models/mlp.py", "bundle.py", "config.py")
    + ("index/lexical.py", "index/files.py", "index/languages.py"),
}


@dataclass
class Plan:
    data: Path
    work: Path
    dim: int = 256
    vocab_size: int = 60_000
    min_repos: int = 3  # a term joins the vocabulary when this many training repositories use it
    pieces: int | None = None  # BERT word pieces after the corpus terms (all; fewer in a smoke run)
    epochs: int = 3
    seed: int = 0
    repos: list[str] | None = None  # only these repositories (a smoke run); all by default
    head_only: bool = False  # `make train-head`: the explorer's nets from the recordings alone
    without: tuple[str, ...] = ()  # head features left out (an ablation: what one feature adds)
    balance: str = ""  # the head's weights per recording (`scout.learn.balance`): "" for none
    heads: int = HEADS  # heads fitted with seeds seed, seed+1, ... and averaged into one (`fit_nets`)
    keep: tuple[Path, ...] = ()  # heads of earlier weights averaged in as equals (`kept_heads`)
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def weights(self) -> Path:
        return trained_weights(self.work)


def trained_weights(work: Path) -> Path:
    """Where a training run in `work` leaves its weights, for `install` to copy."""
    return work / "weights"


def run(plan: Plan, progress: Progress | None = None) -> dict:
    started = time.perf_counter()
    plan.work.mkdir(parents=True, exist_ok=True)
    data = DataDir(plan.data)
    rows = [r for r in data.entries() if plan.repos is None or r["repo"] in plan.repos]
    report: dict = {"data": {r["repo"]: r.get("files", {}) for r in rows}, "stages": {}}
    if not plan.head_only:
        _, _, report["embedder"] = embedders(plan, data, rows, report["stages"])
        plan.weights.mkdir(parents=True, exist_ok=True)
        (plan.weights / "embedder.npz").write_bytes((plan.work / "embedder.npz").read_bytes())
    timed = time.perf_counter()
    report["explorer"] = _explorer(plan, data, rows, progress, report["stages"])
    report["stages"]["explorer"] = round((time.perf_counter() - timed) / 60, 2)
    report["minutes"] = round((time.perf_counter() - started) / 60, 2)
    (plan.work / "report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def embedders(plan: Plan, data: DataDir, rows: list[dict], times: dict | None = None, measure: bool = True):
    """The embedder and the two fold embedders (each trained on half the training repositories),
    every stage reused while its key holds. Returns (embedder, folds, report); the report's dev
    figures (three passes over the dev pairs) only when `measure`."""
    times = times if times is not None else {}
    train = [r["repo"] for r in rows if r.get("split") == "train" and "terms.txt.gz" in r.get("files", {})]
    vocab = _stage(
        plan,
        "vocab",
        "vocab.txt",
        data.digest(train, ("terms.txt.gz",)),
        {"size": plan.vocab_size, "min_repos": plan.min_repos, "pieces": plan.pieces},
        lambda: _vocabulary(plan, data, train),
        _read_lines,
        _write_lines,
        times,
    )
    table = _stage(
        plan,
        "distilled",
        "distilled.npy",
        plan.keys["vocab"],
        {"dim": plan.dim},
        lambda: _distil(plan, vocab),
        np.load,
        np.save,
        times,
    )
    paired = [r["repo"] for r in rows if "pairs.json.gz" in r.get("files", {})]
    inputs = plan.keys["vocab"] + data.digest(paired, ("pairs.json.gz",))
    pairs = _stage(
        plan, "pairs", "pairs.pkl", inputs, {}, lambda: _pairs(data, rows, vocab), _unpickle, _pickle, times
    )
    report = {"train_pairs": len(pairs["train"]), "dev_pairs": len(pairs["dev"])}
    opts = {"epochs": plan.epochs, "seed": plan.seed}
    inputs = plan.keys["pairs"] + plan.keys["distilled"]
    folds = []
    for name, subset in (("embedder-fold0", 0), ("embedder-fold1", 1), ("embedder", None)):
        chosen = [p for p in pairs["train"] if subset is None or fold(p.repo) == subset]
        make = lambda chosen=chosen: _train(plan, chosen, vocab, table)  # noqa: E731
        folds.append(
            _stage(
                plan,
                "embedder",
                f"{name}.npz",
                inputs + name,
                opts,
                make,
                _load_embedder,
                _save_embedder,
                times,
                reload=True,
            )
        )
    embedder = folds.pop()
    if measure and pairs["dev"]:
        report["dev_mrr"] = round(_pair_mrr(embedder, pairs["dev"]), 4)
        report["dev_mrr_distilled"] = round(_pair_mrr(_untrained(vocab, table), pairs["dev"]), 4)
        report["dev_mrr_shipped"] = _shipped_mrr(data, rows)
    return embedder, folds, report


def for_recording(embedder, folds: list, repo: str, split: str):
    """The embedder a repository is explored with when recording: for a training repository,
    the fold that never saw its pairs, so the head learns how far a cosine can be trusted on
    code the embedder has not learned."""
    return embedder if split != "train" else folds[1 - fold(repo)]


def fold(repo: str) -> int:
    """Which half of the training repositories `repo` is in (a stable hash of its name)."""
    return hashlib.sha1(repo.encode()).digest()[0] % 2


def _stage(
    plan: Plan, stage: str, filename: str, inputs: str, options: dict, make, read, write, times: dict,
    reload: bool = False,
):  # fmt: skip
    """The stage's value, made and written unless its file's key holds. With `reload`, a value just
    made is read back from its file: what the file holds is what is used (an embedder is saved with
    float16 weights, and its digest is its file's)."""
    path = plan.work / filename
    key = _key(stage, inputs, options)
    plan.keys[stage] = key
    stamp = path.with_name(path.name + ".key")
    if path.exists() and stamp.is_file() and stamp.read_text() == key:
        log.info("stage %s: reusing %s (key %s)", stage, path.name, key)
        return read(path)
    started = time.perf_counter()
    log.info("stage %s: making %s", stage, path.name)
    value = make()
    write(path, value)
    if reload:
        value = read(path)
    stamp.write_text(key)
    minutes = (time.perf_counter() - started) / 60
    times[path.stem] = round(minutes, 2)
    log.info("stage %s: %s done in %.1f min", stage, path.name, minutes)
    return value


def _key(stage: str, inputs: str, options: dict) -> str:
    h = hashlib.sha256(f"{stage}\n{inputs}\n{json.dumps(options, sort_keys=True)}\n".encode())
    for module in CODE.get(stage, ()):
        h.update((SCOUT / module).read_bytes())
    return h.hexdigest()[:16]


def _vocabulary(plan: Plan, data: DataDir, repos: list[str]) -> list[str]:
    from scout.learn.distill import base_model_dir
    from scout.learn.vocab import build_vocabulary

    sets = (set(data.read(repo, "terms.txt.gz").decode().split("\n")) - {""} for repo in repos)
    base = base_model_dir() / "vocab.txt"
    return build_vocabulary(sets, base, plan.min_repos, plan.vocab_size, plan.pieces)


def _distil(plan: Plan, vocab: list[str]) -> np.ndarray:
    from scout.learn.distill import base_model_dir, distill

    return distill(vocab, base_model_dir(), plan.dim)


def _pairs(data: DataDir, rows: list[dict], vocab: list[str]) -> dict[str, list]:
    from scout.learn.codec import decode_pairs
    from scout.learn.embedtrain import Vocabulary
    from scout.learn.examples import to_pair

    words = Vocabulary(vocab)
    out: dict[str, list] = {"train": [], "dev": []}
    for row in rows:
        if "pairs.json.gz" in row.get("files", {}):
            raw = decode_pairs(data.read_json(row["repo"], "pairs.json.gz"))
            out[row["split"]] += [to_pair(row["repo"], p, words) for p in raw]
    log.info("pairs: %d train, %d dev", len(out["train"]), len(out["dev"]))
    return out


def _train(plan: Plan, pairs: list, vocab: list[str], table: np.ndarray):
    from scout.learn.embedtrain import TrainOptions, train_embedder

    return train_embedder(pairs, vocab, table, TrainOptions(epochs=plan.epochs, seed=plan.seed))


def _load_embedder(path: Path):
    from scout.models.embedder import Embedder

    return Embedder.load(path)  # the digest is the saved file's


def _save_embedder(path: Path, embedder) -> None:
    embedder.save(path)


def _shipped_mrr(data: DataDir, rows: list[dict]) -> float | None:
    """The same dev figure for the embedder in the package now: the baseline of this run."""
    from scout.models.embedder import WEIGHTS, Embedder

    if not WEIGHTS.is_file():
        return None
    shipped = Embedder.load(WEIGHTS)
    dev = [r for r in rows if r.get("split") == "dev"]
    return round(_pair_mrr(shipped, _pairs(data, dev, shipped.terms)["dev"]), 4)


def _untrained(vocab: list[str], table: np.ndarray):
    """The distilled table as an embedder with every term weighted alike: the baseline."""
    from scout.models.embedder import Embedder

    scales = np.abs(table).max(1) / 127.0 + 1e-12
    ones = np.ones(len(vocab), dtype=np.float32)
    quantized = np.clip(np.rint(table / scales[:, None]), -127, 127).astype(np.int8)
    return Embedder(list(vocab), quantized, scales.astype(np.float32), ones, ones)


def _pair_mrr(embedder, pairs) -> float:
    """Mean reciprocal rank of each dev pair's positive among its batch of 64 positives and its
    hard negatives: a quick check that training helped, not a benchmark."""
    total, n = 0.0, 0
    dense = embedder.table.astype(np.float32) * embedder.scales[:, None]
    for i in range(0, len(pairs), 64):
        batch = pairs[i : i + 64]
        docs = [p.positive for p in batch] + [x for p in batch for x in p.negatives]
        d = np.stack([_vec(dense, b, embedder.doc_weights) for b in docs])
        for j, p in enumerate(batch):
            scores = d @ _vec(dense, p.query, embedder.query_weights)
            total += 1.0 / (1 + int((scores > scores[j]).sum()))
            n += 1
    return total / max(n, 1)


def _vec(dense, bag, weights):
    v = (bag.shares * weights[bag.rows]) @ dense[bag.rows] if len(bag.rows) else np.zeros(dense.shape[1])
    return v / (np.linalg.norm(v) or 1.0)


def read_recordings(data: DataDir, rows: list[dict], progress: Progress | None = None) -> list:
    from scout.learn.codec import decode_recordings

    out = []
    recorded = [r for r in rows if "recordings.json.gz" in r.get("files", {})]
    for n, row in enumerate(recorded, 1):
        out += decode_recordings(data.read_json(row["repo"], "recordings.json.gz"), row["repo"])
        if progress:
            progress("recordings", n, len(recorded))
    return out


def _explorer(plan: Plan, data: DataDir, rows: list[dict], progress: Progress | None, times: dict) -> dict:
    from scout.learn import balance
    from scout.learn.fit import fit_nets, top1, with_changes

    names, spec = _head_names(plan), balance.parse(plan.balance)
    replayed = _replayed(plan, data, rows, names, progress, times)
    if replayed is None:
        return {"skipped": "no recordings in the data folder"}
    languages = {r["repo"]: r.get("language", "?") for r in rows}
    train, dev = replayed["groups"]["train"], replayed["groups"]["dev"]
    with_changes(data, dev)  # what the lines calibrator's label reads
    weights = balance.weights(train, languages, spec)
    nets = fit_nets(replayed, plan.seed, names, weights, plan.heads, kept_heads(plan.keep, names))
    heuristic_first = sum(bool(g.labels and g.labels[_best_heuristic(g)]) for g in dev) / max(len(dev), 1)
    _write_nets(plan, nets)
    return {
        "train_tasks": len(train),
        "dev_tasks": len(dev),
        "balance": spec,
        "train_weight_by_language": balance.shares(train, languages, weights),
        "dev_top1": round(top1(nets["head"], dev), 4),
        "dev_top1_by_language": _top1_by(nets["head"], dev, lambda g: languages.get(g.repo, "?")),
        "dev_top1_by_source": _top1_by(nets["head"], dev, lambda g: g.source),
        "dev_top1_heuristic": round(heuristic_first, 4),
        "dev_top1_shipped": _shipped_top1(data, rows),
        "features": list(nets["head"].features),
        "heads": plan.heads,
        "kept_heads": [str(p) for p in plan.keep],
    }


def kept_heads(paths: tuple[Path, ...], names: tuple[str, ...]) -> tuple:
    """The heads stored at `paths` (a weights file, or any JSON with a `head`), each refused unless
    the run computes every feature it reads."""
    from scout.errors import ScoutError
    from scout.models.mlp import MLP

    out = []
    for path in paths:
        try:
            head = json.loads(Path(path).read_text(encoding="utf-8"))["head"]
            features = tuple(head["features"])
            net = MLP.from_dict(head, features)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ScoutError(f"cannot read a head from {path}: {type(exc).__name__}: {exc}") from exc
        missing = [f for f in features if f not in names]
        if missing:
            raise ScoutError(f"the head in {path} reads features this run leaves out: {', '.join(missing)}")
        out.append(net)
    return tuple(out)


def _head_names(plan: Plan) -> tuple[str, ...]:
    from scout.errors import ScoutError
    from scout.explorer.features import TRAIN_NAMES

    unknown = sorted(set(plan.without) - set(TRAIN_NAMES))
    if unknown:
        raise ScoutError(
            f"no head feature named {', '.join(unknown)}", hint=f"one of {', '.join(TRAIN_NAMES)}"
        )
    return tuple(n for n in TRAIN_NAMES if n not in plan.without)


def _replayed(plan: Plan, data: DataDir, rows: list[dict], names: tuple[str, ...], progress, times: dict):
    """The expansion scorer and the recordings replayed with it (`fit.replay_all`), kept in the
    work directory: the slow part of fitting the head, shared by every weighting of it."""
    from scout.learn.fit import replay_all

    recorded = [r["repo"] for r in rows if "recordings.json.gz" in r.get("files", {})]
    if not recorded:
        return None
    inputs = data.digest(recorded, ("recordings.json.gz",))
    make = lambda: replay_all(read_recordings(data, rows, progress), plan.seed, names)  # noqa: E731
    return _stage(plan, "replay", "replayed.pkl", inputs, {"seed": plan.seed, "names": names}, make,
                  _unpickle, _pickle, times)  # fmt: skip


def _write_nets(plan: Plan, nets: dict) -> None:
    weights = {
        "head": nets["head"].to_dict(),
        "expansion": nets["expansion"].to_dict(),
        "calibration": nets["calibration"].to_dict(),
        "answer": nets["stop"],
        **({"file_calibration": nets["files"].to_dict()} if nets.get("files") else {}),
        **({"lines_calibration": nets["lines"].to_dict()} if nets.get("lines") else {}),
        **({"within": nets["within"].to_dict()} if nets.get("within") else {}),
    }
    plan.weights.mkdir(parents=True, exist_ok=True)
    (plan.weights / "explorer.json").write_text(json.dumps(weights) + "\n", encoding="utf-8")


def _top1_by(head, groups: list, key) -> dict[str, float]:
    """The dev top-1 apart for each language (or source): a head that gains overall may lose
    on the language a benchmark asks in."""
    from collections import defaultdict

    from scout.learn.fit import top1

    parts: dict[str, list] = defaultdict(list)
    for g in groups:
        parts[key(g)].append(g)
    return {k: round(top1(head, v), 4) for k, v in sorted(parts.items())}


def _shipped_top1(data: DataDir, rows: list[dict]) -> float | None:
    """The same dev figure for the explorer nets in the package now: the baseline of this run."""
    from scout.errors import ScoutError
    from scout.explorer.model import shipped
    from scout.learn.fit import replay, top1

    try:
        nets = shipped()
    except ScoutError:
        return None
    dev = read_recordings(data, [r for r in rows if r.get("split") == "dev"])
    groups = [replay(r, nets.expansion, nets.head.features) for r in dev]
    return round(top1(nets.head, groups), 4)


def _best_heuristic(group) -> int:
    return int(np.argmax([row[0] for row in group.rows])) if group.rows else 0


def install(work: Path, weights: Path) -> dict:
    """Copy a finished run's weights from `work` into `weights` (the package's folder), with the
    training report beside them: the commit, the data's checksums, the metrics."""
    from scout.learn.build import scout_commit

    report_path, trained = work / "report.json", trained_weights(work)
    if not report_path.is_file() or not (trained / "explorer.json").is_file():
        from scout.errors import ScoutError

        raise ScoutError(f"no finished training run in {work}", hint="run `make train` first")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    weights.mkdir(parents=True, exist_ok=True)
    for name in ("embedder.npz", "explorer.json"):
        if (trained / name).is_file():
            (weights / name).write_bytes((trained / name).read_bytes())
    card = {"trained_by": scout_commit(), **{k: v for k, v in report.items() if k != "data"}}
    if not (trained / "embedder.npz").is_file():  # a head-only run: the embedder stays, and so does its story
        before = weights / "TRAINING.json"
        previous = json.loads(before.read_text(encoding="utf-8")) if before.is_file() else {}
        card["embedder_kept"] = previous.get("embedder_kept") or {
            k: previous[k] for k in ("trained_by", "data") if isinstance(previous.get(k), str)
        }
    card["data"] = {
        repo: {n: f["sha256"] for n, f in files.items()} for repo, files in report["data"].items()
    }
    (weights / "TRAINING.json").write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    return card


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def _pickle(path: Path, value) -> None:
    partial = path.with_suffix(".partial")
    with partial.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)


def _unpickle(path: Path):
    with path.open("rb") as f:
        return pickle.load(f)  # noqa: S301 - our own stage file, written by _pickle above
