"""`scout mcp` answers find_context on worker processes: two slow calls at once take about as long
as one, and past its waiting line a call is refused with "busy, retry" instead of queueing."""

from __future__ import annotations

import time

import anyio
import pytest
from conftest import SCOUT, scout_env
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from plugin_site import install_plugin

SLOW = '''
import time

from scout.bundle import Span
from scout.explorer import Answer


class Slow:
    """Thinks for a while, then cites the cart module: a stand-in for a costly explorer."""

    name = "slow"

    def __init__(self, seconds):
        self.seconds = seconds

    def decide(self, state, ctx):
        time.sleep(self.seconds)
        return Answer([Span("shop/cart/cart.py", 1, 5, 1.0, "slow")])


def explorer(arg):
    return Slow(float(arg or 2))
'''
SECONDS = 2.0


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory):
    return install_plugin(
        tmp_path_factory.mktemp("slow"), "scout_slow", SLOW, {"slow": "scout_slow:explorer"}
    )


async def _calls(sample_repo, site, workers: int, waiting: int, n: int) -> tuple[float, list]:
    env = scout_env({"PYTHONPATH": str(site)})
    args = [*SCOUT[1:], "mcp", "--repo", str(sample_repo), "--explorer", f"slow:{SECONDS}"]
    args += ["--workers", str(workers), "--max-waiting", str(waiting)]
    params = StdioServerParameters(command=SCOUT[0], args=args, env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.call_tool("find_context", {"query": "warm up"})  # workers and index ready
        results: list = [None] * n

        async def one(i: int) -> None:
            results[i] = await session.call_tool("find_context", {"query": f"cart {i}"})

        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(one, i)
        return time.monotonic() - started, results


def test_two_slow_calls_run_at_once_on_two_workers(sample_repo, slow_site):
    took, results = anyio.run(_calls, sample_repo, slow_site, 2, 2, 2)
    assert all(not r.is_error and "shop/cart/cart.py" in r.content[0].text for r in results)
    assert took < 1.6 * SECONDS  # one after the other would take 2 × SECONDS


def test_past_the_waiting_line_a_call_is_told_to_retry(sample_repo, slow_site):
    _, results = anyio.run(_calls, sample_repo, slow_site, 1, 0, 3)
    busy = [r for r in results if r.is_error]
    assert busy and all("busy" in r.content[0].text and "retry" in r.content[0].text for r in busy)
    assert any(not r.is_error for r in results)


def test_with_watch_a_new_file_is_indexed_without_waiting_for_a_call(sample_repo):
    """--refresh-interval 3600: only the watcher can have indexed the file written after start."""

    async def run() -> str:
        args = [*SCOUT[1:], "mcp", "--repo", str(sample_repo), "--watch", "--refresh-interval", "3600"]
        params = StdioServerParameters(command=SCOUT[0], args=[*args, "--workers", "0"], env=scout_env())
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            await session.call_tool("symbols", {"name": "check_csrf_token"})  # open and indexed
            (sample_repo / "shop" / "refunds.py").write_text(
                "def issue_refund(order):\n    return order.total\n"
            )
            for _ in range(40):
                found = await session.call_tool("symbols", {"name": "issue_refund"})
                if not found.is_error:
                    return found.content[0].text
                await anyio.sleep(0.25)
            return found.content[0].text

    assert "shop/refunds.py:1-2" in anyio.run(run)
