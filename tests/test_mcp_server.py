"""`scout mcp` through the SDK's real client: in memory, a `scout mcp` subprocess over stdio, and HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import anyio
import jsonschema
import pytest
from conftest import ROOT, SCOUT, run_scout, scout_env
from mcp import Client, StdioServerParameters
from mcp.types import ListRootsResult, Root

from scout.errors import EMPTY_QUERY
from scout.mcp.output import MIN_MAX_TOKENS
from scout.mcp.server import ServerConfig, build_server
from scout.tokens import count_tokens

BUNDLE_SCHEMA = json.loads((ROOT / "docs" / "bundle.schema.json").read_text())
TOOLS = {"find_context", "read_range", "grep", "symbols", "outline", "glob", "bm25", "semantic", "related"}
CSRF = "where is the CSRF token checked"


def run(fn, *args):
    return anyio.run(fn, *args)


async def assert_lists_tools_and_cites_csrf(client: Client) -> None:
    listed = await client.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    assert all(t.annotations and t.annotations.read_only_hint for t in listed.tools)
    result = await client.call_tool("find_context", {"query": CSRF})
    assert not result.is_error, result.content
    top = result.structured_content["answer"][0]
    assert (top["path"], top["start_line"], top["end_line"]) == ("shop/auth/tokens.py", 19, 27)
    assert result.structured_content["format"] == "scout-bundle/2"
    jsonschema.validate(result.structured_content, BUNDLE_SCHEMA)  # the schema shipped in docs/
    assert "### shop/auth/tokens.py:19-27 `check_csrf_token`" in result.content[0].text


async def assert_error(client: Client, tool: str, args: dict, *words: str) -> str:
    """The call is a tool result with isError, one line of message and one of hint."""
    result = await client.call_tool(tool, args)
    text = result.content[0].text
    assert result.is_error, text
    assert text.startswith("error: ") and "\nhint: " in text and len(text.splitlines()) == 2, text
    for word in words:
        assert word in text
    return text


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_in_memory_client_lists_tools_and_finds_the_csrf_check(sample_repo, mode):
    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,))), mode=mode) as client:
            await assert_lists_tools_and_cites_csrf(client)

    run(main)


def test_errors_a_model_can_fix_are_tool_results_and_the_server_keeps_serving(sample_repo):
    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,)))) as client:
            await assert_error(client, "read_range", {"path": "../../etc/passwd"}, "outside the repository")
            await assert_error(client, "read_range", {"path": "/etc/passwd"}, "outside the repository")
            await assert_error(client, "find_context", {"query": CSRF, "repo": "/no/such/repo"}, "not found")
            await assert_error(client, "grep", {"pattern": "check_(csrf"}, "invalid regex", "fixed=true")
            await assert_error(client, "grep", {"pattern": "zebra_quokka"}, "no matches")
            await assert_error(client, "symbols", {"name": "zebra_quokka"}, "no matches")
            await assert_error(client, "outline", {"path": "shop/nowhere.py"}, "no such file")
            await assert_error(client, "read_range", {"path": "shop/nowhere.py"}, "no such file", "grep")
            await assert_error(
                client, "read_range", {"path": "shop/auth/tokens.py", "start_line": 900}, "past the end"
            )
            await assert_error(client, "find_context", {"query": "zebra quokka"}, "no evidence")
            # issue 24: an empty query said "no evidence found" here and "the query is empty" in the CLI
            await assert_error(client, "find_context", {"query": " \n"}, f"error: {EMPTY_QUERY}\n")
            await assert_lists_tools_and_cites_csrf(client)  # still serving

    run(main)


def test_follow_up_tools_read_grep_symbols_outline(sample_repo):
    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,)))) as client:
            read = await client.call_tool(
                "read_range", {"path": "shop/auth/tokens.py", "start_line": 20, "context": 1}
            )
            lines = read.content[0].text.splitlines()
            assert lines[0].startswith("shop/auth/tokens.py:19-")
            assert lines[1] == "19  def check_csrf_token(session, submitted):"
            cited = await client.call_tool("read_range", {"path": "shop/auth/tokens.py:19-27"})
            assert cited.content[0].text.splitlines()[0] == "shop/auth/tokens.py:19-27"  # as a bundle cites
            grep = await client.call_tool("grep", {"pattern": "compare_digest", "path": "shop"})
            assert "shop/auth/tokens.py:25: " in grep.content[0].text
            assert "[in check_csrf_token 19-27]" in grep.content[0].text
            sym = await client.call_tool("symbols", {"name": "PriceCalculator.apply_discount"})
            assert "shop/cart/pricing.py:16-21 function PriceCalculator.apply_discount" in sym.content[0].text
            out = await client.call_tool("outline", {"path": "shop/cart/pricing.py"})
            assert "16-21 function PriceCalculator.apply_discount" in out.content[0].text

    run(main)


@pytest.mark.parametrize("cap", [MIN_MAX_TOKENS, 800])  # at the smallest cap the envelope is most of it
def test_oversized_output_is_cut_to_the_cap_and_says_so(sample_repo, cap):
    body = "".join(
        f"def helper_{i}(value):\n    return value + {i}  # padding padding padding\n" for i in range(300)
    )
    (sample_repo / "shop" / "big.py").write_text(body)

    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,), max_tokens=cap))) as client:
            read = await client.call_tool("read_range", {"path": "shop/big.py"})
            text = read.content[0].text
            assert not read.is_error
            assert count_tokens(text) <= cap
            assert text.endswith(
                f"[output truncated: over this server's cap of {cap} tokens; read a smaller line range]"
            )
            grep = await client.call_tool("grep", {"pattern": "padding", "max_matches": 500})
            assert count_tokens(grep.content[0].text) <= cap and "output truncated" in grep.content[0].text
            found = await client.call_tool("find_context", {"query": CSRF, "budget_tokens": 100_000})
            assert not found.is_error
            assert f"budget_tokens 100000 is above this server's cap; used {cap}" in found.content[0].text
            assert count_tokens(found.content[0].text) <= cap
            assert count_tokens(json.dumps(found.structured_content, ensure_ascii=False)) <= cap
            top = found.structured_content["answer"][0]
            assert (top["path"], top["start_line"]) == ("shop/auth/tokens.py", 19)  # the best span survives

    run(main)


def second_repo(tmp_path: Path) -> Path:
    root = tmp_path / "billing"
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "invoice.py").write_text("def render_invoice(order):\n    return f'#{order.id}'\n")
    return root


def test_several_repositories_by_name_or_path(sample_repo, tmp_path):
    other = second_repo(tmp_path)

    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo, other)))) as client:
            await assert_lists_tools_and_cites_csrf(client)  # the first --repo is the default
            by_name = await client.call_tool("symbols", {"name": "render_invoice", "repo": "billing"})
            assert "billing/invoice.py:1-2 function render_invoice" in by_name.content[0].text
            by_path = await client.call_tool("outline", {"path": "billing/invoice.py", "repo": str(other)})
            assert "1-2 function render_invoice" in by_path.content[0].text
            await assert_error(
                client, "symbols", {"name": "render_invoice", "repo": str(tmp_path)}, "not served"
            )
            for default in ("", "."):  # what models send when they fill an optional argument anyway
                found = await client.call_tool("symbols", {"name": "check_csrf_token", "repo": default})
                assert found.content[0].text.startswith("shop/auth/tokens.py:19-27")

    run(main)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_client_roots_choose_the_repository_when_none_is_configured(sample_repo, tmp_path, mode):
    other = second_repo(tmp_path)

    async def roots(_ctx):
        return ListRootsResult(roots=[Root(uri=sample_repo.as_uri()), Root(uri=other.as_uri())])

    async def main():
        server = build_server(ServerConfig(cwd=Path("/")))  # / is never served by default
        async with Client(server, mode=mode, list_roots_callback=roots) as client:
            await assert_lists_tools_and_cites_csrf(client)  # the first root is the default
            found = await client.call_tool("symbols", {"name": "render_invoice", "repo": str(other)})
            assert "billing/invoice.py:1-2" in found.content[0].text
            await assert_error(client, "grep", {"pattern": "x", "repo": str(tmp_path)}, "not served")
        async with Client(server, mode=mode) as client:  # no roots, nothing configured
            await assert_error(client, "find_context", {"query": CSRF}, "no repository", "--repo")

    run(main)


def test_each_call_sees_edited_files(sample_repo):
    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,), refresh_seconds=0))) as client:
            await assert_error(client, "symbols", {"name": "rotate_csrf_secret"}, "no matches")
            path = sample_repo / "shop" / "auth" / "tokens.py"
            path.write_text(path.read_text() + "\n\ndef rotate_csrf_secret():\n    return None\n")
            found = await client.call_tool("symbols", {"name": "rotate_csrf_secret"})
            assert "shop/auth/tokens.py:30-31 function rotate_csrf_secret" in found.content[0].text

    run(main)


def test_stdio_subprocess_serves_a_real_client(sample_repo):
    params = StdioServerParameters(
        command=SCOUT[0], args=[*SCOUT[1:], "mcp", "--repo", str(sample_repo)], env=scout_env()
    )

    async def main():
        async with Client(params, mode="legacy", read_timeout_seconds=60) as client:
            assert client.server_info.name == "scout"
            await assert_lists_tools_and_cites_csrf(client)
            await assert_error(client, "read_range", {"path": "../outside.txt"}, "outside the repository")
            await assert_lists_tools_and_cites_csrf(client)

    run(main)


def rpc(proc: subprocess.Popen, message: dict) -> dict | None:
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()
    if "id" not in message:
        return None
    line = proc.stdout.readline()
    return json.loads(line)


def test_stdio_stdout_carries_only_protocol_messages(sample_repo):
    """Raw JSON-RPC, as a harness speaks it: every stdout line is a JSON-RPC message, logs go to stderr."""
    argv = [*SCOUT, "--debug", "mcp", "--repo", str(sample_repo)]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    with subprocess.Popen(argv, **pipes, text=True, env=scout_env()) as proc:
        init = rpc(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INIT})
        assert init["result"]["serverInfo"]["name"] == "scout"
        rpc(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        listed = rpc(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert {t["name"] for t in listed["result"]["tools"]} == TOOLS
        call = {"name": "find_context", "arguments": {"query": CSRF, "max_spans": 2}}
        found = rpc(proc, {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": call})
        assert found["result"]["structuredContent"]["answer"][0]["path"] == "shop/auth/tokens.py"
        bad = rpc(proc, {"jsonrpc": "2.0", "id": 4, "method": "no/such/method"})
        assert bad["error"]["code"] == -32601  # a protocol failure stays a protocol error
        proc.stdin.close()
        rest, err = proc.stdout.read(), proc.stderr.read()
        assert proc.wait(timeout=30) == 0
    assert rest == ""
    assert "scout: DEBUG" in err  # --debug logging happened, on stderr


INIT = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "raw-test", "version": "0"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listening on {port}")


def test_http_server_on_a_loopback_port(sample_repo):
    port = free_port()
    proc = subprocess.Popen(
        [*SCOUT, "mcp", "--http", "--port", str(port), "--repo", str(sample_repo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=scout_env(),
    )

    async def main():
        async with Client(f"http://127.0.0.1:{port}/mcp", mode="legacy") as client:
            await assert_lists_tools_and_cites_csrf(client)
            await assert_error(client, "grep", {"pattern": "[unclosed"}, "invalid regex")
            await assert_lists_tools_and_cites_csrf(client)

    try:
        wait_for_port(port, proc)
        run(main)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert out == ""
    assert f"serving http://127.0.0.1:{port}/mcp" in err


def scout_mcp_fails(*args: str) -> str:
    out = run_scout("mcp", *args, timeout=60)
    assert (out.returncode, out.stdout) == (2, "")
    assert len(out.stderr.splitlines()) == 1
    return out.stderr.strip()


def test_bad_flags_fail_at_start_as_one_line(tmp_path):
    missing = tmp_path / "nope"
    assert scout_mcp_fails("--repo", str(missing)) == f"scout: error: repository not found: {missing}"
    assert scout_mcp_fails("--explorer", "bogus").startswith("scout: error: unknown explorer 'bogus'")
    assert f"at least {MIN_MAX_TOKENS}" in scout_mcp_fails("--max-output-tokens", "10")


def test_a_repo_argument_that_is_no_path_is_a_tool_error(sample_repo):
    """A client may send any string as `repo`: one over NAME_MAX made stat() raise (found by fuzzing)."""

    async def main():
        async with Client(build_server(ServerConfig(repos=(sample_repo,)))) as client:
            for repo in ("x" * 5000, "a\x00b"):
                await assert_error(client, "find_context", {"query": CSRF, "repo": repo}, "not found")
                await assert_error(
                    client, "read_range", {"path": "shop/auth/tokens.py", "repo": repo}, "not found"
                )

    run(main)
