"""Go to definition and what is never an answer, over every language's tags fixture.

Each fixture (tests/fixtures/tags/) is copied into a repository of its own, indexed for real, and
asked real questions through the default (learned) explorer: a query that is only a symbol's name
is answered by that definition first, sure of itself; a query made of a file's import and package
lines never gets those lines back.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from conftest import FIXTURES

from scout.api import Workspace
from scout.explorer import make_policy
from scout.explorer.lookup import symbol_ask
from scout.explorer.preamble import is_preamble
from scout.explorer.query import analyze_query, compounds
from scout.index.languages import language_for

TAGS = FIXTURES / "tags"
CLASS_LIKE = {"class", "interface", "struct", "trait", "enum", "type", "module"}
# Each fixture's leading lines that only say where the code sits (package clause, imports,
# includes, license or file comment), read off the files by hand.
PREAMBLES = {
    "Sample.cs": (1, 4),
    "Sample.java": (1, 5),
    "Sample.kt": (1, 5),
    "Sample.scala": (1, 5),
    "Sample.swift": (1, 2),
    "sample.c": (1, 4),
    "sample.cpp": (1, 4),
    "sample.dart": (1, 3),
    "sample.ex": (1, 1),
    "sample.go": (1, 7),
    "sample.hs": (1, 10),
    "sample.js": (1, 2),
    "sample.lua": (1, 3),
    "sample.ml": (1, 2),
    "sample.mli": (1, 1),
    "sample.php": (1, 7),
    "sample.pl": (1, 8),
    "sample.py": (2, 5),
    "sample.rb": (1, 4),
    "sample.rs": (1, 4),
    "sample.sh": (1, 6),
    "sample.sql": (1, 1),
    "sample.tf": (1, 1),
    "sample.ts": (1, 2),
    "sample.tsx": (1, 3),
    "sample.zig": (1, 3),
}


def fixtures() -> list[str]:
    return sorted(p.name for p in TAGS.iterdir() if language_for(p.name))


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory, monkeypatch_module) -> dict[str, Workspace]:
    out = {}
    for name in fixtures():
        root = tmp_path_factory.mktemp(name.replace(".", "_"))
        shutil.copy(TAGS / name, root / name)
        out[name] = Workspace.open(root)
    yield out
    for ws in out.values():
        ws.close()


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SCOUT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield mp
    mp.undo()


def ask(ws: Workspace, query: str):
    return ws.ask(query, policy=make_policy("model"))


def answers(root, files: dict[str, str], queries) -> list:
    """Each query's bundle from a repository of `files` (relative path → text) written at `root`."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ws = Workspace.open(root)
    try:
        return [ask(ws, query) for query in queries]
    finally:
        ws.close()


def targets(ws: Workspace, name: str) -> list:
    """The fixture's types and top-level functions whose name no other definition in it shares."""
    defs = ws.ctx.index.outline(name)
    counts: dict[str, int] = {}
    for d in defs:
        counts[d.name.lower()] = counts.get(d.name.lower(), 0) + 1
    return [
        d
        for d in defs
        if counts[d.name.lower()] == 1
        and d.name.isidentifier()  # not `com.example.inventory`, `App\\Inventory`: package clauses
        and not d.name.startswith("_")
        and (d.kind in CLASS_LIKE or (d.kind == "function" and not d.parent))
    ]


def test_every_fixture_has_a_preamble_entry():
    assert [name for name in fixtures() if name not in PREAMBLES] == []


@pytest.mark.parametrize("name", fixtures())
def test_a_bare_symbol_name_answers_with_its_definition_first_and_sure(workspaces, name):
    ws = workspaces[name]
    wanted = targets(ws, name)
    assert wanted, f"{name}: no unique type or function to ask for"
    for d in wanted:
        bundle = ask(ws, d.name)
        first = bundle.spans[0]
        assert (first.path, first.start_line) == (name, d.start_line), (d.name, bundle.spans[:2])
        assert first.confidence is not None and first.confidence >= 0.8, (d.name, first)
        assert first.file_confidence is not None and first.file_confidence >= first.confidence, (
            d.name,
            first,
        )


