"""The weekly rota's rules: who is available, what the solver gets and why a member got what they got.
The calendar is `bot.domain.weeks`, what members may do with pieces `bot.domain.holdings`. Plain
Python: no Discord, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.domain.ratings import social_rating
from bot.domain.solver import Member, Plan, Problem, Task, solve
from bot.domain.solver.history import Carry, Held, carry_over
from bot.domain.solver.metrics import unpleasant_tasks
from bot.domain.solver.model import DEFAULT_GRANULARITY, exact_hours
from bot.domain.solver.timed import without_days
from bot.domain.solver_ids import member_id, member_key, task_id, task_key
from bot.domain.weeks import week_days
from bot.i18n import SOURCE_LANGUAGE, gettext

if TYPE_CHECKING:
    from bot.domain.recurrence import Recurrence

HISTORY_WEEKS = 8  # how far back debts reach


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
    day: tuple[int, ...] = ()  # the days it happens at a set time (0 = Monday); empty: flexible
    start: int | None = None  # local minutes after midnight when a timed task starts

    @property
    def timed(self) -> bool:
        return bool(self.day)

    def occurs(self, week: str) -> bool:
        return self.recurrence is None or self.recurrence.occurs(week)


@dataclass(frozen=True)
class MemberInfo:
    id: int
    name: str
    hours: float
    qualifications: frozenset[str] = frozenset()
    away: Sequence[tuple[date, date]] = ()
    # When they can work timed tasks: merged week-minute intervals (bot.domain.solver.timed); None: any time.
    windows: tuple[tuple[int, int], ...] | None = None


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
    day: int | None = None  # a timed piece: the occurrence's day (0 = Monday) and local minutes
    start: int | None = None
    end: int | None = None


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


def away_weekdays(member: MemberInfo, week: str) -> set[int]:
    """The days of `week` (0 = Monday) the member is away."""
    first, last = week_days(week)
    away_days = set()
    for start, end in member.away:
        day = max(start, first)
        while day <= min(end, last):
            away_days.add(day.weekday())
            day += timedelta(days=1)
    return away_days


def available_hours(member: MemberInfo, week: str) -> float:
    """A member's hours for the week, less the days they are away (all days away: 0)."""
    return round(member.hours * (7 - len(away_weekdays(member, week))) / 7, 2)


def week_windows(member: MemberInfo, week: str) -> tuple[tuple[int, int], ...] | None:
    """When the member can work timed tasks in `week`: their windows less the days they are away
    (None: any time, and away on no day)."""
    gone = away_weekdays(member, week)
    if not gone:
        return member.windows
    return without_days(member.windows, gone)


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
            task.day,
            task.start if task.day else None,
        )
        valued.append(solver_task)
        if task.occurs(week):
            solver_tasks.append(solver_task)
            if social.flagged:
                flagged.append(task.id)
    solver_members = []
    for member in members:
        hours = available_hours(member, week)
        solver_members.append(
            Member(
                member_key(member.id),
                hours,
                member.qualifications,
                away=hours <= 0,
                windows=week_windows(member, week) if hours > 0 else member.windows,
            )
        )
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
        return [
            RotaPiece(task_id(p.task), member_id(p.member), p.hours, p.day, p.start, p.end) for p in self.plan.pieces
        ]


def reason(
    task: Task, past_ratio: tuple[float, float, float] | None, tasks: Sequence[Task], language: str = SOURCE_LANGUAGE
) -> str:
    """One line on why a member holds a task, when the balancing explains it."""
    if past_ratio is None:
        return ""
    _, unpleasant, empowering = past_ratio
    if task.name in unpleasant_tasks(tasks) and unpleasant < 0.95:
        return gettext(language, "balancing: you had mostly pleasant work over the last weeks")
    if task.desirability >= 7 and unpleasant > 1.05:
        return gettext(language, "balancing: you carried more than your share of unpleasant work lately")
    if task.empowerment >= 7 and empowering < 0.95:
        return gettext(language, "balancing: you had little empowering work over the last weeks")
    if task.empowerment <= 3 and empowering > 1.05:
        return gettext(language, "balancing: you had more than your share of empowering work lately")
    return ""
