"""The task queue (Dramatiq on Redis) in one process: a solve goes out and comes back, the solver's
refusal comes back as itself, the time budget holds without workers, and a queue that is down means
a log line and the local pool. The workers as processes, killed mid-solve: tests/e2e/test_scale.py."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import dramatiq
import pytest

from bot.domain.solver import ProblemError
from bot.runtime.startup import ExitStatus
from bot.runtime.taskqueue import Heartbeat, Queue, QueueRunner
from tests.test_workers import alive, echo, stamped, stuck, wait_for_file


class LocalPool:
    """Stands in for the local worker pool: runs in the test's process and counts."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def run(self, function, *args: Any, timeout: float = 300.0, owner: object = None):
        self.calls.append(function.__name__)
        return function(*args)

    def shutdown(self) -> None:
        pass


def refuse(task: int) -> None:
    raise ProblemError("nobody holds the qualification", task=task)


@pytest.fixture
def queue(redis_url: str) -> Iterator[Queue]:
    queue = Queue(redis_url, requeue_after=2)
    yield queue
    queue.close()


@pytest.fixture
def worker(queue: Queue) -> Iterator[dramatiq.Worker]:
    """A worker thread in this process (the real workers are processes: `parecon-rota worker`)."""
    queue.broker.add_middleware(Heartbeat(queue))
    worker = dramatiq.Worker(queue.broker, worker_threads=1, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop(timeout=5000)


def runner(queue: Queue, pool: LocalPool, *solves, queue_wait: float = 60) -> QueueRunner:
    runner = QueueRunner(queue, pool, queue_wait=queue_wait)  # type: ignore[arg-type]
    runner.solves = frozenset(solves)
    return runner


async def test_a_solve_goes_to_a_worker_and_its_result_comes_back(queue, worker) -> None:
    pool = LocalPool()
    assert await runner(queue, pool, pow).run(pow, 2, 10, timeout=30) == 1024
    assert pool.calls == []  # not solved here
    assert await runner(queue, pool, pow).run(divmod, 7, 2, timeout=30) == (3, 1)  # not a solve: local
    assert pool.calls == ["divmod"]


async def test_the_solvers_refusal_comes_back_as_itself(queue, worker) -> None:
    with pytest.raises(ProblemError) as raised:
        await runner(queue, LocalPool(), refuse).run(refuse, 4, timeout=30)
    assert raised.value.task == 4  # the bot names the task from it


async def test_without_workers_the_wait_is_bounded_and_the_message_expires(queue, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="bot.runtime.taskqueue")
    with pytest.raises(TimeoutError, match="no worker took the solve"):
        await runner(queue, LocalPool(), pow, queue_wait=0.3).run(pow, 2, 3, timeout=30)
    assert "no worker started message" in caplog.text and "parecon-rota worker" in caplog.text
    [message] = [m for m in queue.broker.client.hvals(f"{queue.broker.namespace}:solve.msgs")]
    assert b"max_age" in message  # a worker starting later drops it instead of solving for nobody


async def test_a_queue_that_is_down_means_a_log_line_and_the_local_pool(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="bot.runtime.taskqueue")
    down = Queue("redis://127.0.0.1:9/0")  # nothing listens on the discard port
    pool = LocalPool()
    try:
        assert await runner(down, pool, pow).run(pow, 3, 2, timeout=30) == 9
    finally:
        down.close()
    assert pool.calls == ["pow"]
    assert "the task queue at redis://127.0.0.1:9/0 does not answer" in caplog.text
    assert "solving in this process instead" in caplog.text


def worker_command(tmp_path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "PARECON_ROTA_ENV_FILE"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", "worker"],
        env=env | {"XDG_CONFIG_HOME": str(tmp_path / "config"), "DATA_DIR": str(tmp_path / "data")} | settings,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_worker_without_redis_url_says_so_and_exits_2(tmp_path) -> None:
    result = worker_command(tmp_path)
    assert result.returncode == ExitStatus.CONFIG
    assert "REDIS_URL is not set, so there is no task queue to take solves from." in result.stderr


def test_a_worker_whose_redis_does_not_answer_says_so_and_exits_6(tmp_path) -> None:
    result = worker_command(tmp_path, REDIS_URL="redis://:secret@127.0.0.1:9/0", CONNECT_TIMEOUT="1")
    assert result.returncode == ExitStatus.QUEUE_UNREACHABLE == 6
    assert "The task queue at redis://:***@127.0.0.1:9/0 does not answer" in result.stderr
    assert "Start Redis, or check REDIS_URL and the network." in result.stderr


async def test_a_queue_lost_while_waiting_means_a_log_line_and_the_local_pool(queue, monkeypatch, caplog) -> None:
    import redis

    caplog.set_level(logging.WARNING, logger="bot.runtime.taskqueue")

    def lost(message):
        raise redis.ConnectionError("Connection reset by peer")

    monkeypatch.setattr(queue, "result", lost)  # sent, then Redis goes away before the result
    pool = LocalPool()
    assert await runner(queue, pool, pow).run(pow, 2, 5, timeout=30) == 32
    assert pool.calls == ["pow"]
    assert "lost the task queue at" in caplog.text and "Connection reset by peer" in caplog.text


async def eventually(condition, what: str, bound: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    until = loop.time() + bound
    while not condition():
        assert loop.time() < until, f"never: {what}"
        await asyncio.sleep(0.02)


async def test_a_stuck_solve_is_killed_and_the_worker_takes_the_next(queue, worker, tmp_path) -> None:
    pid_file = tmp_path / "stuck.pid"
    solves = runner(queue, LocalPool(), stuck, echo)
    stuck_run = asyncio.create_task(solves.run(stuck, str(pid_file), timeout=2, owner="org A"))
    await eventually(pid_file.exists, "the stuck solve started")
    other = asyncio.create_task(solves.run(echo, "B", timeout=60, owner="org B"))
    with pytest.raises(TimeoutError, match="ran past 2 s and was stopped"):
        await stuck_run
    assert await other == "B"
    pid = int(pid_file.read_text())
    await eventually(lambda: not alive(pid), "the stuck solve's process was killed")


async def test_a_solves_time_limit_counts_from_its_start_not_its_wait(queue, worker, tmp_path) -> None:
    release = tmp_path / "release"
    solves = runner(queue, LocalPool(), wait_for_file, echo)
    first = asyncio.create_task(solves.run(wait_for_file, str(release), "first", timeout=60, owner="org A"))
    await eventually(lambda: queue.waiting() == 0, "a worker took the first solve")
    second = asyncio.create_task(solves.run(echo, "second", timeout=1, owner="org B"))
    await asyncio.sleep(1.5)  # longer than the second solve's limit, all of it waiting for the worker
    release.write_text("")
    assert await first == "first" and await second == "second"


async def test_an_organization_has_one_solve_in_the_queue_at_a_time(queue, worker, tmp_path) -> None:
    release = tmp_path / "release"
    solves = runner(queue, LocalPool(), wait_for_file, stamped)
    done: list[tuple[int, str]] = []

    async def solve(owner: str, name: str) -> None:
        done.append(await solves.run(stamped, name, timeout=60, owner=owner))

    def pending() -> int:  # messages not done yet: queued, or held by the worker (it fetches ahead)
        return int(queue.broker.client.hlen(f"{queue.broker.namespace}:solve.msgs"))

    blocker = asyncio.create_task(solves.run(wait_for_file, str(release), "C", timeout=60, owner="org C"))
    await eventually(lambda: pending() == 1, "the worker's solve is sent")
    flood = [asyncio.create_task(solve("org A", f"A{i}")) for i in range(1, 4)]
    await eventually(lambda: pending() == 2, "A's first solve is sent")
    later = asyncio.create_task(solve("org B", "B1"))
    await eventually(lambda: pending() == 3, "B's solve is sent")
    assert pending() == 3  # A's other two wait in the bot, not ahead of B in the queue
    release.write_text("")
    await asyncio.gather(blocker, *flood, later)
    order = [name for _, name in sorted(done)]  # in the order the worker solved them
    assert order.index("B1") < order.index("A2")
