"""CPU-heavy work (solving, drawing charts) in a separate process, so the event loop keeps serving
heartbeats and commands while a large organization is solved."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the bot, which stops the pool itself (a terminal sends SIGINT to
    every process of the group, and a worker would die printing a KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Workers:
    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # "spawn": a forked child would inherit the running event loop and open sockets.
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_interrupts
            )
        return self._pool

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0) -> T:
        """Run `function(*args)` in a worker process; a worker stuck past `timeout` is replaced."""
        future = asyncio.get_running_loop().run_in_executor(self._executor(), function, *args)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self.shutdown()
            raise

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
