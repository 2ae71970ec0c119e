"""Rows the storage tests build on: organizations, members, tasks and a week's rota."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Assignment, MemberRow, Organization, Rota, TaskRow
from storage.orgs import create_org


async def org(session: AsyncSession, guild_id: int, name: str) -> Organization:
    return await create_org(
        session,
        guild_id=guild_id,
        channel_id=guild_id + 1000,
        name=name,
        timezone="UTC",
        day=0,
        at=time(9),
        merge_code=f"code{guild_id}",
    )


async def member(
    session: AsyncSession,
    org_id: int,
    user_id: int,
    name: str,
    *,
    joined_at: datetime | None = None,
    active: bool = True,
    removed_at: datetime | None = None,
) -> MemberRow:
    row = MemberRow(organization_id=org_id, user_id=user_id, display_name=name, hours=10, active=active)
    if joined_at is not None:
        row.joined_at = joined_at
    row.removed_at = removed_at
    session.add(row)
    await session.flush()
    return row


async def task(session: AsyncSession, org_id: int, name: str, hours: float = 2) -> TaskRow:
    row = TaskRow(organization_id=org_id, name=name, hours=hours)
    session.add(row)
    await session.flush()
    return row


async def rota(session: AsyncSession, org_id: int, week: str, pieces: list[tuple[TaskRow, MemberRow, float]]) -> Rota:
    """A stored week with `pieces` (task, holder, hours), each held by whom the solver gave it to."""
    row = Rota(organization_id=org_id, week=week, spread_sum=0.0, report="{}")
    session.add(row)
    await session.flush()
    for task_row, holder, hours in pieces:
        session.add(
            Assignment(
                rota_id=row.id, task_id=task_row.id, member_id=holder.id, assigned_member_id=holder.id, hours=hours
            )
        )
    await session.flush()
    return row