@pytest.mark.parametrize("name", fixtures())
def test_a_keyword_and_a_name_find_the_kind_asked_for(workspaces, name):
    ws = workspaces[name]
    for d in targets(ws, name):
        keyword = "class" if d.kind in CLASS_LIKE else "function"
        first = ask(ws, f"{keyword} {d.name}").spans[0]
        assert (first.path, first.start_line) == (name, d.start_line), (keyword, d.name)


@pytest.mark.parametrize("name", fixtures())
def test_package_clauses_imports_and_headers_are_never_cited(workspaces, name):
    ws = workspaces[name]
    lo, hi = PREAMBLES[name]
    lines = (TAGS / name).read_text().splitlines()
    query = " ".join(lines[lo - 1 : hi])  # the preamble's own words: the best lexical match
    bundle = ask(ws, query)
    for span in [*bundle.spans, *bundle.leads]:
        assert not (lo <= span.start_line and span.end_line <= hi), (query, span)


def test_preamble_lines_are_told_from_code():
    assert is_preamble(["package gin", "", "import (", '\t"fmt"', '\tlog "github.com/x/y"', ")"])
    assert is_preamble(["# Copyright 2026", "# SPDX-License-Identifier: MIT"])
    assert is_preamble(["#ifndef TOKEN_H", "#define TOKEN_H", "#include <string>", "#endif"])
    assert is_preamble(["from x import (", "    a,", "    b as c,", ")"])
    assert not is_preamble(["#define MAX_ITEMS 64"])
    assert not is_preamble(['"""Docs."""', "import os"])
    assert not is_preamble(["import os", "TIMEOUT = 3"])
    assert not is_preamble(["", "   "])


@pytest.mark.parametrize(
    ("query", "name", "lookup", "kinds"),
    [
        ("QuerySet", "QuerySet", "QuerySet", set()),
        ("class Paginator", "Paginator", "Paginator", CLASS_LIKE),
        ("fn spawn", "spawn", "spawn", {"function", "method", "macro"}),
        ("QuerySet.only", "only", "QuerySet.only", set()),
        ("tokio::task::spawn", "spawn", "task.spawn", set()),
        ("where is `parse_args` defined?", "parse_args", "parse_args", set()),
        ("find the interface Channel", "Channel", "Channel", CLASS_LIKE),
        ("JsonReader peek", "peek", "JsonReader.peek", set()),
        ("QuerySet only()", "only", "QuerySet.only", set()),
    ],
)
def test_symbol_queries_are_recognised(query, name, lookup, kinds):
    ask_ = symbol_ask(query)
    assert ask_ is not None and (ask_.name, ask_.lookup) == (name, lookup)
    assert set(ask_.kinds) >= kinds and (kinds or not ask_.kinds)


@pytest.mark.parametrize(
    "query",
    [
        "where is auth handled",
        "find tests",
        "how does the retry loop back off",
        "class",
        "",
        "Error handling",
        "Path extractor",
        "JsonReader class",
    ],
)
def test_questions_are_not_symbol_queries(query):
    assert symbol_ask(query) is None


def test_the_same_question_twice_gives_the_same_bundle(workspaces):
    ws = workspaces["sample.py"]
    first, second = (ask(ws, "how are items restocked in the inventory").to_dict() for _ in range(2))
    for bundle in (first, second):
        bundle["stats"].pop("elapsed_ms")
    assert json.dumps(first) == json.dumps(second)


