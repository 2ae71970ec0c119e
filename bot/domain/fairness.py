"""Fairness in plain words: how a member's week compares with their fair share, and why.

A member's *fair share* of a dimension (hours, unpleasant work, empowering work) is their slice of
the week's total by available hours (`bot.domain.solver.metrics`); the report stores each member's ratio to
it (1.0 = exactly fair) and the same ratio over the last weeks, which the solver balanced against.
These rules turn the ratios into words a member understands. Plain Python: no Discord, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from bot.domain.report import MemberFigures, Report
from bot.domain.solver.model import hours_text

ABOUT = 0.10  # within 10 % of the fair share: "about your share"
LITTLE = 0.25  # within 25 %: "a little above/below"; further: "well above/below"
PAST = 0.05  # the last weeks were off by more than this: the "because" clause explains the week
DIMENSIONS = ("hours", "unpleasant work", "empowering work")
EPSILON = 1e-9  # 110 % is "about", not a hair above


def near(ratio: float, within: float = ABOUT) -> bool:
    return abs(ratio - 1) <= within + EPSILON


def level(ratio: float) -> str:
    """A ratio to the fair share in words: "about", "a little above", "well below"…"""
    if near(ratio):
        return "about"
    side = "above" if ratio > 1 else "below"
    return f"a little {side}" if near(ratio, LITTLE) else f"well {side}"


def because(ratio: float, past: float | None, what: str) -> str:
    """Why this week is off, when the last weeks explain it (the solver evens out the debt): ", because
    over the last weeks you had less" for a week above the share after weeks below it; "" otherwise."""
    if past is None or near(ratio):
        return ""
    if ratio > 1 and past < 1 - PAST:
        return f", because over the last weeks you had less {what} than your share"
    if ratio < 1 and past > 1 + PAST:
        return f", because over the last weeks you had more {what} than your share"
    return ""


@dataclass(frozen=True)
class Fairness:
    """One member's week against their fair share, as the stored report has it."""

    hours: float
    available: float | None
    fair: tuple[float, float, float] | None  # fair share of hours, unpleasant and empowering work
    ratio: tuple[float, float, float] | None
    past: tuple[float, float, float] | None

    @classmethod
    def of(cls, figures: MemberFigures) -> Fairness:
        return cls(figures.hours, figures.available, figures.fair, figures.ratio, figures.past)

    @property
    def fair_hours(self) -> float | None:
        return None if self.fair is None else self.fair[0]

    def holding(self, load: tuple[float, float, float]) -> Fairness:
        """The same week after swaps and give-aways: `load` is what the member holds now (hours, and
        hours weighted by unpleasantness and by empowerment, as `Task.burden_per_hour`)."""
        if self.fair is None:
            return replace(self, hours=load[0])
        ratio = tuple(lo / fa if fa > 1e-9 else 1.0 for lo, fa in zip(load, self.fair, strict=True))
        return replace(self, hours=load[0], ratio=(ratio[0], ratio[1], ratio[2]))

    def sentences(self, member_hours: float | None = None) -> list[str]:
        """E.g. "8.5 h of your 10 h; your fair share is 8.1 h.", "Unpleasant work: about your share.",
        "Empowering work: a little above your share, because over the last weeks you had less empowering
        work than your share." `member_hours`: their weekly hours, for a report without availability."""
        available = self.available if self.available is not None else member_hours
        first = f"{hours_text(self.hours)} h" + (f" of your {hours_text(available)} h" if available else "")
        if self.fair_hours is None or self.ratio is None or not self.fair_hours:
            return [first + "."]  # a week stored before fair shares were kept
        past = self.past or (None, None, None)
        hours_words = ""
        if not near(self.ratio[0]):
            hours_words = f" ({level(self.ratio[0])} it{because(self.ratio[0], past[0], 'work')})"
        lines = [f"{first}; your fair share is {hours_text(round(self.fair_hours, 2))} h{hours_words}."]
        for index, name in ((1, "unpleasant work"), (2, "empowering work")):
            ratio = self.ratio[index]
            lines.append(f"{name.capitalize()}: {level(ratio)} your share{because(ratio, past[index], name)}.")
        return lines

    def off(self) -> list[tuple[str, float]]:
        """The dimensions more than `ABOUT` from the fair share, with their ratios."""
        if self.ratio is None:
            return []
        return [(name, r) for name, r in zip(DIMENSIONS, self.ratio, strict=True) if not near(r)]


