"""Solves on other machines: a Dramatiq queue on Redis (`REDIS_URL`), run by `parecon-rota worker`.

Without `REDIS_URL` the bot solves in its own worker pool (`bot.runtime.workers`), as always. With it,
`QueueRunner` (a `Runner`) sends each solve to the queue and waits for its result without blocking
the event loop; anything else it is given (drawing a chart) stays in the local pool.

- A worker acknowledges a message only after the solve (Dramatiq acks late). Every worker writes a
  heartbeat to Redis each second, from a thread of its own, even while it solves; a worker silent
  for `QUEUE_REQUEUE_AFTER` seconds (killed, its machine gone) is dead, and the messages it held go
  back to the queue for another worker: queue maintenance runs on every broker command, so within
  about a second of that.
- A solve done twice (a worker declared dead that was only slow) stores its result twice under
  the same message: the bot reads one. Publication stays exactly-once anyway: the rota is stored
  under the unique (organization, week) key.
- Redis down when a solve is sent, or lost while waiting: a WARNING line, and the solve runs in the
  local pool instead. A result that does not come within the caller's time budget: a TimeoutError
  (the caller's budget, the solver's limit plus a margin, holds end to end), and the message
  expires from the queue instead of being solved for nobody.

Messages and results are pickled (the solver's inputs are dataclasses): Redis must be reachable only
by the bot and its workers (a private network, a password), like the database.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import dramatiq
import redis
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.encoder import PickleEncoder
from dramatiq.middleware import Middleware
from dramatiq.results import ResultMissing, Results
from dramatiq.results.backends.redis import RedisBackend
from pebble import ProcessPool

from bot.domain.rota import solve_week
from bot.runtime.settings import hide_password
from bot.runtime.workers import Workers, ignore_interrupts

log = logging.getLogger(__name__)

T = TypeVar("T")

QUEUE = "solve"
ACTOR = "solve"
NAMESPACE = "parecon-rota"
HEARTBEAT_SECONDS = 1.0  # a worker's heartbeat, well inside the shortest QUEUE_REQUEUE_AFTER (2 s)
RESULT_TTL_MS = 15 * 60 * 1000  # a result nobody read (the bot stopped meanwhile) expires
STILL_WAITING_SECONDS = 30.0  # a solve not started by then gets a log line (are workers running?)
RESULT_MARGIN_SECONDS = 5.0  # a finished solve's result on its way back through Redis
SOLVES = frozenset({solve_week})  # what goes to the queue; the rest stays local


def where(url: str) -> str:
    return hide_password(url)


class Queue:
    """The broker, the results backend and the solve actor, for the bot and for the workers alike."""

    def __init__(self, url: str, *, requeue_after: float = 15.0) -> None:
        self.url = url
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=3, socket_timeout=10, health_check_interval=30)
        self.client = redis.Redis(connection_pool=pool)
        dramatiq.set_encoder(PickleEncoder())
        self.broker = RedisBroker(
            client=self.client,
            namespace=NAMESPACE,
            heartbeat_timeout=int(requeue_after * 1000),
            maintenance_chance=MAINTENANCE_SCALE,  # on every command: a dead worker's solves move at once
        )
        self.backend = RedisBackend(client=self.client, namespace=f"{NAMESPACE}-results", encoder=PickleEncoder())
        self.broker.add_middleware(Results(backend=self.backend, store_results=True, result_ttl=RESULT_TTL_MS))
        self.broker.add_middleware(dramatiq.middleware.CurrentMessage())
        self._solver: ProcessPool | None = None  # a worker's solving process (started on its first solve)
        self.actor: dramatiq.Actor = dramatiq.Actor(
            self.run_job,
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=QUEUE,
            priority=0,
            # The job returns the solver's exception as a value (no retry helps a problem that cannot
            # be solved); the bot's own budget bounds the time, not Dramatiq's 10-minute default.
            options={"max_retries": 0, "time_limit": 24 * 3600 * 1000, "store_results": True},
        )

    def send(self, function: Callable[..., Any], args: tuple, *, timeout: float, max_age: float) -> dramatiq.Message:
        """Queue a solve: `timeout` seconds once a worker starts it; dropped if none starts it within `max_age`."""
        return self.actor.send_with_options(args=(function, args, timeout), max_age=int(max_age * 1000))

    def _started_key(self, message_id: str) -> str:
        return f"{NAMESPACE}:started:{message_id}"

    def started(self, message: dramatiq.Message) -> bool:
        """Whether a worker has started the solve (blocking: call from a thread)."""
        return bool(self.client.exists(self._started_key(message.message_id)))

    def run_job(self, function: Callable[..., Any], args: tuple, timeout: float | None = None) -> tuple[str, Any]:
        """In a worker: run one solve in the worker's solving process, at most `timeout` seconds from
        now (then that process is killed and replaced; the worker takes the next solve). Its exception
        (a problem that cannot be solved, the time limit) is the result."""
        started = time.monotonic()
        message = dramatiq.middleware.CurrentMessage.get_current_message()
        label = message.message_id if message is not None else "?"
        if message is not None:
            self.client.set(self._started_key(message.message_id), "1", px=RESULT_TTL_MS)
        log.info("solving %s (message %s)", getattr(function, "__name__", function), label)
        try:
            if self._solver is None:
                self._solver = ProcessPool(
                    1, initializer=ignore_interrupts, context=multiprocessing.get_context("spawn")
                )
            value = self._solver.schedule(function, args=args, timeout=timeout).result()
        except concurrent.futures.TimeoutError:
            log.warning("solve %s ran past %s s: its process was stopped", label, timeout)
            return ("raised", TimeoutError(f"the solve ran past {timeout:g} s and was stopped"))
        except Exception as error:
            log.info("solve %s ended with %s: %s", label, type(error).__name__, error)
            return ("raised", error)
        log.info("solved %s in %.1f s (worker pid %d)", label, time.monotonic() - started, os.getpid())
        return ("ok", value)

    def result(self, message: dramatiq.Message) -> tuple[str, Any] | None:
        """The job's outcome, or None while it is not there yet (blocking: call from a thread)."""
        try:
            return self.backend.get_result(message, block=False)
        except ResultMissing:
            return None

    def waiting(self) -> int:
        return int(self.broker.do_qsize(QUEUE))

    def close(self) -> None:
        if self._solver is not None:
            self._solver.stop()
            self._solver.join(timeout=5)
            self._solver = None
        self.client.close()


