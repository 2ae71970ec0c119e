"""Work at set times in the bot's words: a task's `when:` (`sat 09:00`, `mon-fri 14:00`, `-`), how
people read a task's days and times, and when a week's piece really happens (UTC datetimes, for
Discord timestamps, calendars and reminders). Plain Python: the syntax itself is
`bot.domain.solver.timed`'s, so the planner's files and the bot's commands read the same."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.errors import BadInput
from bot.domain.schedule import zone
from bot.domain.solver.timed import (
    DAY_MINUTES,
    DAYS,
    WINDOWS_HINT,
    TimedError,
    format_clock,
    format_days,
    format_windows,
    parse_clock,
    parse_days,
    parse_windows,
)
from bot.domain.weeks import week_start
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext
from bot.i18n.formatting import format_list, weekday

FLEXIBLE = {"-", "none", "any", "flexible", "anytime", "any time"}
WHEN_EXAMPLES = lazy_gettext(
    "`when:sat 09:00`, `when:mon-fri 14:00`, `when:tue,thu 18:30`, or `when:-` for any time in the week"
)
WINDOWS_EXAMPLE = lazy_gettext("`windows:mon-fri 18:00-22:00; sat-sun` (weekday evenings and the whole weekend)")
DAY_WORDS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
ONE_DAY = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
A_MONDAY = date(2024, 1, 1)


def day_name(day: int, language: str = SOURCE_LANGUAGE) -> str:
    """One day's name (0 = Monday): "Saturday", "sábado", "Samstag"."""
    if language == SOURCE_LANGUAGE:
        return ONE_DAY[day % 7]
    return weekday(A_MONDAY + timedelta(days=day % 7), language)


def days_plural(language: str) -> tuple[str, ...]:
    """ "Mondays" … "Sundays" in `language` (what happens every week on that day)."""
    if language == SOURCE_LANGUAGE:
        return DAY_WORDS
    return (
        gettext(language, "Mondays"),
        gettext(language, "Tuesdays"),
        gettext(language, "Wednesdays"),
        gettext(language, "Thursdays"),
        gettext(language, "Fridays"),
        gettext(language, "Saturdays"),
        gettext(language, "Sundays"),
    )


@dataclass(frozen=True)
class TaskTime:
    """When a task happens: its days (0 = Monday) and local start in minutes; no days: flexible."""

    days: tuple[int, ...] = ()
    start: int | None = None

    @property
    def timed(self) -> bool:
        return bool(self.days)

    def stored(self) -> tuple[str | None, int | None]:
        """As the task row keeps it: the days in the contract's syntax and the start."""
        return (format_days(self.days), self.start) if self.days else (None, None)


def parse_when(text: str) -> TaskTime:
    """A moderator's `when:`: days then a start time (`sat 09:00`, `mon-fri 14:00`), or `-` for a
    flexible task. Refused (`BadInput`) with examples."""
    raw = text.strip()
    if raw.lower() in FLEXIBLE:
        return TaskTime()
    days_text, _, clock = raw.rpartition(" ")
    if not days_text.strip():
        raise BadInput(
            lazy_gettext(
                "`{when}` needs the days and the time it starts: write {examples}.", when=raw, examples=WHEN_EXAMPLES
            )
        )
    try:
        return TaskTime(parse_days(days_text), parse_clock(clock))
    except TimedError as error:
        raise BadInput(
            lazy_gettext(
                "I can't read `when:{when}`: {error}. Write {examples}.",
                when=raw,
                error=str(error),
                examples=WHEN_EXAMPLES,
            )
        ) from None


def days_words(days: Iterable[int], *, plural: bool = True, language: str = SOURCE_LANGUAGE) -> str:
    """`Saturdays`, `Mondays to Fridays`, `Tuesdays and Thursdays`, `every day` (in `language`)."""
    chosen = sorted(set(days))
    names = days_plural(language) if plural else tuple(day_name(d, language) for d in range(7))
    if len(chosen) == 7:
        return gettext(language, "every day")
    parts = []
    for item in format_days(chosen).split(","):
        first, _, last = item.partition("-")
        one = names[DAYS.index(first)]
        parts.append(gettext(language, "{first} to {last}", first=one, last=names[DAYS.index(last)]) if last else one)
    if len(parts) == 1:
        return parts[0]
    if language == SOURCE_LANGUAGE:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return format_list(parts, language)


def when_words(when: TaskTime, hours: float, language: str = SOURCE_LANGUAGE) -> str:
    """A task's times as `/tasks` shows them: `Saturdays 09:00–13:00` (`any time in the week`)."""
    if not when.timed or when.start is None:
        return gettext(language, "any time in the week")
    end = when.start + round(hours * 60)
    last = "24:00" if end == DAY_MINUTES else format_clock(end)
    times = f"{days_words(when.days, language=language)} {format_clock(when.start)}–{last}"
    return gettext(language, "{times} (next day)", times=times) if end > DAY_MINUTES else times


def parse_member_windows(text: str) -> tuple[tuple[int, int], ...] | None:
    """A member's `windows:` (the contract's syntax); refused with an example. Empty: any time."""
    try:
        return parse_windows(text)
    except TimedError as error:
        detail = str(error).replace(f"; {WINDOWS_HINT}", "").replace(f": {WINDOWS_HINT}", "")
        raise BadInput(
            lazy_gettext(
                "I can't read those times: {detail}. Write them like {example}.", detail=detail, example=WINDOWS_EXAMPLE
            )
        ) from None


def windows_words(windows: tuple[tuple[int, int], ...] | None, language: str = SOURCE_LANGUAGE) -> str:
    """Windows for people: `Mondays to Fridays 18:00–22:00; Saturdays and Sundays` (in `language`)."""
    if windows is None:
        return gettext(language, "any time")
    items = []
    for item in format_windows(windows).split("; "):
        days, _, hours = item.partition(" ")
        words = days_words(parse_days(days), language=language)
        items.append(
            f"{words} {hours.replace('-', '–')}" if hours else gettext(language, "{days} (all day)", days=words)
        )
    return "; ".join(items)


def local_moment(week: str, day: int, minutes: int, tz_name: str) -> datetime:
    """The UTC moment `minutes` after the midnight of day `day` (0 = Monday) of the ISO `week`, in
    the organization's local time (wall-clock: a shift at 09:00 is at 09:00 after a DST change)."""
    local_day = week_start(week) + timedelta(days=day + minutes // DAY_MINUTES)
    rest = minutes % DAY_MINUTES
    wall = datetime.combine(local_day, time(rest // 60, rest % 60), tzinfo=zone(tz_name))
    return wall.astimezone(UTC)


def shift_moments(week: str, day: int, start: int, end: int, tz_name: str) -> tuple[datetime, datetime]:
    """When a week's piece starts and ends, in UTC."""
    return local_moment(week, day, start, tz_name), local_moment(week, day, end, tz_name)


def window_moments(
    windows: tuple[tuple[int, int], ...] | None, week: str, tz_name: str
) -> list[tuple[datetime, datetime]]:
    """The windows as real moments in `week` (for Discord timestamps: each reader's own time)."""
    if windows is None:
        return []
    return [
        (
            local_moment(week, a // DAY_MINUTES, a % DAY_MINUTES, tz_name),
            local_moment(week, a // DAY_MINUTES, a % DAY_MINUTES + (b - a), tz_name),
        )
        for a, b in windows
    ]
