"""`scout train` from start to end: vocabulary → distilled table → embedder → explorer nets.

Every stage writes its result under the work directory and is skipped when that file exists, so
an interrupted run resumes where it stopped (delete a stage's file to redo it). The weights go to
`scout/models/weights/` (or `--weights DIR`): `embedder.npz` and `explorer.json`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scout.learn.manifest import Source, read_manifest
from scout.learn.snapshots import open_snapshot

log = logging.getLogger("scout.learn")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Plan:
    manifest: Path
    tasks: Path
    work: Path
    weights: Path
    mirrors: Path | None = None  # where git directories are found when the manifest names none
    dim: int = 256
    vocab_size: int = 60_000
    pairs_per_repo: int = 1500  # question → code pairs per repository for the embedder
    explore_per_repo: int = 100  # recorded explorations per training repository
    dev_per_repo: int = 60
    epochs: int = 3
    seed: int = 0


def run(plan: Plan, progress: Progress | None = None) -> dict:
    started = time.perf_counter()
    plan.work.mkdir(parents=True, exist_ok=True)
    sources = read_manifest(plan.manifest, plan.mirrors)
    tasks = _tasks(plan.tasks, {s.repo for s in sources})
    report: dict = {"repositories": {s: sum(x.split == s for x in sources) for s in ("train", "dev")}}
    vocab = _stage(plan.work / "vocab.txt", lambda: _vocabulary(plan, sources), _read_lines, _write_lines)
    table = _stage(plan.work / "distilled.npy", lambda: _distil(plan, vocab), np.load, _save_npy)
    pairs = _stage(plan.work / "pairs.pkl", lambda: _pairs(plan, sources, tasks, vocab, progress), _unpickle,
                   _pickle)  # fmt: skip
    embedder, report["embedder"] = _embedder(plan, pairs["train"], pairs["dev"], vocab, table, "embedder")
    # Cross-fitting: a training repository is explored with an embedder that never saw its pairs,
    # so the head learns how far a cosine can be trusted on code the embedder has not learned.
    folds = [
        _embedder(
            plan, [p for p in pairs["train"] if fold(p.repo) == k], [], vocab, table, f"embedder-fold{k}"
        )[0]
        for k in (0, 1)
    ]
    pick = lambda s: embedder if s.split == "dev" else folds[1 - fold(s.repo)]  # noqa: E731
    record = lambda: _recordings(plan, sources, tasks, pick, progress)  # noqa: E731
    recordings = _stage(plan.work / "recordings.pkl", record, _unpickle, _pickle)
    report["explorer"] = _explorer(plan, recordings)
    report["minutes"] = round((time.perf_counter() - started) / 60, 1)
    (plan.work / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _stage(path: Path, make, read, write):
    if path.exists():
        log.info("stage %s: reusing %s", path.stem, path)
        return read(path)
    started = time.perf_counter()
    value = make()
    write(path, value)
    log.info("stage %s: done in %.1f min", path.stem, (time.perf_counter() - started) / 60)
    return value


def _tasks(path: Path, repos: set[str]) -> dict[str, list[dict]]:
    by_repo: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                task = json.loads(line)
                if task["repo"] in repos:
                    by_repo[task["repo"]].append(task)
    return by_repo


def _vocabulary(plan: Plan, sources: list[Source]) -> list[str]:
    from scout.learn.distill import base_model_dir
    from scout.learn.vocab import build_vocabulary

    train = [s for s in sources if s.split == "train"]
    return build_vocabulary(train, base_model_dir() / "vocab.txt", size=plan.vocab_size)


def _distil(plan: Plan, vocab: list[str]) -> np.ndarray:
    from scout.learn.distill import base_model_dir, distill

    return distill(vocab, base_model_dir(), plan.dim)


def _pairs(plan: Plan, sources, tasks, vocab, progress) -> dict[str, list]:
    from scout.learn.embedtrain import Vocabulary
    from scout.learn.examples import embedding_pairs, sample_tasks

    words = Vocabulary(vocab)
    out: dict[str, list] = {"train": [], "dev": []}
    for n, source in enumerate(sources, 1):
        picked = sample_tasks(tasks.get(source.repo, []), plan.pairs_per_repo, plan.seed).get(source.repo, [])
        ws = open_snapshot(source, plan.work)
        try:
            out[source.split] += embedding_pairs(ws, picked, words)
        finally:
            ws.close()
        log.info(
            "pairs: %d/%d %s: %d so far", n, len(sources), source.repo, len(out["train"]) + len(out["dev"])
        )
        if progress:
            progress("pairs", n, len(sources))
    return out


def fold(repo: str) -> int:
    """Which half of the training repositories `repo` is in (a stable hash of its name)."""
    return hashlib.sha1(repo.encode()).digest()[0] % 2


def _embedder(plan: Plan, train: list, dev: list, vocab: list[str], table: np.ndarray, name: str):
    from scout.learn.embedtrain import TrainOptions, train_embedder
    from scout.models.embedder import Embedder

    path = plan.work / f"{name}.npz"
    if not path.exists():
        trained = train_embedder(train, vocab, table, TrainOptions(epochs=plan.epochs, seed=plan.seed))
        trained.save(path)
        log.info("stage %s: trained on %d pairs", name, len(train))
    embedder = Embedder.load(path)  # the digest is the saved file's
    report = {"train_pairs": len(train), "dev_pairs": len(dev)}
    if dev:
        report["dev_mrr"] = round(_pair_mrr(embedder, dev), 4)
        report["dev_mrr_distilled"] = round(_pair_mrr(_untrained(vocab, table), dev), 4)
    return embedder, report


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
    import numpy as np

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


def _recordings(plan: Plan, sources, tasks, embedder_for, progress) -> list:
    from scout.learn.examples import record, sample_tasks

    out = []
    for n, source in enumerate(sources, 1):
        per = plan.explore_per_repo if source.split == "train" else plan.dev_per_repo
        picked = sample_tasks(tasks.get(source.repo, []), per, plan.seed + 1).get(source.repo, [])
        ws = open_snapshot(source, plan.work)
        try:
            ws.index.embedder = embedder_for(source)
            ws.index.update()  # vectors from that embedder
            for task in picked:
                rec = record(ws, {**task, "split": source.split})
                if rec is not None:
                    out.append(rec)
        finally:
            ws.close()
        log.info("recordings: %d/%d %s: %d so far", n, len(sources), source.repo, len(out))
        if progress:
            progress("recordings", n, len(sources))
    return out


def _explorer(plan: Plan, recordings: list) -> dict:
    from scout.learn.fit import fit_all, top1

    nets = fit_all(recordings, plan.seed)
    dev = nets["groups"]["dev"]
    heuristic_first = sum(bool(g.labels and g.labels[_best_heuristic(g)]) for g in dev) / max(len(dev), 1)
    data = {
        "head": nets["head"].to_dict(),
        "expansion": nets["expansion"].to_dict(),
        "calibration": nets["calibration"].to_dict(),
        "answer": nets["stop"],
    }
    plan.weights.mkdir(parents=True, exist_ok=True)
    (plan.weights / "explorer.json").write_text(json.dumps(data) + "\n", encoding="utf-8")
    (plan.weights / "embedder.npz").write_bytes((plan.work / "embedder.npz").read_bytes())
    return {
        "train_tasks": len(nets["groups"]["train"]),
        "dev_tasks": len(dev),
        "dev_top1": round(top1(nets["head"], dev), 4),
        "dev_top1_heuristic": round(heuristic_first, 4),
    }


def _best_heuristic(group) -> int:
    return int(np.argmax([row[0] for row in group.rows])) if group.rows else 0


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def _save_npy(path: Path, arr: np.ndarray) -> None:
    np.save(path, arr)


def _pickle(path: Path, value) -> None:
    partial = path.with_suffix(".partial")
    with partial.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)


def _unpickle(path: Path):
    with path.open("rb") as f:
        return pickle.load(f)  # noqa: S301 - our own stage file, written by _pickle above