class QueueRunner:
    """A `Runner`: solves through the queue (any worker, on any machine), the rest in the local pool."""

    def __init__(self, queue: Queue, local: Workers, *, queue_wait: float = 900.0) -> None:
        self.queue, self.local = queue, local
        self.solves = SOLVES
        self.queue_wait = queue_wait  # how long a solve may wait for a worker to start it
        self._turns: dict[object, asyncio.Lock] = {}  # one solve in the queue per organization

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0, owner: object = None) -> T:
        if function not in self.solves:
            return await self.local.run(function, *args, timeout=timeout, owner=owner)
        if owner is None:
            return await self._solve(function, args, timeout)
        # One solve per organization in the queue at a time: the queue is first in, first out, so an
        # organization asking for many cannot push the others' solves back.
        async with self._turns.setdefault(owner, asyncio.Lock()):
            return await self._solve(function, args, timeout)

    async def _solve(self, function: Callable[..., T], args: tuple, timeout: float) -> T:
        loop = asyncio.get_running_loop()
        try:
            message = await asyncio.to_thread(self.queue.send, function, args, timeout=timeout, max_age=self.queue_wait)
        except (redis.RedisError, OSError) as error:
            log.warning(
                "the task queue at %s does not answer (%s): solving in this process instead",
                where(self.queue.url),
                error,
            )
            return await self.local.run(function, *args, timeout=timeout)
        started = loop.time()
        outcome = await self._wait(message, timeout)
        if outcome is None:  # the queue went away while we waited
            return await self.local.run(function, *args, timeout=max(1.0, timeout - (loop.time() - started)))
        status, value = outcome
        if status == "raised":
            raise value
        return value

    def _progress(self, message: dramatiq.Message, known_started: bool) -> tuple[tuple[str, Any] | None, bool]:
        """The outcome if there is one, and whether a worker has started the solve (blocking)."""
        outcome = self.queue.result(message)
        return outcome, known_started or outcome is not None or self.queue.started(message)

    async def _wait(self, message: dramatiq.Message, timeout: float) -> tuple[str, Any] | None:
        """Wait up to `queue_wait` for a worker to start the solve, then up to `timeout` (plus a
        margin for the result's way back) for it to finish: the time limit is the solve's, not the
        queue's."""
        loop = asyncio.get_running_loop()
        pause, said_waiting, started = 0.02, False, False
        sent = loop.time()
        deadline = sent + self.queue_wait
        while True:
            try:
                outcome, now_started = await asyncio.to_thread(self._progress, message, started)
            except (redis.RedisError, OSError) as error:
                log.warning(
                    "lost the task queue at %s while waiting for a solve (%s): solving in this process instead",
                    where(self.queue.url),
                    error,
                )
                return None
            if outcome is not None:
                return outcome
            now = loop.time()
            if now_started and not started:
                started, deadline = True, now + timeout + RESULT_MARGIN_SECONDS
            if now >= deadline:
                if started:
                    log.error("the solve of message %s did not come back within %.0f s", message.message_id, timeout)
                    raise TimeoutError(f"the solve did not finish within {timeout:.0f} s")
                log.error(
                    "no worker started message %s within %.0f s: are `parecon-rota worker` processes running "
                    "and reaching %s?",
                    message.message_id,
                    self.queue_wait,
                    where(self.queue.url),
                )
                raise TimeoutError(f"no worker took the solve within {self.queue_wait:.0f} s")
            if not said_waiting and not started and now - sent > STILL_WAITING_SECONDS:
                said_waiting = True
                waiting = await asyncio.to_thread(self.queue.waiting)
                log.warning(
                    "a solve has waited %.0f s for a worker (%d waiting in the queue); still waiting up to %.0f s",
                    now - sent,
                    waiting,
                    deadline - now,
                )
            await asyncio.sleep(min(pause, max(0.0, deadline - now)))
            pause = min(pause * 1.5, 0.5)

    def shutdown(self) -> None:
        self.local.shutdown()
        self.queue.close()


