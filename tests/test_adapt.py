"""`scout adapt` (issue 22): a repository's history teaches scout its own words.

The fixture's commits keep saying "frobnication" while changing `reticulate_splines`, whose code
and name share no word with it. The shipped embedder cannot know the link; the adapted one
learns it from the history and finds the function.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import git, run_scout

from scout.models import adaptation
from scout.models.adaptation import Adaptation
from scout.models.embedder import Embedder

QUESTION = "where does the frobnication happen"
TARGET = "geometry.py"

FILES = {
    "geometry.py": '''def reticulate_splines(points, tension):
    """Smooth a curve through the control points."""
    knots = [p * tension for p in points]
    curve = [k + 1 for k in knots]
    return curve


def polygon_area(vertices):
    """Area of a simple polygon by the shoelace formula."""
    total = 0
    for i, (x, y) in enumerate(vertices):
        nx, ny = vertices[(i + 1) % len(vertices)]
        total += x * ny - nx * y
    return abs(total) / 2
''',
    "billing.py": '''def invoice_total(items, tax_rate):
    """Sum the line items of an invoice and add tax."""
    subtotal = sum(price * qty for price, qty in items)
    return round(subtotal * (1 + tax_rate), 2)


def apply_discount(total, coupon):
    """Reduce a total by a coupon's percentage."""
    return total * (1 - coupon.percent / 100)
''',
    "network.py": '''def open_connection(host, port, timeout):
    """Open a TCP socket to a host."""
    address = (host, port)
    return connect_socket(address, timeout)


def retry_request(request, attempts):
    """Send a request again after a transient network failure."""
    for _ in range(attempts):
        response = request.send()
        if response.ok:
            return response
    return None
