"""The async engine, sessions and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.domain.files import private_sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# In a session's `info`: the subjects whose effects its transaction queued in the outbox (handed to
# the dispatcher once it commits), and what that delivered.
QUEUED = "outbox.queued"
DELIVERED = "outbox.delivered"


def make_engine(url: str, **kwargs) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"), **kwargs)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_sqlite(Path(database))  # before SQLite creates it with the umask's mode
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Deliverer(Protocol):
    """Takes the effects a transaction queued once it commits (`bot.app.effects.Outbox`)."""

    async def committed(self, subjects: Sequence[str], /) -> Sequence[Any]: ...


class Database:
    """Owns the engine and hands out sessions (the unit of work: `transaction`). One per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite lets one transaction write at a time. Left to SQLite, concurrent writers wait in
        # its busy handler (sleeping and polling) or fail outright when a read has to become a
        # write; under a burst of commands that is slow and uneven. So in this process writers take
        # turns here instead, in order, each at full speed. PostgreSQL has row locks: no queue.
        self._writer = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None
        self._writing: asyncio.Task[object] | None = None  # whose turn it is
        self.outbox: Deliverer | None = None  # where committed transactions hand their queued effects

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self, outbox: Deliverer | None = None) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on any error. Once it
        committed, the effects it queued in the outbox go to `outbox` to be delivered at once (by
        default to the database's, which wakes the background delivery); what that delivered is in
        `session.info` (`bot.app.effects.delivered`)."""
        me = asyncio.current_task()
        if self._writer is None or (me is not None and self._writing is me):  # PostgreSQL, or our turn already
            async with self.sessions() as session, session.begin():
                yield session
        else:
            async with self._writer:
                self._writing = me
                try:
                    async with self.sessions() as session, session.begin():
                        yield session
                finally:
                    self._writing = None
        # After the commit and out of the writers' turn: delivering talks to Discord.
        queued = session.info.pop(QUEUED, None)
        deliverer = outbox or self.outbox
        if queued and deliverer is not None:
            session.info[DELIVERED] = await deliverer.committed(queued)

    async def dispose(self) -> None:
        await self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may contain percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision`. Blocking: call it before the loop starts or in a thread."""
    command.upgrade(alembic_config(url), revision)


# What the application layer calls a unit of work's session (it imports no SQLAlchemy itself).
Session = AsyncSession