class Heartbeat(Middleware):
    """Keeps a worker alive in Redis while it solves (Dramatiq's own heartbeat rides on fetching,
    which pauses while the worker is busy), so that only a worker that is really gone loses its
    solves to another."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self.stopping = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        threading.Thread(target=self._beat, name="queue-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self.stopping.set()

    def _beat(self) -> None:
        while not self.stopping.wait(HEARTBEAT_SECONDS):
            try:
                self.queue.broker.do_qsize(QUEUE)  # any broker command records the heartbeat
            except redis.RedisError as error:
                log.warning("could not reach the task queue: %s", error)


def run_worker(url: str, *, requeue_after: float) -> None:
    """`parecon-rota worker`: solve from the queue, one at a time, until SIGTERM or Ctrl-C."""
    queue = Queue(url, requeue_after=requeue_after)
    queue.client.ping()  # fails with a clear error (cli) when Redis does not answer
    queue.broker.add_middleware(Heartbeat(queue))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # One thread: a solve is CPU-bound Python, so more solves at once per process only share one core.
    worker = dramatiq.Worker(queue.broker, worker_threads=1, worker_timeout=1000)
    worker.start()
    log.info("worker %d solving from %s (queue %r)", os.getpid(), where(url), QUEUE)
    stop.wait()
    log.info("worker %d stopping (a solve under way goes back to the queue)", os.getpid())
    worker.stop(timeout=5000)
    queue.close()
    log.info("worker stopped")
