"""The learned explorer (the default): its weights ship in the package and load offline, it
answers in two tiers with a stop rule, cites tight spans, and finds code described in other words."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_scout

from scout.api import Workspace
from scout.errors import ScoutError
from scout.explorer.evidence import Evidence, Reason, Region, Signal
from scout.explorer.features import NAMES, TRAIN_NAMES
from scout.explorer.focus import best_window, docstrings
from scout.explorer.model import (
    CALIBRATION_NAMES,
    EXPANSION_NAMES,
    ModelPolicy,
    Weights,
    cite,
    deepened,
    shipped,
    twins,
    with_twins,
)
from scout.explorer.query import analyze_query
from scout.index.lexical import terms
from scout.models.embedder import SCHEME, Embedder
from scout.models.embedder import WEIGHTS as EMBEDDER
from scout.models.history import History, Votes
from scout.models.mlp import MLP
from scout.models.mlp import WEIGHTS as EXPLORER
from scout.tools import call_tool


def linear(names, weights: dict[str, float], bias: float = 0.0) -> MLP:
    """A hand-set linear net: each named feature times its weight."""
    w = np.array([weights.get(n, 0.0) for n in names])
    return MLP(tuple(names), np.zeros(len(names)), np.ones(len(names)), None, None, w, bias)


def bm25_policy() -> ModelPolicy:
    """Scores candidates by their BM25 evidence alone; confidence falls with the gap to the best."""
    head = linear(NAMES, {"bm25": 8.0})
    calibration = linear(CALIBRATION_NAMES, {"logit_gap": 3.0}, bias=2.0)
    rule = {"min_confidence": 0.5, "relative": 0.5, "max_answer": 4, "max_leads": 8}
    return ModelPolicy(weights=Weights(head, linear(EXPANSION_NAMES, {}), calibration, rule))


def evidence(scores: list[float]) -> Evidence:
    ev = Evidence()
    for i, s in enumerate(scores):
        ev.region(f"pkg/m{i}.py", 10, 30, f"f{i}", "function").add(Reason(Signal.BM25, "word"), s)
    return ev


def test_the_stop_rule_cites_one_span_when_one_dominates_and_several_when_several_do():
    facts = analyze_query("where is the word handled")
    one = bm25_policy().answer(evidence([1.0, 0.2, 0.2, 0.1]), facts)
    assert [s.path for s in one.spans] == ["pkg/m0.py"]
    assert {s.path for s in one.leads} == {"pkg/m1.py", "pkg/m2.py", "pkg/m3.py"}
    several = bm25_policy().answer(evidence([1.0, 0.98, 0.97, 0.1]), facts)
    assert [s.path for s in several.spans] == ["pkg/m0.py", "pkg/m1.py", "pkg/m2.py"]
    assert all(s.confidence is not None for s in several.spans + several.leads)


def two_files() -> Evidence:
    ev = Evidence()
    for path, name, bm25, cosine in [("pkg/a.py", "a1", 1.0, 0.2), ("pkg/b.py", "b1", 0.6, 0.1),
                                     ("pkg/a.py", "a2", 0.5, 0.1), ("pkg/a.py", "a3", 0.4, 0.9)]:  # fmt: skip
        start = 10 + 40 * int(name[1])
        region = ev.region(path, start, start + 20, name, "function")
        region.add(Reason(Signal.BM25, "word"), bm25)
        region.cosine = cosine
    return ev


def test_the_within_file_ranker_reorders_a_files_leads_and_keeps_every_file_in_its_place():
    # the head ranks by BM25 alone: a1, b1, a2, a3; the within-file ranker by the cosine, which
    # puts a3 before a2 inside pkg/a.py and cannot move pkg/b.py's place or the answer
    facts = analyze_query("where is the word handled")
    head_only = bm25_policy()
    plain = head_only.answer(two_files(), facts)
    assert [s.symbol for s in plain.spans] == ["a1"] and [s.symbol for s in plain.leads] == ["b1", "a2", "a3"]
    within = linear(TRAIN_NAMES, {"cosine": 5.0})
    nets = head_only.weights
    weights = Weights(nets.head, nets.expansion, nets.calibration, nets.answer, within=within)
    reordered = ModelPolicy(weights=weights).answer(two_files(), facts)
    assert [s.symbol for s in reordered.spans] == ["a1"]
    assert [s.symbol for s in reordered.leads] == ["b1", "a3", "a2"]


def test_the_history_prior_moves_the_within_file_order_as_it_moves_the_heads():
    # the within-file ranker puts a3 before a2 (cosine 0.9 against 0.1, 1.6 logits apart); an
    # adapted repository's history voted for a2 alone: a vote worth 3 logits puts it first among
    # pkg/a.py's leads (and leaves a1 the answer), a file vote alone (no share for the definition's
    # own, mix 0) moves nothing inside the file
    facts = analyze_query("where is the word handled")
    nets = bm25_policy().weights
    weights = Weights(nets.head, nets.expansion, nets.calibration, nets.answer,
                      within=linear(TRAIN_NAMES, {"cosine": 2.0}))  # fmt: skip
    votes = Votes(files={"pkg/a.py": 1.0}, places={("pkg/a.py", "a2"): 1.0})
    empty = np.zeros(1, dtype=np.int32)
    history = History([], empty, empty[:0], empty[:0], [], empty, empty[:0], weight=3.0, mix=1.0)
    voted = ModelPolicy(weights=weights).answer(two_files(), facts, prior=(votes, history))
    assert [s.symbol for s in voted.spans] == ["a1"]
    assert [s.symbol for s in voted.leads if s.path == "pkg/a.py"] == ["a2", "a3"]
    history.mix = 0.0
    by_file = ModelPolicy(weights=weights).answer(two_files(), facts, prior=(votes, history))
    assert [s.symbol for s in by_file.leads if s.path == "pkg/a.py"] == ["a3", "a2"]


def test_a_long_definition_is_cited_from_its_signature_to_the_evidence():
    ev = Evidence()
    r = ev.region("a.py", 100, 400, "Big.method")
    r.add(Reason(Signal.IDENTIFIER, "needle"), 1.0, 130)
    assert cite(r) == (100, 140)  # the signature down to ten lines past the matched line
    r.lines = {390}
    assert cite(r) == (380, 400)  # far down: a window around the evidence
    short = ev.region("a.py", 1, 20, "small")
    assert cite(short) == (1, 20)


def reconnect_source(doc: list[str], code: list[str]) -> list[str]:
    """The lines of a module whose 120-line `reconnect` holds `code` after `doc` (its docstring)
    and 66 lines of arithmetic no question is about, and 50 more after it."""
    head = ["import random", "import time", "", "", "def reconnect(samples, scale, offset, attempt):"]
    body = [f"    total_{i} = samples[{i}] * scale + offset" for i in range(66)]
    tail = [f"    summary_{i} = total_{i} - total_{i + 1}" for i in range(50)]
    return [*head, *doc, *body, *code, *tail, "    return delay", ""]


RECONNECT_ISSUE = (
    "Clients reconnect in lockstep after an outage\n\nWhen the broker restarts, every client "
    "retries at the same moment: the random jitter added to the retry backoff delay seems to be lost."
)


def test_inside_a_long_definition_the_cited_window_is_where_the_question_is(tmp_path):
    """A 120-line function whose jitter code sits at lines 72-75, no tool matching a line of it:
    a question cites it from where the question's words are (`focus`), not the signature and
    docstring; an issue, which asks for a place to change, the twenty lines around them."""
    jitter = [
        "    # spread the retries out so that clients do not reconnect in lockstep",
        "    jitter = random.uniform(0, backoff_cap)",
        "    delay = min(backoff_cap, base_delay * 2 ** attempt) + jitter",
        "    time.sleep(delay)",
    ]
    lines = reconnect_source(['    """Reconnect to the broker."""'], jitter)
    (tmp_path / "client.py").write_text("\n".join(lines))
    at = lines.index(jitter[1]) + 1
    ws = Workspace.open(tmp_path)
    try:
        question = ws.ask("where is jitter added to the retry backoff delay").spans[0]
        fix = ws.ask(RECONNECT_ISSUE).spans[0]
    finally:
        ws.close()
    for top in (question, fix):
        assert top.symbol == "reconnect" and top.start_line < at <= at + 2 <= top.end_line
        assert "random.uniform" in top.text and "def reconnect" not in top.text
    assert question.end_line - question.start_line + 1 <= 80 and question.start_line > 20
    assert fix.end_line - fix.start_line + 1 == 20


def test_an_issues_window_is_on_the_code_not_on_a_docstring_that_retells_it(tmp_path):
    """A long function whose docstring describes the retry jitter in the issue's own words: an
    issue asks for a place to change, and the fix changes the code, not its description."""
    doc = [
        '    """Reconnect to the broker after an outage.',
        "",
        "    Clients must not reconnect in lockstep: a random jitter is added to the retry",
        "    backoff delay so that every client retries at a different moment.",
        "",
        "    >>> reconnect(samples, 1.0, 0.0, attempt=3)  # the delay grows with each retry",
        '    """',
    ]
    code = ["    jitter = random.uniform(0, backoff_cap)", "    delay = base_delay * 2 ** attempt + jitter"]
    lines = reconnect_source(doc, code)
    (tmp_path / "client.py").write_text("\n".join(lines))
    at = lines.index(code[0]) + 1
    ws = Workspace.open(tmp_path)
    try:
        fix = ws.ask(RECONNECT_ISSUE).spans[0]
    finally:
        ws.close()
    assert fix.symbol == "reconnect" and fix.end_line - fix.start_line + 1 == 20
    assert fix.start_line <= at < at + 1 <= fix.end_line and "lockstep" not in fix.text
    assert (
        docstrings(doc) == [True] * len(doc)
        and docstrings(['    sql = """', "    select 1", '    """']) == [False] * 3
    )  # a string the code builds is code


