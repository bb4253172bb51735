"""A hostile repository, and what it costs scout beside the same repository without the hostile parts.

    python -m benchmarks.hostile [--runs 3] [--write benchmarks/RESULTS.md]

The corpus (`build`, also used by tests/test_hostile.py) is the test suite's sample shop plus:
a `.git/config` (and a file it includes) that points every program door git has (fsmonitor,
clean/smudge/process filters chosen by `.gitattributes`, textconv and external diff drivers,
pagers, ssh, askpass, credential helper, editor, gpg, upload-pack, an `ext::` remote) and the hooks
in `.git/hooks` at a command that writes a marker file; definitions holding 40 KB lines of repeated
secret-sounding words; a CODEOWNERS line `*a*a*a*a*a*a*a*a*a*a*a*a*x` beside a 64-character
directory name; label globs of the same kind in `.github/scout.yml`; a `scout.toml` with
out-of-range numbers and an unknown key. The clean twin has the same files with short lines and
none of the rest. Timed, median of `--runs` each, on the whole corpus, on its git doors and
settings alone, and on the clean twin: a cold `scout index`, a warm
`scout ask`, an MCP `find_context` over stdio (server start included) and `scout triage --dry-run`
on an issue that names the long-line definitions and the long directory. The target: at most 2×.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path

from benchmarks.report import write_section
from scout import git

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "sample_repo"
EVENT = ROOT / "tests" / "fixtures" / "events" / "issues-opened.json"
LONG_DIR = "a" * 64
QUESTION = "where is the session token rotated"
LINE_CHARS = 40_000
LIMIT_S = 120  # a run past this is killed and reported as not finishing
# Every git config key that names a program, with the marker its command writes.
DOORS = {
    "core.fsmonitor": "fsmonitor",
    "core.pager": "core-pager",
    "pager.status": "pager-status",
    "pager.log": "pager-log",
    "pager.diff": "pager-diff",
    "core.sshCommand": "ssh",
    "core.askPass": "askpass",
    "core.editor": "editor",
    "sequence.editor": "sequence-editor",
    "core.gitProxy": "git-proxy",
    "core.alternateRefsCommand": "alternate-refs",
    "credential.helper": "credential",
    "gpg.program": "gpg",
    "gpg.ssh.program": "gpg-ssh",
    "filter.evil.clean": "filter-clean",
    "filter.evil.smudge": "filter-smudge",
    "filter.evilproc.process": "filter-process",
    "diff.evil.textconv": "textconv",
    "diff.evil.command": "diff-command",
    "diff.external": "diff-external",
    "merge.evil.driver": "merge-driver",
    "remote.origin.uploadpack": "uploadpack",
    "remote.origin.receivepack": "receivepack",
}
INCLUDED = {"filter.included.clean": "included-clean", "diff.included.textconv": "included-textconv"}
HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-merge", "post-index-change", "pre-auto-gc",
         "reference-transaction", "fsmonitor-watchman", "pre-push", "post-rewrite")  # fmt: skip
ATTRIBUTES = (
    "*.py filter=evil diff=evil merge=evil\n*.txt filter=evilproc\n*.md filter=included diff=included\n"
)
GREEDY = "*a*a*a*a*a*a*a*a*a*a*a*a*x"
# doors: git config and hooks; long_lines: 40 KB lines; globs: CODEOWNERS and label globs;
# settings: scout.toml out of range
PARTS = ("doors", "long_lines", "globs", "settings")
# What the benchmark times: the whole corpus, the git doors and settings alone (what scout.git and
# the settings rules answer for), and the clean twin.
CORPORA = {"hostile": PARTS, "doors": ("doors", "settings"), "clean": ()}


def build(root: Path, markers: Path, parts: Collection[str] = PARTS) -> Path:
    """The corpus at `root` (a git repository, committed) with the hostile `parts` (none: the clean
    twin); hostile commands write into `markers`."""
    shutil.copytree(SAMPLE, root)
    markers.mkdir(parents=True, exist_ok=True)
    _write_files(root, set(parts))
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "shop")):
        git.output(root, "-c", "user.name=hostile", "-c", "user.email=hostile@example.com", *args)
    if "doors" in parts:  # after the commit: git would have run the doors while committing
        _open_doors(root, markers)
    return root


def _write_files(root: Path, parts: set[str]) -> None:
    width = LINE_CHARS if "long_lines" in parts else 40

    def long(word: str) -> str:
        return (word * (width // len(word) + 1))[:width]

    # Each long line twice: a comment and a quoted assignment. Ordinary code around them keeps the
    # average line short: not a minified file, so the definition is parsed, searched and cited.
    filler = "".join(f"\n\ndef helper_{i}(value):\n    return value + {i}\n" for i in range(60))
    (root / "shop" / "auth" / "session_keys.py").write_text(
        '"""Session signing keys."""\n\n\ndef rotate_session_token(store):\n'
        '    """Replace the session signing token in `store` with a new one."""\n'
        f'    # {long("token")}\n    token = "{long("token")}"\n'
        f'    store["session_token"] = token\n    return token\n{filler}'
    )
    (root / "config").mkdir()
    for word in ("secret", "password", "apikey"):
        (root / "config" / f"{word}s.py").write_text(
            f'"""The {word} the shop loads at start."""\n\n\ndef load_{word}(env):\n'
            f'    # {long(word)}\n    {word} = "{long(word)}"\n'
            f'    return env.get("{word.upper()}", {word})\n{filler}'
        )
    (root / LONG_DIR).mkdir()
    (root / LONG_DIR / "csrf_cache.py").write_text(
        '"""A cache of CSRF tokens per session."""\n\n\ndef cache_csrf_token(session, token):\n'
        '    session["csrf_token_cache"] = token\n    return token\n'
    )
    (root / "notes.txt").write_text("release notes\n")
    (root / ".github").mkdir()
    owners = (
        f"*  @octo-org/maintainers\n{GREEDY} @octo-org/slow\n"
        if "globs" in parts
        else "*  @octo-org/maintainers\n"
    )
    (root / ".github" / "CODEOWNERS").write_text(owners + "/shop/auth/  @octo-org/security\n")
    labels = "labels:\n  shop/auth/: [auth, security]\n  '*.md': documentation\n"
    if "globs" in parts:
        labels += f"  '{GREEDY}': slow\n  '{'**/' * 12}x': deep\n  '{LONG_DIR}*{LONG_DIR}*b/': deeper\n"
    (root / ".github" / "scout.yml").write_text(labels)
    # The hostile numbers are held to the top of their ranges; the clean twin asks for those.
    settings = "budget = 32000\nmax_spans = 100\nmax_turns = 20\nmax_file_bytes = 10000000\n"
    if "settings" in parts:
        settings = (
            "budget = 1000000000000\nmax_spans = 1000000\nmax_turns = 1000000\n"
            "max_file_bytes = 100000000000\nnonsense = 1\n"
        )
    (root / "scout.toml").write_text(settings)
    if "doors" in parts:  # committed with the rest, before the config names the drivers
        (root / ".gitattributes").write_text(ATTRIBUTES)


def _open_doors(root: Path, markers: Path) -> None:
    config = root / ".git" / "config"
    config.write_text(config.read_text() + _config_text(DOORS, markers) + _extra(root, markers))
    (root / "included.gitconfig").write_text(_config_text(INCLUDED, markers))
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "attributes").write_text("*.toml filter=evil diff=evil\n")
    for hook in HOOKS:
        path = root / ".git" / "hooks" / hook
        path.write_text(f"#!/bin/sh\ntouch {_quote(markers / ('hook-' + hook))}\n")
        path.chmod(0o755)
    stir(root)


def _config_text(doors: dict[str, str], markers: Path) -> str:
    lines = []
    for key, marker in doors.items():
        section, _, name = key.rpartition(".")
        head, _, sub = section.partition(".")
        command = f"touch {_quote(markers / marker)}; cat"  # it works too: git goes on to the next door
        if marker == "credential":  # a helper that is a shell command starts with `!`
            command = f"!{command}"
        value = command.replace("\\", "\\\\").replace('"', '\\"')
        header = f'{head} "{sub}"' if sub else head
        lines.append(f'[{header}]\n\t{name} = "{value}"\n')
    return "".join(lines)


def _extra(root: Path, markers: Path) -> str:
    ext = f"ext::sh -c touch% {markers / 'remote-ext'}"
    return (
        f'[filter "evil"]\n\trequired = true\n[log]\n\tshowSignature = true\n'
        f'[remote "origin"]\n\turl = "{ext}"\n[include]\n\tpath = ../included.gitconfig\n'
        f'[includeIf "gitdir:{root}/"]\n\tpath = ../included.gitconfig\n'
    )


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def stir(root: Path) -> None:
    """New mtimes on every tracked file, so `git status` must read them again (through filters)."""
    later = time.time() + 5
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            os.utime(path, (later, later))


def event(path: Path) -> Path:
    """An `issues opened` event whose issue names the long-line definitions and the long directory."""
    payload = json.loads(EVENT.read_text())
    payload["issue"]["title"] = "Checkout 403 after the session token is rotated"
    payload["issue"]["body"] = (
        f"After `rotate_session_token` runs, `{LONG_DIR}/csrf_cache.py` still holds the old CSRF token "
        "(`cache_csrf_token`) and checkout fails with 403. `load_secret` and `load_password` read them."
    )
    path.write_text(json.dumps(payload))
    return path


# --- timing -------------------------------------------------------------------------------------


def scout_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "scout", *args]


def triage_env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in env.items() if not k.startswith("GITHUB_")}
    return base | {"GITHUB_TOKEN": "", "GITHUB_SERVER_URL": "https://github.com"}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one run; inf when it ran past LIMIT_S (and was killed)."""
    start = time.perf_counter()
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        return math.inf
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[2:4])} failed: {out.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - start


def mcp_call(repo: Path, env: dict[str, str]) -> float:
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "scout", "mcp", "--repo", str(repo)], env=env
    )

    async def main() -> None:
        with anyio.fail_after(LIMIT_S):
            async with Client(params, mode="legacy", read_timeout_seconds=LIMIT_S) as client:
                result = await client.call_tool("find_context", {"query": QUESTION})
        if result.is_error:
            raise SystemExit(f"find_context failed: {result.content[0].text}")

    start = time.perf_counter()
    try:
        anyio.run(main)
    except TimeoutError:
        return math.inf
    return time.perf_counter() - start


