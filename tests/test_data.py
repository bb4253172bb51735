"""The committed training data and the loop that makes weights from it: the files match their
checksums and hold no code or addresses, a recording survives the round trip with the same head
inputs, and every stage runs end to end on a small repository (mine → pairs → embedders →
recordings → nets → installed weights that answer a question)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import ROOT

from scout.api import Workspace
from scout.explorer.evidence import Region
from scout.explorer.features import TRAIN_NAMES, name_spelled
from scout.explorer.query import analyze_query
from scout.learn.build import build, read_tasks
from scout.learn.codec import decode_pairs, decode_recordings, encode_recordings
from scout.learn.data import FILES, DataDir
from scout.learn.examples import record
from scout.learn.fit import replay
from scout.learn.manifest import read_manifest
from scout.learn.mine import MineOptions
from scout.learn.pipeline import Plan, embedders, install, run
from scout.models.embedder import Embedder
from scout.models.mlp import MLP, WEIGHTS

DATA = DataDir(ROOT / "data")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def test_the_committed_data_matches_its_checksums_and_lists_every_file():
    assert DATA.verify() == []
    for row in DATA.entries():
        assert {"repo", "language", "split", "head"} <= row.keys(), row["repo"]
        assert row["split"] in ("train", "dev")
        assert set(row.get("files", {})) <= set(FILES)
        if row.get("files"):
            assert row["licence"] and re.fullmatch(r"[0-9a-f]{40}|[\d.]+", row["mined_by"])


def test_the_committed_data_holds_no_patch_no_address_and_no_line_of_code():
    for row in DATA.entries():
        files = row.get("files", {})
        if "tasks.jsonl.gz" in files:
            for task in read_tasks(DATA, row["repo"]):
                assert "patch" not in task and not EMAIL.search(task["query"]), task["id"]
                assert task["source"] in ("commit", "issue", "docstring", "docquestion", "readme", "test")
        if "pairs.json.gz" in files:
            pairs = decode_pairs(DATA.read_json(row["repo"], "pairs.json.gz"))
            assert all(p["positive"] and not EMAIL.search(p["query"]) for p in pairs)
        if "recordings.json.gz" in files:
            doc = DATA.read_json(row["repo"], "recordings.json.gz")
            hits = [h for r in doc["recordings"] for turn in r["turns"] for _, _, hs, _ in turn for h in hs]
            assert all(len(h) == 8 for h in hits)  # path, lines, symbol, score, line, kind, detail


def test_a_recording_comes_back_with_the_same_head_inputs(sample_repo):
    task = {
        "id": "t1",
        "repo": "fixture/shop",
        "query": "csrf token comparison is not constant time",
        "gold_functions": {"shop/auth/tokens.py": ["check_csrf_token"]},
    }
    ws = Workspace.open(sample_repo)
    try:
        rec = record(ws, task)
    finally:
        ws.close()
    assert rec is not None and "shop/auth/tokens.py" in rec.chunks
    assert len(rec.chunks["shop/auth/tokens.py"]) == len(rec.cosines["shop/auth/tokens.py"])
    doc = json.loads(json.dumps(encode_recordings([rec], {"repo": "fixture/shop"})))
    (back,) = decode_recordings(doc, "fixture/shop")
    net = _identity_expansion()
    before, after = replay(rec, net), replay(back, net)
    assert after.labels == before.labels and any(after.labels)
    assert after.rows == _rounded(before.rows, after.rows)
    assert back.chunks == rec.chunks


def test_a_definition_name_spelled_in_other_forms_counts_as_named():
    facts = analyze_query("How are password hashers chosen when checking a password?")
    assert name_spelled(Region("a.py", 1, 9, "auth.check_password"), facts) == 1.0
    assert name_spelled(Region("a.py", 1, 9, "Hasher.identify_hasher"), facts) == 0.5
    assert name_spelled(Region("a.py", 1, 9, "Cart.total"), facts) == 0.0


def test_every_stage_runs_from_the_data_folder_and_the_weights_answer(sample_repo, tmp_path):
    data = _fixture_data(sample_repo, tmp_path / "data")
    work = tmp_path / "work"
    sources = read_manifest(data.manifest_path)
    opts = MineOptions(max_doc_tasks=60, max_docquestion_tasks=30, max_test_tasks=30)
    assert build(data, sources, {"tasks", "pairs"}, work, opts, set()) == []
    plan = Plan(data.root, work, vocab_size=2000, min_repos=1, pieces=300, epochs=1)
    embedder, folds, report = embedders(plan, data, data.entries())
    assert report["train_pairs"] >= 5 and report["dev_pairs"] >= 5
    # what explores is what was saved: the file's float16 weights, named by the file's digest
    saved = [work / f"{name}.npz" for name in ("embedder-fold0", "embedder-fold1", "embedder")]
    assert [e.digest for e in [*folds, embedder]] == [Embedder.load(path).digest for path in saved]
    assert build(data, sources, {"recordings"}, work, opts, set(), embedders=(embedder, folds)) == []
    assert data.verify() == []
    result = run(plan)
    assert result["explorer"]["dev_tasks"] > 5 and 0.0 <= result["explorer"]["dev_top1"] <= 1.0
    head = json.loads((work / "weights" / "explorer.json").read_text())["head"]
    assert tuple(head["features"]) == TRAIN_NAMES
    reused = run(plan)  # every stage's key still holds: nothing is redone
    assert reused["stages"].keys() == {"explorer"}
    card = install(work, tmp_path / "weights")
    assert (
        card["data"]["fixture/shop"]["pairs.json.gz"]
        == data.entry("fixture/shop")["files"]["pairs.json.gz"]["sha256"]
    )
    assert (tmp_path / "weights" / "embedder.npz").read_bytes() == (work / "embedder.npz").read_bytes()
    # a head-only run installed over them keeps the embedder, and says whose it is
    run(Plan(data.root, tmp_path / "heads", head_only=True))
    again = install(tmp_path / "heads", tmp_path / "weights")
    assert again["embedder_kept"] == {"trained_by": card["trained_by"]}
    assert (tmp_path / "weights" / "embedder.npz").read_bytes() == (work / "embedder.npz").read_bytes()


def _fixture_data(repo: Path, root: Path) -> DataDir:
    """A data folder over two copies of the fixture repository, one train and one dev."""
    dev = root.parent / "shop-dev"
    shutil.copytree(repo, dev)
    row = {"language": "Python", "head": "HEAD"}
    rows = [
        {**row, "repo": "fixture/shop", "split": "train", "git_dir": str(repo)},
        {**row, "repo": "fixture/shop-dev", "split": "dev", "git_dir": str(dev)},
    ]
    root.mkdir(parents=True)
    (root / "repos.json").write_text(json.dumps(rows))
    return DataDir(root)


def _identity_expansion() -> MLP:
    """An expansion scorer that follows every link: the replay then sees the whole recording."""
    import numpy as np

    from scout.explorer.model import EXPANSION_NAMES

    n = len(EXPANSION_NAMES)
    return MLP(EXPANSION_NAMES, np.zeros(n), np.ones(n), None, None, np.zeros(n), 10.0)


def _rounded(rows: list[list[float]], like: list[list[float]]) -> list[list[float]]:
    """`rows` where they differ from `like` only by the data's 6 significant digits."""
    return [
        [b if abs(a - b) <= 1e-4 * max(1.0, abs(a)) else a for a, b in zip(ra, rb, strict=True)]
        for ra, rb in zip(rows, like, strict=True)
    ]


