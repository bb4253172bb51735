"""README.md's first hour, run as a newcomer would: a fresh HOME, an empty project directory, and
every command of its Install, First query, `scout install` and cache sections, top to bottom.

Two things are the test's own: installing (pip needs the network, so the project's `.venv` is a
link to the environment running the tests) and the inputs the README presumes (a repository at
~/src/django, here the sample repository; an issue.md; an agent harness in the home directory).
Lines that run another program (`claude mcp add ...`) are that program's to test. Commands that
ask first get a terminal and answer yes, as a person would.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT

SECTIONS = ("Install", "First query", "In your agent: `scout install`", "The index cache")


def readme_steps() -> list[str]:
    """The shell lines of those sections, in order, with their comments taken off."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = []
    for title in SECTIONS:
        body = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```sh\n(.*?)```", body, re.S):
            steps += [_uncommented(line) for line in block.splitlines() if line.strip()]
    return steps


def _uncommented(line: str) -> str:
    """The line without its trailing comment (README's follow two spaces or more: `cmd   # why`)."""
    return re.split(r"\s{2,}# ", line, maxsplit=1)[0].rstrip()


def run_answering_yes(line: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`line` in bash with a terminal on stdin that has typed `y`, so a question gets its answer."""
    leader, follower = os.openpty()
    os.write(leader, b"y\n")
    try:
        return subprocess.run(
            ["bash", "-c", line],
            stdin=follower,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=300,
        )
    finally:
        os.close(follower)
        os.close(leader)


def newcomer(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A fresh HOME with Claude Code and Codex installed and ~/src/django, and an empty project."""
    home = tmp_path / "home"
    for harness in (".claude", ".codex"):
        (home / harness).mkdir(parents=True)
    shutil.copytree(FIXTURES / "sample_repo", home / "src" / "django")
    project = tmp_path / "project"
    project.mkdir()
    (project / "issue.md").write_text(
        "Checkout fails with 403\n\nThe CSRF token check rejects valid forms.\n"
    )
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env |= {"HOME": str(home), "PYTHONPATH": str(ROOT)}  # this checkout's scout, as an editable install
    return env, project


def test_the_readme_runs_top_to_bottom_on_a_fresh_home(tmp_path):
    env, project = newcomer(tmp_path)
    steps = readme_steps()
    assert steps[0].startswith("python3 -m venv .venv") and any("scout ask" in s for s in steps)
    ran = []
    for line in steps:
        if "pip install" in line:  # the install: the environment running these tests, linked
            (project / ".venv").symlink_to(Path(sys.prefix))
            continue
        if line.startswith(". .venv/bin/activate"):
            env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
            env["VIRTUAL_ENV"] = str(project / ".venv")
            continue
        if shlex.split(line)[0] != "scout":
            continue
        out = run_answering_yes(line, env, project)
        assert out.returncode == 0, f"{line}\n{out.stdout}\n{out.stderr}"
        ran.append(line)
    assert len(ran) >= 10, ran
    home = Path(env["HOME"])
    assert (home / ".local/share/bash-completion/completions/scout").is_file()  # failed on a fresh home
    assert not (project / "CLAUDE.md").exists()  # `scout uninstall` took it out again