# Twenty questions of five words each, drawn once from a dictionary's nouns: nothing in a
# repository answers them, whatever a word or two happens to match.
RANDOM_WORDS = """giraffe orbit saucepan ledger tulip|walrus cathedral pencil storm violin
zebra lattice moonlight archive velvet|harbor cinnamon tractor glacier puzzle
lantern oyster meadow trumpet quarry|falcon pottery blizzard saddle marble
compass juniper thimble volcano parade|anchor biscuit canyon feather monsoon
orchard pebble saxophone tundra wagon|beacon carnival dolphin emerald fjord
garnet hammock igloo jasmine kayak|lobster mosaic nutmeg opal pelican
quiver raccoon sapphire trolley umbrella|vineyard windmill yacht zeppelin acorn
badger chimney dragonfly easel flamingo|gondola hazelnut iceberg jigsaw kettle
locket mandolin narwhal obelisk pinecone|quartz riverbank scarecrow teapot unicorn
albatross bonfire cupcake driftwood eclipse|fiddle gargoyle hedgehog inkwell jellyfish""".replace("\n", "|")


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("sample_repo")
    shutil.copytree(FIXTURES / "sample_repo", root, dirs_exist_ok=True)
    ws = Workspace.open(root)
    yield ws
    ws.close()


def test_questions_of_random_words_never_claim_more_than_nothing_solid(sample_repo):
    questions = RANDOM_WORDS.split("|")
    assert len(questions) == 20
    for q in questions:
        bundle = ask(sample_repo, q)
        confidences = [s.confidence for s in [*bundle.spans, *bundle.leads] if s.confidence is not None]
        assert max(confidences, default=0.0) <= 0.3, (q, bundle.spans[:1])


def test_a_word_the_stem_spells_apart_from_the_codes_still_counts_as_the_repositorys(
    tmp_path, monkeypatch_module
):
    """The word "parsed" stems to `pars`, `parse_config` to `parse`: the question's words are all in the
    repository, and its answer is not capped as a guess (it was, at 0.30, before)."""
    files = {
        "settings/loader.py": 'def parse_config(path):\n    """Read the settings file."""\n'
        "    return dict(line.split('=', 1) for line in open(path))\n",
        "settings/writer.py": "def save_settings(path, values):\n    with open(path, 'w') as out:\n"
        "        out.writelines(f'{k}={v}\\n' for k, v in values.items())\n",
    }
    (bundle,) = answers(tmp_path, files, ["where is config parsed"])
    assert bundle.spans[0].symbol == "parse_config"
    assert bundle.spans[0].confidence is not None and bundle.spans[0].confidence > 0.3


def test_an_unsure_answer_says_so_in_markdown(sample_repo):
    from scout.bundle import render_markdown

    sure = ask(sample_repo, "Cart")
    assert sure.spans and sure.spans[0].confidence >= 0.8
    assert "Nothing solid" not in render_markdown(sure.spans, sure.leads, "Cart")
    unsure = [replace(s, confidence=0.2, file_confidence=0.25) for s in sure.spans]
    said = "Nothing solid: the best answer's confidence is 0.20 (its file's 0.25)"
    assert said in render_markdown(unsure, [], "q")
    # lines unsure of themselves in a file the explorer is sure of are an answer, not a guess
    known_file = [replace(s, confidence=0.2, file_confidence=0.9) for s in sure.spans]
    assert "Nothing solid" not in render_markdown(known_file, [], "q")


