"""When a task happens: every week (most tasks), every N weeks from a first week (gutters every 4
weeks), or once in one week (an event). The rota, the balance and the rotation count a task only in
the weeks it happens. Plain Python: no Discord, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.errors import BadInput
from bot.domain.weeks import iso_week, parse_week, week_start
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext

MAX_EVERY = 52  # at most yearly
ONCE = 0  # `every` of a task that happens once, in its `first` week


def weeks_between(first: str, week: str) -> int:
    """Whole weeks from `first` to `week` (negative when `week` is earlier)."""
    return (week_start(week) - week_start(first)).days // 7


@dataclass(frozen=True)
class Recurrence:
    """`every` weeks from the week `first` (ISO, e.g. 2026-W50); `every` 1 is weekly (no first week
    needed), `every` 0 (`ONCE`) happens only in `first`."""

    every: int = 1
    first: str | None = None

    @property
    def weekly(self) -> bool:
        return self.every == 1

    @property
    def once(self) -> bool:
        return self.every == ONCE

    def occurs(self, week: str) -> bool:
        """Whether the task happens in `week`."""
        if self.weekly or self.first is None:
            return True
        gap = weeks_between(self.first, week)
        if self.once:
            return gap == 0
        return gap >= 0 and gap % self.every == 0

    def next_from(self, week: str) -> str | None:
        """The first week from `week` on (included) in which the task happens; None when never again."""
        if self.occurs(week):
            return week
        if self.first is None:
            return week
        gap = weeks_between(self.first, week)
        if gap < 0:
            return self.first
        if self.once:
            return None
        ahead = self.every - gap % self.every
        return iso_week(week_start(week) + timedelta(weeks=ahead))

    def describe(self, current: str, language: str = SOURCE_LANGUAGE) -> str:
        """When, in words (in `language`), seen from the week `current`: "every week", "every 4 weeks, next
        in week 2026-W52", "once, in week 2026-W50", "once, in week 2026-W40 (over)"."""
        if self.weekly or self.first is None:
            return gettext(language, "every week")
        upcoming = self.next_from(current)
        if self.once:
            if upcoming:
                return gettext(language, "once, in week {week}", week=self.first)
            return gettext(language, "once, in week {week} (over)", week=self.first)
        if upcoming == current:
            return gettext(
                language,
                "every {every} weeks, this week and next in week {week}",
                every=self.every,
                week=self.next_from(_after(current)),
            )
        return gettext(language, "every {every} weeks, next in week {week}", every=self.every, week=upcoming)

    def csv_cells(self) -> tuple[str, str]:
        """The optional `every_weeks` and `first_week` columns of a tasks CSV ("" and "" for weekly,
        "once" and the week for a one-off)."""
        if self.weekly:
            return "", ""
        return ("once" if self.once else str(self.every)), self.first or ""


def _after(week: str) -> str:
    return iso_week(week_start(week) + timedelta(weeks=1))


def check_recurrence(every: int | None, first: str | None, once_in: str | None, default_first: str) -> Recurrence:
    """A moderator's options, checked: `once_in` (a week) or `every` (weeks, 1–52) with an optional
    `first` week (default `default_first`, the coming week)."""
    if once_in is not None:
        if every not in (None, ONCE):
            raise BadInput(lazy_gettext("Give either `once_in_week` (a one-off) or `every_weeks`, not both."))
        return Recurrence(ONCE, parse_week(once_in))
    every = 1 if every is None else every
    if every == ONCE:
        if first is None:
            raise BadInput(lazy_gettext("A one-off task needs its week: give `once_in_week`, e.g. 2026-W50."))
        return Recurrence(ONCE, parse_week(first))
    if not 1 <= every <= MAX_EVERY:
        raise BadInput(
            lazy_gettext(
                "`every_weeks` must be from 1 (weekly) to {most}; you gave {every}.", most=MAX_EVERY, every=every
            )
        )
    if every == 1:
        return Recurrence()
    return Recurrence(every, parse_week(first) if first else default_first)


def from_cells(every: str, first: str) -> Recurrence:
    """The optional `every_weeks` (a number of weeks, or `once`) and `first_week` (an ISO week) cells
    of a tasks CSV; both empty (an older file): weekly."""
    every, first = every.strip().lower(), first.strip()
    if not every:
        if first:
            raise BadInput(
                lazy_gettext("`first_week` is given but `every_weeks` is empty: write a number of weeks or `once`")
            )
        return Recurrence()
    if every in ("once", "0"):
        if not first:
            raise BadInput(
                lazy_gettext("a one-off task (`every_weeks` once) needs its week in `first_week`, e.g. 2026-W50")
            )
        return Recurrence(ONCE, parse_week(first))
    try:
        count = float(every)
    except ValueError:
        raise BadInput(
            lazy_gettext("`every_weeks` must be a whole number of weeks or `once`, not {every}", every=repr(every))
        ) from None
    if count != int(count) or not 1 <= count <= MAX_EVERY:
        raise BadInput(
            lazy_gettext(
                "`every_weeks` must be a whole number from 1 to {most} or `once`, not {every}",
                most=MAX_EVERY,
                every=repr(every),
            )
        )
    if int(count) == 1:
        return Recurrence()
    if not first:
        raise BadInput(
            lazy_gettext(
                "a task every {every} weeks needs `first_week`, the first week it happens, e.g. 2026-W50",
                every=int(count),
            )
        )
    return Recurrence(int(count), parse_week(first))
