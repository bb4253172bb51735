"""Property-based fuzzing of everything that reads outside input: the query analyser (any text,
in linear time), tags extraction (any bytes, every language), the bundle builder (fit and round
trip), settings files (any TOML), GitHub event payloads (any JSON) and tool arguments as MCP and
the LLM explorer send them. Each may refuse an input with its own one-line error; none may crash.
And every pattern applied to a repository's, an issue's or a log's text keeps a time bound on
hostile input: fragments it reacts to, repeated to 100 KB, with a near miss at the end.

The example counts here keep `make test` quick; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) multiplies
them by FUZZ_FACTOR. Inputs tried and crashes found are recorded in docs/security.md.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import time
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scout.api import Workspace
from scout.bundle import MIN_BUDGET, Bundle, Span, Stats, fit, render_markdown
from scout.config import Settings, load_settings
from scout.errors import ScoutError, ToolError
from scout.explorer.query import QueryFacts, analyze_query
from scout.index.languages import SPECS
from scout.index.tags import extract
from scout.prompts.fence import canonical, new_tag, wrap
from scout.redact import MARKER, redact
from scout.tokens import count_tokens
from scout.tools import TOOLS, call_tool
from scout.triage.codeowners import CodeOwners, compile_pattern, parse
from scout.triage.comment import code, fenced, inert
from scout.triage.config import parse_bot_config
from scout.triage.events import EventError, load_event, parse_event
from scout.triage.labels import suggest_labels
from scout.triage.logs import extract as extract_log

FUZZ_FACTOR = 50 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 1


def runs(n: int):
    """Hypothesis settings for `n` examples (times FUZZ_FACTOR under `make fuzz`), no deadline:
    the machine may be busy, and slowness is tested where it matters (the linear-time test)."""
    return settings(
        max_examples=n * FUZZ_FACTOR,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)


def _json_containers(inner):
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)


JSON = st.recursive(SCALARS, _json_containers, max_leaves=12)

# Pieces that the query analyser's patterns care about, glued at random: frames, errors, quotes,
# paths, blank runs, capitalised words after sentence ends, list and emphasis marks.
QUERY_PIECES = [
    'File "', '", line ', "12", ", in ", "Error", "Exception: ", "ValueError: bad thing happened", "`",
    "'", '"', "\n", "\n\n", " ", "\t", "    ", "python 3.11.2", "Version: 4.2", "(", ")", "::", "a/b.py",
    "src/x.ts", "Word", "However", "HTTP", "_", "__init__", ".", "-", "*", "#", ">", "!", "?", ":",
    "QuerySet.only", "os.path", "snake_case", "camelCase", "é", "\u200b", "\x00", "\r\n",
]  # fmt: skip
QUERIES = st.text() | st.lists(st.sampled_from(QUERY_PIECES), max_size=300).map("".join)


# --- the query analyser --------------------------------------------------------------------


@runs(300)
@given(text=QUERIES)
def test_the_query_analyser_reads_any_text(text):
    facts = analyze_query.__wrapped__(text)  # not the cached one: every example is analysed
    assert isinstance(facts, QueryFacts)
    assert all(isinstance(i, str) and i for i in facts.identifiers)
    assert set(facts.identifiers) == set(facts.weights)
    assert all(f.line >= 0 and f.path for f in facts.frames)
    assert len(facts.focus) <= 1500


# --- secret masking ---------------------------------------------------------------------------

SECRET_PIECES = [
    "password = '", "'", '"', "=", ": ", "AKIA", "IOSFODNN7EXAMPLE", "ghp_", "sk_live_", "xoxb-", "eyJ",
    "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "\\n", "\n", " ", "://u:", "@h",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "0123456789abcdef", "Zm9vYmFy", ".", "-", "_", "«", "»",
    "PuTTY-User-Key-File-2", "Private-MAC:", "token ", "Bearer ", "é", "\t",
]  # fmt: skip


@runs(200)
@given(
    text=st.text() | st.lists(st.sampled_from(SECRET_PIECES), max_size=60).map("".join),
    path=st.none() | st.sampled_from(["a.py", "b.yaml", "c.go", "d.cpp", "e.env", "f"]),
    inside=st.booleans(),
)
def test_masking_keeps_every_line_and_never_raises(text, path, inside):
    masked = redact(text, path, inside)
    before, after = text.split("\n"), masked.text.split("\n")
    assert len(after) == len(before)
    changed = [a for b, a in zip(before, after, strict=True) if a != b]
    assert len(changed) == masked.lines and all(MARKER in a for a in changed)


# --- tags extraction --------------------------------------------------------------------------

TAG_SOURCES = {p.suffix: p.read_bytes() for p in (FIXTURES / "tags").iterdir()}
LANGUAGE_FIXTURE = {
    "python": ".py", "javascript": ".js", "typescript": ".ts", "tsx": ".tsx", "go": ".go", "rust": ".rs",
    "java": ".java", "c": ".c", "cpp": ".cpp", "c_sharp": ".cs", "ruby": ".rb", "php": ".php",
    "kotlin": ".kt", "swift": ".swift", "scala": ".scala", "bash": ".sh", "lua": ".lua", "elixir": ".ex",
    "haskell": ".hs", "ocaml": ".ml", "ocaml_interface": ".mli", "dart": ".dart", "zig": ".zig",
    "perl": ".pl", "hcl": ".tf", "sql": ".sql",
}  # fmt: skip


def _mutated(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with slices replaced: real code, broken in places, parses into stranger trees than noise."""
    for at, length, junk in cuts:
        at %= len(data) + 1
        data = data[:at] + junk + data[at + length :]
    return data


