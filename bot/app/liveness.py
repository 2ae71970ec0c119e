"""When the scheduling process was last known to be running: written every minute, read at start
to tell the runs missed while the bot was down from those it ran (or chose not to)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import state
from storage.db import Database

KEY = "scheduler_alive_at"
HEARTBEAT_SECONDS = 60.0


async def alive(db: Database, now: datetime) -> None:
    async with db.transaction() as session:
        await state.set_value(session, KEY, now.isoformat())


async def last_alive(db: Database) -> datetime | None:
    """The last heartbeat, less one interval (a run due just after it may not have happened)."""
    async with db.session() as session:
        value = await state.get_value(session, KEY)
    if value is None:
        return None
    return datetime.fromisoformat(value) - timedelta(seconds=HEARTBEAT_SECONDS)
