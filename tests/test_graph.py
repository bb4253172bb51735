"""The `related` tool follows the code graph the index holds: calls, callers, base classes and
subclasses, on real tree-sitter parses of a small repository written here."""

from __future__ import annotations

import pytest

from scout.api import Workspace
from scout.errors import ToolError
from scout.tools import call_tool

AUTH = '''\
class Hasher:
    """Base of all password hashers."""

    def verify(self, password, encoded):
        raise NotImplementedError


class SaltedHasher(Hasher):
    def verify(self, password, encoded):
        return encoded == self.encode(password)

    def encode(self, password):
        return "salted$" + password


def pick_hasher(encoded):
    return SaltedHasher()


def check_password(password, encoded):
    hasher = pick_hasher(encoded)
    return hasher.verify(password, encoded)
'''
VIEWS = """\
from auth import check_password


def login(request):
    if check_password(request.password, request.user.encoded):
        return "ok"
    return "denied"
"""


@pytest.fixture
def ws(tmp_path):
    (tmp_path / "auth.py").write_text(AUTH)
    (tmp_path / "views.py").write_text(VIEWS)
    workspace = Workspace.open(tmp_path)
    yield workspace
    workspace.close()


def related(ws, line: int, relation: str, path: str = "auth.py") -> list[tuple[str, str, str]]:
    hits = call_tool(ws.ctx, "related", {"path": path, "line": line, "relation": relation}).hits
    return [(h.kind, h.path, h.symbol) for h in hits]


def test_callees_of_a_function_are_the_definitions_it_calls(ws):
    found = related(ws, 21, "callees")  # inside check_password
    assert ("callee", "auth.py", "pick_hasher") in found
    assert {s for _, _, s in found} >= {"pick_hasher", "Hasher.verify", "SaltedHasher.verify"}


def test_callers_of_a_function_are_found_in_other_files(ws):
    assert related(ws, 20, "callers") == [("caller", "views.py", "login")]


def test_a_class_leads_to_its_base_and_its_base_to_it(ws):
    assert related(ws, 8, "bases") == [("base", "auth.py", "Hasher")]
    assert related(ws, 1, "subclasses") == [("subclass", "auth.py", "SaltedHasher")]


def test_all_relations_at_once_and_bad_input(ws):
    kinds = {k for k, _, _ in related(ws, 20, "all")}
    assert kinds == {"caller", "callee"}
    with pytest.raises(ToolError, match="unknown relation"):
        related(ws, 20, "cousins")
    with pytest.raises(ToolError, match="no definition encloses"):
        call_tool(ws.ctx, "related", {"path": "views.py", "line": 1})
