"""The job-complex problem: tasks, members, the grid of work the solver hands out, and the result.

Plain Python and numpy: no Discord, no database.

Hours are exact. A splittable task is cut into whole multiples of the organization's *granularity*
(a quarter hour by default), so shifts read `1.25 h`, never `1.1667 h`, and a task's pieces add up to
exactly hours × slots. Inside the solver every task is counted in integer *ticks*: a splittable task's
tick is one granularity step, an indivisible task's tick is the whole task (one slot).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np

from bot.domain.solver.problems import ProblemError
from bot.domain.solver.timed import Refusal, format_span, format_windows, joined
from bot.i18n import SOURCE_LANGUAGE, Message, lazy_gettext, lazy_ngettext
from bot.i18n.formatting import number

NEUTRAL = 5.5  # the midpoint of the 1..10 rating scale
DEFAULT_GRANULARITY = Decimal("0.25")  # a quarter hour
# Granularities people can read on a rota: whole minutes that print exactly in hours.
MIN_GRANULARITY, MAX_GRANULARITY = Decimal("0.05"), Decimal("4")

# The three burden dimensions, in this order everywhere: hours, unpleasantness, empowerment.
DIMENSIONS = ("hours", "unpleasantness", "empowerment")


def parse_granularity(value: str | float | Decimal) -> Decimal:
    """A shift granularity in hours, checked: 0.05 to 4, at most two decimals (3 minutes to 4 hours)."""
    try:
        step = Decimal(str(value).strip())
    except InvalidOperation:
        raise ProblemError(
            Refusal(lazy_gettext("granularity must be a number of hours such as 0.25, not {value}", value=repr(value)))
        ) from None
    if not step.is_finite() or not MIN_GRANULARITY <= step <= MAX_GRANULARITY or step != step.quantize(Decimal("0.01")):
        raise ProblemError(
            Refusal(
                lazy_gettext(
                    "granularity must be between {low} and {high} hours with at most two decimals (0.25 is a "
                    "quarter hour), not {value}",
                    low=str(MIN_GRANULARITY),
                    high=str(MAX_GRANULARITY),
                    value=str(value),
                )
            )
        )
    return step.normalize()


def exact_hours(hours: float | Decimal) -> Decimal:
    """Hours as people wrote them (12.5, not 12.4999...): floats from CSVs and the database are short decimals."""
    return Decimal(repr(float(hours))) if not isinstance(hours, Decimal) else hours


def hours_text(hours: float | Decimal) -> str:
    """Hours for people: `12.5`, `1.25`, `3`: exact, never `12.4999`."""
    text = format(exact_hours(hours).normalize(), "f")
    return text


def hours_in(hours: float | Decimal, language: str = SOURCE_LANGUAGE) -> str:
    """Hours for people in `language`: in English exactly as `hours_text` (`12.5`), the language's way
    otherwise (`12,5` in German and Spanish), every decimal kept."""
    if language == SOURCE_LANGUAGE:
        return hours_text(hours)
    return number(exact_hours(hours), language, places=6)


@dataclass(frozen=True)
class Task:
    name: str
    hours: float  # per slot per week
    slots: int = 1  # distinct people needed, each doing `hours`
    qualification: str | None = None
    splittable: bool = False
    min_shift: float = 1.0
    desirability: float = NEUTRAL  # social rating, 1..10
    empowerment: float = NEUTRAL  # social rating, 1..10
    day: tuple[int, ...] = ()  # the days it happens (0 = Monday); empty: flexible, done any time
    start: int | None = None  # minutes after midnight (local) when a timed task starts

    @property
    def timed(self) -> bool:
        return bool(self.day)

    @property
    def occurrences(self) -> int:
        return len(self.day) or 1

    @property
    def total_hours(self) -> float:
        return self.hours * self.slots * self.occurrences

    def burden_per_hour(self) -> tuple[float, float, float]:
        return (1.0, 11.0 - self.desirability, self.empowerment)


@dataclass(frozen=True)
class Member:
    name: str
    hours: float  # available per week
    qualifications: frozenset[str] = frozenset()
    away: bool = False
    # When the member can work timed tasks: merged week-minute intervals [a, b); None = any time.
    windows: tuple[tuple[int, int], ...] | None = None

    @property
    def active(self) -> bool:
        return not self.away and self.hours > 0


@dataclass(frozen=True)
class Piece:
    """Part of a task one member holds this week; `hours` is exact (a whole number of granularity steps).

    A piece of a timed task also says when: the occurrence's `day` (0 = Monday) and `start`/`end` in
    minutes after that day's midnight (end > start; past 1440 it runs into the next day), with
    hours == (end - start) / 60."""

    task: str
    member: str
    hours: float
    day: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class Problem:
    """Tasks and members, checked, plus the past burden each member carries into this week."""

    tasks: Sequence[Task]
    members: Sequence[Member]
    # Burden already carried (from history) and the fair share of it, per member name: (H, U, P).
    past_load: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    past_share: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    # Who held each task last week: for unpleasant tasks they are spared this week when possible.
    spare: dict[str, frozenset[str]] = field(default_factory=dict)
    granularity: Decimal | float | str = DEFAULT_GRANULARITY

    def __post_init__(self) -> None:
        self.tasks = list(self.tasks)
        self.members = list(self.members)
        self.granularity = parse_granularity(self.granularity)
        self.active = [m for m in self.members if m.active]
        check_problem(self.tasks, self.members, self.granularity)
        self.units = units_of(self.tasks, self.granularity)
        self.unit_tasks = [unit.task for unit in self.units]
        self.available = unit_availability(self.units, self.active)
        check_timed(self)

    @property
    def timed(self) -> bool:
        return any(unit.day is not None for unit in self.units)

    def fair_shares(self) -> np.ndarray:
        """F_m = (a_m / A) · (H, U, P) for each active member, shape (members, 3)."""
        return fair_share_matrix(self.tasks, self.active)

    def hours_cap(self) -> bool:
        """Members' hours are a hard limit when the week's work fits them all."""
        work = sum(t.total_hours for t in self.tasks)
        return work <= sum(m.hours for m in self.active) + 1e-9

    def overload(self) -> float:
        """How far total work exceeds total availability, as a fraction (0 when it fits)."""
        work = sum(t.total_hours for t in self.tasks)
        available = sum(m.hours for m in self.active)
        return max(0.0, work / available - 1.0) if available else math.inf


def fair_share_matrix(tasks: Sequence[Task], active: Sequence[Member]) -> np.ndarray:
    totals = np.zeros(3)
    for task in tasks:
        totals += task.total_hours * np.array(task.burden_per_hour())
    available = np.array([m.hours for m in active], dtype=float)
    if not len(active) or available.sum() <= 0:
        return np.zeros((len(active), 3))
    return (available / available.sum())[:, None] * totals[None, :]


def steps_of(hours: float, granularity: Decimal) -> int | None:
    """How many granularity steps make `hours` exactly, or None when it is not a whole number of them."""
    steps = exact_hours(hours) / granularity
    return int(steps) if steps == steps.to_integral_value() else None


def check_problem(tasks: Sequence[Task], members: Sequence[Member], granularity: Decimal = DEFAULT_GRANULARITY) -> None:
    """Raise a ProblemError listing every reason the instance cannot be solved as stated."""
    problems: list[str] = []
    at: list[int | None] = []

    def problem(message: Message, task: int | None = None) -> None:
        problems.append(Refusal(message))
        at.append(task)

    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        problem(
            lazy_gettext("duplicate task names: {names}", names=str(sorted({n for n in names if names.count(n) > 1})))
        )
    member_names = [m.name for m in members]
    if len(set(member_names)) != len(member_names):
        twice = sorted({n for n in member_names if member_names.count(n) > 1})
        problem(lazy_gettext("duplicate members: {names}", names=str(twice)))
    active = [m for m in members if m.active]
    if tasks and not active:
        problem(lazy_gettext("there is work but no active member (everyone is away or has 0 hours)"))
        raise ProblemError(problems, tasks=at)
    qualified = Counter(q for m in active for q in m.qualifications)
    for i, task in enumerate(tasks):
        if task.hours <= 0 or task.slots < 1:
            problem(lazy_gettext("task {task}: hours must be > 0 and slots ≥ 1", task=repr(task.name)), i)
            continue
        if task.splittable:
            if not 0 < task.min_shift <= task.hours:
                problem(lazy_gettext("task {task}: min_shift must be > 0 and ≤ hours", task=repr(task.name)), i)
            if steps_of(task.hours, granularity) is None:
                problem(
                    lazy_gettext(
                        "task {task} is splittable into {step} h steps, but its {hours} h are not a whole number of "
                        "them: make its hours a multiple of {step} or make it not splittable",
                        task=repr(task.name),
                        step=hours_text(granularity),
                        hours=hours_text(task.hours),
                    ),
                    i,
                )
        if task.timed:
            if task.start is None or not 0 <= task.start < 1440 or not all(0 <= d < 7 for d in task.day):
                problem(
                    lazy_gettext(
                        "task {task} has a day but no start time: give it a start like 09:00", task=repr(task.name)
                    ),
                    i,
                )
            elif (exact_hours(task.hours) * 60) % 1 != 0 or task.hours > 24:
                problem(
                    lazy_gettext(
                        "task {task} happens at a set time, so its hours must be whole minutes and at most 24 "
                        "(got {hours})",
                        task=repr(task.name),
                        hours=hours_text(task.hours),
                    ),
                    i,
                )
        eligible = len(active) if task.qualification is None else qualified.get(task.qualification, 0)
        if eligible == 0:
            problem(
                lazy_gettext(
                    "task {task} needs qualification {qualification}, which no active member has",
                    task=repr(task.name),
                    qualification=repr(task.qualification),
                ),
                i,
            )
        elif eligible < task.slots:
            if task.qualification:
                short = lazy_ngettext(
                    "task {task} needs {slots} different people with {qualification} but only {count} active "
                    "member(s) can take it",
                    "task {task} needs {slots} different people with {qualification} but only {count} active "
                    "member(s) can take it",
                    eligible,
                    task=repr(task.name),
                    slots=task.slots,
                    qualification=repr(task.qualification),
                )
            else:
                short = lazy_ngettext(
                    "task {task} needs {slots} different people but only {count} active member(s) can take it",
                    "task {task} needs {slots} different people but only {count} active member(s) can take it",
                    eligible,
                    task=repr(task.name),
                    slots=task.slots,
                )
            problem(short, i)
    if problems:
        raise ProblemError(problems, tasks=at)


@dataclass
class Grid:
    """Every task in integer ticks, as arrays the solver vectorises over.

    A member holds 0 ticks of a task, or between `least` and `most` of them; the holders of a task
    hold `total` ticks together. An indivisible task has one tick per slot (least = most = 1: one slot
    per person); a splittable one has `hours / granularity` ticks per slot, `least` = min_shift rounded
    up to the grid, and `most` = one slot's worth (nobody fills two slots).
    """

    tick_hours: np.ndarray  # (T,) hours in one tick
    weight: np.ndarray  # (T, 3) burden (H, U, P) of one tick
    least: np.ndarray  # (T,) fewest ticks in a held piece
    most: np.ndarray  # (T,) most ticks one member may hold
    total: np.ndarray  # (T,) ticks to hand out
    tick_exact: list[Decimal]  # exact hours of one tick, for the pieces

    @classmethod
    def from_problem(cls, problem: Problem) -> Grid:
        step = problem.granularity
        assert isinstance(step, Decimal)
        tick_hours, least, most, total, exact = [], [], [], [], []
        for task in problem.unit_tasks:
            if task.splittable:
                per_slot = steps_of(task.hours, step)
                assert per_slot is not None  # checked by the problem
                shortest = math.ceil(exact_hours(task.min_shift) / step)
                exact.append(step)
                least.append(min(per_slot, max(1, shortest)))
                most.append(per_slot)
                total.append(per_slot * task.slots)
            else:
                exact.append(exact_hours(task.hours) if not isinstance(task.hours, Decimal) else task.hours)
                least.append(1)
                most.append(1)
                total.append(task.slots)
            tick_hours.append(float(exact[-1]))
        per_hour = np.array([t.burden_per_hour() for t in problem.unit_tasks], dtype=float).reshape(-1, 3)
        hours = np.array(tick_hours, dtype=float)
        return cls(
            tick_hours=hours,
            weight=per_hour * hours[:, None],
            least=np.array(least, dtype=np.int64),
            most=np.array(most, dtype=np.int64),
            total=np.array(total, dtype=np.int64),
            tick_exact=exact,
        )

    def piece_hours(self, task: int, ticks: int) -> float:
        """The exact hours of `ticks` ticks of a task (a float that prints as the exact decimal)."""
        return float(self.tick_exact[task] * ticks)


@dataclass(frozen=True)
class Unit:
    """What the solver hands out: a flexible task as it is, or one shift of a timed task's occurrence.

    A shift is `task` (hours = the shift's, indivisible: `slots` different people each hold it whole)
    at `day`, from `start` to `end` (minutes after that day's midnight). A splittable timed window is
    cut on its grid into consecutive shifts, each at least its shortest shift.
    """

    origin: int  # index of the task in the problem
    task: Task
    day: int | None = None
    start: int | None = None
    end: int | None = None
    hours_exact: Decimal | None = None

    @property
    def span(self) -> tuple[int, int] | None:
        """Week minutes [a, b) (b may pass the week's end: it wraps to Monday)."""
        if self.day is None or self.start is None or self.end is None:
            return None
        base = self.day * 1440
        return base + self.start, base + self.end


SHIFT_TARGET_HOURS = Decimal(1)  # a splittable window is cut into shifts of about this (or min_shift)


def cut_window(hours: Decimal, least: Decimal, granularity: Decimal) -> list[Decimal]:
    """Consecutive shift lengths on the grid covering `hours`, each at least `least` (and the target)."""
    steps = int(hours / granularity)
    shortest = max(1, math.ceil(max(least, SHIFT_TARGET_HOURS) / granularity))
    count = max(1, steps // shortest)
    base, extra = divmod(steps, count)
    return [granularity * (base + (1 if i < extra else 0)) for i in range(count)]


def units_of(tasks: Sequence[Task], granularity: Decimal) -> list[Unit]:
    units: list[Unit] = []
    for i, task in enumerate(tasks):
        if not task.timed or task.start is None:
            units.append(Unit(i, task))
            continue
        if task.splittable:
            lengths = cut_window(exact_hours(task.hours), exact_hours(task.min_shift), granularity)
        else:
            lengths = [exact_hours(task.hours)]
        for day in task.day:
            offset = Decimal(0)
            for length in lengths:
                start = task.start + int(offset * 60)
                end = task.start + int((offset + length) * 60)
                piece = Task(
                    task.name,
                    float(length),
                    task.slots,
                    task.qualification,
                    False,
                    float(length),
                    task.desirability,
                    task.empowerment,
                    day=(day,),
                    start=start,
                )
                units.append(Unit(i, piece, day, start, end, length))
                offset += length
    return units


def unit_availability(units: Sequence[Unit], active: Sequence[Member]) -> np.ndarray:
    """(members, units) whether each active member's windows cover each timed unit (True for flexible)."""
    week = 7 * 1440
    result = np.ones((len(active), len(units)), dtype=bool)
    timed = [u for u, unit in enumerate(units) if unit.span is not None]
    if not timed:
        return result
    spans = np.array([units[u].span for u in timed], dtype=np.int64)
    a = spans[:, 0] % week
    b = a + (spans[:, 1] - spans[:, 0])
    first_end = np.minimum(b, week)
    wraps = b > week
    for m, member in enumerate(active):
        if member.windows is None:
            continue
        windows = member.windows
        starts = np.array([w[0] for w in windows], dtype=np.int64)
        ends = np.array([w[1] for w in windows], dtype=np.int64)
        if not len(starts):
            result[m, timed] = False
            continue
        at = np.searchsorted(starts, a, side="right") - 1
        ok = (at >= 0) & (ends[np.maximum(at, 0)] >= first_end)
        if wraps.any():
            rest = b - week
            at2 = np.searchsorted(starts, np.zeros_like(a), side="right") - 1
            ok_rest = (at2 >= 0) & (ends[np.maximum(at2, 0)] >= rest)
            ok &= ~wraps | ok_rest
        result[m, timed] = ok
    return result


def check_timed(problem: Problem) -> None:
    """Every shift has enough qualified members available at its time; each problem named with its reason."""
    problems: list[str] = []
    at: list[int | None] = []
    step = problem.granularity
    assert isinstance(step, Decimal)
    if any(t.timed and t.splittable for t in problem.tasks) and (step * 60) != (step * 60).to_integral_value():
        raise ProblemError(
            Refusal(
                lazy_gettext(
                    "granularity {step} h is not a whole number of minutes, which shifts at set times need: "
                    "use 0.25 (15 minutes), 0.5, 0.05 (3 minutes) …",
                    step=hours_text(step),
                )
            )
        )
    active = problem.active
    qualified = np.ones((len(active), len(problem.units)), dtype=bool)
    needs = np.array([u.task.qualification or "" for u in problem.units], dtype=object)
    for q in {u.task.qualification for u in problem.units if u.task.qualification}:
        holders = np.array([q in m.qualifications for m in active], dtype=bool)
        qualified[:, needs == q] = holders[:, None]
    able = (qualified & problem.available).sum(axis=0)
    reported: set[tuple[int, int | None]] = set()
    for u, unit in enumerate(problem.units):
        span = unit.span
        if span is None or able[u] >= unit.task.slots or (unit.origin, unit.day) in reported:
            continue
        reported.add((unit.origin, unit.day))
        task = problem.tasks[unit.origin]
        may = [m for m in problem.members if task.qualification is None or task.qualification in m.qualifications]
        problems.append(Refusal(_nobody_available(task, int(able[u]), format_span(*span), may)))
        at.append(unit.origin)
    if problems:
        raise ProblemError(problems, tasks=at)


def _nobody_available(task: Task, able: int, span: str, holders: Sequence[Member]) -> Message:
    """Why too few of the members who may take a timed task can take it at its time: each one's reason."""
    reasons: list[Message | str] = []
    for member in holders[:6]:
        if member.away:
            reasons.append(lazy_gettext("{member} is away", member=member.name))
        elif member.hours <= 0:
            reasons.append(lazy_gettext("{member} has 0 hours", member=member.name))
        elif member.windows is not None:
            # "mon-fri 18:00-22:00 and sat": the reasons are ;-separated
            windows = format_windows(member.windows).split("; ")
            shown = joined([*windows[:3], "…"] if len(windows) > 3 else windows, separator=None)
            reasons.append(lazy_gettext("{member} is available {windows}", member=member.name, windows=shown))
    why: Message = joined(reasons) if reasons else lazy_gettext("none")
    if len(holders) > 6:
        why = lazy_gettext("{reasons}, and {count} more", reasons=why, count=len(holders) - 6)
    named = {"task": repr(task.name), "span": span, "holders": len(holders), "reasons": why}
    if task.qualification:
        named["qualification"] = task.qualification
        if able == 0:
            return lazy_gettext(
                "task {task}: nobody with `{qualification}` is available on {span} ({holders} with "
                "`{qualification}`: {reasons})",
                **named,
            )
        return lazy_ngettext(
            "task {task}: only {count} of the {slots} people needed with `{qualification}` is available on {span} "
            "({holders} with `{qualification}`: {reasons})",
            "task {task}: only {count} of the {slots} people needed with `{qualification}` are available on {span} "
            "({holders} with `{qualification}`: {reasons})",
            able,
            slots=task.slots,
            **named,
        )
    if able == 0:
        return lazy_ngettext(
            "task {task}: nobody is available on {span} ({count} members: {reasons})",
            "task {task}: nobody is available on {span} ({count} members: {reasons})",
            len(holders),
            **named,
        )
    return lazy_ngettext(
        "task {task}: only {count} of the {slots} people needed is available on {span} ({holders} members: {reasons})",
        "task {task}: only {count} of the {slots} people needed are available on {span} ({holders} members: {reasons})",
        able,
        slots=task.slots,
        **named,
    )