def test_a_name_only_a_file_carries_answers_with_that_file(tmp_path, monkeypatch_module):
    """express's `response`, cobra's `Args`: no type or function has the name (a field may), but
    a module is named after it."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "response.js").write_text(
        "'use strict';\nvar res = Object.create(http.ServerResponse.prototype);\n"
        "res.status = function status(code) {\n  this.statusCode = code;\n  return this;\n};\n"
    )
    (tmp_path / "lib" / "router.js").write_text("function route(res) {\n  return res.status(200);\n}\n")
    (tmp_path / "command.go").write_text(
        "package cobra\n\ntype Command struct {\n\tUse string\n\tArgs PositionalArgs\n}\n"
    )
    (tmp_path / "args.go").write_text(
        "package cobra\n\ntype PositionalArgs func(cmd *Command, args []string) error\n\n"
        "func NoArgs(cmd *Command, args []string) error {\n\treturn nil\n}\n"
    )
    ws = Workspace.open(tmp_path)
    try:
        for query, path in (("response", "lib/response.js"), ("Args", "args.go")):
            first = ask(ws, query).spans[0]
            assert (first.path, first.start_line, first.confidence) == (path, 1, 0.75), (query, first)
        assert ask(ws, "Command").spans[0].path == "command.go"  # a type of that name still wins
    finally:
        ws.close()


def test_a_rust_function_declared_inside_a_macro_call_answers_its_name(tmp_path, monkeypatch_module):
    """tokio's `spawn` sits in `cfg_rt! { ... }` and its module is declared `mod spawn;`: the
    function is the definition of `spawn`, not the module declaration, nor a method of that name."""
    runtime = {
        f"tokio/src/runtime/{name}.rs": (
            f"pub struct {kind};\n\nimpl {kind} {{\n    /// Spawns a future onto this {name}.\n"
            "    pub fn spawn<F: Future>(&self, future: F) -> JoinHandle<F::Output> {\n"
            "        crate::task::spawn(future)\n    }\n}\n"
        )
        for name, kind in (("handle", "Handle"), ("runtime", "Runtime"), ("join_set", "JoinSet"))
    }
    files = {
        "tokio/src/lib.rs": "#[macro_use]\nmod macros;\npub mod task;\npub use task::spawn;\n",
        "tokio/src/macros.rs": (
            'macro_rules! cfg_rt {\n    ($($item:item)*) => { $( #[cfg(feature = "rt")] $item )* };\n}\n'
        ),
        "tokio/src/task/mod.rs": "cfg_rt! {\n    mod spawn;\n    pub use spawn::spawn;\n}\n",
        "tokio/src/task/spawn.rs": (
            "cfg_rt! {\n    /// Spawns a new asynchronous task.\n"
            "    pub fn spawn<F: Future>(future: F) -> JoinHandle<F::Output> {\n"
            "        Builder::new().spawn(future)\n    }\n}\n"
        ),
        "tokio/src/task/builder.rs": (
            "pub struct Builder;\n\nimpl Builder {\n"
            "    pub fn spawn<F: Future>(self, future: F) -> JoinHandle<F::Output> {\n"
            "        crate::runtime::spawn_inner(future)\n    }\n}\n"
        ),
        **runtime,
    }
    queries = ("spawn", "fn spawn", "tokio::spawn")
    for query, bundle in zip(queries, answers(tmp_path, files, queries), strict=True):
        first = bundle.spans[0]
        where = (first.path, first.start_line, first.symbol)
        assert where == ("tokio/src/task/spawn.rs", 3, "spawn"), query
        assert first.confidence >= 0.8, (query, first.confidence)


def test_a_helper_in_a_rust_module_of_tests_is_not_the_definition_of_its_name(tmp_path, monkeypatch_module):
    """A crate's `#[cfg(test)] mod tests` may define a helper of the same name as the code it
    tests, in a shallower file: go to definition answers with the code."""
    files = {
        "src/lib.rs": (
            "pub mod output;\n\n#[cfg(test)]\nmod tests {\n"
            '    fn render_table(rows: &[&str]) -> String {\n        rows.join("|")\n    }\n\n'
            '    #[test]\n    fn renders() {\n        assert_eq!(render_table(&["a"]), "a");\n    }\n}\n'
        ),
        "src/output/mod.rs": "pub mod table;\n",
        "src/output/table.rs": (
            "/// Lays the rows out as an aligned table.\n"
            "pub fn render_table(rows: &[&str], width: usize) -> String {\n"
            '    rows.iter().map(|r| format!("{r:width$}")).collect::<Vec<_>>().join("\\n")\n}\n'
        ),
    }
    queries = ("render_table", "fn render_table")
    for query, bundle in zip(queries, answers(tmp_path, files, queries), strict=True):
        first = bundle.spans[0]
        assert (first.path, first.symbol) == ("src/output/table.rs", "render_table"), query
        assert first.confidence >= 0.8, (query, first.confidence)


def test_a_short_questions_adjacent_words_spell_the_names_they_may_mean():
    assert compounds("JSON object with named fields")[:4] == [
        "JsonObject",
        "json_object",
        "NamedField",
        "named_field",
    ]
    assert "PasswordHasher" in compounds("how are password hashers chosen")  # the last word singular
    assert {"SearchMatch", "LogEntry", "RequestStatus"} <= set(
        compounds("search matches, log entries, request status")
    )
    assert "MessagingTopic" not in compounds("channel messaging, topics")  # not across a comma
    assert compounds("where is the `JsonWriter` used", {"JsonWriter": 2.0}) == []  # written out already
    assert compounds("json object " * 20) == []  # an issue's prose names too many
    facts = analyze_query("streaming JSON writer")
    assert "JsonWriter" in facts.compounds and "JsonWriter" not in facts.identifiers


JSON_OBJECT = """package com.example.json;

