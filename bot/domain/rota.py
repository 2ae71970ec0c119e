"""The weekly rota's rules: which week a publication is for, who is available, what the solver gets,
and why a member got what they got. Plain Python: no Discord, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.domain.errors import BadInput
from bot.domain.ratings import social_rating
from bot.domain.schedule import zone
from bot.domain.solver import Member, Plan, Problem, Task, solve
from bot.domain.solver.history import Carry, Held, carry_over
from bot.domain.solver.metrics import unpleasant_tasks
from bot.domain.solver.model import DEFAULT_GRANULARITY, exact_hours
from bot.domain.solver_ids import member_id, member_key, task_id, task_key

if TYPE_CHECKING:
    from bot.domain.recurrence import Recurrence

HISTORY_WEEKS = 8  # how far back debts reach
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    match = WEEK_PATTERN.match(text.strip().upper())
    if not match:
        raise BadInput(f"`{text}` is not a week; write it as an ISO week like 2026-W48.")
    try:
        date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise BadInput(f"{text} does not exist.") from None
    return f"{match.group(1)}-W{match.group(2)}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_days(week: str) -> tuple[date, date]:
    monday = week_start(week)
    return monday, monday + timedelta(days=6)


def previous_weeks(week: str, count: int) -> list[str]:
    monday = week_start(week)
    return [iso_week(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]


def week_published_at(local: datetime) -> str:
    """THE rule for "which week": a publication at this local time is for the week starting on the
    coming Monday, or for this week when published on a Monday. The scheduler, `/mod rota preview`
    and `/mod rota publish` all use it (through `week_to_publish` or directly)."""
    return iso_week(local.date() + timedelta(days=(7 - local.weekday()) % 7))


def local_date(now: datetime, tz_name: str) -> date:
    return now.astimezone(zone(tz_name)).date()


def week_to_publish(now: datetime, tz_name: str) -> str:
    """The week a publication now (a UTC time) is for, in the organization's timezone."""
    return week_published_at(now.astimezone(zone(tz_name)))


def week_number(week: str) -> int:
    return int(week.split("-W")[1])


def week_name(week: str, today: date | None = None) -> str:
    """A week as people say it: "week 49, Mon 30 Nov – Sun 6 Dec" (the year is added when the
    week is not in `today`'s year, or when `today` is not given)."""
    first, last = week_days(week)
    year = "" if today is not None and first.year == last.year == today.year else f" {last.year}"
    return f"week {week_number(week)}, {first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b}{year}"


WEEKS_AHEAD = 4  # how far ahead a moderator may publish by hand
WEEK_EXAMPLES = "`next`, `this`, `49`, `W49` or `2026-W49`"


def target_week(text: str | None, now: datetime, tz_name: str) -> str:
    """The week `/mod rota publish|preview [week]` means: nothing or `next` = the week a publication
    now is for (`week_to_publish`); `this` = the week it is now; `49`/`W49` = that week of the current
    ISO year; `2026-W49` = that week. Refused (`BadInput`, with examples): what is not a week, a week
    that has ended (its history is written: publishing or replacing it would rewrite the balance
    the next weeks are built on), and a week more than `WEEKS_AHEAD` weeks ahead."""
    today = local_date(now, tz_name)
    wanted = (text or "").strip().upper().replace(" ", "")
    if wanted in ("", "NEXT"):
        return week_to_publish(now, tz_name)
    if wanted in ("THIS", "CURRENT", "NOW"):
        return iso_week(today)
    short = re.match(r"^W?(\d{1,2})$", wanted)
    if short:
        wanted = f"{today.isocalendar()[0]}-W{int(short.group(1)):02d}"
    elif re.match(r"^\d{4}-?W\d{1,2}$", wanted):
        year, number = re.split(r"-?W", wanted)
        wanted = f"{year}-W{int(number):02d}"
    else:
        raise BadInput(f"`{text}` is not a week I understand. Write one of {WEEK_EXAMPLES}.")
    try:
        week = parse_week(wanted)
    except BadInput:
        raise BadInput(f"`{text}` is not a week of the calendar. Write one of {WEEK_EXAMPLES}.") from None
    first, last = week_days(week)
    if last < today:
        raise BadInput(
            f"{week_name(week)} is over: a past week's rota stays as it was. "
            f"Publish this week (`this`) or a coming one (`next`)."
        )
    if first > today + timedelta(weeks=WEEKS_AHEAD):
        raise BadInput(
            f"{week_name(week)} is too far ahead: publish at most {WEEKS_AHEAD} weeks ahead "
            "(the rota is balanced on the weeks before it)."
        )
    return week


