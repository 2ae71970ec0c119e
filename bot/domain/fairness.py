"""Fairness in plain words: how a member's week compares with their fair share, and why.

A member's *fair share* of a dimension (hours, unpleasant work, empowering work) is their slice of
the week's total by available hours (`bot.domain.solver.metrics`); the report stores each member's ratio to
it (1.0 = exactly fair) and the same ratio over the last weeks, which the solver balanced against.
These rules turn the ratios into words a member understands. Plain Python: no Discord, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast

from bot.domain.report import MemberFigures, Report
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext, pgettext
from bot.i18n.formatting import format_list, number, percent

ABOUT = 0.10  # within 10 % of the fair share: "about your share"
LITTLE = 0.25  # within 25 %: "a little above/below"; further: "well above/below"
PAST = 0.05  # the last weeks were off by more than this: the "because" clause explains the week
DIMENSIONS = ("hours", "unpleasant work", "empowering work")
EPSILON = 1e-9  # 110 % is "about", not a hair above


def near(ratio: float, within: float = ABOUT) -> bool:
    return abs(ratio - 1) <= within + EPSILON


Level = Literal["about", "little_above", "well_above", "little_below", "well_below"]
Because = Literal["less", "more"] | None


def level_of(ratio: float) -> Level:
    """Where a ratio to the fair share lies: about it (within `ABOUT`), a little or well above or below."""
    if near(ratio):
        return "about"
    side = "above" if ratio > 1 else "below"
    return cast(Level, f"{'little' if near(ratio, LITTLE) else 'well'}_{side}")


def because_of(ratio: float, past: float | None) -> Because:
    """Whether the last weeks explain this week (the solver evens out the debt): "less" for a week above
    the share after weeks below it, "more" for the other way round; None otherwise."""
    if past is None or near(ratio):
        return None
    if ratio > 1 and past < 1 - PAST:
        return "less"
    if ratio < 1 and past > 1 + PAST:
        return "more"
    return None


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

    def sentences(self, member_hours: float | None = None, language: str = SOURCE_LANGUAGE) -> list[str]:
        """E.g. "8.5 h of your 10 h; your fair share is 8.1 h.", "Unpleasant work: about your share.",
        "Empowering work: a little above your share, because over the last weeks you had less empowering
        work than your share." `member_hours`: their weekly hours, for a report without availability."""
        available = self.available if self.available is not None else member_hours
        hours = number(self.hours, language)
        if available:
            worked = gettext(
                language, "{hours} h of your {available} h", hours=hours, available=number(available, language)
            )
        else:
            worked = gettext(language, "{hours} h", hours=hours)
        if self.fair_hours is None or self.ratio is None or not self.fair_hours:
            return [gettext(language, "{worked}.", worked=worked)]  # a week stored before fair shares were kept
        past = self.past or (None, None, None)
        fair = number(round(self.fair_hours, 2), language)
        lines = [_hours_line(language, worked, fair, level_of(self.ratio[0]), because_of(self.ratio[0], past[0]))]
        for index in (1, 2):
            ratio = self.ratio[index]
            lines.append(_dimension_line(language, index, level_of(ratio), because_of(ratio, past[index])))
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


def verdict(fairness: Fairness, language: str = SOURCE_LANGUAGE) -> str:
    """One short line for the post: "fair" or what is off, e.g. "unpleasant work a little above"."""
    off = fairness.off()
    if not off:
        return pgettext(language, "verdict", "fair")
    return "; ".join(_verdict_phrase(language, DIMENSIONS.index(name), level_of(ratio)) for name, ratio in off)


def summary(report: Report, names: Mapping[str, str], *, show: int = 8, language: str = SOURCE_LANGUAGE) -> str:
    """The whole week in one or two sentences for everyone: "Everyone is within 10 % of their fair
    share." or "Everyone is within 10 % of their fair share except Ana (unpleasant work a little
    above), … and 12 others." The furthest off are named first; at most `show` names."""
    rows = [(m, Fairness.of(m)) for m in report.members if m.ratio is not None and (not names or m.member in names)]
    if not rows:
        return ""
    if not any(m.hours for m, _ in rows):
        return gettext(language, "No task happens this week.")
    pct = percent(ABOUT, language)
    off = [(m, f) for m, f in rows if f.off()]
    if not off:
        return gettext(
            language,
            "Everyone is within {pct} of their fair share in hours, unpleasant work and empowering work.",
            pct=pct,
        )
    off.sort(key=lambda mf: (-max(abs(r - 1) for _, r in mf[1].off()), names.get(mf[0].member, mf[0].member)))
    named = [
        gettext(
            language,
            "{name} ({verdict})",
            name=names.get(m.member) or gettext(language, "a member"),
            verdict=verdict(f, language),
        )
        for m, f in off[:show]
    ]
    rest = len(off) - len(named)
    if rest:
        named.append(ngettext(language, "{count} other", "{count} others", rest))
    listed = format_list(named, language)
    if len(off) * 2 > len(rows):  # most are off: "everyone … except" would mislead
        return ngettext(
            language,
            "{off} of {count} member is more than {pct} off their fair share: {listed}.",
            "{off} of {count} members are more than {pct} off their fair share: {listed}.",
            len(rows),
            off=len(off),
            pct=pct,
            listed=listed,
        )
    return gettext(language, "Everyone is within {pct} of their fair share except {listed}.", pct=pct, listed=listed)