def test_the_best_window_holds_the_rarest_words_and_sits_around_them():
    lines = ["x = 1"] * 30 + ["raise ValidationError(value)", "return value"] + ["x = 1"] * 30
    weights = {"validationerror": 5.0, "value": 0.5}
    offset, score = best_window(lines, weights, 10)
    assert offset <= 30 and offset + 10 > 31 and score == pytest.approx(5.5)  # `value` twice counts once
    assert 26 <= offset <= 27  # the two lines centred in the window, not at its end
    common = ["value = self.value"] * 30  # a common question word on every line
    offset, _ = best_window([*common, "raise ValidationError(value)", *common], weights | {"self": 0.1}, 10)
    assert offset == 26  # the rare word's line in the middle, not at the window's end
    marked, _ = best_window(["alpha = beta"] * 40, {"alpha": 1.0}, 10, marked=[35])
    assert marked <= 35 < marked + 10  # a tool's matched line wins where the words are everywhere
    assert best_window(["beta = 2"] * 40, {"alpha": 1.0}, 10) == (0, 0.0)  # nothing: the caller falls back


GO = """package router

// Handle registers a new request handle with the given path and method.
// It is the lowest-level way to add a route.
func (group *RouterGroup) Handle(httpMethod, relativePath string, handlers ...HandlerFunc) IRoutes {
\tif matched := regEnLetter.MatchString(httpMethod); !matched {
\t\tpanic("http method " + httpMethod + " is not valid")
\t}
\treturn group.handle(httpMethod, relativePath, handlers)
}

type RouterGroup struct {
\tHandlers []HandlerFunc
}
"""


