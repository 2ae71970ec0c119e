"""Queries for tasks."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from bot.domain.recurrence import Recurrence
from bot.domain.solver.timed import parse_days, parse_windows
from storage.models import MemberRow, TaskRow


def recurrence(task: TaskRow) -> Recurrence:
    """When the task happens, as stored."""
    return Recurrence(task.every_weeks, task.first_week)


def task_time(task: TaskRow) -> tuple[tuple[int, ...], int | None]:
    """When a task happens in the week, as stored: its days and local start (`()`, None: flexible)."""
    if not task.day or task.start is None:
        return (), None
    return parse_days(task.day), task.start


def member_windows(member: MemberRow) -> tuple[tuple[int, int], ...] | None:
    """A member's availability windows, as stored (None: any time)."""
    return parse_windows(member.windows) if member.windows else None


def set_recurrence(task: TaskRow, when: Recurrence) -> None:
    task.every_weeks, task.first_week = when.every, None if when.weekly else when.first


async def active_tasks(session: AsyncSession, org_id: int) -> list[TaskRow]:
    result = await session.execute(
        select(TaskRow)
        .where(TaskRow.organization_id == org_id, col(TaskRow.archived_at).is_(None))
        .order_by(TaskRow.name)
    )
    return list(result.scalars())


async def task_named(session: AsyncSession, org_id: int, name: str) -> TaskRow | None:
    """The task with this name (archived or not), ignoring case."""
    result = await session.execute(
        select(TaskRow).where(TaskRow.organization_id == org_id, col(TaskRow.name).ilike(_literal(name), escape="\\"))
    )
    return result.scalars().first()


def _literal(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself (`%` and `_` are wildcards otherwise)."""
    return text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")


async def search_tasks(session: AsyncSession, org_id: int, text: str, limit: int = 25) -> list[TaskRow]:
    """Active tasks whose name contains `text` anywhere, for autocomplete."""
    pattern = "%" + _literal(text) + "%"
    result = await session.execute(
        select(TaskRow)
        .where(
            TaskRow.organization_id == org_id,
            col(TaskRow.archived_at).is_(None),
            col(TaskRow.name).ilike(pattern, escape="\\"),
        )
        .order_by(TaskRow.name)
        .limit(limit)
    )
    return list(result.scalars())


async def all_task_names(session: AsyncSession, org_id: int) -> list[str]:
    """Every task name of the organization, archived ones too (names are unique among them all)."""
    result = await session.execute(select(TaskRow.name).where(TaskRow.organization_id == org_id).order_by(TaskRow.name))
    return list(result.scalars())


async def tasks_named(session: AsyncSession, org_id: int, names: list[str]) -> dict[str, TaskRow]:
    """The organization's tasks (archived or not) with these names, by lower-cased name: one query
    for a batch of an import."""
    lowered = sorted({name.lower() for name in names})
    result = await session.execute(
        select(TaskRow).where(TaskRow.organization_id == org_id, func.lower(TaskRow.name).in_(lowered))
    )
    return {row.name.lower(): row for row in result.scalars()}