def balance_words(report: Report, language: str = SOURCE_LANGUAGE) -> str:
    """How balanced the week is, for a moderator, without jargon: e.g. "well balanced: everyone is
    within 10 % of their fair share" or "fairly balanced: 3 of 10 members are more than 10 % off their
    fair share, at most 30 % (unpleasant work)"."""
    rows = [Fairness.of(m) for m in report.members if m.ratio is not None]
    if not rows:  # a week stored before fair shares were kept: the spread-sum is all there is
        if report.spread_sum <= 0.3:
            return gettext(language, "well balanced")
        return (
            gettext(language, "fairly balanced") if report.spread_sum <= 0.9 else gettext(language, "unevenly balanced")
        )
    if not any(f.hours for f in rows):
        return gettext(language, "empty: no task happens this week")
    pct = percent(ABOUT, language)
    off = [f for f in rows if f.off()]
    if not off:
        return gettext(language, "well balanced: everyone is within {pct} of their fair share", pct=pct)
    worst_name, worst = max((item for f in off for item in f.off()), key=lambda item: abs(item[1] - 1))
    params = {"total": len(rows), "pct": pct, "worst": percent(abs(worst - 1), language)}
    dimension = DIMENSIONS.index(worst_name)
    if near(worst, LITTLE):
        return _fairly_balanced(language, dimension, len(off), params)
    return _unevenly_balanced(language, dimension, len(off), params)


def shares(report: Report) -> Sequence[tuple[str, tuple[float, float, float]]]:
    """(member key, ratios) of every member with a fair share this week, for the chart."""
    return [(m.member, m.ratio) for m in report.members if m.ratio is not None]


# -- the sentences, each written whole so that every language can order it its own way ---------------


def _hours_line(language: str, worked: str, fair: str, at: Level, why: Because) -> str:
    p = {"worked": worked, "fair": fair}
    match at, why:
        case "little_above", "less":
            return gettext(
                language,
                "{worked}; your fair share is {fair} h (a little above it, because over the last weeks you had less "
                "work than your share).",
                **p,
            )
        case "well_above", "less":
            return gettext(
                language,
                "{worked}; your fair share is {fair} h (well above it, because over the last weeks you had less work "
                "than your share).",
                **p,
            )
        case "little_below", "more":
            return gettext(
                language,
                "{worked}; your fair share is {fair} h (a little below it, because over the last weeks you had more "
                "work than your share).",
                **p,
            )
        case "well_below", "more":
            return gettext(
                language,
                "{worked}; your fair share is {fair} h (well below it, because over the last weeks you had more work "
                "than your share).",
                **p,
            )
        case "little_above", _:
            return gettext(language, "{worked}; your fair share is {fair} h (a little above it).", **p)
        case "well_above", _:
            return gettext(language, "{worked}; your fair share is {fair} h (well above it).", **p)
        case "little_below", _:
            return gettext(language, "{worked}; your fair share is {fair} h (a little below it).", **p)
        case "well_below", _:
            return gettext(language, "{worked}; your fair share is {fair} h (well below it).", **p)
    return gettext(language, "{worked}; your fair share is {fair} h.", **p)


