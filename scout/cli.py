"""The `scout` command: argument handling and glue only. Exit codes: 0 found, 1 nothing found, 2 error."""

from __future__ import annotations

import os
import sys

__all__ = ["main"]
# numpy's BLAS starts a thread per core that spins after every product; scout's products are small,
# so those threads only take CPU from the one doing the work (issue 21: a warm `scout ask` on Django
# 594 -> 461 ms p50 at load 2.7; an MCP worker 40 -> 21 ms of CPU a call). Set before numpy loads,
# and inherited by the MCP server's worker processes; a value the user set wins.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    """Console entry point: ScoutErrors become one line on stderr and exit code 2."""
    if sys.argv[1:2] == ["ask"]:
        through_resident()
    run()


def through_resident() -> None:
    """Exit with a running `scout mcp`'s answer when it gives one (`scout.resident`), before
    anything heavy is imported; else return, and this process answers."""
    from scout import resident

    try:
        reply = resident.answer(sys.argv[1:])
    except KeyboardInterrupt:
        print("scout: error: interrupted", file=sys.stderr)
        sys.exit(2)
    if reply is not None:
        sys.stdout.write(str(reply.get("stdout", "")))
        sys.stderr.write(str(reply.get("stderr", "")))
        sys.stdout.flush()
        sys.exit(int(reply.get("exit", 0)))
    if os.environ.get(resident.SWITCH) == "require":
        print(f"scout: error: no scout server answered ({resident.SWITCH}=require)", file=sys.stderr)
        sys.exit(2)


def run() -> None:
    """The command in this process."""
    for var in BLAS_THREADS:
        os.environ.setdefault(var, "1")
    import typer

    from scout.commands.app import COMPLETE_VAR, PROG, app
    from scout.errors import ScoutError

    if os.environ.get(COMPLETE_VAR):  # a shell asks for completions: typer's classes answer it
        from typer._completion_classes import completion_init

        completion_init()
    try:
        # Named `scout` (its usage lines and completion variable), also when run as `python -m scout`;
        # returns typer.Exit's code.
        code = app(prog_name=PROG, standalone_mode=False, complete_var=COMPLETE_VAR)
    except ScoutError as exc:
        _fail(exc.one_line(), exc)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", None)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # a usage mistake: one line and where to read more, exit 2
        if type(exc).__name__.startswith("NoArgsIsHelp"):  # a group called bare: its help, as click shows it
            exc.show()
        else:
            print(f"scout: error: {usage_line(exc)}", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 2) or 2)
    except Exception as exc:  # a real bug: one line, the traceback with --debug
        _fail(f"internal error: {type(exc).__name__}: {exc}", exc)
    sys.exit(code if isinstance(code, int) else 0)


def usage_line(exc: Exception) -> str:
    """A usage mistake as one line: click's message, a hint for the usual slip, and the command's
    --help (click's own form takes four lines and puts the message last)."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "scout"
    if command.endswith(" ask") and "unexpected extra argument" in message:
        message += '; quote a question of several words: scout ask "how is X done" REPO'
    return f"{message} (see '{command} --help')"


def _fail(message: str, exc: BaseException | None) -> None:
    from scout.commands.app import STATE

    if STATE["debug"] and exc is not None:
        import traceback

        traceback.print_exception(exc)
    print(f"scout: error: {message}", file=sys.stderr)
    sys.exit(2)