@runs(40)
@given(
    lang=st.sampled_from(sorted(SPECS)),
    noise=st.binary(max_size=2000),
    text=st.text(max_size=500),
    cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 200), st.binary(max_size=40)), max_size=6),
)
def test_tags_extraction_never_raises_on_any_text(lang, noise, text, cuts):
    """What the index hands over: any file, decoded (invalid bytes replaced), or any str at all."""
    fixture = TAG_SOURCES.get(LANGUAGE_FIXTURE.get(lang, ""), b"")
    mutated = _mutated(fixture, cuts).decode("utf-8", "replace")
    for source in (noise.decode("utf-8", "replace"), mutated, text, text + mutated):
        definitions, references = extract(lang, source, "fuzz")
        for d in definitions:
            assert 1 <= d.start_line <= d.end_line and d.name
        assert all(r.line >= 1 and r.name for r in references)


@runs(40)
@given(lang=st.sampled_from(sorted(SPECS)), noise=st.binary(max_size=2000))
def test_tags_extraction_never_raises_on_valid_utf8_bytes(lang, noise):
    fixture = TAG_SOURCES.get(LANGUAGE_FIXTURE.get(lang, ""), b"")
    source = noise.decode("utf-8", "replace").encode() + fixture
    extract(lang, source, "fuzz")


def test_tags_extraction_of_bytes_that_are_not_utf8():
    """Found by fuzzing: a tags query predicate decoded node text strictly and raised halfway
    through a git blob (`scout learn mine`) that is not UTF-8."""
    source = TAG_SOURCES[".rb"]
    defs, _ = extract("ruby", source[:162] + b"\x80" + source[162:], "fuzz")
    assert defs


def test_every_language_is_fuzzed():
    assert set(LANGUAGE_FIXTURE) == set(SPECS)


# --- the bundle ---------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
SPANS = st.builds(
    Span,
    path=st.text(min_size=1, max_size=40),
    start_line=st.integers(1, 10_000),
    end_line=st.integers(1, 10_000),
    score=st.floats(allow_nan=False, allow_infinity=False, width=32),
    why=st.text(max_size=80),
    symbol=st.none() | st.text(max_size=30),
    text=st.none() | TEXT,
    confidence=st.none() | st.floats(0, 1),
)


