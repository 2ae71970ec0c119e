"""The scheduler's leadership lock: a PostgreSQL session-level advisory lock held by a connection of
its own. The lock lives as long as that connection: a leader that dies (its process, its machine,
its network) releases it, and a standby's next try takes it. SQLite has one process: no lock."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

# The lock's number: any 64-bit key agreed by every process of the bot ("parecon-rota scheduler").
LOCK_KEY = 0x7061_7265_636F_6E01

# A leader's machine that vanishes without closing its connection is noticed by PostgreSQL's TCP
# keepalives: after 5 s idle, probes every 3 s, 3 missed → the session ends ~15 s later, and the lock
# is free for a standby (which tries every LEADER_RETRY seconds): a takeover within 30 s.
KEEPALIVES = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 3, "tcp_keepalives_count": 3}


def needs_lock(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


async def connect(db: Database) -> AsyncConnection:
    """A connection of the leader's own (outside the pool's turnover), with short keepalives."""
    connection = await db.engine.connect()
    try:
        for name, value in KEEPALIVES.items():
            await connection.execute(text(f"SET {name} = {int(value)}"))
        await connection.commit()
    except BaseException:
        await connection.close()
        raise
    return connection


async def try_lock(connection: AsyncConnection) -> bool:
    """Take the lock if nobody holds it (never waits)."""
    taken = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})).scalar()
    await connection.commit()  # the lock is the session's, not the transaction's: it stays
    return bool(taken)


async def still_held(connection: AsyncConnection) -> bool:
    """Whether this connection still holds the lock (and the database still answers)."""
    held = (
        await connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"
            ),
            {"key": LOCK_KEY},
        )
    ).scalar()
    await connection.commit()
    return bool(held)


async def unlock(connection: AsyncConnection) -> None:
    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    await connection.commit()
