"""scout.git, the one door for git: a git that hangs is killed, a driver it cannot switch off stops
it, and the repository it runs in is the one named, never an enclosing or inherited one."""

from __future__ import annotations

import os
import time

import pytest
from conftest import git as plain_git

from scout import git
from scout.errors import ScoutError
from scout.repo import Repo


def test_a_git_that_hangs_is_killed_at_its_timeout_and_is_one_scout_error(sample_repo):
    """A config that includes a FIFO blocks git on open(); Repo.commit then has no commit."""
    os.mkfifo(sample_repo / ".git" / "stall")
    with (sample_repo / ".git" / "config").open("a") as config:
        config.write("[include]\n\tpath = stall\n")
    started = time.perf_counter()
    with pytest.raises(ScoutError, match=r"^git rev-parse timed out after 1s in "):
        git.run(sample_repo, "rev-parse", "HEAD", timeout=1)
    assert time.perf_counter() - started < 10
    assert Repo.open(sample_repo).commit is None


def test_a_driver_named_with_an_equals_sign_cannot_be_switched_off_so_git_does_not_run(sample_repo):
    plain_git(sample_repo, "config", "filter.a=b.clean", "touch pwned")
    with pytest.raises(ScoutError, match="names a program under 'filter.a=b.clean'"):
        git.run(sample_repo, "status")
    assert not (sample_repo / "pwned").exists()


def test_git_runs_in_the_repository_named_not_an_enclosing_or_inherited_one(sample_repo, monkeypatch):
    inner = sample_repo / "shop"
    assert git.run(inner, "rev-parse", "--show-toplevel").returncode != 0  # the parent is a ceiling
    assert Repo.open(inner).commit is None
    monkeypatch.setenv("GIT_DIR", str(sample_repo / "nowhere"))  # as inside someone's git hook
    assert len(git.output(sample_repo, "rev-parse", "HEAD").strip()) == 40


def test_every_door_is_set_off_on_the_command_line(tmp_path):
    argv = git.command(tmp_path, "diff", "HEAD")
    settings = {argv[i + 1].split("=", 1)[0] for i, a in enumerate(argv) if a == "-c"}
    assert {"core.fsmonitor", "core.hooksPath", "credential.helper", "core.sshCommand"} <= settings
    assert argv[argv.index("diff") + 1 : argv.index("HEAD")] == [
        "--no-textconv",
        "--no-ext-diff",
        "--ignore-submodules=all",
    ]
    assert "--no-pager" in argv
