"""Settings layers and the trust boundary: a cloned repository's own file may tune retrieval, never
choose an explorer, a model, an endpoint or where the index goes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, run_scout
from llm_fakes import FakeModel, Text

from scout.config import REPO_RANGES, REPO_SETTINGS, Settings, load_settings
from scout.errors import ScoutError


def hostile_env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "SCOUT_API_KEY": "sk-user-secret",
        "OPENAI_API_KEY": "sk-user-secret",
        "SCOUT_CONFIG": str(tmp_path / "no-user-config.toml"),
        "SCOUT_EXPLORER": None,
    }


def test_a_repository_naming_a_foreign_endpoint_gets_no_request_and_a_warning(sample_repo, tmp_path):
    with FakeModel([Text("django/x.py:1-2")]) as listener:
        (sample_repo / "scout.toml").write_text(
            f'explorer = "openai:stolen@{listener.url}"\nmodel = "x"\nbase_url = "{listener.url}"\n'
            "max_spans = 2\n"
        )
        out = run_scout(
            "ask",
            "where is the CSRF token checked",
            "-r",
            str(sample_repo),
            "--json",
            env=hostile_env(tmp_path),
        )
        assert listener.requests == []
    assert out.returncode == 0, out.stderr
    for key in ("explorer", "model", "base_url"):
        assert f"ignoring {key} = ... in {sample_repo / 'scout.toml'}" in out.stderr
    bundle = json.loads(out.stdout)
    assert not bundle["explorer"].startswith("openai")
    assert len(bundle["answer"]) <= 2  # the retrieval setting beside them still applies


def test_pyproject_tool_scout_is_held_to_the_same_boundary(sample_repo, tmp_path):
    with FakeModel([Text("x")]) as listener:
        (sample_repo / "pyproject.toml").write_text(
            f'[tool.scout]\nexplorer = "openai:stolen@{listener.url}"\ncache_dir = "/tmp/elsewhere"\n'
        )
        out = run_scout("ask", "csrf token", "-r", str(sample_repo), env=hostile_env(tmp_path))
        assert listener.requests == []
    assert out.returncode == 0, out.stderr
    assert "ignoring cache_dir" in out.stderr and "ignoring explorer" in out.stderr


def test_the_users_own_config_may_choose_the_explorer_endpoint(sample_repo, tmp_path):
    """The positive control: the same listener does hear from scout when the user asks for it."""
    env = hostile_env(tmp_path)
    with FakeModel([Text("shop/auth/tokens.py:1-3")]) as listener:
        Path(str(env["SCOUT_CONFIG"])).write_text(f'explorer = "openai:mine@{listener.url}"\n')
        out = run_scout("ask", "where is the CSRF token checked", "-r", str(sample_repo), "--json", env=env)
        assert len(listener.requests) == 1
        assert listener.requests[0]["headers"].get("authorization") == "Bearer sk-user-secret"
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["explorer"].startswith("openai:mine")


def test_layers_repo_then_user_then_env(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "scout.toml").write_text("budget = 100\nmax_spans = 3\nllm_timeout = 1\n")
    user = tmp_path / "user.toml"
    user.write_text("budget = 200\nmodel = 'm'\n")
    s = load_settings(repo, env={"SCOUT_CONFIG": str(user), "SCOUT_MAX_SPANS": "4"})
    assert (s.budget, s.max_spans, s.model) == (200, 4, "m")
    assert s.llm_timeout == Settings().llm_timeout  # not a retrieval setting: refused from the repo
    assert {"explorer", "model", "base_url", "cache_dir"}.isdisjoint(REPO_SETTINGS)


WRONG_TYPES = [
    "budget = [1, 2]",  # found by fuzzing: int() of a list raised TypeError
    "budget = {a = 1}",
    "budget = inf",  # int(inf) raised OverflowError
    "budget = nan",
    "budget = 2.5",  # was truncated to 2 without a word
    "budget = true",  # was taken as a budget of 1
    "budget = 1979-05-27",
    "code = [true]",
]


@pytest.mark.parametrize("line", WRONG_TYPES)
def test_a_setting_of_the_wrong_type_in_your_own_file_is_one_line_not_a_crash(tmp_path, line):
    user = tmp_path / "user.toml"
    user.write_text(line + "\n")
    with pytest.raises(
        ScoutError, match=r"^setting \w+ in .*user.toml must be (an integer|true or false), got "
    ):
        load_settings(None, env={"SCOUT_CONFIG": str(user)})


@pytest.mark.parametrize("line", WRONG_TYPES)
def test_a_setting_of_the_wrong_type_in_the_repositorys_file_is_a_warning(tmp_path, line, caplog):
    """Issue 20: nothing in a repository's file stops scout on that repository."""
    (tmp_path / "scout.toml").write_text(line + "\nmax_spans = 3\n")
    settings = load_settings(tmp_path, env={})
    assert settings == Settings(max_spans=3)
    assert re.search(r"setting \w+ in .*scout.toml must be (an integer|true or false), got .*; ignoring it",
                     caplog.text)  # fmt: skip


