"""Queries for shifts at set times: the timed pieces of published rotas (the reminders' timers)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Assignment, Organization, Rota


async def upcoming_pieces(
    session: AsyncSession, from_week: str, org_id: int | None = None
) -> list[tuple[Organization, Rota, Assignment]]:
    """Timed pieces not done of the published rotas of `from_week` (ISO) and later, of every
    organization or of `org_id` (the caller keeps those to come)."""
    query = (
        select(Organization, Rota, Assignment)
        .join(Rota, col(Rota.organization_id) == col(Organization.id))
        .join(Assignment, col(Assignment.rota_id) == col(Rota.id))
        .where(
            col(Rota.published_at).is_not(None),
            Rota.week >= from_week,  # ISO weeks sort as text
            col(Assignment.day).is_not(None),
            col(Assignment.done_at).is_(None),
            col(Organization.archived_at).is_(None),
            col(Organization.shift_reminder_hours).is_not(None),
        )
        .order_by(col(Assignment.id))
    )
    if org_id is not None:
        query = query.where(Organization.id == org_id)
    result = await session.execute(query)
    return [(org, rota, piece) for org, rota, piece in result]


async def rota_pieces(session: AsyncSession, rota_id: int) -> list[tuple[Organization, Rota, Assignment]]:
    """The rota's timed pieces not done."""
    result = await session.execute(
        select(Organization, Rota, Assignment)
        .join(Rota, col(Rota.organization_id) == col(Organization.id))
        .join(Assignment, col(Assignment.rota_id) == col(Rota.id))
        .where(Rota.id == rota_id, col(Assignment.day).is_not(None), col(Assignment.done_at).is_(None))
        .order_by(col(Assignment.id))
    )
    return [(org, rota, piece) for org, rota, piece in result]


async def piece_at(
    session: AsyncSession, org_id: int, week: str, task_id: int, member_id: int, day: int, start: int
) -> Assignment | None:
    """The piece of `task_id` that `member_id` holds at (`day`, `start`) in the organization's rota of
    `week` (a shift found again after a re-publication renewed its pieces)."""
    result = await session.execute(
        select(Assignment)
        .join(Rota, col(Rota.id) == col(Assignment.rota_id))
        .where(
            Rota.organization_id == org_id,
            Rota.week == week,
            Assignment.task_id == task_id,
            Assignment.member_id == member_id,
            Assignment.day == day,
            Assignment.start == start,
        )
        .order_by(col(Assignment.id))
        .limit(1)
    )
    return result.scalar_one_or_none()