def test_each_stage_trains_on_two_committed_repositories(tmp_path):
    """The committed files themselves, not a fixture's: one training and one dev repository."""
    repos = ["pallets/itsdangerous", "bottlepy/bottle"]
    assert [DATA.entry(r)["split"] for r in repos] == ["train", "dev"]
    plan = Plan(DATA.root, tmp_path / "work", vocab_size=3000, min_repos=1, pieces=300, epochs=1, repos=repos)
    report = run(plan)
    assert report["embedder"]["train_pairs"] > 50 and 0.0 < report["embedder"]["dev_mrr"] <= 1.0
    assert report["explorer"]["train_tasks"] > 30 and report["explorer"]["dev_tasks"] > 20
    assert (tmp_path / "work" / "weights" / "explorer.json").is_file()


def test_weighting_the_head_by_language_changes_it_and_reuses_the_replay(tmp_path):
    """Committed recordings of two languages (64 Python, 24 PHP) and a dev repository: the
    balanced fit sees each language with the same total weight and makes another head from the
    same replay (the stage is kept, so the expansion scorer is the same net)."""
    repos = ["pallets/itsdangerous", "thephpleague/flysystem", "tqdm/tqdm"]
    work = tmp_path / "work"
    plain = run(Plan(DATA.root, work, repos=repos, head_only=True))
    before = json.loads((work / "weights" / "explorer.json").read_text())
    balanced = run(Plan(DATA.root, work, repos=repos, head_only=True, balance="language:1"))
    after = json.loads((work / "weights" / "explorer.json").read_text())
    assert "replayed" in plain["stages"] and "replayed" not in balanced["stages"]
    assert plain["explorer"]["train_weight_by_language"] == {"Python": 0.7273, "PHP": 0.2727}
    assert balanced["explorer"]["train_weight_by_language"] == {"Python": 0.5, "PHP": 0.5}
    assert balanced["explorer"]["balance"] == {"language": 1.0}
    assert after["expansion"] == before["expansion"] and after["head"] != before["head"]
    assert set(balanced["explorer"]["dev_top1_by_language"]) == {"Python"}