@dataclass(frozen=True)
class TaskInfo:
    id: int
    name: str
    hours: float
    slots: int
    splittable: bool
    min_shift: float
    qualification: str | None
    ratings: Sequence[tuple[float, float]] = ()
    recurrence: Recurrence | None = None  # None: every week

    def occurs(self, week: str) -> bool:
        return self.recurrence is None or self.recurrence.occurs(week)


@dataclass(frozen=True)
class MemberInfo:
    id: int
    name: str
    hours: float
    qualifications: frozenset[str] = frozenset()
    away: Sequence[tuple[date, date]] = ()


@dataclass(frozen=True)
class PastPiece:
    week: str
    task_id: int
    member_id: int
    hours: float


@dataclass(frozen=True)
class RotaPiece:
    """A piece of a task one member holds in a week, by database ids."""

    task_id: int
    member_id: int
    hours: float


@dataclass(frozen=True)
class WeekInputs:
    """What a week's solve starts from: the tasks with their ratings, the active members with their
    qualifications and away periods, and the last weeks' actual holdings."""

    tasks: list[TaskInfo]
    members: list[MemberInfo]
    history: list[PastPiece]
    granularity: Decimal = DEFAULT_GRANULARITY  # the organization's: splittable tasks are cut into its multiples


def total_hours(hours: Iterable[float | Decimal]) -> Decimal:
    """Hours added up exactly, for people to read (pieces of 1.25 h and 0.1 h make 1.35 h, not
    1.3500000000000001)."""
    return sum((exact_hours(h) for h in hours), Decimal(0))


def available_hours(member: MemberInfo, week: str) -> float:
    """A member's hours for the week, less the days they are away (all days away: 0)."""
    first, last = week_days(week)
    away_days = set()
    for start, end in member.away:
        day = max(start, first)
        while day <= min(end, last):
            away_days.add(day)
            day += timedelta(days=1)
    return round(member.hours * (7 - len(away_days)) / 7, 2)


@dataclass
class WeekProblem:
    problem: Problem
    week: str
    flagged: list[int] = field(default_factory=list)  # task ids with too few ratings
    past: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # member id -> past ratios


@dataclass(frozen=True)
class SolverInputs:
    """The week in the solver's terms, before any feasibility check. `tasks` are those that happen
    this week; past weeks are valued with every current task (one every 2 weeks counts in the weeks
    it was held)."""

    tasks: list[Task]
    members: list[Member]
    carry: Carry
    flagged: list[int]  # task ids with too few ratings

    def past_ratios(self) -> dict[int, tuple[float, float, float]]:
        """Member id -> their burden over the last weeks against their fair share (x per dimension)."""
        ratios = {}
        for key, load in self.carry.past_load.items():
            share = self.carry.past_share.get(key)
            if share:
                hours, unpleasant, empowering = (lo / sh if sh else 1.0 for lo, sh in zip(load, share, strict=True))
                ratios[member_id(key)] = (hours, unpleasant, empowering)
        return ratios


