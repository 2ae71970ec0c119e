"""Which process runs the weekly scheduler: the leader, elected through the database.

Every process that may schedule (`SCHEDULER_ENABLED`) runs `Leadership.run`. On PostgreSQL it tries
the leadership lock (`storage.leader`) every `LEADER_RETRY` seconds; the one that holds it leads,
checks at the same pace that it still does, and steps down the moment it does not (its connection
broke: the lock is gone with it). The others stand by. A leader that dies releases the lock with
its connection, so a standby leads within `LEADER_RETRY` seconds of PostgreSQL noticing (at once
for a process that exits, ~15 s for a machine that vanishes). On SQLite there is one process: it
leads from the start.

Two leaders for a moment (one about to notice it lost the lock) cannot publish twice: the rota is
stored once per organization and week, and its effects once per key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from storage import leader as lock
from storage.db import Database

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 10.0  # seconds a try or a check of the lock may take before the connection counts as lost


class Leadership:
    def __init__(
        self,
        db: Database,
        *,
        retry: float,
        elected: Callable[[], Awaitable[None]],
        deposed: Callable[[], Awaitable[None]],
    ) -> None:
        self.db, self.retry = db, retry
        self.elected, self.deposed = elected, deposed
        self.leading = False
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._connection: AsyncConnection | None = None
        self._said_standby = False

    async def start(self) -> None:
        """The first try, before the bot connects: a single process leads from its start."""
        if not lock.needs_lock(self.db):
            await self._become_leader("the only process (SQLite)")
        else:
            await self.attempt()

    async def run(self) -> None:
        """Keep trying (or checking) every `retry` seconds until cancelled, then give the lock back."""
        try:
            while lock.needs_lock(self.db):
                await asyncio.sleep(self.retry)
                await self.attempt()
            await asyncio.Event().wait()  # SQLite: lead until cancelled
        finally:
            await self.release()

    async def attempt(self) -> None:
        """Take the lock if free (standing by); check it is still ours (leading)."""
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):  # a connection cut off silently hangs: give up on it
                if self._connection is None:
                    self._connection = await lock.connect(self.db)
                got = await lock.try_lock(self._connection) if not self.leading else None
                held = await lock.still_held(self._connection) if self.leading else None
            if got is not None:
                if got:
                    await self._become_leader("took the leadership lock")
                elif not self._said_standby:
                    self._said_standby = True
                    log.info("standing by (%s): another process runs the scheduler", self.name)
            elif held is False:
                await self._step_down("the leadership lock is gone")
        except Exception as error:
            await self._drop_connection()
            if self.leading:
                why = str(error) or f"no answer within {CHECK_TIMEOUT:.0f} s"
                await self._step_down(f"lost the database connection that holds the lock ({why})")
            else:
                log.warning("could not try the leadership lock: %s", error or "no answer in time")

    async def _become_leader(self, why: str) -> None:
        self.leading = True
        log.info("this process (%s) runs the scheduler: %s", self.name, why)
        await self.elected()

    async def _step_down(self, why: str) -> None:
        self.leading = self._said_standby = False
        log.warning("this process (%s) no longer runs the scheduler: %s", self.name, why)
        await self.deposed()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await connection.invalidate()

    async def release(self) -> None:
        """Give the lock back and close its connection (stopping; safe to call twice)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            if self.leading:
                await lock.unlock(connection)
        with contextlib.suppress(Exception):
            await connection.close()
