"""Members rating tasks: one at a time, or the tasks they have not rated yet."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ratings import check_rating
from storage import ratings, tasks
from storage.db import Database
from storage.models import TaskRow

from .lookups import require_member, require_org, require_task


@dataclass(frozen=True)
class RatingSaved:
    task: str
    desirability: int
    empowerment: int
    replaced: bool  # it replaced the member's earlier rating


async def rate(
    db: Database, guild_id: int | None, user_id: int, task_name: str, desirability: int, empowerment: int
) -> RatingSaved:
    check_rating(desirability, empowerment)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        task = await require_task(session, org.id, task_name)
        assert member.id is not None and task.id is not None
        replaced = await ratings.rate(session, member.id, task.id, desirability, empowerment)
    return RatingSaved(task.name, desirability, empowerment, replaced)


async def unrated(db: Database, guild_id: int | None, user_id: int) -> list[TaskRow]:
    """The active tasks the member has not rated yet, by name."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        assert member.id is not None
        mine = await ratings.own_ratings(session, member.id)
        return [t for t in await tasks.active_tasks(session, org.id) if t.id not in mine]
