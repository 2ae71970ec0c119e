"""Solves on other machines: a Dramatiq queue on Redis (`REDIS_URL`), run by `parecon-rota worker`.

Without `REDIS_URL` the bot solves in its own worker pool (`bot.workers`), as always. With it,
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
import logging
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

from bot.rota import solve_week
from bot.settings import hide_password
from bot.workers import Workers

log = logging.getLogger(__name__)

T = TypeVar("T")

QUEUE = "solve"
ACTOR = "solve"
NAMESPACE = "parecon-rota"
HEARTBEAT_SECONDS = 1.0  # a worker's heartbeat, well inside the shortest QUEUE_REQUEUE_AFTER (2 s)
RESULT_TTL_MS = 15 * 60 * 1000  # a result nobody read (the bot stopped meanwhile) expires
STILL_WAITING_SECONDS = 30.0  # a solve not back by then gets a log line (are workers running?)
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
        self.actor: dramatiq.Actor = dramatiq.Actor(
            run_job,
            broker=self.broker,
            actor_name=ACTOR,
            queue_name=QUEUE,
            priority=0,
            # The job returns the solver's exception as a value (no retry helps a problem that cannot
            # be solved); the bot's own budget bounds the time, not Dramatiq's 10-minute default.
            options={"max_retries": 0, "time_limit": 24 * 3600 * 1000, "store_results": True},
        )

    def send(self, function: Callable[..., Any], args: tuple, *, max_age: float) -> dramatiq.Message:
        return self.actor.send_with_options(args=(function, args), max_age=int(max_age * 1000))

    def result(self, message: dramatiq.Message) -> tuple[str, Any] | None:
        """The job's outcome, or None while it is not there yet (blocking: call from a thread)."""
        try:
            return self.backend.get_result(message, block=False)
        except ResultMissing:
            return None

    def waiting(self) -> int:
        return int(self.broker.do_qsize(QUEUE))

    def close(self) -> None:
        self.client.close()


def run_job(function: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    """In a worker: run one solve; its exception (a problem that cannot be solved) is the result."""
    started = time.monotonic()
    message = dramatiq.middleware.CurrentMessage.get_current_message()
    label = message.message_id if message is not None else "?"
    log.info("solving %s (message %s)", getattr(function, "__name__", function), label)
    try:
        value = function(*args)
    except Exception as error:
        log.info("solve %s ended with %s: %s", label, type(error).__name__, error)
        return ("raised", error)
    log.info("solved %s in %.1f s (worker pid %d)", label, time.monotonic() - started, os.getpid())
    return ("ok", value)


class QueueRunner:
    """A `Runner`: solves through the queue (any worker, on any machine), the rest in the local pool."""

    def __init__(self, queue: Queue, local: Workers) -> None:
        self.queue, self.local = queue, local
        self.solves = SOLVES

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0, owner: object = None) -> T:
        if function not in self.solves:
            return await self.local.run(function, *args, timeout=timeout, owner=owner)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            message = await asyncio.to_thread(self.queue.send, function, args, max_age=timeout)
        except (redis.RedisError, OSError) as error:
            log.warning(
                "the task queue at %s does not answer (%s): solving in this process instead",
                where(self.queue.url),
                error,
            )
            return await self.local.run(function, *args, timeout=timeout)
        outcome = await self._wait(message, deadline, timeout)
        if outcome is None:  # the queue went away while we waited
            return await self.local.run(function, *args, timeout=max(1.0, deadline - loop.time()))
        status, value = outcome
        if status == "raised":
            raise value
        return value

    async def _wait(self, message: dramatiq.Message, deadline: float, timeout: float) -> tuple[str, Any] | None:
        loop = asyncio.get_running_loop()
        pause, said_waiting = 0.02, False
        started = loop.time()
        while True:
            try:
                outcome = await asyncio.to_thread(self.queue.result, message)
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
            if now >= deadline:
                log.error(
                    "no worker solved message %s within %.0f s: are `parecon-rota worker` processes running "
                    "and reaching %s?",
                    message.message_id,
                    timeout,
                    where(self.queue.url),
                )
                raise TimeoutError(f"no worker answered within {timeout:.0f} s")
            if not said_waiting and now - started > STILL_WAITING_SECONDS:
                said_waiting = True
                waiting = await asyncio.to_thread(self.queue.waiting)
                log.warning(
                    "a solve has waited %.0f s for a worker (%d waiting in the queue); still waiting up to %.0f s",
                    now - started,
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
