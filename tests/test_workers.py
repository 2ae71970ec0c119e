"""The worker processes: Ctrl-C is the bot's to handle, never a worker's."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from bot.workers import Workers


async def test_ctrl_c_reaching_a_worker_neither_kills_it_nor_breaks_its_work() -> None:
    workers = Workers()
    try:
        assert await workers.run(abs, -1) == 1  # the worker is up
        pool = workers._executor()
        [pid] = list(pool._processes)  # type: ignore[attr-defined]
        sleeping = asyncio.ensure_future(workers.run(time.sleep, 0.3))
        await asyncio.sleep(0.1)
        os.kill(pid, signal.SIGINT)  # what a terminal's Ctrl-C sends to every process of the group
        assert await sleeping is None  # finished normally: no KeyboardInterrupt, no broken pool
        assert await workers.run(abs, -2) == 2 and list(pool._processes) == [pid]  # type: ignore[attr-defined]
    finally:
        workers.shutdown()