''',
    "storage.py": '''def write_blob(path, data):
    """Write bytes to disk atomically."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    rename_file(tmp, path)


def read_config(path):
    """Parse the settings file into a dictionary."""
    with open(path) as handle:
        return dict(line.split("=", 1) for line in handle)
''',
    "parser.py": '''def tokenize(text):
    """Split an arithmetic expression into tokens."""
    return text.replace("(", " ( ").replace(")", " ) ").split()


def parse_number(token):
    """Read an integer or a decimal literal."""
    return float(token) if "." in token else int(token)
''',
}

# (file, text on the line to change, message): the frobnication commits change reticulate_splines.
CHANGES = [
    ("geometry.py", "curve =", "Fix frobnication for closed shapes with many points"),
    ("billing.py", "return round(", "Fix rounding of invoice totals with tax"),
    ("geometry.py", "knots =", "Make frobnication stable when tension is zero"),
    ("network.py", "address =", "Fix connection to IPv6 hosts when the port is given"),
    ("geometry.py", "curve =", "Frobnication should handle a single point"),
    ("storage.py", "tmp =", "Avoid clobbering a temporary file when writing blobs"),
    ("geometry.py", "knots =", "Speed up frobnication for long inputs"),
    ("parser.py", "return text", "Handle nested parentheses in expressions"),
    ("geometry.py", "curve =", "Fix frobnication crash with negative tension"),
    ("billing.py", "return total", "Allow coupons with a zero percent discount"),
    ("geometry.py", "knots =", "Frobnication must keep the first point in place"),
    ("network.py", "response = request", "Retry requests after a timeout from the server"),
    ("storage.py", "return dict(", "Fix reading settings with blank lines"),
    ("geometry.py", "curve =", "Correct frobnication of collinear points"),
    ("parser.py", "return float(", "Support negative numbers when parsing literals"),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("frob")
    git(root, "init", "-q", "-b", "main")
    for name, text in FILES.items():
        (root / name).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial version of the toolkit")
    for i, (name, anchor, message) in enumerate(CHANGES):
        path = root / name
        lines = path.read_text().splitlines()
        at = next(n for n, line in enumerate(lines) if anchor in line)
        lines[at] += f"  # v{i}"
        path.write_text("\n".join(lines) + "\n")
        git(root, "commit", "-q", "-am", message)
    return root


@pytest.fixture()
def repo(history, tmp_path) -> Path:
    """A fresh clone per test: each test adapts (or not) its own copy, in its own cache."""
    clone = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(history), str(clone))
    return clone


def ask(repo: Path) -> tuple[dict, str]:
    done = run_scout("ask", QUESTION, str(repo), "--json")
    assert done.returncode in (0, 1), done.stderr
    return (json.loads(done.stdout) if done.stdout.strip() else {}), done.stderr


def paths(bundle: dict, tier: str = "answer") -> list[str]:
    return [s["path"] for s in bundle.get(tier, [])]


def test_the_adapted_model_finds_the_repository_word_that_the_base_model_cannot(repo):
    before, _ = ask(repo)
    assert TARGET not in paths(before) + paths(before, "leads")
    done = run_scout("adapt", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["terms"] > 0 and report["examples"] >= 10
    assert Path(report["target"]).is_file() and report["bytes"] < 20 * 1024 * 1024
    assert "mining" in done.stderr and "adapted in" in done.stderr  # progress on stderr
    after, _ = ask(repo)
    assert paths(after)[:1] == [TARGET]
    assert after["answer"][0]["symbol"].endswith("reticulate_splines")


def test_adaptation_is_read_through_the_api_index_too(repo):
    from scout.api import Workspace
    from scout.index.lexical import terms

    assert run_scout("adapt", str(repo)).returncode == 0
    ws = Workspace.open(repo)
    try:
        words = dict.fromkeys(terms(QUESTION), 1)
        adapted = ws.index.embed_query(words)
        shipped = ws.index.embedder.embed(words, query=True)
        assert abs(float(adapted @ adapted) - 1) < 1e-4
        assert float(adapted @ shipped) < 0.99  # the repository's word moved the question
    finally:
        ws.close()


def test_clear_removes_the_adaptation_and_says_when_there_is_none(repo):
    assert run_scout("adapt", str(repo)).returncode == 0
    listed = json.loads(run_scout("cache", "list", "--json").stdout)["indexes"]
    assert [e["adapted"] is not None for e in listed] == [True]
    assert [e["adapted_kept"] for e in listed] == [True]
    table = run_scout("cache", "list").stdout
    assert "ADAPTED" in table and "just now" in table.split("\n")[1] and "kept nothing" not in table
    target = Path(listed[0]["index"] + ".adapt")
    found = Adaptation.load(target)  # what `scout adapt` writes when no reading beats the shipped answers
    Adaptation([], found.rows[:0], found.meta | {"terms": 0, "history_weight": 0.0}).save(target)
    listed = json.loads(run_scout("cache", "list", "--json").stdout)["indexes"]
    assert [e["adapted_kept"] for e in listed] == [False]
    assert "just now, kept nothing" in run_scout("cache", "list").stdout
    cleared = run_scout("adapt", "--clear", str(repo), "--json")
    assert cleared.returncode == 0 and json.loads(cleared.stdout)["removed"] is True
    again = run_scout("adapt", "--clear", str(repo))
    assert again.returncode == 1 and "has no adaptation" in again.stderr
    listed = json.loads(run_scout("cache", "list", "--json").stdout)["indexes"]
    assert [e["adapted"] for e in listed] == [None]


def test_a_corrupt_adaptation_is_ignored_with_one_warning(repo):
    done = run_scout("adapt", str(repo), "--json")
    target = Path(json.loads(done.stdout)["target"])
    target.write_bytes(b"PK\x03\x04 not a zip at all")
    bundle, err = ask(repo)
    assert "damaged adaptation" in err and err.count("damaged") == 1
    assert TARGET not in paths(bundle)[:1]  # answered as the shipped model would


def test_an_ask_still_works_when_the_weights_change_under_an_adaptation(repo, tmp_path, caplog):
    """New shipped weights (simulated: a copy that differs, set on the index as training does)
    no longer fit the adaptation: it is ignored with one warning, the index re-embeds for the new
    weights, and the ask answers with them alone."""
    from scout.api import Workspace

    assert run_scout("adapt", str(repo)).returncode == 0
    shipped = Embedder.load()
    other = Embedder(shipped.terms, shipped.table, shipped.scales * 1.01, shipped.doc_weights,
                     shipped.query_weights)  # fmt: skip
    other.save(tmp_path / "other.npz")
    other = Embedder.load(tmp_path / "other.npz")
    ws = Workspace.open(repo)
    try:
        found = adaptation.current(ws.index.path)
        assert found is not None and found.terms and found.fits(ws.index.embedder) and not found.fits(other)
        ws.index.embedder = other
        ws.index.update()
        bundle = ws.ask(QUESTION)
        words = {"frobnication": 1}
        assert (ws.index.embed_query(words) == other.embed(words, query=True)).all()
    finally:
        ws.close()
    assert TARGET not in [s.path for s in bundle.spans][:1]
    assert [r.message for r in caplog.records].count(
        "the repository's adaptation was made for other weights: ignored (run `scout adapt` again)"
    ) == 1


def test_adapt_refuses_a_directory_without_history(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("def f():\n    return 1\n")
    done = run_scout("adapt", str(plain))
    assert done.returncode == 2 and "no git history" in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # the error and its hint


def test_keep_data_writes_the_mined_questions_and_nothing_is_kept_without_it(repo, tmp_path):
    kept = tmp_path / "mined"
    assert run_scout("adapt", str(repo), "--keep-data", str(kept)).returncode == 0
    tasks = [json.loads(line) for line in (kept / "tasks.jsonl").read_text().splitlines()]
    assert any("frobnication" in t["query"].lower() for t in tasks)
    assert all("patch" not in t for t in tasks)
    cache = Path(os.environ["SCOUT_CACHE_DIR"])
    assert not [p for p in cache.rglob("*") if p.suffix in (".jsonl", ".tmp")]


def test_the_mcp_server_adapts_in_a_separate_low_priority_process_once(repo):
    """`scout mcp --adapt` hands the work to another process (so no call waits on it), at the
    lowest priority; a second start with the same HEAD and weights does nothing."""
    from scout.commands.adapt import adapt_in_background

    assert "--adapt" in run_scout("mcp", "--help").stdout
    procs = adapt_in_background([repo])
    assert len(procs) == 1 and procs[0].wait(timeout=120) == 0
    index = next((Path(os.environ["SCOUT_CACHE_DIR"]) / "index").glob("*.sqlite"))
    target = adaptation.path_for(index)
    made = target.stat().st_mtime_ns
    again = run_scout("adapt", str(repo), "--if-stale", "--json")
    assert json.loads(again.stdout)["skipped"] == "fresh" and target.stat().st_mtime_ns == made


def test_scout_mcp_adapt_adapts_a_client_root_once_its_index_is_ready(repo, tmp_path):
    """No --repo: the repository is the client's root, opened on the first call; once its index is
    ready the server starts adapting it in a separate process, and the call never waits for it."""
    import anyio
    from conftest import SCOUT, scout_env
    from mcp import Client, StdioServerParameters
    from mcp.types import ListRootsResult, Root

    params = StdioServerParameters(
        command=SCOUT[0], args=[*SCOUT[1:], "mcp", "--adapt", "--workers", "0"], env=scout_env(), cwd="/"
    )

    async def roots(_ctx):
        return ListRootsResult(roots=[Root(uri=repo.as_uri())])

    async def main():
        async with Client(
            params, mode="legacy", read_timeout_seconds=120, list_roots_callback=roots
        ) as client:
            found = await client.call_tool("find_context", {"query": "how is the area of a polygon computed"})
            assert not found.is_error, found.content
            cache = Path(os.environ["SCOUT_CACHE_DIR"]) / "index"
            deadline = time.monotonic() + 120
            while not list(cache.glob("*" + adaptation.SUFFIX)) and time.monotonic() < deadline:
                await anyio.sleep(0.5)
            [made] = list(cache.glob("*" + adaptation.SUFFIX))
            assert made.name.startswith(repo.name)

    anyio.run(main)


def test_a_shallow_clone_keeps_no_untested_words_and_says_why(history, tmp_path):
    """A CI checkout (depth 1) has HEAD's docstrings and test names but no commits: nothing to
    check the adapted words against, and nothing they would add to what the code says."""
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history}", str(shallow))
    done = run_scout("adapt", str(shallow), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["terms"] == 0 and json.loads(done.stdout)["history"] == 0
    said = run_scout("adapt", str(shallow))
    assert "kept nothing; no commits to learn from (a shallow clone? `git fetch --unshallow`)" in said.stdout


def test_a_history_git_cannot_read_to_the_end_is_said_on_stderr(repo):
    """An object missing from the clone (a partial clone offline, a damaged one) ends `git log`
    early: the commits read so far are used, and the user is told where it stopped."""
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    blob = git(repo, "rev-parse", f"{first}:geometry.py").strip()
    loose = repo / ".git" / "objects" / blob[:2] / blob[2:]  # a local clone links the loose objects
    assert loose.is_file()
    loose.unlink()
    done = run_scout("adapt", str(repo))
    assert done.returncode == 0, done.stderr
    assert "git log stopped after" in done.stderr and f"unable to read {blob}" in done.stderr