@runs(200)
@given(
    spans=st.lists(SPANS, max_size=8),
    leads=st.lists(SPANS, max_size=8),
    query=st.text(max_size=300),
    budget=st.integers(MIN_BUDGET, 5000),
)
# Found by `make fuzz`: a first line of digits and colons was 101 tokens of title on its own.
@example(
    spans=[],
    leads=[],
    query="0:0:0:0:0:0:0::0:0:0:0:0:0\x1b" + "0:" * 21 + "\x080\x080aĻĻļļŅŅŇŇ͍ŎŎ͓ŕŕřřŚŚŞŞṰ͟",
    budget=100,
)
def test_fit_never_exceeds_the_budget_and_bundles_round_trip(spans, leads, query, budget):
    kept, shown, _ = fit(spans, leads, query, budget)
    assert count_tokens(render_markdown(kept, shown, query)) <= budget
    bundle = Bundle(query, "/repo", None, "fuzz", kept, Stats(tool_calls=3), budget, leads=shown)
    data = json.loads(bundle.to_json())
    again = Bundle.from_dict(data).to_dict()
    assert {k: v for k, v in again.items() if k != "query"} == {k: v for k, v in data.items() if k != "query"}
    assert again["query"]["excerpt"] == data["query"]["excerpt"].strip().split("\n")[0][:200]


# --- settings files ------------------------------------------------------------------------------

SETTING_NAMES = [f.name for f in fields(Settings)]
TOML_SCALARS = (
    st.integers(min_value=-(2**70), max_value=2**70).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(repr)  # inf, nan, 1e+300: all TOML
    | st.booleans().map(lambda b: str(b).lower())
    | st.text(max_size=30).map(json.dumps)
    | st.dates().map(datetime.date.isoformat)
    | st.datetimes().map(lambda d: d.isoformat())
)


def _toml_containers(inner):
    arrays = st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    tables = st.dictionaries(st.text(max_size=8).map(json.dumps), inner, max_size=3)
    return arrays | tables.map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}")


TOML_VALUES = st.recursive(TOML_SCALARS, _toml_containers, max_leaves=6)
KEYS = st.sampled_from(SETTING_NAMES) | st.text(max_size=12).map(json.dumps)
TOML_FILES = st.dictionaries(KEYS, TOML_VALUES, max_size=5).map(
    lambda d: "".join(f"{k} = {v}\n" for k, v in d.items())
) | st.text(max_size=200)  # and plain garbage


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check_settings(s: Settings) -> None:
    for f in fields(Settings):
        value = getattr(s, f.name)
        if "bool" in str(f.type):
            assert isinstance(value, bool), f.name
        elif "int" in str(f.type):
            optional = "None" in str(f.type) and value is None
            assert optional or (isinstance(value, int) and not isinstance(value, bool)), f.name
        else:
            assert value is None or isinstance(value, str), f.name


@runs(200)
@given(
    repo_file=TOML_FILES,
    pyproject=TOML_FILES,
    user_file=TOML_FILES,
    env=st.dictionaries(
        st.sampled_from(SETTING_NAMES).map(lambda n: f"SCOUT_{n.upper()}"), st.text(max_size=20)
    ),
    where=st.sampled_from(["scout.toml", "pyproject.toml", "tool-table", "tool-scalar"]),
)
def test_settings_files_with_any_values_load_or_fail_with_one_line(
    scratch, repo_file, pyproject, user_file, env, where
):
    root = scratch / "settings-repo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    if where == "scout.toml":
        (root / "scout.toml").write_text(repo_file, encoding="utf-8")
    elif where == "pyproject.toml":
        (root / "pyproject.toml").write_text("[tool.scout]\n" + pyproject, encoding="utf-8")
    elif where == "tool-table":
        (root / "pyproject.toml").write_text(
            f"[tool]\nscout = {pyproject.splitlines()[0] if pyproject else 1}\n"
        )
    else:
        (root / "pyproject.toml").write_text(f"tool = {pyproject.splitlines()[0] if pyproject else 1}\n")
    user = scratch / "user.toml"
    user.write_text(user_file, encoding="utf-8")
    try:
        _check_settings(load_settings(root, env={**env, "SCOUT_CONFIG": str(user)}))
    except ScoutError as exc:
        assert exc.one_line()


# --- GitHub event payloads ---------------------------------------------------------------------

EVENT_FIXTURES = [json.loads(p.read_text()) for p in sorted((FIXTURES / "events").glob("*.json"))]


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


def _replace(doc, path, value):
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


def _exercise(event) -> None:
    """What the bot reads off an event once it is parsed."""
    _ = (event.skip, event.number, event.owner, event.repo)
    if event.comment:
        _ = event.comment.command


