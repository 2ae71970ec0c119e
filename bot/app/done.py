"""Marking work done: this week's and last week's by the member, any week by a moderator (audited);
a piece given back and then done after all is no longer up for claiming."""

from __future__ import annotations

from bot.domain.errors import BadInput
from bot.domain.holdings import why_not_mark
from bot.i18n import lazy_gettext
from storage.db import Database
from storage.models import Assignment, utcnow

from . import audit
from .claims import withdraw_if_offered
from .lookups import current_week
from .ports import Clock
from .week import check_markable, my_week


async def mark_done(
    db: Database,
    clock: Clock,
    guild_id: int | None,
    user_id: int,
    task_name: str,
    week: str | None = None,
    *,
    moderator: bool = False,
) -> str:
    """Mark the member's task done this week (or in `week`: this week or last, any week for a
    moderator, audited); returns the task's name. If they had given it back, its offer closes (the
    outbox edits the offer's message)."""
    mine = await my_week(db, clock, guild_id, user_id, week)
    item = mine.holding(task_name)
    assert mine.rota is not None
    check_markable(mine.org, mine.rota.week, clock(), moderator=moderator)
    async with db.transaction() as session:
        piece = await session.get_one(Assignment, item.assignment.id)
        if piece.done_at is not None:
            raise BadInput(lazy_gettext("**{task}** is already marked done.", task=item.task.name))
        piece.done_at = utcnow()
        await withdraw_if_offered(session, piece, clock())
        if why_not_mark(mine.rota.week, current_week(mine.org, clock())) is not None:  # a moderator's correction
            await audit.record(
                session, mine.org.id, user_id, "rota.done", f"{mine.rota.week} {item.task.name}", guild_id=guild_id
            )
    return item.task.name
