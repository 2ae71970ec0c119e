"""The local worker pool shares its processes fairly between organizations, times a job from its
start, and kills only a stuck job's process: everyone else's work goes on."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import pytest

from bot.runtime.workers import Workers


def stuck(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    threading.Event().wait()  # never returns: a solve stuck in native code, say


def wait_for_file(path: str, value: str) -> str:
    while not Path(path).exists():
        threading.Event().wait(0.01)
    return value


def echo(value: str) -> str:
    return value


def stamped(value: str) -> tuple[int, str]:
    """When it ran (the worker's clock), and what."""
    return time.time_ns(), value


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def eventually(condition, what: str, bound: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    until = loop.time() + bound
    while not condition():
        assert loop.time() < until, f"never: {what}"
        await asyncio.sleep(0.02)


@pytest.fixture
async def workers():
    pool = Workers(processes=1)
    yield pool
    pool.shutdown()


async def test_a_stuck_job_is_killed_and_only_it_fails(workers: Workers, tmp_path: Path) -> None:
    pid_file = tmp_path / "stuck.pid"
    stuck_run = asyncio.create_task(workers.run(stuck, str(pid_file), timeout=2, owner="org A"))
    await eventually(pid_file.exists, "the stuck job started")
    others = [asyncio.create_task(workers.run(echo, f"B{i}", timeout=60, owner="org B")) for i in range(2)]
    with pytest.raises(TimeoutError, match="ran past 2 s"):
        await stuck_run
    assert [await job for job in others] == ["B0", "B1"]  # queued behind it, not cancelled
    pid = int(pid_file.read_text())
    await eventually(lambda: not alive(pid), "the stuck process was killed")
    assert await workers.run(echo, "after", owner="org A") == "after"  # and the pool still serves


async def test_the_time_limit_counts_from_the_start_not_the_wait(workers: Workers, tmp_path: Path) -> None:
    release = tmp_path / "release"
    first = asyncio.create_task(workers.run(wait_for_file, str(release), "first", timeout=60, owner="org A"))
    await eventually(lambda: workers._running, "the first job runs")
    second = asyncio.create_task(workers.run(echo, "second", timeout=1, owner="org B"))
    await asyncio.sleep(1.5)  # longer than the second job's limit, all of it waiting its turn
    release.write_text("")
    assert await first == "first" and await second == "second"


async def test_organizations_take_turns(workers: Workers, tmp_path: Path) -> None:
    release = tmp_path / "release"
    finished: list[str] = []

    async def job(owner: str, name: str, *args: str) -> None:
        function = wait_for_file if args else echo
        finished.append(await workers.run(function, *args, name, owner=owner))

    running = [asyncio.create_task(job("A", "A1", str(release)))]
    await eventually(lambda: workers._running, "A1 runs")
    running += [asyncio.create_task(job("A", f"A{i}")) for i in (2, 3, 4)]
    running += [asyncio.create_task(job("B", "B1")), asyncio.create_task(job("C", "C1"))]
    await eventually(lambda: workers.waiting() == 5, "all queued")
    release.write_text("")
    await asyncio.gather(*running)
    assert finished == ["A1", "B1", "C1", "A2", "A3", "A4"]  # A's flood waits behind one turn each of B and C