@runs(300)
@given(data=st.data(), name=st.none() | st.sampled_from(["issues", "issue_comment", "workflow_run", "push"]))
def test_event_payloads_with_any_json_parse_or_fail_with_one_line(scratch, data, name):
    doc = json.loads(json.dumps(data.draw(st.sampled_from(EVENT_FIXTURES))))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(list(_paths(doc))))
        doc = _replace(doc, path, data.draw(JSON))
    if data.draw(st.booleans()):
        doc = data.draw(JSON)  # or no GitHub shape at all
    try:
        _exercise(parse_event(doc, name))
    except EventError as exc:
        assert exc.one_line()
    path = scratch / "event.json"
    path.write_bytes(
        data.draw(st.binary(max_size=60)) if data.draw(st.booleans()) else json.dumps(doc).encode()
    )
    try:
        _exercise(load_event(path, name))
    except EventError as exc:
        assert exc.one_line()


# --- tool arguments, as MCP and the LLM explorer send them -----------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-repo") / "sample_repo"
    shutil.copytree(FIXTURES / "sample_repo", root)
    ws = Workspace.open(root, Settings(cache_dir=str(tmp_path_factory.mktemp("fuzz-cache"))))
    yield ws
    ws.close()


ARGUMENT_STRINGS = st.text(max_size=60) | st.sampled_from(
    [
        "../../etc/passwd", "/etc/passwd", "shop/auth/tokens.py", "shop", ".", "", "\x00", "a" * 5000,
        "(", "[", "\\", "*", "**/*.py", "(?P<x>", "a{99999}", "check_csrf_token", "-e", "--files",
        "shop/auth/../../..", "~", "con", "shop/auth/tokens.py\x00.txt", "é/ü.py",
    ]
)  # fmt: skip
ARGUMENT_VALUES = SCALARS | ARGUMENT_STRINGS | JSON
TYPED = {
    str: ARGUMENT_STRINGS,
    int: st.integers(-3, 600) | st.integers(-(2**70), 2**70) | st.integers(0, 600).map(str),
    bool: st.booleans() | st.sampled_from(["true", "false", "TRUE", "yes", 0, 1]),
    float: st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(["0.5", "nan", "-1"]),
}


@st.composite
def tool_calls(draw):
    """A tool name and arguments, mostly well-formed (so the tools themselves run, not only the
    checks in front of them), sometimes not: unknown tools, unknown names, values of any type."""
    name = draw(st.sampled_from(sorted(TOOLS)) | st.text(max_size=10))
    args = {}
    for p in TOOLS[name].params if name in TOOLS else ():
        if p.required or draw(st.booleans()):
            well_typed = draw(st.integers(0, 9)) < 8
            args[p.name] = draw(TYPED[p.type] if well_typed else ARGUMENT_VALUES)
    if draw(st.integers(0, 9)) == 0:
        args.update(draw(st.dictionaries(st.text(max_size=10), ARGUMENT_VALUES, max_size=2)))
    return name, args


@runs(150)
@given(call=tool_calls())
def test_tool_arguments_are_refused_with_a_tool_error_never_a_crash(workspace, call):
    name, args = call
    try:
        result = call_tool(workspace.ctx, name, args)
    except (ToolError, ScoutError) as exc:
        assert exc.one_line()
    else:
        assert isinstance(result.text, str) and all(h.path for h in result.hits)


# --- time bounds on hostile text (docs/security.md, "Patterns on outside text") ------------------
#
# Each reader below once took from 27 s to more than a minute on 100 KB of such input (a
# backtracking regex, or a pass restarted at every position); linear now, it takes under 0.4 s. The
# bound is CPU time, generous enough for a busy machine and far below what a quadratic version needs.

HOSTILE_CHARS = 100_000
TIME_BOUND = 1.5  # CPU seconds
NEAR_MISSES = ["", "!", "(", "\x00", "\n", " x", "`", "'", ":"]


