"""Queries for organizations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from storage.models import Organization


async def org_for_guild(session: AsyncSession, guild_id: int) -> Organization | None:
    result = await session.execute(select(Organization).where(Organization.guild_id == guild_id))
    return result.scalar_one_or_none()
