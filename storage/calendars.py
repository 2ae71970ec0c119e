"""Queries for the secret calendar links: found by the hash of their secret, revoked by a reset."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import CalendarFeed


async def feed_by_hash(session: AsyncSession, secret_hash: str) -> CalendarFeed | None:
    """The live (not revoked) feed with this secret's hash."""
    result = await session.execute(
        select(CalendarFeed).where(CalendarFeed.secret_hash == secret_hash, col(CalendarFeed.revoked_at).is_(None))
    )
    return result.scalar_one_or_none()


async def live_feed(session: AsyncSession, org_id: int, member_id: int | None, user_id: int) -> CalendarFeed | None:
    """The member's live feed (member_id None: this user's organization-wide feed)."""
    query = select(CalendarFeed).where(
        col(CalendarFeed.organization_id) == org_id,
        col(CalendarFeed.revoked_at).is_(None),
        col(CalendarFeed.user_id) == user_id,
    )
    query = query.where(
        col(CalendarFeed.member_id).is_(None) if member_id is None else col(CalendarFeed.member_id) == member_id
    )
    return (await session.execute(query.order_by(col(CalendarFeed.id).desc()))).scalars().first()


async def revoke(session: AsyncSession, org_id: int, member_id: int | None, user_id: int, now: datetime) -> int:
    """Revoke the user's live feeds of this kind; how many were."""
    query = update(CalendarFeed).where(
        col(CalendarFeed.organization_id) == org_id,
        col(CalendarFeed.revoked_at).is_(None),
        col(CalendarFeed.user_id) == user_id,
    )
    query = query.where(
        col(CalendarFeed.member_id).is_(None) if member_id is None else col(CalendarFeed.member_id) == member_id
    )
    result = await session.execute(query.values(revoked_at=now))
    return getattr(result, "rowcount", 0) or 0