def test_a_go_function_with_a_doc_comment_is_cited_with_its_body(tmp_path):
    (tmp_path / "routergroup.go").write_text(GO)
    ws = Workspace.open(tmp_path)
    try:
        bundle = ws.ask("where is a new request handle registered with a path and method")
    finally:
        ws.close()
    top = bundle.spans[0]
    assert (top.path, top.symbol) == ("routergroup.go", "RouterGroup.Handle")
    assert top.start_line == 5 and top.end_line == 10  # `func ...` through its closing brace
    assert "return group.handle" in top.text


def test_a_listed_c_files_header_follows_it_among_the_leads_when_the_exploration_reached_it():
    def region(path):
        return Region(path, 1, 5, path.rsplit("/", 1)[-1].split(".")[0])

    answer, mutex, other = region("absl/notification.cc"), region("absl/mutex.cc"), region("absl/other.cc")
    header, mutex_h = region("absl/notification.h"), region("absl/mutex.h")
    ranked = [answer, mutex, other, region("absl/unrelated.cc"), header, mutex_h]
    leads = with_twins([answer], [mutex, other], ranked, limit=3)
    assert [r.path for r in leads] == ["absl/notification.h", "absl/mutex.cc", "absl/mutex.h"]
    # a twin no tool reached is not made up, and a listed one is not listed twice
    assert with_twins([answer], [other], [answer, other], limit=3) == [other]
    assert with_twins([answer, header], [other], ranked, limit=3) == [other]