@st.composite
def hostile(draw, pieces: list[str], widths=(None,)):
    """A fragment of up to four `pieces` repeated to HOSTILE_CHARS, on one line or on lines of a
    drawn width, each line ending in a near miss (what the pattern wants next, but not quite)."""
    unit = "".join(draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=4))) or "a"
    miss = draw(st.sampled_from(NEAR_MISSES + pieces))
    width = draw(st.sampled_from(widths))
    if width is None:
        return unit * (HOSTILE_CHARS // len(unit)) + miss
    line = (unit * (width // len(unit) + 1))[:width] + miss
    return "\n".join([line] * max(1, HOSTILE_CHARS // (len(line) + 1)))


def _cpu(f, *args) -> float:
    started = time.process_time()
    f(*args)
    return time.process_time() - started


def _bounded(f, *args) -> None:
    took = _cpu(f, *args)
    assert took < TIME_BOUND, f"{took:.2f} s of CPU"


MASKER_PIECES = SECRET_PIECES + [
    "token", "token=", "password=\"", "pwd", "api_key", "db_pass", "secret_", "=>", ":=", "==", "!=", "(",
    "[1]", "]", ".assign(", "\";", "    ", "      ", "//", "/:_authToken=", "sk-", "T3BlbkFJ", "eyJ", "a.",
    "cl_token", "ibm_cloud_iam_key", "AccountKey=", "b3BlbnNzaC1rZXktdjE", "A1b2C3d4E5f6G7h8I9j0", "$", "{",
    "https://", "SG.", "glagent-", MARKER,
]  # fmt: skip


@pytest.fixture(scope="module")
def warm_masker():
    redact("password = 'hunter2hunter2' AKIAIOSFODNN7EXAMPLE", "a.py")  # detect-secrets imported


# Found while writing this test: detect-secrets' IBM, Cloudant and Softlayer patterns are cubic in a
# run of blanks (4 KB lines of them never finished), its keyword detector quadratic in secret names
# (6 s a line of "pwd"); scout's own assignment pattern took 46 s on one line of "token" * 20,000.
@runs(2)
@given(
    text=hostile(MASKER_PIECES, widths=(None, 250, 3_900)),
    path=st.sampled_from([None, "a.py", "b.yaml", "c.go", "d.cpp"]),
)
@example(text="token" * 20_000, path=None)
@example(text="\n".join(["token" + " " * 3_800 + "A1" * 10 + "!"] * 25), path=None)
@example(text="\n".join(["pwd" * 1_300 + "!"] * 25), path="a.yaml")
def test_masking_takes_linear_time_on_hostile_text(warm_masker, text, path):
    _bounded(redact, text, path)


GLOB_PIECES = ["*", "*a", "a*", "?", "**", "/", "**/", "a", "\\*", "x", ".", "*.py", "a/"]


@runs(5)
@given(
    pattern=hostile(GLOB_PIECES).map(lambda t: t[:2_000].replace("\n", "")),
    rules=hostile([p + " @o\n" for p in GLOB_PIECES + ["*a*a*a*a*a*a*a*a*a*a*a*a*x"]]),
    name=st.sampled_from(["a", "ab", "a.py", "x"]),
    depth=st.integers(1, 16),
)
@example(pattern="*a*a*a*a*a*a*a*a*a*a*a*a*x", rules="", name="a" * 4, depth=1)  # issue 20: minutes
def test_codeowners_and_label_globs_match_in_linear_time(pattern, rules, name, depth):
    """One hostile CODEOWNERS line (up to 2,000 characters) against paths of PATH_MAX length (one
    long name, 2,000 short ones), and 100 KB of hostile lines against a deep path: matching costs
    (rule length x path length) at most, so a whole file is linear in it for a path of bounded
    length (docs/security.md). The same for `.github/scout.yml` label patterns."""
    deep = "/".join([name * 16] * depth) + "/f.py"
    paths = ["a" * 4_000, "/".join(["a"] * 2_000), deep]
    one = CodeOwners(".github/CODEOWNERS", parse(f"{pattern} @one\n"))
    many = CodeOwners(".github/CODEOWNERS", parse(rules))
    _bounded(lambda: [one.owners(p) for p in paths] + [many.owners(deep)])
    if compile_pattern(pattern) is not None:
        config = parse_bot_config({"labels": {pattern: "area"}})
        spans = [Span(p, 1, 1, 1.0, "") for p in paths]
        _bounded(suggest_labels, spans, config.labels, 3)


GLOB_REFERENCE_PIECES = ["a", "b", "*", "?", "**", "/", "\\", "\\*", "."]
GLOB_REFERENCE_PATHS = st.lists(st.sampled_from(["a", "b", "ab", "x.py", ".", "*"]), min_size=1, max_size=5)


@runs(300)
@given(
    pattern=st.lists(st.sampled_from(["a", "b", "*", "?", "**", "/", "\\", "\\*", "."]), max_size=7).map(
        "".join
    ),
    path=GLOB_REFERENCE_PATHS.map("/".join),
)
def test_the_glob_matcher_agrees_with_the_glob_regex_it_replaced(pattern, path):
    """On short inputs, where the regex translation is fast, the linear matcher says what it did."""
    ours, theirs = compile_pattern(pattern), _glob_regex(pattern)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert ours.matches(path) == bool(theirs.fullmatch(path))


def _glob_regex(pattern: str) -> re.Pattern[str] | None:
    """scout's CODEOWNERS matching before issue 20: each glob translated to a (backtracking) regex."""
    if pattern.startswith("!") or re.search(r"(?<!\\)\[", pattern) or not pattern.strip("/"):
        return None
    segments = pattern.strip("/").split("/")
    regex = "" if pattern.startswith("/") or len(segments) > 1 else "(?:.*/)?"
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            parts = re.findall(r"\\.|.", segment)
            glob = {"*": "[^/]*", "?": "[^/]"}
            regex += "".join(glob.get(c) or re.escape(c[-1]) for c in parts) + ("" if last else "/")
    if pattern.endswith("/"):
        regex += "/.+"
    elif segments[-1] != "*":
        regex += "(?:/.+)?"
    return re.compile(regex)


LOG_PIECES = [
    "\n", "\n\n", " ", "\t", "E ", "Error", "ValueError: x", "--- FAIL: ", "● ", "›", "FAILED ", "a::", "::",
    "a.py:1", "a.py", "\\", "Za\\", "C:", "/", "-", "thread '", "' panicked at ", "error: ", "panic: ",
    "Traceback (most recent call last):\n", '  File "a.py", line 1\n', "2025-11-05T12:00:01.0000000Z ",
    "\x1b[31m", "##[group]", "ERROR: t (m.C)",
]  # fmt: skip


@runs(5)
@given(log=hostile(LOG_PIECES, widths=(None, 80, 3_900)))
@example(log="\n" * HOSTILE_CHARS + "x")  # every `^\s*` restarted at each blank line: minutes
@example(log="Za\\" * 33_000 + "!")  # a path could start after every backslash: 50 s
@example(log="FAILED " + "a::" * 33_000 + " x")  # the test name tried at each `::`: minutes
def test_ci_log_extraction_takes_linear_time(log):
    _bounded(extract_log, log)


PROSE_PIECES = ["`", "``", "```", "a", " ", "A.", "x.http://", "www.", "@", "#", "[", "<", "&", "\n"]


@runs(5)
@given(text=hostile(PROSE_PIECES))
@example(text="x" + "`" * HOSTILE_CHARS)  # each backtick searched the text for its closer: minutes
@example(text="A." * 50_000)  # each word start scanned the run for `://`: 41 s
def test_comment_prose_is_made_inert_in_linear_time(text):
    _bounded(inert, text)
    _bounded(code, text)
    _bounded(fenced, text.split("\n"))


HOSTILE_QUERY_PIECES = QUERY_PIECES + ["python 1.", "1", "v1.1", "- ", "version", "(x)", "0.1"]


@runs(5)
@given(text=hostile(HOSTILE_QUERY_PIECES, widths=(None, 80)))
@example(text="python 1." + "1" * HOSTILE_CHARS + " x")  # a version report line: minutes
def test_query_analysis_takes_linear_time(text):
    _bounded(analyze_query.__wrapped__, text)


@runs(5)
@given(text=hostile(["untrusted-", "0123456789abcdef", "<", ">", '"', "source=", "\n"]))
def test_fencing_untrusted_text_takes_linear_time(text):
    tag = new_tag()
    _bounded(lambda: canonical(wrap(text + tag, tag, text[:200])))
