"""The public fairness report's figures: week by week, how evenly an organization shared its work.

Computed from what each week stored (the balance `Report`: each member's average desirability and
empowerment, hours against what they offered) and the hours each member holds now (after swaps and
claims). "Fair share" is the organization's average: a member whose work averages the organization's
desirability and empowerment got exactly their share of pleasant and empowering work.

Members are "Member A", "Member B"… unless they chose to be named (`/report show-me on`): the labels
follow each member's total hours (most first), not their names or when they joined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.report import Report
from bot.solver_ids import member_id


@dataclass(frozen=True)
class WeekInput:
    week: str
    report: Report
    held: Mapping[int, float]  # member id -> hours held now


@dataclass(frozen=True)
class Event:
    """A merge or a departure, for the report's history."""

    day: date
    text: str


@dataclass(frozen=True)
class WeekFigures:
    week: str
    members: int  # with work
    hours: float
    hours_share: tuple[float, float] | None  # lowest, highest: hours held / hours offered
    desirability: tuple[float, float] | None  # lowest, highest member average
    empowerment: tuple[float, float] | None
    average: tuple[float, float]  # the organization's: everyone's fair share
    spread: float  # how far apart the members' averages are (0 = perfectly even)


@dataclass(frozen=True)
class Person:
    label: str
    named: bool
    weeks: int  # weeks with work
    hours: float
    desirability_gap: float  # hours-weighted, against the fair share, over all weeks (+ = more pleasant)
    empowerment_gap: float
    # week by week: the running gap so far (rotation: it should drift back towards 0)
    running: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class PublicReport:
    name: str
    goals: tuple[str, ...]
    weeks: tuple[WeekFigures, ...]
    people: tuple[Person, ...]
    events: tuple[Event, ...]
    generated: date

    @property
    def latest(self) -> WeekFigures | None:
        return self.weeks[-1] if self.weeks else None


def id_of_key(key: str) -> int | None:
    try:
        return member_id(key)
    except ValueError:  # not a member of ours (a solver-side filler)
        return None


def anonymous_label(rank: int) -> str:
    """Member A … Member Z, Member AA …"""
    letters = ""
    rank += 1
    while rank:
        rank, rest = divmod(rank - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Member {letters}"


def _range(values: Sequence[float]) -> tuple[float, float] | None:
    return (min(values), max(values)) if values else None


def build(
    name: str,
    goals: Sequence[str],
    weeks: Sequence[WeekInput],
    names: Mapping[int, str | None],
    events: Sequence[Event],
    today: date,
) -> PublicReport:
    """`names`: member id -> the name to show, or None (anonymous). Weeks in any order."""
    ordered = sorted(weeks, key=lambda w: w.week)
    figures = []
    hours: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # weighted hours, d gap, e gap
    running: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    for week in ordered:
        report = week.report
        rows = [m for m in report.members if id_of_key(m.member) is not None]
        working = [m for m in rows if m.hours > 0]
        figures.append(
            WeekFigures(
                week.week,
                len(working),
                round(sum(week.held.values()) if week.held else sum(m.hours for m in working), 2),
                _range([m.hours_share for m in working]),
                _range([m.average_desirability for m in working if m.average_desirability is not None]),
                _range([m.average_empowerment for m in working if m.average_empowerment is not None]),
                report.average,
                round(report.spread_sum, 3),
            )
        )
        for row in working:
            member = id_of_key(row.member)
            assert member is not None
            held = week.held.get(member, row.hours)
            hours[member] += held
            count[member] += 1
            if row.average_desirability is not None and row.average_empowerment is not None:
                total = sums[member]
                total[0] += row.hours
                total[1] += row.hours * (row.average_desirability - report.average[0])
                total[2] += row.hours * (row.average_empowerment - report.average[1])
                running[member].append((week.week, round(total[1] / total[0], 2), round(total[2] / total[0], 2)))
    order = sorted(hours, key=lambda m: (-round(hours[m], 2), m))
    people = []
    anonymous = 0
    for member in order:
        shown = names.get(member)
        if shown:
            label = shown
        else:
            label, anonymous = anonymous_label(anonymous), anonymous + 1
        weight, d_gap, e_gap = sums[member]
        people.append(
            Person(
                label,
                bool(shown),
                count[member],
                round(hours[member], 2),
                round(d_gap / weight, 2) if weight else 0.0,
                round(e_gap / weight, 2) if weight else 0.0,
                tuple(running[member]),
            )
        )
    return PublicReport(
        name,
        tuple(goals),
        tuple(figures),
        tuple(people),
        tuple(sorted(events, key=lambda e: e.day)),
        today,
    )
