"""Queries for organizations, their servers, goals and audit log."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.schedule import Schedule
from storage.models import AuditEntry, Goal, MemberRow, Organization, OrgServer, utcnow


async def org_for_guild(session: AsyncSession, guild_id: int) -> Organization | None:
    result = await session.execute(
        select(Organization)
        .join(OrgServer, col(OrgServer.organization_id) == col(Organization.id))
        .where(OrgServer.guild_id == guild_id, col(Organization.archived_at).is_(None))
    )
    return result.scalar_one_or_none()


async def schedules(session: AsyncSession, org_id: int | None = None) -> list[Schedule]:
    """The weekly publication schedule of every live organization (or of one, if still live)."""
    query = select(Organization).where(col(Organization.archived_at).is_(None))
    if org_id is not None:
        query = query.where(Organization.id == org_id)
    found = (await session.execute(query)).scalars()
    return [
        Schedule(o.id, o.timezone, o.publish_day, o.publish_time, max(o.created_at, o.schedule_since or o.created_at))
        for o in found
    ]


async def reminder_schedules(session: AsyncSession, org_id: int | None = None) -> list[Schedule]:
    """When each live organization (or one) sends its mid-week reminder; those with it off are left out."""
    query = select(Organization).where(
        col(Organization.archived_at).is_(None), col(Organization.reminder_day).is_not(None)
    )
    if org_id is not None:
        query = query.where(Organization.id == org_id)
    found = (await session.execute(query)).scalars()
    return [
        Schedule(o.id, o.timezone, o.reminder_day, o.reminder_time, o.created_at)
        for o in found
        if o.reminder_day is not None
    ]


async def org_with_code(session: AsyncSession, code: str) -> Organization | None:
    """The live organization with this merge code."""
    result = await session.execute(
        select(Organization).where(
            Organization.merge_code == code.strip().upper(), col(Organization.archived_at).is_(None)
        )
    )
    return result.scalar_one_or_none()


async def server(session: AsyncSession, guild_id: int) -> OrgServer | None:
    return await session.get(OrgServer, guild_id)


async def servers_of(session: AsyncSession, org_id: int) -> list[OrgServer]:
    result = await session.execute(select(OrgServer).where(OrgServer.organization_id == org_id))
    return list(result.scalars())


async def create_org(
    session: AsyncSession,
    *,
    guild_id: int,
    channel_id: int,
    name: str,
    timezone: str,
    day: int,
    at: time,
    merge_code: str,
    now: datetime | None = None,
) -> Organization:
    created = now or utcnow()
    org = Organization(
        name=name,
        timezone=timezone,
        publish_day=day,
        publish_time=at,
        merge_code=merge_code,
        created_at=created,
        schedule_since=created,
    )
    session.add(org)
    await session.flush()
    session.add(OrgServer(guild_id=guild_id, organization_id=org.id, channel_id=channel_id))
    return org


async def goals(session: AsyncSession, org_id: int) -> list[Goal]:
    result = await session.execute(select(Goal).where(col(Goal.organization_id) == org_id).order_by(col(Goal.id)))
    return list(result.scalars())


async def active_member_count(session: AsyncSession, org_id: int) -> int:
    result = await session.execute(
        select(func.count()).select_from(MemberRow).where(MemberRow.organization_id == org_id, MemberRow.active)
    )
    return int(result.scalar_one())


def audit(
    session: AsyncSession, org_id: int, actor_id: int, action: str, detail: str, *, guild_id: int | None = None
) -> AuditEntry:
    """Record a moderator's action; `guild_id` is the server it came from (in a federation the others see it)."""
    entry = AuditEntry(organization_id=org_id, actor_id=actor_id, action=action, detail=detail[:500], guild_id=guild_id)
    session.add(entry)
    return entry


async def recent_audit(session: AsyncSession, org_id: int, limit: int = 15) -> list[AuditEntry]:
    result = await session.execute(
        select(AuditEntry)
        .where(col(AuditEntry.organization_id) == org_id)
        .order_by(col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(result.scalars())
