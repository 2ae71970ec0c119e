"""How balanced a rota is: the one metric used by reports, the bot's posts and the benchmark.

For an active member m with available hours a_m, over the pieces they hold:
H_m = Σ hours, U_m = Σ hours·(11 − d), P_m = Σ hours·e. Fair share F_m = (a_m / A)·(H, U, P) with
A = Σ a_m and H, U, P the totals of all task hours. x_m = (H_m, U_m, P_m) / F_m; the spread of a
dimension is max_m x − min_m x and the spread-sum adds the three. 0 is perfect.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from bot.domain.solver.model import DIMENSIONS, Member, Piece, Task, fair_share_matrix


@dataclass(frozen=True)
class MemberBalance:
    member: str
    available: float
    hours: float
    unpleasantness: float
    empowerment: float
    ratio: tuple[float, float, float]  # x_m: (H, U, P) against the fair share
    average_desirability: float | None  # hours-weighted, 1..10
    average_empowerment: float | None
    hours_share: float  # hours held / hours available


@dataclass(frozen=True)
class Balance:
    members: list[MemberBalance]
    spread: dict[str, float]
    spread_sum: float
    desirability_range: tuple[float, float] | None
    empowerment_range: tuple[float, float] | None
    total_hours: float
    available_hours: float

    def to_dict(self) -> dict:
        return asdict(self)


def burden(pieces: Sequence[Piece], tasks: dict[str, Task]) -> dict[str, np.ndarray]:
    loads: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    for piece in pieces:
        task = tasks.get(piece.task)
        if task is not None:
            loads[piece.member] = loads[piece.member] + piece.hours * np.array(task.burden_per_hour())
    return loads


def spreads(ratios: np.ndarray) -> dict[str, float]:
    if len(ratios) == 0:
        return dict.fromkeys(DIMENSIONS, 0.0)
    span = ratios.max(axis=0) - ratios.min(axis=0)
    return {d: float(s) for d, s in zip(DIMENSIONS, span, strict=True)}


def _ratio(load: np.ndarray, share: np.ndarray) -> np.ndarray:
    # A dimension with no fair share (e.g. no empowering work at all) is balanced by definition.
    return np.divide(load, share, out=np.ones_like(load), where=share > 1e-12)


def balance(tasks: Sequence[Task], members: Sequence[Member], pieces: Sequence[Piece]) -> Balance:
    active = [m for m in members if m.active]
    by_name = {t.name: t for t in tasks}
    loads = burden(pieces, by_name)
    shares = fair_share_matrix(tasks, active)
    rows, ratios = [], []
    for member, share in zip(active, shares, strict=True):
        load = loads.get(member.name, np.zeros(3))
        ratio = _ratio(load, share)
        ratios.append(ratio)
        hours = float(load[0])
        rows.append(
            MemberBalance(
                member=member.name,
                available=member.hours,
                hours=round(hours, 4),
                unpleasantness=round(float(load[1]), 4),
                empowerment=round(float(load[2]), 4),
                ratio=tuple(round(float(r), 4) for r in ratio),
                average_desirability=round(11 - load[1] / hours, 3) if hours else None,
                average_empowerment=round(load[2] / hours, 3) if hours else None,
                hours_share=round(hours / member.hours, 4),
            )
        )
    spread = spreads(np.array(ratios).reshape(-1, 3))
    desirabilities = [r.average_desirability for r in rows if r.average_desirability is not None]
    empowerments = [r.average_empowerment for r in rows if r.average_empowerment is not None]
    return Balance(
        members=rows,
        spread={k: round(v, 4) for k, v in spread.items()},
        spread_sum=round(sum(spread.values()), 4),
        desirability_range=(min(desirabilities), max(desirabilities)) if desirabilities else None,
        empowerment_range=(min(empowerments), max(empowerments)) if empowerments else None,
        total_hours=round(sum(t.total_hours for t in tasks), 4),
        available_hours=round(sum(m.hours for m in active), 4),
    )


@dataclass(frozen=True)
class Week:
    """One published week: what existed and who held what."""

    label: str
    tasks: Sequence[Task]
    members: Sequence[Member]
    pieces: Sequence[Piece]


@dataclass(frozen=True)
class Rotation:
    weeks: int
    cumulative_spread: dict[str, float]
    cumulative_spread_sum: float
    longest_unpleasant_streak: int  # consecutive weeks one member held the same least-desirable-quarter task
    worst_streak: tuple[str, str] | None  # (member, task)

    def to_dict(self) -> dict:
        return asdict(self)


def unpleasant_tasks(tasks: Sequence[Task]) -> set[str]:
    """The least desirable quarter of the tasks: desirability at or below the 25th percentile (so tasks
    rated alike are treated alike, and there is at least one when there are any)."""
    if not tasks:
        return set()
    cut = float(np.quantile([t.desirability for t in tasks], 0.25))
    return {t.name for t in tasks if t.desirability <= cut + 1e-9}


def rotation(weeks: Sequence[Week]) -> Rotation:
    load_sum: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    share_sum: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(3))
    streak: dict[tuple[str, str], int] = {}
    longest, worst = 0, None
    for week in weeks:
        active = [m for m in week.members if m.active]
        loads = burden(week.pieces, {t.name: t for t in week.tasks})
        for member, share in zip(active, fair_share_matrix(week.tasks, active), strict=True):
            load_sum[member.name] += loads.get(member.name, np.zeros(3))
            share_sum[member.name] += share
        unpleasant = unpleasant_tasks(week.tasks)
        held = {(p.member, p.task) for p in week.pieces if p.task in unpleasant}
        streak = {key: streak.get(key, 0) + 1 for key in held}
        for key, run in streak.items():
            if run > longest:
                longest, worst = run, key
    names = sorted(share_sum)
    ratios = np.array([_ratio(load_sum[n], share_sum[n]) for n in names]).reshape(-1, 3)
    spread = spreads(ratios)
    return Rotation(
        weeks=len(weeks),
        cumulative_spread={k: round(v, 4) for k, v in spread.items()},
        cumulative_spread_sum=round(sum(spread.values()), 4),
        longest_unpleasant_streak=longest,
        worst_streak=worst,
    )