def fairness_of(report: Report, member: str) -> Fairness | None:
    """The member's (solver key) fairness this week; None when they had no part in the week."""
    found = next((m for m in report.members if m.member == member), None)
    return Fairness.of(found) if found is not None else None


def verdict(fairness: Fairness) -> str:
    """One short line for the post: "fair" or what is off, e.g. "unpleasant work a little above"."""
    off = fairness.off()
    if not off:
        return "fair"
    return "; ".join(f"{name} {level(ratio)}" for name, ratio in off)


def summary(report: Report, names: Mapping[str, str], *, show: int = 8) -> str:
    """The whole week in one or two sentences for everyone: "Everyone is within 10 % of their fair
    share." or "Everyone is within 10 % of their fair share except Ana (unpleasant work a little
    above), … and 12 others." The furthest off are named first; at most `show` names."""
    rows = [(m, Fairness.of(m)) for m in report.members if m.ratio is not None and (not names or m.member in names)]
    if not rows:
        return ""
    if not any(m.hours for m, _ in rows):
        return "No task happens this week."
    within = f"within {ABOUT:.0%} of their fair share"
    off = [(m, f) for m, f in rows if f.off()]
    if not off:
        return f"Everyone is {within} in hours, unpleasant work and empowering work."
    off.sort(key=lambda mf: (-max(abs(r - 1) for _, r in mf[1].off()), names.get(mf[0].member, mf[0].member)))
    named = [f"{names.get(m.member, 'a member')} ({verdict(f)})" for m, f in off[:show]]
    rest = len(off) - len(named)
    listed = ", ".join(named) + (f" and {rest} other{'s' if rest != 1 else ''}" if rest else "")
    if len(off) * 2 > len(rows):  # most are off: "everyone … except" would mislead
        return f"{len(off)} of {len(rows)} members are more than {ABOUT:.0%} off their fair share: {listed}."
    return f"Everyone is {within} except {listed}."


def balance_words(report: Report) -> str:
    """How balanced the week is, for a moderator, without jargon: e.g. "well balanced: everyone is
    within 10 % of their fair share" or "fairly balanced: 3 of 10 members are more than 10 % off their
    fair share, at most 30 % (unpleasant work)"."""
    rows = [Fairness.of(m) for m in report.members if m.ratio is not None]
    if not rows:  # a week stored before fair shares were kept: the spread-sum is all there is
        if report.spread_sum <= 0.3:
            return "well balanced"
        return "fairly balanced" if report.spread_sum <= 0.9 else "unevenly balanced"
    if not any(f.hours for f in rows):
        return "empty: no task happens this week"
    off = [f for f in rows if f.off()]
    if not off:
        return f"well balanced: everyone is within {ABOUT:.0%} of their fair share"
    worst_name, worst = max((item for f in off for item in f.off()), key=lambda item: abs(item[1] - 1))
    how = "fairly balanced" if near(worst, LITTLE) else "unevenly balanced"
    verb = "is" if len(off) == 1 else "are"
    return (
        f"{how}: {len(off)} of {len(rows)} members {verb} more than {ABOUT:.0%} off their fair share "
        f"(at most {abs(worst - 1):.0%}, in {worst_name})"
    )


def shares(report: Report) -> Sequence[tuple[str, tuple[float, float, float]]]:
    """(member key, ratios) of every member with a fair share this week, for the chart."""
    return [(m.member, m.ratio) for m in report.members if m.ratio is not None]
