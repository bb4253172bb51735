"""`scout tools grep`, `scout tools symbols`, ...: one subcommand per registered tool, generated from
its declaration (`scout.tools.registry`), so the shell, MCP and the LLM explorer share every default."""

from __future__ import annotations

import inspect
import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from scout.commands import TOOLS_GROUP
from scout.commands.app import command_app
from scout.commands.options import JsonOpt, RepoArg, RepoFlag, emit_json, pick_repo
from scout.errors import ToolError
from scout.tools import TOOLS, Tool, call_tool
from scout.tools.registry import Param


def run_tool(entry: Tool, repo: Path, args: dict[str, Any], as_json: bool) -> None:
    from scout.commands.ask import open_workspace

    ws = open_workspace(repo)
    try:
        result = call_tool(ws.ctx, entry.name, args)
    except ToolError as exc:
        raise ToolError(as_flags(str(exc), entry), hint=as_flags(exc.hint, entry)) from exc
    finally:
        ws.close()
    if as_json:
        hits = [asdict(h) for h in result.hits]
        emit_json({"tool": entry.name, "args": args, "hits": hits, "truncated": result.truncated})
    else:
        typer.echo(as_flags(result.text, entry) if result.truncated else result.text)
    raise typer.Exit(0 if result.hits else 1)


def as_flags(text: str, entry: Tool) -> str:
    """A tool's advice, written for MCP's arguments (`fixed=true`, `raise max_matches`), in this
    command's spelling (`--fixed`, `raise --max-matches`)."""
    for p in entry.params:
        if p.required:
            continue
        flag = f"--{p.name.replace('_', '-')}"
        text = re.sub(rf"\b{p.name}=true\b", flag, text)
        text = re.sub(rf"\b{p.name}=false\b", f"--no-{flag[2:]}", text)
        text = re.sub(rf"\b(raise|lower|set|pass) {p.name}\b", rf"\1 {flag}", text)
    return text


def command_for(entry: Tool):
    """A typer command whose signature is the tool's parameters, then an optional trailing REPO
    (after the tool's own positionals, which are all required), --repo and --json."""

    def command(**kwargs: Any) -> None:
        repo = pick_repo(kwargs.pop("repo_path"), kwargs.pop("repo"))
        as_json = kwargs.pop("as_json")
        run_tool(entry, repo, kwargs, as_json)

    P = inspect.Parameter
    params = [_cli_param(p) for p in entry.params]
    params += [
        P("repo_path", P.POSITIONAL_OR_KEYWORD, annotation=RepoArg, default=None),
        P("repo", P.POSITIONAL_OR_KEYWORD, annotation=RepoFlag, default=None),
        P("as_json", P.POSITIONAL_OR_KEYWORD, annotation=JsonOpt, default=False),
    ]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = entry.help
    command.__name__ = entry.name
    return command


def _cli_param(p: Param) -> inspect.Parameter:
    typ = p.type | None if p.optional else p.type
    if p.required:
        info = typer.Argument(help=p.doc.help, show_default=False, metavar=p.name.upper())
        return inspect.Parameter(
            p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[typ, info]
        )
    flag = f"--{p.name.replace('_', '-')}"
    if p.type is bool and p.default is True:
        flag += f"/--no-{p.name.replace('_', '-')}"
    flags = [flag] + ([p.doc.short] if p.doc.short else [])
    info = typer.Option(*flags, help=p.doc.help, min=p.doc.ge, max=p.doc.le)
    return inspect.Parameter(
        p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[typ, info], default=p.default
    )


def example(entry: Tool) -> str:
    """The declaration's example (`scout grep ...`), spelled as the group runs it."""
    return entry.example.replace(f"scout {entry.name} ", f"scout {TOOLS_GROUP} {entry.name} ", 1)


app = command_app(
    help="scout's read-only tools, one call at a time: what `scout ask` and find_context run for you.",
    epilog=f"Example: scout {TOOLS_GROUP} grep 'def check_token' --glob '*.py' ~/src/django",
    no_args_is_help=True,
)
for _entry in TOOLS.values():
    app.command(_entry.name, epilog=f"Example: {example(_entry)}")(command_for(_entry))
