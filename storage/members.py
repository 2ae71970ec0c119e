"""Queries for members, their qualifications and away periods."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import MemberRow, Qualification


async def member_for(session: AsyncSession, org_id: int, user_id: int) -> MemberRow | None:
    result = await session.execute(
        select(MemberRow).where(MemberRow.organization_id == org_id, MemberRow.user_id == user_id)
    )
    return result.scalar_one_or_none()


async def qualifications(session: AsyncSession, member_id: int) -> list[str]:
    result = await session.execute(
        select(Qualification.name).where(Qualification.member_id == member_id).order_by(Qualification.name)
    )
    return list(result.scalars())


async def add_qualification(session: AsyncSession, member_id: int, name: str) -> bool:
    if await session.get(Qualification, (member_id, name)) is not None:
        return False
    session.add(Qualification(member_id=member_id, name=name))
    return True


async def remove_qualification(session: AsyncSession, member_id: int, name: str) -> bool:
    result = await session.execute(
        delete(Qualification).where(col(Qualification.member_id) == member_id, col(Qualification.name) == name)
    )
    return getattr(result, "rowcount", 0) > 0


async def user_ids(session: AsyncSession, member_ids: list[int]) -> dict[int, int]:
    """Member id -> Discord user id."""
    if not member_ids:
        return {}
    result = await session.execute(
        select(col(MemberRow.id), col(MemberRow.user_id)).where(col(MemberRow.id).in_(member_ids))
    )
    return {member_id: user_id for member_id, user_id in result}