public final class JsonObject extends JsonElement {
  private final Map<String, JsonElement> members = new LinkedHashMap<>();

  public void add(String property, JsonElement value) {
    members.put(property, value == null ? JsonNull.INSTANCE : value);
  }

  public boolean has(String memberName) {
    return members.containsKey(memberName);
  }
}
"""
FIELD_NAMING = """package com.example.json;

public enum FieldNamingPolicy {
  IDENTITY {
    @Override public String translateName(Field field) {
      return field.getName();
    }
  };

  /** Names a field the way the JSON object's named fields are written. */
  public abstract String translateName(Field field);
}
"""
JSON_WRITER = """package com.example.json;

public class JsonWriter {
  /** Writes a named field of an object: its name, then its value. */
  public JsonWriter name(String fieldName) {
    out.append(fieldName);
    return this;
  }
}
"""


def test_a_class_a_question_spells_in_prose_is_found_as_the_class(tmp_path, monkeypatch_module):
    """ "JSON object with named fields" means the class `JsonObject`, though other files use the
    words more often: the class itself is listed, before a file that only shares the words."""
    files = {
        "JsonObject.java": JSON_OBJECT,
        "FieldNamingPolicy.java": FIELD_NAMING,
        "JsonWriter.java": JSON_WRITER,
    }
    (bundle,) = answers(tmp_path, files, ["JSON object with named fields"])
    places = [(s.path, s.symbol) for s in [*bundle.spans, *bundle.leads]]
    assert ("JsonObject.java", "JsonObject") in places, places
    writer = next(i for i, (path, _) in enumerate(places) if path == "JsonWriter.java")
    assert places.index(("JsonObject.java", "JsonObject")) < writer, places


def test_a_type_and_a_member_written_with_a_space_answer_that_member(tmp_path, monkeypatch_module):
    """`JsonReader peek` is `JsonReader.peek` as people type it: the member first and sure, not the
    class, another class's `peek` or a free function of the name; in Go, whose method is `Peek`."""
    helpers = "".join(
        f"\n    def {name}(self):\n        # peek at the json reader's peeked token before {name}\n"
        f"        peeked = self.peeked or self.do_peek()\n        self.peeked = peeked\n"
        "        return peeked\n"
        for name in ("promote_name_to_value", "skip_value", "next_name", "next_string", "do_peek")
    )
    files = {
        "json/reader.py": "class JsonReader:\n    peeked = None\n\n    def peek(self):\n"
        "        return self.kind\n" + helpers,
        "json/writer.py": "class JsonWriter:\n    def peek(self):\n        return None\n",
        "json/util.py": "def peek(items):\n    return items[0] if items else None\n",
        "stream/reader.go": "package stream\n\ntype TokenReader struct{ buf []byte }\n\n"
        "func (r *TokenReader) Peek() byte {\n\treturn r.buf[0]\n}\n",
    }
    reader, go = answers(tmp_path, files, ["JsonReader peek", "TokenReader peek"])
    assert (reader.spans[0].path, reader.spans[0].symbol) == ("json/reader.py", "JsonReader.peek")
    assert (go.spans[0].path, go.spans[0].symbol) == ("stream/reader.go", "TokenReader.Peek")
    assert all(b.spans[0].confidence is not None and b.spans[0].confidence >= 0.8 for b in (reader, go))