def solver_inputs(
    week: str, tasks: Sequence[TaskInfo], members: Sequence[MemberInfo], history: Iterable[PastPiece]
) -> SolverInputs:
    """Tasks with their social ratings, members with this week's availability, and what the last
    weeks' actual holdings (after swaps) carry into this one.

    The one place where a task that does not happen every week is left out: the week's problem gets
    only the tasks that happen in `week`; the history is valued with all of them."""
    solver_tasks, valued, flagged = [], [], []
    for task in tasks:
        social = social_rating(task.ratings)
        solver_task = Task(
            task_key(task.id),
            task.hours,
            task.slots,
            task.qualification,
            task.splittable,
            task.min_shift,
            social.desirability,
            social.empowerment,
        )
        valued.append(solver_task)
        if task.occurs(week):
            solver_tasks.append(solver_task)
            if social.flagged:
                flagged.append(task.id)
    solver_members = []
    for member in members:
        hours = available_hours(member, week)
        solver_members.append(Member(member_key(member.id), hours, member.qualifications, away=hours <= 0))
    held = [Held(p.week, task_key(p.task_id), member_key(p.member_id), p.hours) for p in history]
    return SolverInputs(solver_tasks, solver_members, carry_over(held, valued, solver_members), flagged)


def build_problem(
    week: str,
    tasks: Sequence[TaskInfo],
    members: Sequence[MemberInfo],
    history: Iterable[PastPiece],
    granularity: Decimal = DEFAULT_GRANULARITY,
) -> WeekProblem:
    """What the solver gets for `week`, checked (raises `ProblemError` when it cannot be solved).
    Splittable tasks are cut into whole multiples of the organization's `granularity`."""
    inputs = solver_inputs(week, tasks, members, history)
    carry = inputs.carry
    problem = Problem(
        inputs.tasks,
        inputs.members,
        past_load=carry.past_load,
        past_share=carry.past_share,
        spare=carry.spare,
        granularity=granularity,
    )
    return WeekProblem(problem, week, inputs.flagged, inputs.past_ratios())


def solve_week(
    week: str,
    tasks: Sequence[TaskInfo],
    members: Sequence[MemberInfo],
    history: Iterable[PastPiece],
    time_limit: float,
    seed: int = 0,
    granularity: Decimal = DEFAULT_GRANULARITY,
) -> SolvedWeek:
    """Build and solve one week, splittable tasks cut into whole multiples of `granularity` (the
    organization's). CPU-bound (checking a big organization is too), so the bot runs it in a worker
    process. Raises `ProblemError`."""
    week_problem = build_problem(week, tasks, members, list(history), granularity)
    return SolvedWeek(
        solve(week_problem.problem, time_limit=time_limit, seed=seed),
        len(week_problem.flagged),
        {member_key(m): ratio for m, ratio in week_problem.past.items()},
    )


@dataclass(frozen=True)
class SolvedWeek:
    plan: Plan
    flagged: int  # tasks with too few ratings
    past: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # member key -> past ratios

    def pieces(self) -> list[RotaPiece]:
        """The plan's pieces by database ids."""
        return [RotaPiece(task_id(p.task), member_id(p.member), p.hours) for p in self.plan.pieces]


def reason(task: Task, past_ratio: tuple[float, float, float] | None, tasks: Sequence[Task]) -> str:
    """One line on why a member holds a task, when the balancing explains it."""
    if past_ratio is None:
        return ""
    _, unpleasant, empowering = past_ratio
    if task.name in unpleasant_tasks(tasks) and unpleasant < 0.95:
        return "balancing: you had mostly pleasant work over the last weeks"
    if task.desirability >= 7 and unpleasant > 1.05:
        return "balancing: you carried more than your share of unpleasant work lately"
    if task.empowerment >= 7 and empowering < 0.95:
        return "balancing: you had little empowering work over the last weeks"
    if task.empowerment <= 3 and empowering > 1.05:
        return "balancing: you had more than your share of empowering work lately"
    return ""


# -- a task given back ("Can't do…") and who may claim it ------------------------------------------


def week_end(week: str, tz_name: str) -> datetime:
    """The moment the week is over: the Monday after it, 00:00 local, in UTC."""
    from datetime import UTC, time

    monday = week_days(week)[1] + timedelta(days=1)
    return datetime.combine(monday, time(0), tzinfo=zone(tz_name)).astimezone(UTC)


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