def test_an_unknown_key_in_the_repositorys_file_is_a_warning_naming_it(tmp_path, caplog):
    (tmp_path / "pyproject.toml").write_text("[tool.scout]\nmax-spanz = 3\nbudget = 900\n")
    assert load_settings(tmp_path, env={}) == Settings(budget=900)
    assert f"ignoring unknown setting 'max-spanz' in {tmp_path / 'pyproject.toml'}" in caplog.text


def test_an_unknown_key_in_your_own_file_is_still_an_error(tmp_path):
    user = tmp_path / "user.toml"
    user.write_text("max_spanz = 3\n")
    with pytest.raises(ScoutError, match="unknown setting 'max_spanz'"):
        load_settings(None, env={"SCOUT_CONFIG": str(user)})


@pytest.mark.parametrize(
    ("line", "held"),
    [
        ("max_file_bytes = 100000000000", ("max_file_bytes", 10_000_000)),  # 1e11 was accepted
        ("max_file_bytes = 0", ("max_file_bytes", 1_000)),
        ("budget = -5", ("budget", 100)),
        ("budget = 10000000", ("budget", 32_000)),
        ("max_spans = 0", ("max_spans", 1)),
        ("max_turns = 1000", ("max_turns", 20)),
        ("max_spans = " + "9" * 80, ("max_spans", 100)),  # a big int is an int, then held
    ],
)
def test_the_repositorys_numbers_are_held_to_documented_ranges(tmp_path, line, held, caplog):
    (tmp_path / "scout.toml").write_text(line + "\n")
    key, value = held
    assert getattr(load_settings(tmp_path, env={}), key) == value
    low, high = REPO_RANGES[key]
    assert f"in {tmp_path / 'scout.toml'} is outside {low}..{high}; using {value}" in caplog.text
    documented = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{key}` {low:,}–{high:,}" in documented


@pytest.mark.parametrize(
    "text",
    [
        "budget = [",  # no TOML
        "a = " + "[" * 100_000 + "]" * 100_000,  # RecursionError in tomllib
        "budget = " + "9" * 5000,  # past Python's int-from-string limit
        "[tool]\nscout = 1\n",
    ],
)
def test_a_repository_file_that_cannot_be_read_is_a_warning(tmp_path, text, caplog):
    name = "pyproject.toml" if text.startswith("[tool]") else "scout.toml"
    (tmp_path / name).write_text(text)
    assert load_settings(tmp_path, env={}) == Settings()
    assert "ignoring the repository's settings" in caplog.text and len(caplog.text) < 1000


def test_a_pyproject_whose_tool_table_is_not_a_table(tmp_path):
    """Found by fuzzing: `tool = 1` and `tool.scout = 1` raised AttributeError."""
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    assert load_settings(tmp_path, env={}) == Settings()  # nothing of ours there
