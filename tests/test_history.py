"""The history prior of `scout adapt` (issue 22): past commit messages vote for the files they changed.

The fixture's code says "stall" only in a metrics helper that counts stalls, while its history
says that every "uploader stall" was fixed in `push_block`, a function whose code shares no word
with the question. The explorer alone answers with the helper; adapted, the history's vote moves
`push_block` first, and the vote's weight is chosen on the newest commits, held out.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import git, run_scout

from scout.explorer.model import vote_words
from scout.explorer.query import analyze_query
from scout.index.lexical import terms
from scout.learn.adapt import pick
from scout.models.adaptation import Adaptation
from scout.models.history import History

QUESTION = "why does the uploader stall on slow links"
TARGET = "transfer.py"

FILES = {
    "transfer.py": '''def push_block(sock, block, window):
    """Write one block and wait until the peer's window opens again."""
    retries = 0
    sent = sock.send(block)
    while window.closed():
        window.wait_for_ack()
    return sent
''',
    "metrics.py": '''STALLS = []


def record_stall(seconds):
    """Keep a running count of the waits, in seconds."""
    retries = 0
    STALLS.append(seconds)
    return len(STALLS) + retries
''',
    "billing.py": '''def invoice_total(items, tax_rate):
    """Sum the line items of an invoice and add tax."""
    retries = 0
    subtotal = sum(price * qty for price, qty in items)
    return round(subtotal * (1 + tax_rate), 2)
