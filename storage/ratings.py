"""Queries for ratings. Ratings are private: callers show aggregates and a member's own only."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import MemberRow, Rating, TaskRow, utcnow


async def rate(session: AsyncSession, member_id: int, task_id: int, desirability: int, empowerment: int) -> bool:
    """Store a rating, replacing the member's earlier one. Returns True if it replaced one."""
    rating = await session.get(Rating, (member_id, task_id))
    if rating is None:
        session.add(Rating(member_id=member_id, task_id=task_id, desirability=desirability, empowerment=empowerment))
        return False
    rating.desirability, rating.empowerment, rating.updated_at = desirability, empowerment, utcnow()
    return True


async def ratings_by_task(session: AsyncSession, org_id: int) -> dict[int, list[tuple[int, int]]]:
    """Every active member's (desirability, empowerment) per task of the organization."""
    result = await session.execute(
        select(Rating.task_id, Rating.desirability, Rating.empowerment)
        .join(TaskRow, col(TaskRow.id) == col(Rating.task_id))
        .join(MemberRow, col(MemberRow.id) == col(Rating.member_id))
        .where(TaskRow.organization_id == org_id, MemberRow.active)
    )
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for task_id, desirability, empowerment in result:
        grouped[task_id].append((desirability, empowerment))
    return grouped


async def own_ratings(session: AsyncSession, member_id: int) -> dict[int, Rating]:
    result = await session.execute(select(Rating).where(Rating.member_id == member_id))
    return {r.task_id: r for r in result.scalars()}