def test_an_issues_leads_past_its_fifth_file_become_deeper_ones_in_the_first_five():
    files = [f"pkg/m{i}.py" for i in range(7)]
    first = [Region(path, 1, 5, "first") for path in files]  # each file's best place
    second = [Region(path, 10, 15, "second") for path in files]
    ranked = first + second + [Region(files[0], 20, 25, "third"), Region(files[0], 30, 35, "fourth")]
    ranked.append(Region(files[0], 40, 45, "fifth"))
    chosen, leads = [first[0]], first[1:]  # six leads: files 1..6
    out = deepened(chosen, leads, ranked)
    assert len(out) == len(leads)  # as many places as before
    assert out[:4] == first[1:5]  # the first five files keep their places, in order
    # files 5 and 6 give theirs to the next best regions of the first five
    assert out[4:] == [second[0], second[1]]
    assert {r.path for r in out} == set(files[:5])
    # a file holds at most DEEP_PER_FILE places; with nothing deeper to give, the far files stay
    only = deepened(chosen, leads, first)
    assert only == leads


def test_twins_pair_c_family_sources_and_headers_only():
    assert twins("absl/synchronization/notification.cc") == [
        f"absl/synchronization/notification{e}" for e in (".h", ".hh", ".hpp", ".hxx")
    ]
    assert "src/cJSON.c" in twins("src/cJSON.h") and twins("lib/a.py") == [] and twins("Makefile") == []


def test_budgets_and_span_counts_below_the_minimum_are_usage_errors(sample_repo):
    for args in (
        ["--budget", "60"],
        ["--budget", "0"],
        ["--budget", "-5"],
        ["--max-spans", "0"],
        ["--max-turns", "0"],
    ):
        out = run_scout("ask", "csrf", str(sample_repo), *args)
        assert out.returncode == 2 and out.stderr.count("\n") == 1, args  # one line, not click's four
        assert out.stderr.startswith("scout: error: Invalid value for") and "'scout ask --help'" in out.stderr
    ok = run_scout("ask", "where is the CSRF token checked", str(sample_repo), "--budget", "100", "--json")
    data = json.loads(ok.stdout)
    assert ok.returncode == 0 and data["answer"] and data["budget"]["used"] <= 100