def test_a_balance_is_named_and_weighs_as_it_says():
    from types import SimpleNamespace as G

    import pytest

    from scout.errors import ScoutError
    from scout.learn.balance import parse, weights

    assert parse("none") == {} and parse("language,source:3") == {"language": 0.5, "source": 3.0}
    with pytest.raises(ScoutError, match="no balance named 'python'"):
        parse("python")
    groups = [G(repo="a", source="commit")] * 3 + [G(repo="b", source="docstring")]
    w = weights(groups, {"a": "Go", "b": "C"}, {"language": 1.0, "source": 2.0})
    assert w is not None and abs(sum(w[:3]) / w[3] - 2.0) < 1e-9  # equal languages, commits twice
    assert weights(groups, {}, {}) is None


def test_several_heads_are_fitted_on_one_replay_and_shipped_as_their_mean(tmp_path):
    """`--heads 2`: the second head is the seed-1 fit of the same replayed recordings, and the
    shipped net's logit is exactly the mean of the two."""
    import numpy as np

    from scout.learn.fit import fit_net
    from scout.learn.pipeline import _unpickle

    repos = ["pallets/itsdangerous", "tqdm/tqdm"]
    work = tmp_path / "work"
    one = run(Plan(DATA.root, work, repos=repos, head_only=True, heads=1))
    first = json.loads((work / "weights" / "explorer.json").read_text())["head"]
    two = run(Plan(DATA.root, work, repos=repos, head_only=True, heads=2))
    both = json.loads((work / "weights" / "explorer.json").read_text())["head"]
    assert "replayed" in one["stages"] and "replayed" not in two["stages"]
    assert len(both["b1"]) == 2 * len(first["b1"])
    replayed = _unpickle(work / "replayed.pkl")
    names = tuple(first["features"])
    data = [(g.rows, g.labels) for g in replayed["groups"]["train"]]
    second = fit_net(data, names, 16, "listwise", 1)
    rows = [row for g in replayed["groups"]["dev"] for row in g.rows]
    mean = (MLP.from_dict(first, names).logits(rows) + second.logits(rows)) / 2
    assert np.allclose(MLP.from_dict(both, names).logits(rows), mean, atol=1e-5)

    kept_path = WEIGHTS  # the installed head, averaged in as an equal
    kept = json.loads(kept_path.read_text())["head"]
    three = run(Plan(DATA.root, work, repos=repos, head_only=True, heads=2, keep=(kept_path,)))
    shipped = json.loads((work / "weights" / "explorer.json").read_text())["head"]
    assert three["explorer"]["kept_heads"] == [str(kept_path)] and "replayed" not in three["stages"]
    at = [names.index(f) for f in kept["features"]]
    expected = (
        MLP.from_dict(kept, tuple(kept["features"])).logits([[r[i] for i in at] for r in rows]) + mean
    ) / 2
    assert np.allclose(MLP.from_dict(shipped, names).logits(rows), expected, atol=1e-5)


def test_a_kept_head_that_cannot_be_read_or_computed_is_refused(tmp_path):
    import pytest

    from scout.errors import ScoutError
    from scout.learn.pipeline import kept_heads

    with pytest.raises(ScoutError, match="cannot read a head from .*missing.json: FileNotFoundError"):
        kept_heads((tmp_path / "missing.json",), ("cosine",))
    with pytest.raises(ScoutError, match="reads features this run leaves out: .*bm25"):
        kept_heads((WEIGHTS,), ("cosine",))
