"""What a member may do with the pieces they hold or could hold: which weeks they may mark done,
until when a task given back is open, and the one rule of who can take a piece. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.rota import MemberInfo, TaskInfo, available_hours
from bot.domain.weeks import previous_weeks, week_end


def markable_weeks(current: str) -> tuple[str, str]:
    """The weeks whose work a member may mark done: this week and the one before (a Sunday's task
    marked on Monday). Older weeks are history (done credit is pay): only a moderator corrects them."""
    return previous_weeks(current, 1)[0], current


def why_not_mark(week: str, current: str) -> str | None:
    """None when `week`'s work may be marked done now; else the refusal, naming the weeks that can."""
    if week in markable_weeks(current):
        return None
    last, this = markable_weeks(current)
    return (
        f"Week {week} can no longer be marked: only this week ({this}) and last week ({last}) can. "
        "If something there is wrong, a moderator can correct it."
    )


def claim_deadline(now: datetime, hours: int, week: str, tz_name: str) -> datetime:
    """Until when a task given back is open to claims: `hours` from now, but never past its week."""
    return min(now + timedelta(hours=hours), week_end(week, tz_name))


@dataclass(frozen=True)
class Candidate:
    """A member as a task given back sees them: who they are, this week's availability, what they
    already hold in the week."""

    member: MemberInfo
    held_hours: float
    held_tasks: frozenset[int]


def why_not_take(candidate: Candidate, task: TaskInfo, hours: float, week: str) -> str | None:
    """Why this member cannot take `hours` of `task` this week (None: they can). The one rule for
    offering a task given back and for accepting a claim: qualified, not already holding part of
    the task, not away, and the hours fit in their availability for the week."""
    if task.qualification and task.qualification not in candidate.member.qualifications:
        return f"it needs `{task.qualification}`"
    if task.id in candidate.held_tasks:
        return "you already hold part of it this week"
    available = available_hours(candidate.member, week)
    if available <= 0:
        return "you are away that week"
    if candidate.held_hours + hours > available + 1e-9:
        return f"it would make {candidate.held_hours + hours:g} h of your {available:g} h that week"
    return None
