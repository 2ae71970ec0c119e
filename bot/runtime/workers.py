"""CPU-heavy work (solving, drawing charts) in separate processes, so the event loop keeps serving
heartbeats and commands while a large organization is solved.

Shared fairly between organizations: each caller names its `owner` (the organization); an owner
has at most one piece of work running at a time, the rest of its work waits in its own line, and
free processes take the owners' lines in turn (round-robin). One organization asking for many
solves delays only itself.

A job's `timeout` counts from when it starts running, not while it waits its turn. A job past its
time is stopped by killing its process (pebble's pool replaces it): the stuck solve ends, and
every other job, running or waiting, goes on."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pebble import ProcessPool

T = TypeVar("T")

SHARED = "shared"  # the owner of work nobody named


def ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the bot, which stops the pool itself (a terminal sends SIGINT to
    every process of the group, and a worker would die printing a KeyboardInterrupt traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(eq=False)
class _Job:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    timeout: float
    owner: object
    result: asyncio.Future[Any]
    running: concurrent.futures.Future[Any] | None = field(default=None)


class Workers:
    def __init__(self, processes: int = 1) -> None:
        self.processes = processes
        self._pool: ProcessPool | None = None
        self._lines: dict[object, deque[_Job]] = {}  # each owner's waiting work, in order
        self._turns: deque[object] = deque()  # owners with waiting work, in the order they are served
        self._running: dict[object, _Job] = {}  # owner -> its job under way

    def _executor(self) -> ProcessPool:
        if self._pool is None:
            # "spawn": a forked child would inherit the running event loop and open sockets.
            self._pool = ProcessPool(
                self.processes, initializer=ignore_interrupts, context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0, owner: object = None) -> T:
        """Run `function(*args)` in a worker process when `owner`'s turn comes; a run past `timeout`
        seconds (from its start) has its process killed and raises TimeoutError."""
        job = _Job(
            function, args, timeout, SHARED if owner is None else owner, asyncio.get_running_loop().create_future()
        )
        line = self._lines.setdefault(job.owner, deque())
        line.append(job)
        if job.owner not in self._turns and job.owner not in self._running:
            self._turns.append(job.owner)  # an owner with work under way queues again when it ends
        self._dispatch()
        try:
            return await asyncio.shield(job.result)
        except asyncio.CancelledError:
            self._abandon(job)
            raise

    def waiting(self) -> int:
        return sum(len(line) for line in self._lines.values())

    def _dispatch(self) -> None:
        """Start waiting work while processes are free: the next owner in turn that has none running."""
        while len(self._running) < self.processes:
            if not self._turns:
                return
            owner = self._turns.popleft()
            line = self._lines[owner]
            job = line.popleft()
            if not line:
                del self._lines[owner]
            self._start(job)

    def _start(self, job: _Job) -> None:
        loop = job.result.get_loop()
        self._running[job.owner] = job
        try:
            job.running = self._executor().schedule(job.function, args=job.args, timeout=job.timeout)
        except Exception as error:  # the pool is stopping
            self._running.pop(job.owner, None)
            if job.owner in self._lines and job.owner not in self._turns:
                self._turns.append(job.owner)
            if not job.result.done():
                job.result.set_exception(error)
            return

        def finished(done: concurrent.futures.Future[Any]) -> None:  # in pebble's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(self._finished, job, done)

        job.running.add_done_callback(finished)

    def _finished(self, job: _Job, done: concurrent.futures.Future[Any]) -> None:
        if self._running.get(job.owner) is job:
            del self._running[job.owner]
            if job.owner in self._lines and job.owner not in self._turns:
                self._turns.append(job.owner)  # its next job after everyone else's waiting now
        if not job.result.done():
            if done.cancelled():
                job.result.cancel()
            elif isinstance(error := done.exception(), concurrent.futures.TimeoutError):
                job.result.set_exception(
                    TimeoutError(f"{getattr(job.function, '__name__', 'the job')} ran past {job.timeout:g} s: stopped")
                )
            elif error is not None:
                job.result.set_exception(error)
            else:
                job.result.set_result(done.result())
        self._dispatch()

    def _abandon(self, job: _Job) -> None:
        """The caller gave up: drop the job if it still waits; stop it if it runs (nobody wants it)."""
        line = self._lines.get(job.owner)
        if line is not None and job in line:
            line.remove(job)
            if not line:
                del self._lines[job.owner]
                if job.owner in self._turns:
                    self._turns.remove(job.owner)
        elif job.running is not None:
            job.running.cancel()  # pebble stops the process running it

    def shutdown(self) -> None:
        for line in self._lines.values():
            for job in line:
                if not job.result.done():
                    job.result.cancel()
        self._lines.clear()
        self._turns.clear()
        if self._pool is not None:
            self._pool.stop()
            self._pool.join(timeout=5)
            self._pool = None