''',
    "storage.py": '''def write_blob(path, data):
    """Write bytes to disk atomically."""
    retries = 0
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
''',
}

# (file, line to touch, message templates): uploader stalls are fixed in push_block.
KINDS = [
    ("transfer.py", "retries =", ["Fix uploader stall when the link is {}", "Uploader stalls on {} links",
                                    "Avoid a stall of the uploader with {} peers"]),
    ("metrics.py", "retries =", ["Report metrics in {} units", "Round the {} metric values"]),
    ("billing.py", "retries =", ["Fix invoice rounding for {} totals", "Tax is wrong for {} items"]),
    ("storage.py", "retries =", ["Write {} blobs atomically", "Keep {} temporary files apart"]),
]  # fmt: skip
WORDS = ["slow", "lossy", "congested", "remote", "mobile", "satellite", "wireless", "metered", "busy",
         "distant", "shared", "noisy"]  # fmt: skip
PLACES = ["on Linux", "on macOS", "on Windows", "in CI"]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stall")
    git(root, "init", "-q", "-b", "main")
    for name, text in FILES.items():
        (root / name).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial version of the uploader")
    for i in range(168):
        name, anchor, messages = KINDS[i % len(KINDS)]
        path = root / name
        lines = path.read_text().splitlines()
        at = next(n for n, line in enumerate(lines) if anchor in line)
        lines[at] = f"    retries = {i + 1}"
        path.write_text("\n".join(lines) + "\n")
        j = i // len(KINDS)  # the kind's j-th commit: each message once (mining drops repeats)
        template, word = messages[j % len(messages)], WORDS[j // len(messages) % len(WORDS)]
        message = f"{template.format(word)} {PLACES[j // (len(messages) * len(WORDS))]}"
        git(root, "commit", "-q", "-am", message)
    return root


@pytest.fixture()
def repo(history, tmp_path) -> Path:
    clone = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(history), str(clone))
    return clone


def first_path(repo: Path) -> str:
    done = run_scout("ask", QUESTION, str(repo), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["answer"][0]["path"]


def test_votes_go_to_the_files_the_closest_messages_changed():
    found = History.build(
        [
            (Counter(terms("Fix uploader stall on slow links")), [("transfer.py", "push_block")]),
            (Counter(terms("Uploader stalls when the peer is lossy")),
             [("transfer.py", "push_block"), ("transfer.py", "Window.wait"), ("net/window.py", "")]),
            (Counter(terms("Report stall metrics in seconds")), [("metrics.py", "record_stall")]),
            (Counter(terms("Round invoice totals")), [("billing.py", "invoice_total")]),
            (Counter(), [("ignored.py", "f")]),  # no words: not a message
        ]
    )  # fmt: skip
    votes = found.votes(Counter(terms(QUESTION)))
    assert found.size == 4 and max(votes.files, key=votes.files.get) == "transfer.py"
    assert votes.files["transfer.py"] == 1.0 and votes.places[("transfer.py", "push_block")] == 1.0
    assert (
        0 < votes.files["metrics.py"] < votes.files["net/window.py"] < 1.0 and "billing.py" not in votes.files
    )
    assert 0 < votes.places[("transfer.py", "Window.wait")] < 1.0 and ("net/window.py", "") in votes.places
    assert not any(p.startswith("ignored.py") for p in found.places)
    nothing = found.votes(Counter(terms("quantum chromodynamics")))
    assert nothing.files == {} and nothing.places == {}


ISSUE = """The uploader stalls on slow links

Since the last release an upload over a slow link stops after the first block and never resumes.

```
INFO session opened, cache warmed, retrying session refresh
INFO session refresh cache miss, session refresh retried
INFO session cache evicted, session refresh scheduled
```
"""


def test_an_issue_votes_with_its_title_and_first_paragraph_not_its_pasted_log():
    # the pasted log reads like the session cache's commits; the issue is about the uploader
    found = History.build(
        [(Counter(terms("Fix uploader stall on slow links")), [("transfer.py", "push_block")]),
         (Counter(terms("Refresh the session cache when a session is evicted")), [("session.py", "refresh")]),
         (Counter(terms("Retry session refresh on a cache miss")), [("session.py", "refresh")])]
    )  # fmt: skip
    facts = analyze_query(ISSUE)
    whole = found.votes(Counter(terms(facts.text)))
    assert max(whole.files, key=whole.files.get) == "session.py"  # what the whole text votes for
    votes = found.votes(vote_words(facts))
    assert max(votes.files, key=votes.files.get) == "transfer.py" and "session.py" not in votes.files
    question = analyze_query(QUESTION)  # a question votes with every word, as before
    assert vote_words(question) == Counter(terms(question.text))


def test_the_history_survives_its_file_and_a_damaged_one_is_refused(tmp_path):
    found = History.build(
        [(Counter(terms("Fix uploader stall")), [("transfer.py", "push_block")]),
         (Counter(terms("Round invoice totals")), [("billing.py", "")])], weight=2.0
    )  # fmt: skip
    saved = Adaptation([], np.zeros((0, 4), np.float32), {"format": "scout-adapt/2"}, found)
    saved.save(tmp_path / "a.adapt")
    loaded = Adaptation.load(tmp_path / "a.adapt")
    assert loaded.history is not None and loaded.history.weight == 2.0
    assert loaded.history.votes(Counter(terms(QUESTION))) == found.votes(Counter(terms(QUESTION)))
    older = Adaptation([], np.zeros((0, 4), np.float32), {"format": "scout-adapt/1"})
    older.save(tmp_path / "old.adapt")
    assert Adaptation.load(tmp_path / "old.adapt").history is None  # an adaptation from before the history
    found.place_id[0] = 7  # a definition that is not there
    bad = Adaptation([], np.zeros((0, 4), np.float32), {"format": "scout-adapt/2"}, found)
    bad.save(tmp_path / "bad.adapt")
    with pytest.raises(ValueError, match="unreadable"):
        Adaptation.load(tmp_path / "bad.adapt")


def test_adapt_weighs_the_history_on_held_out_commits_and_the_answer_follows_it(repo):
    assert first_path(repo) == "metrics.py"  # the only code that says "stall"
    done = run_scout("adapt", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["trials"] >= 20 and report["history_weight"] > 0 and report["history"] >= 100
    chosen = f"{report['history_weight']:g} {report['history_mix']:g}"
    trials = report["trial_mrr"]
    assert max(v for k, v in trials.items() if k.endswith(f" {chosen}")) > trials["none 0 0"]
    assert first_path(repo) == TARGET
    # The history alone moves it too (the outline finds `push_block`, the vote lifts it), at the
    # weight the held-out commits favour when the words are not adapted.
    target = Path(report["target"])
    whole = Adaptation.load(target)
    alone = max((v, k) for k, v in report["trial_mrr"].items() if k.startswith("none"))[1]
    whole.history.weight, whole.history.mix = (float(x) for x in alone.split()[1:])
    Adaptation([], whole.rows[:0], whole.meta, whole.history).save(target)
    assert first_path(repo) == TARGET
    whole.history.weight = 0.0  # no vote: the definition is looked at, and the head alone ranks it
    Adaptation([], whole.rows[:0], whole.meta, whole.history).save(target)
    assert first_path(repo) == "metrics.py"


def test_a_reading_is_kept_only_when_its_gain_stands_out_of_the_noise():
    shipped = np.full(24, 0.5)
    lucky = shipped.copy()
    lucky[:3] = 1.0  # three commits won big, three lost a little: +0.0375 with 0.039 of noise
    lucky[3:6] = 0.3
    steady = shipped + 0.1  # every commit a little better
    ranks = {"none 0 0": shipped, "none 8 1": lucky}
    key, (gain, error) = pick(ranks, margin=2.0)
    assert key == "none 0 0" and 0 < gain < 2 * error
    assert pick(ranks, margin=0.0)[0] == "none 8 1"  # ungated, luck would be kept
    ranks |= {"rows 2 0.5": steady, "none 2 0.5": steady}
    key, (gain, error) = pick(ranks, margin=2.0)
    assert key == "none 2 0.5" and gain == pytest.approx(0.1)  # a tie goes to no adapted words
    ranks["none 1 0"] = steady
    assert pick(ranks, margin=2.0)[0] == "none 1 0"  # and then to the smaller weight
    assert pick({"none 0 0": shipped, "none 4 1": shipped - 0.1}, margin=0.0)[0] == "none 0 0"
