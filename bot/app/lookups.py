"""Finding what a command acts on, or saying plainly why not: the organization of a server, a
member of it, a task by name."""

from __future__ import annotations

from datetime import datetime

from bot.domain.errors import BadInput, NotSetUp
from bot.domain.schedule import zone
from bot.domain.weeks import iso_week
from bot.i18n import lazy_gettext
from storage import members, orgs, tasks
from storage.db import Session
from storage.models import MemberRow, Organization, TaskRow


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def require_org(session: Session, guild_id: int | None) -> Organization:
    org = await orgs.org_for_guild(session, guild_id) if guild_id is not None else None
    if org is None:
        raise NotSetUp()
    return org


async def require_member(session: Session, org_id: int, user_id: int, *, you: bool) -> MemberRow:
    """The active member for this Discord user; `you` says whether the user is the one asking."""
    row = await members.member_for(session, org_id, user_id)
    if row is None or not row.active:
        raise BadInput(
            lazy_gettext("You are not in the rota yet: `/join` first.")
            if you
            else lazy_gettext("<@{user_id}> is not in the rota. They can join with `/join`.", user_id=user_id)
        )
    return row


async def require_task(session: Session, org_id: int, name: str) -> TaskRow:
    row = await tasks.task_named(session, org_id, name.strip())
    if row is None:
        raise BadInput(
            lazy_gettext("There is no task called `{task}`. Pick one from the list as you type.", task=clip(name, 100))
        )
    if row.archived_at is not None:
        raise BadInput(
            lazy_gettext("`{task}` was removed. A moderator can bring it back with `/mod task add`.", task=row.name)
        )
    return row


def current_week(org: Organization, now: datetime) -> str:
    """The ISO week it is now in the organization's timezone."""
    return iso_week(now.astimezone(zone(org.timezone)).date())
