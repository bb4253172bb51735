"""A module or namespace that only wraps one definition is cited as that definition: real parses of
Ruby and C++ files, and the shipped learned explorer answering over them."""

from __future__ import annotations

from pathlib import Path

import pytest

import scout.explorer.model as model
from scout.api import Workspace
from scout.explorer.evidence import Region
from scout.explorer.wrappers import children, wrapped

FORM_TOKEN = """\
# frozen_string_literal: true

require 'rack/protection'

module Rack
  module Protection
    ##
    # Prevented attack::   CSRF
    # Supported browsers:: all
    #
    # Only accepts submitted forms if a given access token matches the token
    # included in the session. Does not expect such a token from Ajax requests.
    #
    # Compatible with rack-csrf.
    class FormToken < AuthenticityToken
      def accepts?(env)
        env['HTTP_X_REQUESTED_WITH'] == 'XMLHttpRequest' or super
      end
    end
  end
end
"""
FRAME_OPTIONS = """\
module Rack
  module Protection
    ##
    # Prevented attack::   Clickjacking
    #
    # Sets the X-Frame-Options header, so the page cannot be shown in a frame.
    class FrameOptions < Base
      def header(env)
        options[:frame_options].to_s.upcase
      end
    end
  end
end
"""
NAMESPACES = """\
namespace lone {
// Counts the bytes a buffer holds.
class Counter {
 public:
  int count() const { return n_; }
 private:
  int n_ = 0;
};
}  // namespace lone

namespace pair {
class Left {};
class Right {};
}  // namespace pair
"""
QUESTION = "how are submitted forms checked against the session's access token?"


@pytest.fixture
def ruby_repo(tmp_path: Path) -> Path:
    folder = tmp_path / "lib" / "rack" / "protection"
    folder.mkdir(parents=True)
    (folder / "form_token.rb").write_text(FORM_TOKEN)
    (folder / "frame_options.rb").write_text(FRAME_OPTIONS)
    return tmp_path


def ask(repo: Path, question: str):
    ws = Workspace.open(repo)
    try:
        return ws.ask(question)
    finally:
        ws.close()


def test_a_ruby_namespace_is_cited_as_the_class_it_wraps(ruby_repo):
    bundle = ask(ruby_repo, QUESTION)
    top = bundle.spans[0]
    assert (top.path, top.symbol) == ("lib/rack/protection/form_token.rb", "Rack.Protection.FormToken")
    assert (top.start_line, top.end_line) == (15, 19)  # `class FormToken` through its `end`
    assert "def accepts?(env)" in top.text
    assert all(s.symbol not in ("Rack", "Rack.Protection") for s in bundle.spans + bundle.leads)


def test_without_unwrapping_the_namespace_itself_would_be_the_answer(ruby_repo, monkeypatch):
    """The case the rule is for: the class's doc comment lies inside the module and outside the
    class, so the ranker prefers the module (the answer the test above no longer gets)."""
    monkeypatch.setattr(model, "unwrapped", lambda order, *args, **kwargs: order)
    top = ask(ruby_repo, QUESTION).spans[0]
    assert (top.symbol, top.start_line, top.end_line) == ("Rack.Protection", 6, 20)


def test_only_a_namespace_of_one_definition_is_unwrapped(tmp_path):
    (tmp_path / "lib.cpp").write_text(NAMESPACES)
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    ws = Workspace.open(tmp_path)
    try:
        cpp, go = ws.index.outline("lib.cpp"), ws.index.outline("main.go")
    finally:
        ws.close()
    spans = {d.name: (d.start_line, d.end_line) for d in cpp}
    lone, pair = (Region("lib.cpp", *spans[name], name, "module") for name in ("lone", "pair"))
    inner = wrapped(lone, cpp)
    assert inner is not None and (inner.name, inner.kind) == ("Counter", "class")
    assert wrapped(pair, cpp) is None  # two classes: which one is asked about is the ranker's call
    assert [d.name for d in children(next(d for d in cpp if d.name == "pair"), cpp)] == ["Left", "Right"]
    package = next(d for d in go if d.kind == "module")  # a package clause: a module of nothing
    assert wrapped(Region("main.go", package.start_line, package.end_line, "main", "module"), go) is None
