"""Queries for tasks given back and claimed: who could take one, and the race-safe claim."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.holdings import Candidate, Shift
from bot.domain.rota import MemberInfo
from bot.domain.weeks import week_days
from storage.models import Assignment, Away, MemberRow, Qualification, TaskClaim, TaskRow
from storage.tasks import member_windows


async def candidates(
    session: AsyncSession, org_id: int, rota_id: int, week: str, member_id: int | None = None
) -> list[tuple[MemberRow, Candidate]]:
    """Every active member of the organization (or only `member_id`) with their qualifications, away
    days in the week, availability windows and what they hold in this rota, when (for
    `bot.domain.holdings.why_not_take`)."""
    query = select(MemberRow).where(MemberRow.organization_id == org_id, MemberRow.active)
    if member_id is not None:
        query = query.where(MemberRow.id == member_id)
    rows = list((await session.execute(query.order_by(col(MemberRow.id)))).scalars())
    ids = [m.id for m in rows]
    if not ids:
        return []
    qualifications: dict[int, set[str]] = defaultdict(set)
    for member_id, name in await session.execute(
        select(col(Qualification.member_id), col(Qualification.name)).where(col(Qualification.member_id).in_(ids))
    ):
        qualifications[member_id].add(name)
    away: dict[int, list[tuple[date, date]]] = defaultdict(list)
    first, last = week_days(week)
    for period in (
        await session.execute(
            select(Away).where(col(Away.member_id).in_(ids), col(Away.end) >= first, col(Away.start) <= last)
        )
    ).scalars():
        away[period.member_id].append((period.start, period.end))
    hours: dict[int, float] = defaultdict(float)
    tasks: dict[int, set[int]] = defaultdict(set)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    # SQLModel's select is typed for up to four columns; SQLAlchemy's for any number.
    for holder, task_id, name, held, day, start, end in await session.execute(
        sa_select(
            col(Assignment.member_id),
            col(Assignment.task_id),
            col(TaskRow.name),
            col(Assignment.hours),
            col(Assignment.day),
            col(Assignment.start),
            col(Assignment.end),
        )
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .where(col(Assignment.rota_id) == rota_id, col(Assignment.member_id).in_(ids))
    ):
        hours[holder] += held
        tasks[holder].add(task_id)
        if day is not None and start is not None and end is not None:
            shifts[holder].append(Shift(name, day, start, end))
    return [
        (
            m,
            Candidate(
                MemberInfo(
                    m.id,
                    m.display_name,
                    m.hours,
                    frozenset(qualifications[m.id]),
                    tuple(away[m.id]),
                    member_windows(m),
                ),
                hours[m.id],
                frozenset(tasks[m.id]),
                tuple(shifts[m.id]),
            ),
        )
        for m in rows
    ]


async def open_claim_of(session: AsyncSession, assignment_id: int) -> TaskClaim | None:
    result = await session.execute(
        select(TaskClaim).where(TaskClaim.assignment_id == assignment_id, TaskClaim.status == "open")
    )
    return result.scalars().first()


async def open_claims(session: AsyncSession, org_id: int | None = None) -> list[TaskClaim]:
    query = select(TaskClaim).where(TaskClaim.status == "open")
    if org_id is not None:
        query = query.where(TaskClaim.organization_id == org_id)
    return list((await session.execute(query.order_by(col(TaskClaim.id)))).scalars())


async def take(session: AsyncSession, claim_id: int, taker_id: int, now: datetime) -> bool:
    """Mark the claim taken by this member unless someone was first or its deadline passed: one
    conditional update, so of two concurrent claims exactly one wins (the other's update finds it
    no longer open, after the winner's commit on PostgreSQL; SQLite runs writers one at a time)."""
    result = await session.execute(
        update(TaskClaim)
        .where(col(TaskClaim.id) == claim_id, col(TaskClaim.status) == "open", col(TaskClaim.deadline) > now)
        .values(status="taken", taker_member_id=taker_id, decided_at=now)
    )
    return getattr(result, "rowcount", 0) == 1


async def expire(session: AsyncSession, claim_id: int, now: datetime) -> bool:
    """Close an open claim whose deadline passed; True for the one caller that closed it."""
    result = await session.execute(
        update(TaskClaim)
        .where(col(TaskClaim.id) == claim_id, col(TaskClaim.status) == "open", col(TaskClaim.deadline) <= now)
        .values(status="expired", decided_at=now)
    )
    return getattr(result, "rowcount", 0) == 1


async def withdraw(session: AsyncSession, claim_id: int, now: datetime) -> bool:
    """Close an open claim that no longer makes sense (its piece changed hands or was done)."""
    result = await session.execute(
        update(TaskClaim)
        .where(col(TaskClaim.id) == claim_id, col(TaskClaim.status) == "open")
        .values(status="withdrawn", decided_at=now)
    )
    return getattr(result, "rowcount", 0) == 1
