"""Every git command scout runs: argv lists, the repository's own programs switched off, a timeout.

scout runs git in repositories it did not write (a clone, a downloaded archive, the repository a CI
bot serves), and a repository's config (`.git/config` and the files it includes) can name programs
that git runs for us: an fsmonitor hook on `status`; clean, smudge and process filters (chosen by
.gitattributes) on anything that reads the work tree or writes it; textconv and external diff
drivers on `diff` and `log -p`; a pager; hooks; gpg for signatures; an editor; and, on the network,
an ssh command, an askpass program, credential helpers and upload-pack. Settings given with
`git -c` are read after every config file, so they win: each door is set to off here. Drivers are
named by the repository (`filter.<name>.clean`), so their names are read from `git config --list`
first and each is blanked; `diff`, `log` and `show` also get `--no-textconv --no-ext-diff`, and
`status` and `diff` do not recurse into submodules, whose own configs this module never reads.

The GIT_DIR family of environment variables is dropped (the repository is always named here), and a
work tree's parent is a ceiling, so git never adopts an enclosing checkout and its config.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from contextlib import suppress
from pathlib import Path

from scout.errors import ScoutError

GIT_TIMEOUT_S = 10.0
RECORD = "\x1e"  # what scout's `git log` formats put before each commit (`%x1e`: no message holds it)
PIPE = subprocess.PIPE

# Every door a fixed key opens, with the value that keeps it shut. `:` is git's "no editor".
OFF = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.editor", ":"),
    ("sequence.editor", ":"),
    ("core.sshCommand", "ssh"),
    ("core.askPass", ""),
    ("credential.helper", ""),  # an empty value empties the helper list
    ("log.showSignature", "false"),  # verifying a signature runs gpg.program
    ("commit.gpgSign", "false"),
    ("tag.gpgSign", "false"),
    ("protocol.ext.allow", "never"),  # ext:: URLs run a command
    ("protocol.git.allow", "never"),  # git:// runs core.gitProxy, which -c cannot override
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
)
# Keys whose middle part the repository names: (pattern, the value that runs nothing).
DRIVERS = (
    (re.compile(r"(filter\..+)\.(?:clean|smudge|process)", re.S), ""),
    (re.compile(r"(credential\..+)\.helper", re.S), ""),
    (re.compile(r"(remote\..+)\.uploadpack", re.S), "git-upload-pack"),
    (re.compile(r"(remote\..+)\.receivepack", re.S), "git-receive-pack"),
)
FLAGS = {  # per subcommand: what keeps drivers and submodules out of it
    "diff": ("--no-textconv", "--no-ext-diff", "--ignore-submodules=all"),
    "log": ("--no-textconv", "--no-ext-diff"),
    "show": ("--no-textconv", "--no-ext-diff"),
    "status": ("--ignore-submodules=all",),
}
LOCAL_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")  # fmt: skip


def run(
    where: Path, *args: str, bare: bool = False, input: bytes | None = None, timeout: float = GIT_TIMEOUT_S
) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in the work tree `where` (or the git directory `where`, when `bare`), its output
    collected. A non-zero exit is the caller's to read; a missing git or a run past `timeout`
    (killed, with its children) is a ScoutError."""
    argv = command(where, *args, bare=bare, timeout=timeout)
    return _collect(argv, where, bare, input, timeout, args[0] if args else "")


def output(where: Path, *args: str, bare: bool = False, input: bytes | None = None,
           timeout: float = GIT_TIMEOUT_S) -> str:  # fmt: skip
    """stdout of a `run` that must succeed; git's last complaint as a ScoutError otherwise."""
    out = run(where, *args, bare=bare, input=input, timeout=timeout)
    if out.returncode != 0:
        raise ScoutError(f"git {args[0]} failed in {where}: {complaint(out.stderr) or out.returncode}")
    return out.stdout.decode("utf-8", "replace")


def complaint(stderr: bytes) -> str | None:
    """git's last line on stderr (the fatal one, after any warnings), at most 200 characters; None
    when it said nothing."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else None


def start(where: Path, *args: str, bare: bool = False, stdin: int | None = subprocess.DEVNULL,
          stderr: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:  # fmt: skip
    """`git ARGS` running, stdout piped, in its own process group: for output read as a stream.
    The caller ends it with `stop`."""
    argv = command(where, *args, bare=bare)
    return _popen(argv, where, bare, stdin, stderr)


def stop(proc: subprocess.Popen) -> None:
    """Kill a started git and everything it spawned, and reap it."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def command(where: Path, *args: str, bare: bool = False, timeout: float = GIT_TIMEOUT_S) -> list[str]:
    """The full argv for `git ARGS` at `where`, every program door set to off."""
    location = [f"--git-dir={where}"] if bare else ["-C", str(where)]
    base = ["git", "--no-pager", *location]  # no pager, whatever core.pager or pager.<cmd> say
    label = args[0] if args else "config"  # a config that stalls is the command's stall
    listing = _collect([*base, "config", "--list", "--name-only", "-z"], where, bare, None, timeout, label)
    overrides = [*OFF, *driver_overrides(listing.stdout.decode("utf-8", "replace").split("\0"))]
    settings = [part for key, value in overrides for part in ("-c", f"{key}={value}")]
    flags = FLAGS.get(args[0], ()) if args else ()
    return [*base, *settings, *args[:1], *flags, *args[1:]]


def driver_overrides(names: list[str]) -> list[tuple[str, str]]:
    """For each program-naming key the config holds under a name of its own, the key that switches
    that program off. A name with `=` cannot be written as `-c name=value`: no git runs then."""
    found: dict[str, str] = {}
    for name in names:
        for pattern, value in DRIVERS:
            if not (match := pattern.fullmatch(name)):
                continue
            if "=" in name:
                raise ScoutError(
                    f"git config names a program under {name[:80]!r}, which scout cannot turn off"
                )
            found[name] = value
            if name.startswith("filter."):
                found[f"{match[1]}.required"] = "false"  # else a blanked required filter fails the command
    return list(found.items())


def _collect(argv: list[str], where: Path, bare: bool, input: bytes | None, timeout: float, sub: str):
    stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
    proc = _popen(argv, where, bare, stdin, subprocess.PIPE)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        proc.communicate()
        raise ScoutError(f"git {sub} timed out after {timeout:g}s in {where}") from None
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _popen(argv: list[str], where: Path, bare: bool, stdin, stderr) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_env(where, bare),
            start_new_session=True,  # its own process group, so a kill stops everything it spawned
        )
    except OSError as exc:
        raise ScoutError(f"cannot run git: {exc.strerror or exc}", hint="is git installed?") from None


def _env(where: Path, bare: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0")  # no prompt; `status` writes nothing
    if not bare:  # from a plain directory inside someone else's checkout, git would adopt theirs
        env["GIT_CEILING_DIRECTORIES"] = str(Path(where).resolve().parent)
    return env
