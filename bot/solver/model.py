"""The job-complex problem: tasks, members, the units of work the solver hands out, and the result.

Plain Python and numpy: no Discord, no database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

NEUTRAL = 5.5  # the midpoint of the 1..10 rating scale
MAX_SHIFTS_PER_SLOT = 8  # finer shifts barely improve balance but multiply the search space

# The three burden dimensions, in this order everywhere: hours, unpleasantness, empowerment.
DIMENSIONS = ("hours", "unpleasantness", "empowerment")


class ProblemError(ValueError):
    """The instance cannot be solved as stated (e.g. a qualification nobody has).

    `task` is the index of the task at fault, when one is.
    """

    def __init__(self, message: str, *, task: int | None = None) -> None:
        super().__init__(message)
        self.task = task


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

    @property
    def total_hours(self) -> float:
        return self.hours * self.slots

    def burden_per_hour(self) -> tuple[float, float, float]:
        return (1.0, 11.0 - self.desirability, self.empowerment)


@dataclass(frozen=True)
class Member:
    name: str
    hours: float  # available per week
    qualifications: frozenset[str] = frozenset()
    away: bool = False

    @property
    def active(self) -> bool:
        return not self.away and self.hours > 0


@dataclass(frozen=True)
class Piece:
    """Part of a task one member holds this week."""

    task: str
    member: str
    hours: float


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

    def __post_init__(self) -> None:
        self.tasks = list(self.tasks)
        self.members = list(self.members)
        self.active = [m for m in self.members if m.active]
        check_problem(self.tasks, self.members)

    def fair_shares(self) -> np.ndarray:
        """F_m = (a_m / A) · (H, U, P) for each active member, shape (members, 3)."""
        return fair_share_matrix(self.tasks, self.active)

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


def check_problem(tasks: Sequence[Task], members: Sequence[Member]) -> None:
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ProblemError(f"duplicate task names: {sorted({n for n in names if names.count(n) > 1})}")
    member_names = [m.name for m in members]
    if len(set(member_names)) != len(member_names):
        raise ProblemError(f"duplicate members: {sorted({n for n in member_names if member_names.count(n) > 1})}")
    active = [m for m in members if m.active]
    if tasks and not active:
        raise ProblemError("there is work but no active member (everyone is away or has 0 hours)")
    for i, task in enumerate(tasks):
        if task.hours <= 0 or task.slots < 1:
            raise ProblemError(f"task {task.name!r}: hours must be > 0 and slots ≥ 1", task=i)
        if task.splittable and not 0 < task.min_shift <= task.hours:
            raise ProblemError(f"task {task.name!r}: min_shift must be > 0 and ≤ hours", task=i)
        eligible = sum(1 for m in active if task.qualification is None or task.qualification in m.qualifications)
        if eligible == 0:
            raise ProblemError(
                f"task {task.name!r} needs qualification {task.qualification!r}, which no active member has",
                task=i,
            )
        if eligible < task.slots:
            raise ProblemError(
                f"task {task.name!r} needs {task.slots} different people"
                + (f" with {task.qualification!r}" if task.qualification else "")
                + f" but only {eligible} active member(s) can take it",
                task=i,
            )


@dataclass
class Units:
    """The work cut into indivisible units, as arrays the solver can vectorise over.

    An indivisible task gives one unit per slot, and one person takes at most one of them. A
    splittable task's slots are cut into equal shifts of at least `min_shift` hours; one person takes
    at most one slot's worth of shifts.
    """

    task: np.ndarray  # (U,) task index
    weight: np.ndarray  # (U, 3) burden (H, U, P) of the unit
    cap: np.ndarray  # (T,) most units of the task one member may hold
    hours: np.ndarray  # (U,)

    @classmethod
    def from_tasks(cls, tasks: Sequence[Task]) -> Units:
        task_index, weights, hours, caps = [], [], [], []
        for i, task in enumerate(tasks):
            per_hour = np.array(task.burden_per_hour())
            if task.splittable:
                shifts = max(1, min(MAX_SHIFTS_PER_SLOT, int(task.hours // task.min_shift + 1e-9)))
                size = task.hours / shifts
                count = shifts * task.slots
                caps.append(shifts)
            else:
                size, count = task.hours, task.slots
                caps.append(1)
            task_index += [i] * count
            weights += [per_hour * size] * count
            hours += [size] * count
        return cls(
            task=np.array(task_index, dtype=np.int64),
            weight=np.array(weights, dtype=float).reshape(-1, 3),
            cap=np.array(caps, dtype=np.int64),
            hours=np.array(hours, dtype=float),
        )

    def __len__(self) -> int:
        return len(self.task)


def pieces_from(units: Units, owner: Iterable[int], tasks: Sequence[Task], members: Sequence[Member]) -> list[Piece]:
    """Merge each member's units of one task into one piece."""
    held: dict[tuple[int, int], float] = {}
    for u, m in enumerate(owner):
        key = (int(units.task[u]), int(m))
        held[key] = held.get(key, 0.0) + float(units.hours[u])
    return [
        Piece(tasks[t].name, members[m].name, round(h, 4))
        for (t, m), h in sorted(held.items(), key=lambda kv: (tasks[kv[0][0]].name, members[kv[0][1]].name))
    ]
