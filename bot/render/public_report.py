"""The public fairness report's figures: week by week, how evenly an organization shared its work.

Computed from what each week stored (the balance `Report`) and the hours each member holds now
(after swaps and claims). A member's *fair share* of hours, unpleasant work and empowering work is
the project's one definition (`bot.domain.fairness`, stored in the report since schema 3): their slice of
the week's total by the hours they offered. The report shows, per week, the lowest and highest
member against it (100% = exactly fair) and the week in plain words (`bot.domain.fairness.balance_words`),
and per member the same over all the weeks so far: rotation should bring everyone back to 100%.
Weeks stored before fair shares were kept (schema 1–2) show the average pleasantness and
empowerment of each member's work against the organization's average instead.

Members are "Member A", "Member B"… unless they chose to be named (`/report show-me on`): the labels
follow each member's total hours (most first), not their names or when they joined.

The report is in its organization's language (`language`, a catalog language: "en", "es", "de"): the
labels and the week's words here, the page's texts in `bot.render.site`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.fairness import balance_words
from bot.domain.report import Report
from bot.domain.solver_ids import member_id
from bot.i18n import SOURCE_LANGUAGE, gettext

DIMENSIONS = 3  # hours, unpleasant work, empowering work


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


Band = tuple[float, float] | None  # lowest, highest


@dataclass(frozen=True)
class WeekFigures:
    week: str
    members: int  # with work
    hours: float
    shares: tuple[Band, Band, Band]  # hours, unpleasant, empowering work: lowest and highest / fair share
    desirability: Band  # lowest, highest member average (every report version has these)
    empowerment: Band
    average: tuple[float, float]  # the organization's average desirability and empowerment
    words: str  # the week in plain words, e.g. "well balanced: everyone is within 10% of their fair share"


@dataclass(frozen=True)
class Person:
    label: str
    named: bool
    weeks: int  # weeks with work
    hours: float
    # over all weeks with fair shares: hours, unpleasant and empowering work / fair share (None: no such week)
    share: tuple[float, float, float] | None
    # week by week, the unpleasant work so far / the fair share so far (rotation: back towards 100%)
    running: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PublicReport:
    name: str
    goals: tuple[str, ...]
    weeks: tuple[WeekFigures, ...]
    people: tuple[Person, ...]
    events: tuple[Event, ...]
    generated: date
    language: str = SOURCE_LANGUAGE  # the organization's: the page's texts, numbers and dates

    @property
    def latest(self) -> WeekFigures | None:
        return self.weeks[-1] if self.weeks else None

    @property
    def has_shares(self) -> bool:
        """Whether any week kept fair shares (reports since schema 3)."""
        return any(band is not None for w in self.weeks for band in w.shares)


def id_of_key(key: str) -> int | None:
    try:
        return member_id(key)
    except ValueError:  # not a member of ours (a solver-side filler)
        return None


def anonymous_label(rank: int, language: str = SOURCE_LANGUAGE) -> str:
    """Member A … Member Z, Member AA … ("Miembro A", "Mitglied A")."""
    letters = ""
    rank += 1
    while rank:
        rank, rest = divmod(rank - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return gettext(language, "Member {letters}", letters=letters)


def _range(values: Sequence[float]) -> Band:
    return (round(min(values), 3), round(max(values), 3)) if values else None


def build(
    name: str,
    goals: Sequence[str],
    weeks: Sequence[WeekInput],
    names: Mapping[int, str | None],
    events: Sequence[Event],
    today: date,
    language: str = SOURCE_LANGUAGE,
) -> PublicReport:
    """`names`: member id -> the name to show, or None (anonymous). Weeks in any order. `language`: the
    organization's, for the labels and the week's words (the events come written in it)."""
    ordered = sorted(weeks, key=lambda w: w.week)
    figures = []
    hours: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    load: dict[int, list[float]] = defaultdict(lambda: [0.0] * DIMENSIONS)  # the ratio × fair share, summed
    fair: dict[int, list[float]] = defaultdict(lambda: [0.0] * DIMENSIONS)
    running: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for week in ordered:
        report = week.report
        working = [m for m in report.members if id_of_key(m.member) is not None and m.hours > 0]
        with_shares = [m for m in working if m.ratio is not None and m.fair is not None]
        figures.append(
            WeekFigures(
                week.week,
                len(working),
                round(sum(week.held.values()) if week.held else sum(m.hours for m in working), 2),
                (
                    _range([m.ratio[0] for m in with_shares if m.ratio]),
                    _range([m.ratio[1] for m in with_shares if m.ratio]),
                    _range([m.ratio[2] for m in with_shares if m.ratio]),
                ),
                _range([m.average_desirability for m in working if m.average_desirability is not None]),
                _range([m.average_empowerment for m in working if m.average_empowerment is not None]),
                report.average,
                balance_words(report, language),
            )
        )
        for row in working:
            member = id_of_key(row.member)
            assert member is not None
            hours[member] += week.held.get(member, row.hours)
            count[member] += 1
            if row.ratio is not None and row.fair is not None:
                for index in range(DIMENSIONS):
                    load[member][index] += row.ratio[index] * row.fair[index]
                    fair[member][index] += row.fair[index]
                if fair[member][1] > 1e-9:
                    running[member].append((week.week, round(load[member][1] / fair[member][1], 3)))
    people = []
    anonymous = 0
    for member in sorted(hours, key=lambda m: (-round(hours[m], 2), m)):
        shown = names.get(member)
        if shown:
            label = shown
        else:
            label, anonymous = anonymous_label(anonymous, language), anonymous + 1
        share = None
        if any(fair[member]):
            ratios = [load[member][i] / fair[member][i] if fair[member][i] > 1e-9 else 1.0 for i in range(DIMENSIONS)]
            share = (round(ratios[0], 3), round(ratios[1], 3), round(ratios[2], 3))
        people.append(Person(label, bool(shown), count[member], round(hours[member], 2), share, tuple(running[member])))
    return PublicReport(
        name,
        tuple(goals),
        tuple(figures),
        tuple(people),
        tuple(sorted(events, key=lambda e: e.day)),
        today,
        language,
    )