def measure(repo: Path, work: Path, runs: int) -> dict[str, float]:
    """Median seconds per surface; a surface that ran past LIMIT_S once is not run again (inf)."""
    env = dict(os.environ)
    surfaces = {
        "index": lambda: timed(scout_cmd("index", str(repo)), env),  # cold: a fresh cache each run
        "ask": lambda: timed(scout_cmd("ask", QUESTION, str(repo)), env),
        "mcp": lambda: mcp_call(repo, env),
        "triage": lambda: timed(scout_cmd("triage", "--event", str(event(work / "event.json")), "--repo",
                                          str(repo), "--dry-run"), triage_env(env)),
    }  # fmt: skip
    samples: dict[str, list[float]] = {name: [] for name in surfaces}
    for i in range(runs):
        env["SCOUT_CACHE_DIR"] = str(work / f"cache-{repo.name}-{i}")
        for name, run in surfaces.items():
            if math.inf not in samples[name]:
                samples[name].append(run())
    return {k: math.inf if math.inf in v else statistics.median(v) for k, v in samples.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", type=Path, help="replace the 'Hostile repositories' section of this file")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpora = {name: build(work / name, work / "markers", parts) for name, parts in CORPORA.items()}
        results = {name: measure(repo, work, args.runs) for name, repo in corpora.items()}
        markers = sorted(p.name for p in (work / "markers").iterdir())
    load = f"{load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end (1-minute average)"
    text = render(results, markers, args.runs, load)
    print(text)
    if args.write:
        write_section(args.write, text, "hostile")


def render(results: dict, markers: list[str], runs: int, load: str) -> str:
    rows = []
    names = {"index": "cold `scout index`", "ask": "warm `scout ask`", "mcp": "MCP `find_context` (stdio, "
             "server start included)", "triage": "`scout triage --dry-run`"}  # fmt: skip
    for key, name in names.items():
        h, d, c = results["hostile"][key], results["doors"][key], results["clean"][key]
        rows.append(f"| {name} | {_cell(h, c)} | {_cell(d, c)} | {c:.2f} s | ≤ 2× |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    written = f"**{len(markers)}**" + (f" ({', '.join(markers)})" if markers else "")
    return "\n".join([
        f"## Hostile repositories (`benchmarks/hostile.py`, {datetime.date.today()})",
        "",
        f"Machine: {machine}; load {load}. Command: `python -m benchmarks.hostile --runs {runs} "
        f"--write benchmarks/RESULTS.md`. Median of {runs} runs each. The hostile corpus: every git "
        "program door and hook pointed at a marker-writing command, "
        f"{LINE_CHARS // 1000} KB lines of secret-sounding words in the definitions the question and "
        "the issue name, a greedy CODEOWNERS line and label globs beside a 64-character directory, "
        "out-of-range settings. The middle column has the git doors and the settings only; the clean "
        "twin has the same files without any of it. Each cell: seconds, and the ratio to the clean twin.",
        f"Markers written by the hostile corpora: {written}.",
        "",
        "| surface | whole hostile corpus | git doors and settings only | clean twin | target |",
        "|---|---|---|---|---|",
        *rows,
    ])  # fmt: skip


def _cell(seconds: float, clean: float) -> str:
    if math.isinf(seconds):
        return f"did not finish in {LIMIT_S} s (> {LIMIT_S / clean:.0f}×)"
    return f"{seconds:.2f} s ({seconds / clean:.2f}×)"


if __name__ == "__main__":
    main()
