"""Queries for weekly rotas: what the solver needs, stored assignments, posts, swaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.organizations import check_granularity
from bot.domain.report import Report
from bot.domain.rota import HISTORY_WEEKS, MemberInfo, PastPiece, RotaPiece, TaskInfo, WeekInputs
from bot.domain.weeks import previous_weeks, week_days
from storage.models import (
    Assignment,
    Away,
    MemberRow,
    Organization,
    Qualification,
    Rota,
    RotaPost,
    SwapOffer,
    TaskClaim,
    TaskRow,
    utcnow,
)
from storage.ratings import ratings_by_task
from storage.tasks import active_tasks, member_windows, recurrence, task_time


async def week_inputs(session: AsyncSession, org_id: int, week: str) -> WeekInputs:
    """Tasks with their members' ratings and when they happen (`bot.domain.rota.solver_inputs` keeps those of
    the week), active members with qualifications and away periods, the
    last weeks' actual holdings, and the organization's granularity."""
    rated = await ratings_by_task(session, org_id)
    tasks = [
        TaskInfo(
            t.id,
            t.name,
            t.hours,
            t.slots,
            t.splittable,
            t.min_shift,
            t.qualification,
            rated.get(t.id, []),
            None if t.every_weeks == 1 else recurrence(t),
            *task_time(t),
        )
        for t in await active_tasks(session, org_id)
    ]
    rows = list(
        (
            await session.execute(
                select(MemberRow)
                .where(col(MemberRow.organization_id) == org_id, col(MemberRow.active))
                .order_by(col(MemberRow.id))
            )
        ).scalars()
    )
    ids = [m.id for m in rows]
    qualifications: dict[int, set[str]] = defaultdict(set)
    away: dict[int, list[tuple[date, date]]] = defaultdict(list)
    if ids:
        for member_id, name in await session.execute(
            select(col(Qualification.member_id), col(Qualification.name)).where(col(Qualification.member_id).in_(ids))
        ):
            qualifications[member_id].add(name)
        first, last = week_days(week)
        for period in (
            await session.execute(
                select(Away).where(col(Away.member_id).in_(ids), col(Away.end) >= first, col(Away.start) <= last)
            )
        ).scalars():
            away[period.member_id].append((period.start, period.end))
    members = [
        MemberInfo(m.id, m.display_name, m.hours, frozenset(qualifications[m.id]), tuple(away[m.id]), member_windows(m))
        for m in rows
    ]
    org = await session.get_one(Organization, org_id)
    return WeekInputs(
        tasks,
        members,
        await history(session, org_id, previous_weeks(week, HISTORY_WEEKS)),
        check_granularity(org.granularity),
    )


async def history(session: AsyncSession, org_id: int, weeks: list[str]) -> list[PastPiece]:
    """Past holdings of the organization and of the organizations that merged into it (and, for a
    side that left a federation, of the federation: its members' weeks there still count)."""
    ids = await lineage(session, org_id)
    org = await session.get(Organization, org_id)
    if org is not None and org.left_from_id is not None:
        ids += await lineage(session, org.left_from_id)
    result = await session.execute(
        select(Rota.week, Assignment.task_id, Assignment.member_id, Assignment.hours)
        .join(Rota, col(Rota.id) == col(Assignment.rota_id))
        .where(col(Rota.organization_id).in_(ids), col(Rota.week).in_(weeks))
    )
    return [PastPiece(week, task_id, member_id, hours) for week, task_id, member_id, hours in result]


async def lineage(session: AsyncSession, org_id: int) -> list[int]:
    """The organization and every organization merged into it, directly or through earlier merges."""
    found, frontier = [org_id], [org_id]
    while frontier:
        result = await session.execute(
            select(col(Organization.id)).where(col(Organization.merged_into_id).in_(frontier))
        )
        frontier = list(result.scalars())
        found += frontier
    return found


async def rota_for(session: AsyncSession, org_id: int, week: str) -> Rota | None:
    result = await session.execute(select(Rota).where(Rota.organization_id == org_id, Rota.week == week))
    return result.scalar_one_or_none()


async def any_published(session: AsyncSession, org_id: int) -> bool:
    """Whether a week's rota of the organization is out."""
    result = await session.execute(
        select(Rota.id).where(Rota.organization_id == org_id, col(Rota.published_at).is_not(None)).limit(1)
    )
    return result.first() is not None


async def store_rota(
    session: AsyncSession, org_id: int, week: str, report: Report, pieces: Sequence[RotaPiece]
) -> Rota | None:
    """Store a week's rota and its pieces; None if one is already stored (another trigger got there
    first: the unique key decides)."""
    try:
        async with session.begin_nested():
            rota = Rota(organization_id=org_id, week=week, spread_sum=report.spread_sum, report=report.to_json())
            session.add(rota)
            await session.flush()
    except IntegrityError:
        return None
    _add_pieces(session, rota, pieces)
    return rota


async def replace_rota(session: AsyncSession, rota_id: int, report: Report, pieces: Sequence[RotaPiece]) -> Rota:
    """A re-publication: new figures and pieces for a stored week (its open swap offers go too)."""
    rota = await session.get_one(Rota, rota_id)
    rota.report, rota.spread_sum, rota.published_at = report.to_json(), report.spread_sum, None
    old = select(Assignment.id).where(Assignment.rota_id == rota.id)
    await session.execute(delete(SwapOffer).where(col(SwapOffer.assignment_id).in_(old)))
    await session.execute(delete(TaskClaim).where(col(TaskClaim.assignment_id).in_(old)))
    await session.execute(delete(Assignment).where(col(Assignment.rota_id) == rota.id))
    _add_pieces(session, rota, pieces)
    return rota


def _add_pieces(session: AsyncSession, rota: Rota, pieces: Sequence[RotaPiece]) -> None:
    for piece in pieces:
        session.add(
            Assignment(
                rota_id=rota.id,
                task_id=piece.task_id,
                member_id=piece.member_id,
                assigned_member_id=piece.member_id,
                hours=piece.hours,
                day=piece.day,
                start=piece.start,
                end=piece.end,
            )
        )


async def claim_publication(session: AsyncSession, rota_id: int) -> bool:
    """Mark the rota published unless it is already; True for the one caller that marked it."""
    result = await session.execute(
        update(Rota).where(col(Rota.id) == rota_id, col(Rota.published_at).is_(None)).values(published_at=utcnow())
    )
    return getattr(result, "rowcount", 0) == 1


@dataclass(frozen=True)
class Holding:
    """An assignment with the task and member rows needed to show it."""

    assignment: Assignment
    task: TaskRow
    member: MemberRow


async def holdings(session: AsyncSession, rota_id: int) -> list[Holding]:
    result = await session.execute(
        select(Assignment, TaskRow, MemberRow)
        .join(TaskRow, col(TaskRow.id) == col(Assignment.task_id))
        .join(MemberRow, col(MemberRow.id) == col(Assignment.member_id))
        .where(Assignment.rota_id == rota_id)
        .order_by(MemberRow.display_name, TaskRow.name)
    )
    return [Holding(a, t, m) for a, t, m in result]


async def tasks_and_members(session: AsyncSession, org_id: int) -> tuple[dict[int, TaskRow], dict[int, MemberRow]]:
    """Every task and member row of the organization by id (archived and inactive ones too)."""
    tasks = (await session.execute(select(TaskRow).where(TaskRow.organization_id == org_id))).scalars()
    members = (await session.execute(select(MemberRow).where(MemberRow.organization_id == org_id))).scalars()
    return {t.id: t for t in tasks}, {m.id: m for m in members}


async def posts(session: AsyncSession, rota_id: int) -> list[RotaPost]:
    result = await session.execute(select(RotaPost).where(RotaPost.rota_id == rota_id))
    return list(result.scalars())


async def post_for(session: AsyncSession, rota_id: int, guild_id: int, channel_id: int) -> RotaPost:
    """The post row for this server, created (as "under way") if missing."""
    result = await session.execute(select(RotaPost).where(RotaPost.rota_id == rota_id, RotaPost.guild_id == guild_id))
    post = result.scalar_one_or_none()
    if post is None:
        post = RotaPost(rota_id=rota_id, guild_id=guild_id, channel_id=channel_id)
        session.add(post)
        await session.flush()
    return post
