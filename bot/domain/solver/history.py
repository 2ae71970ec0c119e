"""What earlier weeks carry into this one: each member's burden and fair share so far ("debt"), and
who held which unpleasant task the last time it was done (to be spared it now when someone else can
take it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.domain.solver.metrics import unpleasant_tasks
from bot.domain.solver.model import Member, Task


@dataclass(frozen=True)
class Held:
    """One row of history: in `week` (ISO, e.g. 2026-W45) `member` held `hours` of `task`."""

    week: str
    task: str
    member: str
    hours: float


@dataclass(frozen=True)
class Carry:
    past_load: dict[str, tuple[float, float, float]]
    past_share: dict[str, tuple[float, float, float]]
    spare: dict[str, frozenset[str]]
    ignored_rows: int  # rows about tasks that no longer exist: their burden cannot be valued


def carry_over(history: Sequence[Held], tasks: Sequence[Task], members: Sequence[Member]) -> Carry:
    """Value past weeks with today's social ratings.

    A member's fair share of a past week is their slice, by current availability, of that week's
    work among the members who held anything that week (someone away held nothing and owes nothing).
    """
    by_name = {t.name: t for t in tasks}
    hours_of = {m.name: m.hours for m in members if m.active}
    weeks: dict[str, list[Held]] = defaultdict(list)
    ignored = 0
    for row in history:
        if row.task in by_name:
            weeks[row.week].append(row)
        else:
            ignored += 1
    load: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    share: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    for rows in weeks.values():
        total = np.zeros(3)
        for row in rows:
            if row.member in hours_of:  # members who left take their past with them
                burden = row.hours * np.array(by_name[row.task].burden_per_hour())
                total += burden
                load[row.member] += burden
        present = sorted({r.member for r in rows if r.member in hours_of})
        available = sum(hours_of[m] for m in present)
        for member in present:
            share[member] += total * hours_of[member] / available
    # Each unpleasant task's holders the last time it was held: last week for a weekly task, the
    # previous occurrence for one that happens every few weeks.
    unpleasant = unpleasant_tasks(tasks)
    latest: dict[str, str] = {}
    holders: dict[str, set[str]] = defaultdict(set)
    for week in sorted(weeks, reverse=True):  # ISO week labels sort chronologically
        for row in weeks[week]:
            if row.task in unpleasant and latest.setdefault(row.task, week) == week:
                holders[row.task].add(row.member)
    spare = {task: frozenset(names) for task, names in holders.items()}
    return Carry(
        past_load={m: tuple(v) for m, v in load.items()},
        past_share={m: tuple(v) for m, v in share.items()},
        spare=spare,
        ignored_rows=ignored,
    )