def test_the_shipped_weights_are_small_and_load_without_torch_or_network():
    sizes = EMBEDDER.stat().st_size + EXPLORER.stat().st_size
    assert sizes < 25 * 2**20
    code = (
        "import sys; from scout.explorer.model import shipped; shipped(); assert 'torch' not in sys.modules"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ | {"HF_HUB_OFFLINE": "1"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    features = shipped().head.features
    assert features and set(features) <= set(TRAIN_NAMES)  # every one computable


PARAPHRASE = {
    "accounts.py": "def authenticate(username, passphrase):\n    record = lookup(username)\n"
    "    return record is not None and record.matches(passphrase)\n",
    "mailer.py": "def send_mail(recipient, subject, body):\n    smtp = connect_smtp()\n"
    "    smtp.sendmail(recipient, subject, body)\n",
    "storage.py": "def remove_file(path):\n    os.unlink(path)\n",
    "packing.py": "def compress(data):\n    return zlib.compress(data, 9)\n",
    "keeper.py": "def seal(blob, secret):\n    return bytes(b ^ secret for b in blob)\n",
    "clock.py": "def next_tick(moment, step):\n    return moment + step\n",
}
# Each question shares no search term with any of the code above: only meaning can connect them.
QUESTIONS = {
    "how is an email delivered": "send_mail",
    "delete a document from disk": "remove_file",
    "encrypt with a key": "seal",
    "where is the login check": "authenticate",
}


def test_the_semantic_tool_finds_code_described_in_other_words(tmp_path):
    for path, text in PARAPHRASE.items():
        (tmp_path / path).write_text(text)
    code_terms = {t for text in PARAPHRASE.values() for t in terms(text)}
    ws = Workspace.open(tmp_path)
    try:
        for question, symbol in QUESTIONS.items():
            assert not set(terms(question)) & code_terms, question
            hits = call_tool(ws.ctx, "semantic", {"query": question, "limit": 3}).hits
            assert hits[0].symbol == symbol, (question, [h.symbol for h in hits])
            assert not call_tool(ws.ctx, "bm25", {"query": question}).hits  # no word to match
        # Within one file: that file's definitions only, scored all the same, best first.
        everywhere = call_tool(ws.ctx, "semantic", {"query": "encrypt with a key", "limit": 10}).hits
        inside = call_tool(ws.ctx, "semantic", {"query": "encrypt with a key", "path": "clock.py"}).hits
        assert [h.symbol for h in inside] == ["next_tick"]
        assert inside[0].score == pytest.approx(next(h.score for h in everywhere if h.symbol == "next_tick"))
    finally:
        ws.close()


def test_vectors_follow_a_changed_file(tmp_path):
    (tmp_path / "a.py").write_text("def sum_prices(items):\n    return sum(i.price for i in items)\n")
    ws = Workspace.open(tmp_path)
    try:
        e = ws.index.embedder
        before = ws.index.semantic(e.embed(Counter(terms("send an email message")), query=True), 1)
        (tmp_path / "a.py").write_text("def send_mail(to, body):\n    smtp.sendmail(to, body)\n")
        assert ws.index.update().changed == 1
        after = ws.index.semantic(e.embed(Counter(terms("send an email message")), query=True), 1)
        assert after[0][3] == "send_mail" and after[0][-1] > before[0][-1]
    finally:
        ws.close()


@pytest.mark.skipif(os.environ.get("SCOUT_SKIP_WHEEL") == "1", reason="SCOUT_SKIP_WHEEL=1")
def test_the_wheel_carries_the_weights_and_answers_from_a_fresh_venv(tmp_path, sample_repo):
    """`pip wheel .`, then a new virtual environment with only that wheel (and its pinned
    dependencies from the package index): `scout ask` uses the learned explorer."""
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*build, "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True, timeout=600
    )
    [wheel] = (tmp_path / "dist").glob("scout_context-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"scout/models/weights/embedder.npz", "scout/models/weights/explorer.json"} <= set(names)
    assert any(n.startswith("scout/grammars/") for n in names)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True,
                         text=True, timeout=900)  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    ask = [str(venv / "bin" / "scout"), "ask", "where is the CSRF token checked", str(sample_repo), "--json"]
    out = subprocess.run(ask, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["explorer"] == "model" and data["answer"][0]["path"] == "shop/auth/tokens.py"
    assert "torch" not in subprocess.run([str(venv / "bin" / "pip"), "list"], capture_output=True,
                                         text=True).stdout.lower()  # fmt: skip


def test_turn_two_follows_the_links_the_expansion_scorer_picks(tmp_path):
    """A question about the entry point; the code that does the work is only reachable by its
    call: the explorer follows `callees` from its best candidate and cites the callee."""
    (tmp_path / "service.py").write_text(
        "def handle_upload(request):\n    data = request.body\n    return store_blob(data)\n"
    )
    (tmp_path / "storage.py").write_text(
        "def store_blob(data):\n    path = make_path(data)\n    with open(path, 'wb') as f:\n"
        "        f.write(data)\n    return path\n\n\ndef make_path(data):\n    return str(hash(data))\n"
    )
    follow_callees = linear(EXPANSION_NAMES, {"callees": 4.0}, bias=-5.0)  # 0.27 for callees, 0.007 else
    calibration = linear(CALIBRATION_NAMES, {"logit_gap": 3.0}, bias=2.0)
    head = linear(NAMES, {"bm25": 2.0, "callee": 3.0})
    policy = ModelPolicy(weights=Weights(head, follow_callees, calibration, {}))
    from scout.explorer.trajectory import Trajectory

    ws = Workspace.open(tmp_path)
    try:
        record = tmp_path.parent / "trajectory.jsonl"
        traj = Trajectory.to_file(record)
        bundle = ws.ask("where is an upload handled", policy=policy, trajectory=traj)
        traj.close()
    finally:
        ws.close()
    calls = [json.loads(line) for line in record.read_text().splitlines() if '"tool_call"' in line]
    links = [c["args"] for c in calls if c["tool"] == "related"]
    assert links and all(a["relation"] == "callees" for a in links)
    cited = [(s.path, s.symbol) for s in bundle.spans + bundle.leads]
    assert ("storage.py", "store_blob") in cited  # reached only through the call


def test_the_embedder_table_is_mapped_from_the_weights_file_and_hashed_only_when_asked():
    embedder = Embedder.load()
    assert isinstance(embedder.table, np.memmap) and Path(embedder.table.filename) == EMBEDDER
    with np.load(EMBEDDER) as data:
        assert np.array_equal(embedder.table, data["table"])
    assert embedder._digest == ""  # opening it read no more than the small members
    assert embedder.digest == hashlib.sha1(EMBEDDER.read_bytes() + SCHEME.encode()).hexdigest()[:16]


def test_a_query_with_the_shipped_weights_checks_their_stamp_not_a_hash(tmp_path, monkeypatch):
    """Building the index hashes the weights once and records their file's stamp; a query after
    that (the weights loaded to embed it) checks the stamp, never reads the 19 MB file again."""
    for path, text in PARAPHRASE.items():
        (tmp_path / path).write_text(text)
    Workspace.open(tmp_path).close()
    monkeypatch.setattr(Embedder, "digest", property(lambda self: pytest.fail("the weights were hashed")))
    ws = Workspace.open(tmp_path)
    try:
        query = ws.index.embed_query(Counter(terms("how is an email delivered")))
        assert query.any() and ws.index.semantic(query, 5)
    finally:
        ws.close()


def test_another_embedder_remakes_the_semantic_scores_from_the_stored_terms_without_parsing(tmp_path):
    for path, text in PARAPHRASE.items():
        (tmp_path / path).write_text(text)
    ws = Workspace.open(tmp_path)
    try:
        shipped = ws.index.embedder
        query = shipped.embed(Counter(terms("how is an email delivered")), query=True)
        before = {r[3]: r[-1] for r in ws.index.semantic(query, 10)}
        ws.index.embedder = Embedder(
            shipped.terms, -shipped.table, shipped.scales, shipped.doc_weights, shipped.query_weights
        )
        stats = ws.index.update()
        after = {r[3]: r[-1] for r in ws.index.semantic(query, 10)}
        assert (stats.changed, stats.added) == (0, 0)  # nothing parsed again
        assert after == pytest.approx({symbol: -score for symbol, score in before.items()}, abs=1e-5)
        assert ws.index.view().state.gen == 1  # a new generation of the term files, with new norms
    finally:
        ws.close()


def test_model_explorer_takes_a_training_runs_weights(tmp_path, sample_repo):
    from scout.api import Workspace
    from scout.explorer import make_policy
    from scout.models.mlp import WEIGHTS

    (tmp_path / WEIGHTS.name).write_bytes(WEIGHTS.read_bytes())  # a run's folder: its explorer nets
    policy = make_policy(f"model:{tmp_path}")
    ws = Workspace.open(sample_repo)
    try:
        given = ws.ask("where is the CSRF token checked", policy=policy)
        default = ws.ask("where is the CSRF token checked")
        assert given.spans and given.to_dict()["answer"] == default.to_dict()["answer"]
    finally:
        ws.close()
    with pytest.raises(ScoutError, match="no explorer weights at"):
        make_policy(f"model:{tmp_path / 'missing'}")


def test_a_larger_max_spans_asks_the_model_for_a_longer_ranking_with_the_same_answer(tmp_path):
    """The learned explorer lists the leads its stop rule fitted (at most two a file); a caller
    that allows more spans than the default (a benchmark that scores ten files, an agent that
    wants a map) gets more leads over more files, in the same order, after the same answer."""
    for i in range(24):
        (tmp_path / f"cache_{i}.py").write_text(
            f"def evict_expired_entries_{i}(cache, now):\n"
            f'    """Drop cache entries older than their time to live ({i})."""\n'
            "    return {k: v for k, v in cache.items() if v.expires > now}\n"
        )
    ws = Workspace.open(tmp_path)
    try:
        question = "where are expired cache entries evicted"
        short = ws.ask(question, policy="model", limits=ws.limits())
        long = ws.ask(question, policy="model", limits=ws.limits(max_spans=40))
    finally:
        ws.close()
    assert [s.path for s in long.spans] == [s.path for s in short.spans]
    assert len(short.leads) <= 8 and len(long.leads) > len(short.leads)
    assert [s.path for s in long.leads][: len(short.leads)] == [s.path for s in short.leads]
    assert len({s.path for s in long.spans + long.leads}) >= 10


def test_the_mean_of_heads_is_one_net_that_averages_their_logits():
    """Heads over different features, each with its own standardisation: the merged net reads the
    union of their features and gives exactly the mean logit."""
    from scout.models.mlp import mean_of

    rng = np.random.default_rng(7)

    def net(names, hidden):
        n = len(names)
        return MLP(tuple(names), rng.normal(size=n), rng.uniform(0.5, 2, n), rng.normal(size=(n, hidden)),
                   rng.normal(size=hidden), rng.normal(size=hidden), float(rng.normal()))  # fmt: skip

    a, b = net(("cosine", "bm25", "lines"), 4), net(("bm25", "name_spelled"), 3)
    merged = mean_of([a, b])
    assert merged.features == ("cosine", "bm25", "lines", "name_spelled") and merged.w1.shape == (4, 7)
    x = rng.normal(size=(20, 4)) * 3
    expected = (a.logits(x[:, [0, 1, 2]]) + b.logits(x[:, [1, 3]])) / 2
    assert np.allclose(merged.logits(x), expected)
    assert mean_of([a]) is a
    with pytest.raises(ValueError, match="hidden layer"):
        mean_of([a, linear(("cosine",), {"cosine": 1.0})])
