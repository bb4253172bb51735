"""Training the learned explorer's parts on small real inputs: the nets learn what they should,
the embedder learns a mapping no word overlap gives, explorations are recorded and labelled on a
real index, and the manifest finds its git directories."""

from __future__ import annotations

import functools
import json
import random
from collections import Counter

import numpy as np
import pytest

from scout.api import Workspace
from scout.explorer.evidence import Region
from scout.learn.embedtrain import Pair, TrainOptions, Vocabulary, train_embedder
from scout.learn.examples import Recording, is_gold, record
from scout.learn.fit import fit_net
from scout.learn.manifest import read_manifest
from scout.models.embedder import Embedder, quantize


def test_a_listwise_net_learns_which_feature_marks_the_answer():
    rng = random.Random(0)
    names = tuple(f"f{i}" for i in range(6))

    def group():
        rows = [[rng.gauss(0, 1) for _ in names] for _ in range(8)]
        answer = rng.randrange(8)
        rows[answer][2] += 3.0
        return rows, [int(i == answer) for i in range(8)]

    net = fit_net([group() for _ in range(300)], names, 8, "listwise", epochs=10)
    held = [group() for _ in range(100)]
    assert sum(y[int(np.argmax(net.logits(x)))] for x, y in held) / 100 > 0.8  # chance is 1/8
    again = type(net).from_dict(json.loads(json.dumps(net.to_dict())), names)
    assert np.allclose(net.logits(held[0][0]), again.logits(held[0][0]))
    with pytest.raises(ValueError, match="other features"):
        type(net).from_dict(net.to_dict(), ("other",) * 6)


def test_the_embedder_learns_to_match_words_that_never_co_occur():
    """Queries say `q3`, code says `d3`: only training can put them together."""
    vocab = [f"q{i}" for i in range(40)] + [f"d{i}" for i in range(40)] + ["noise"]
    words = Vocabulary(vocab)
    rng = np.random.default_rng(0)
    table = rng.normal(size=(len(vocab), 16)).astype(np.float32)
    pairs = [
        Pair(f"repo{i % 4}", words.bag(Counter({f"q{i}": 1, "noise": 1})), words.bag(Counter({f"d{i}": 2})))
        for i in range(40) for _ in range(6)
    ]  # fmt: skip
    before = _mrr(_untrained(vocab, table), range(40))
    trained = train_embedder(pairs, vocab, table, TrainOptions(epochs=30, per_repo=10, batch_repos=4))
    after = _mrr(trained, range(40))
    assert before < 0.3 and after > 0.9
    assert trained.table.dtype == np.int8 and trained.dim == 16


def _untrained(vocab, table) -> Embedder:
    scales = np.abs(table).max(1) / 127
    return Embedder(vocab, quantize(table / np.abs(table).max(1, keepdims=True)), scales,
                    np.ones(len(vocab), np.float32), np.ones(len(vocab), np.float32))  # fmt: skip


def _mrr(e: Embedder, ids) -> float:
    docs = np.stack([e.embed({f"d{i}": 2}) for i in ids])
    ranks = []
    for i in ids:
        scores = docs @ e.embed({f"q{i}": 1, "noise": 1}, query=True)
        ranks.append(1 / (1 + int((scores > scores[i]).sum())))
    return float(np.mean(ranks))


def test_gold_labels_want_the_region_mostly_inside_a_gold_definition():
    gold = [("a.py", 10, 20)]
    assert is_gold(Region("a.py", 10, 20), gold)
    assert is_gold(Region("a.py", 12, 18), gold)
    assert not is_gold(Region("a.py", 1, 200), gold)  # the class around it is not the answer
    assert not is_gold(Region("b.py", 10, 20), gold)


def test_a_recorded_exploration_follows_every_link_and_keeps_the_gold(sample_repo):
    ws = Workspace.open(sample_repo)
    try:
        task = {"id": "t1", "repo": "o/shop", "query": "where is the CSRF token verified",
                "gold_functions": {"shop/auth/tokens.py": ["check_csrf_token"]}}  # fmt: skip
        rec = record(ws, task)
        assert isinstance(rec, Recording) and rec.gold and rec.gold[0][0] == "shop/auth/tokens.py"
        assert len(rec.state.turns) == 2
        links = [o for o in rec.state.turns[1] if o.call.tool == "related"]
        assert links and {o.call.args["relation"] for o in links} >= {"callers", "callees"}
        assert record(ws, {**task, "gold_functions": {"shop/none.py": ["gone"]}}) is None
    finally:
        ws.close()


def test_an_exploration_cut_short_by_its_token_limit_is_not_recorded(sample_repo, monkeypatch):
    import scout.learn.examples as examples

    # a first turn that reads past the limit ends the loop before the recorder's second turn
    monkeypatch.setattr(examples, "Limits", functools.partial(examples.Limits, max_observed_tokens=1))
    ws = Workspace.open(sample_repo)
    try:
        task = {"id": "t1", "repo": "o/shop", "query": "where is the CSRF token verified",
                "gold_functions": {"shop/auth/tokens.py": ["check_csrf_token"]}}  # fmt: skip
        assert record(ws, task) is None
    finally:
        ws.close()


def test_the_manifest_finds_git_directories_by_name_or_map(tmp_path):
    (tmp_path / "mirrors" / "octo+shop" / "repo").mkdir(parents=True)
    manifest = tmp_path / "repos.json"
    manifest.write_text(
        json.dumps([{"repo": "octo/shop", "split": "dev"}, {"repo": "octo/cart", "split": "train"}])
    )
    (tmp_path / "map.json").write_text(json.dumps({"octo/cart": "/srv/cart.git"}))
    [shop] = read_manifest(manifest, tmp_path / "mirrors", splits=("dev",))
    assert shop.git_dir == tmp_path / "mirrors" / "octo+shop" / "repo" and shop.split == "dev"
    [cart] = read_manifest(manifest, tmp_path / "map.json", splits=("train",))
    assert str(cart.git_dir) == "/srv/cart.git"