def _dimension_line(language: str, dimension: int, at: Level, why: Because) -> str:
    if dimension == 1:
        match at, why:
            case "little_above", "less":
                return gettext(
                    language,
                    "Unpleasant work: a little above your share, because over the last weeks you had less unpleasant "
                    "work than your share.",
                )
            case "well_above", "less":
                return gettext(
                    language,
                    "Unpleasant work: well above your share, because over the last weeks you had less unpleasant work "
                    "than your share.",
                )
            case "little_below", "more":
                return gettext(
                    language,
                    "Unpleasant work: a little below your share, because over the last weeks you had more unpleasant "
                    "work than your share.",
                )
            case "well_below", "more":
                return gettext(
                    language,
                    "Unpleasant work: well below your share, because over the last weeks you had more unpleasant work "
                    "than your share.",
                )
            case "little_above", _:
                return gettext(language, "Unpleasant work: a little above your share.")
            case "well_above", _:
                return gettext(language, "Unpleasant work: well above your share.")
            case "little_below", _:
                return gettext(language, "Unpleasant work: a little below your share.")
            case "well_below", _:
                return gettext(language, "Unpleasant work: well below your share.")
        return gettext(language, "Unpleasant work: about your share.")
    match at, why:
        case "little_above", "less":
            return gettext(
                language,
                "Empowering work: a little above your share, because over the last weeks you had less empowering "
                "work than your share.",
            )
        case "well_above", "less":
            return gettext(
                language,
                "Empowering work: well above your share, because over the last weeks you had less empowering work "
                "than your share.",
            )
        case "little_below", "more":
            return gettext(
                language,
                "Empowering work: a little below your share, because over the last weeks you had more empowering "
                "work than your share.",
            )
        case "well_below", "more":
            return gettext(
                language,
                "Empowering work: well below your share, because over the last weeks you had more empowering work "
                "than your share.",
            )
        case "little_above", _:
            return gettext(language, "Empowering work: a little above your share.")
        case "well_above", _:
            return gettext(language, "Empowering work: well above your share.")
        case "little_below", _:
            return gettext(language, "Empowering work: a little below your share.")
        case "well_below", _:
            return gettext(language, "Empowering work: well below your share.")
    return gettext(language, "Empowering work: about your share.")


def _verdict_phrase(language: str, dimension: int, at: Level) -> str:
    """What is off in a member's week, for the post's short line: "unpleasant work a little above"."""
    phrases = {
        (0, "little_above"): lambda: gettext(language, "hours a little above"),
        (0, "well_above"): lambda: gettext(language, "hours well above"),
        (0, "little_below"): lambda: gettext(language, "hours a little below"),
        (0, "well_below"): lambda: gettext(language, "hours well below"),
        (1, "little_above"): lambda: gettext(language, "unpleasant work a little above"),
        (1, "well_above"): lambda: gettext(language, "unpleasant work well above"),
        (1, "little_below"): lambda: gettext(language, "unpleasant work a little below"),
        (1, "well_below"): lambda: gettext(language, "unpleasant work well below"),
        (2, "little_above"): lambda: gettext(language, "empowering work a little above"),
        (2, "well_above"): lambda: gettext(language, "empowering work well above"),
        (2, "little_below"): lambda: gettext(language, "empowering work a little below"),
        (2, "well_below"): lambda: gettext(language, "empowering work well below"),
    }
    found = phrases.get((dimension, at))
    return found() if found is not None else pgettext(language, "verdict", "fair")


def _fairly_balanced(language: str, dimension: int, off: int, params: dict[str, object]) -> str:
    if dimension == 0:
        return ngettext(
            language,
            "fairly balanced: {count} of {total} members is more than {pct} off their fair share (at most {worst}, "
            "in hours)",
            "fairly balanced: {count} of {total} members are more than {pct} off their fair share (at most {worst}, "
            "in hours)",
            off,
            **params,
        )
    if dimension == 1:
        return ngettext(
            language,
            "fairly balanced: {count} of {total} members is more than {pct} off their fair share (at most {worst}, "
            "in unpleasant work)",
            "fairly balanced: {count} of {total} members are more than {pct} off their fair share (at most {worst}, "
            "in unpleasant work)",
            off,
            **params,
        )
    return ngettext(
        language,
        "fairly balanced: {count} of {total} members is more than {pct} off their fair share (at most {worst}, "
        "in empowering work)",
        "fairly balanced: {count} of {total} members are more than {pct} off their fair share (at most {worst}, "
        "in empowering work)",
        off,
        **params,
    )


def _unevenly_balanced(language: str, dimension: int, off: int, params: dict[str, object]) -> str:
    if dimension == 0:
        return ngettext(
            language,
            "unevenly balanced: {count} of {total} members is more than {pct} off their fair share (at most "
            "{worst}, in hours)",
            "unevenly balanced: {count} of {total} members are more than {pct} off their fair share (at most "
            "{worst}, in hours)",
            off,
            **params,
        )
    if dimension == 1:
        return ngettext(
            language,
            "unevenly balanced: {count} of {total} members is more than {pct} off their fair share (at most "
            "{worst}, in unpleasant work)",
            "unevenly balanced: {count} of {total} members are more than {pct} off their fair share (at most "
            "{worst}, in unpleasant work)",
            off,
            **params,
        )
    return ngettext(
        language,
        "unevenly balanced: {count} of {total} members is more than {pct} off their fair share (at most "
        "{worst}, in empowering work)",
        "unevenly balanced: {count} of {total} members are more than {pct} off their fair share (at most "
        "{worst}, in empowering work)",
        off,
        **params,
    )
