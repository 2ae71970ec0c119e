"""Work at set times: days, clock times and members' weekly availability windows.

Plain Python, shared by the planner's files and the bot's commands, so every message about a day or
an hour reads the same. The week runs from Monday 00:00 to Monday 00:00 in the organization's local
time, counted in minutes (0 … WEEK_MINUTES); a window past Sunday midnight wraps to Monday.

- days: `mon` … `sun`, a list `mon,wed,fri`, a range `mon-fri` (ranges may wrap: `sat-mon`), `daily`.
- a clock time: `HH:MM` (or `H:MM`), 24-hour; `24:00` only as the end of a window.
- windows: `;`-separated items, each `DAYS` (the whole day) or `DAYS HH:MM-HH:MM`; an end not after
  its start runs past midnight into the next day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.solver.problems import ProblemError
from bot.i18n import Message, lazy_gettext

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 1440
WEEK_MINUTES = 7 * DAY_MINUTES

_DAY_NAMES = {
    **{d: i for i, d in enumerate(DAYS)},
    **{
        name: i
        for i, names in enumerate(
            (
                ("monday", "mo"),
                ("tuesday", "tues", "tu"),
                ("wednesday", "we"),
                ("thursday", "thur", "thurs", "th"),
                ("friday", "fr"),
                ("saturday", "sa"),
                ("sunday", "su"),
            )
        )
        for name in names
    },
}
_CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})$")
_WINDOW = re.compile(r"^(?P<days>.*?)\s*(?P<start>\d{1,2}[:.h]\d{2})\s*-\s*(?P<end>\d{1,2}[:.h]\d{2})$")


class Refusal(str):
    """A refusal of the solver or the planner: its English text as a `str` (so that it reads, joins and
    logs as it always did, and a `ProblemError` carries it unchanged), and its catalog `Message`, so that
    whoever shows it renders it in the reader's language (`text_in(problem, language)`)."""

    message: Message | str

    def __new__(cls, message: Message | str) -> Refusal:
        refusal = super().__new__(cls, str(message))
        refusal.message = message
        return refusal

    def __reduce__(self) -> tuple[type[Refusal], tuple[Message | str]]:  # pickled across the task queue
        return (Refusal, (self.message,))


@dataclass(frozen=True)
class Joined(Message):
    """Texts (catalog `Message`s or names) joined by a separator once their language is known: the
    reasons of a refusal, `; `-separated. A placeholder of a `lazy_gettext` like any `Message`."""

    parts: Sequence[Message | str] = ()
    separator: str | None = "; "  # None: as the language lists things ("a, b and c", "a, b y c")

    def render(self, language: str) -> str:
        from bot.i18n.formatting import format_list

        texts = [text_in(p, language) if isinstance(p, str) else p.render(language) for p in self.parts]
        return format_list(texts, language) if self.separator is None else self.separator.join(texts)


def joined(parts: Sequence[Message | str], separator: str | None = "; ") -> Joined:
    return Joined("", parts=tuple(parts), separator=separator)


def lazy(text: str) -> Message | str:
    """What to pass as a placeholder of a `lazy_gettext` for a text that may be a `Refusal`: its
    `Message`, rendered in the same language as the sentence around it."""
    return text.message if isinstance(text, Refusal) else text


def text_in(text: str, language: str) -> str:
    """A refusal (or a plain text, as it is) in `language`."""
    if isinstance(text, Refusal) and isinstance(text.message, Message):
        return text.message.render(language)
    return str(text)


def _days_hint() -> Message:
    return lazy_gettext("write days as mon … sun, a list like mon,wed,fri, a range like mon-fri (or sat-mon), or daily")


def _windows_hint() -> Message:
    return lazy_gettext(
        "write windows like `mon-fri 18:00-22:00; sat` (`;` between windows, a day alone for the whole day)"
    )


DAYS_HINT = str(_days_hint())
WINDOWS_HINT = str(_windows_hint())


class TimedError(ProblemError):
    """A day, time or window that cannot be read; the message says what is wrong and how to write it."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(Refusal(message))


def _day(name: str, whole: str) -> int:
    key = name.strip().lower()
    if key not in _DAY_NAMES:
        raise TimedError(
            lazy_gettext(
                "{name} in {text} is not a day: {hint}",
                name=repr(name.strip()),
                text=repr(whole.strip()),
                hint=_days_hint(),
            )
        )
    return _DAY_NAMES[key]


def parse_days(text: str) -> tuple[int, ...]:
    """Sorted unique day indexes (0 = Monday) of `mon`, `mon,wed,fri`, `mon-fri`, `sat-mon`, `daily`."""
    whole = text.strip()
    if not whole:
        raise TimedError(lazy_gettext("no day given: {hint}", hint=_days_hint()))
    found: set[int] = set()
    for part in re.split(r"[,;/\s]+", re.sub(r"\s*-\s*", "-", whole.lower())):
        part = part.strip()
        if not part:
            continue
        if part in ("daily", "everyday"):
            found.update(range(7))
        elif "-" in part:
            first, _, last = part.partition("-")
            start, end = _day(first, whole), _day(last, whole)
            found.update((start + i) % 7 for i in range((end - start) % 7 + 1))
        else:
            found.add(_day(part, whole))
    if not found:
        raise TimedError(lazy_gettext("no day given in {text}: {hint}", text=repr(whole), hint=_days_hint()))
    return tuple(sorted(found))


def parse_clock(text: str, *, allow_end_of_day: bool = False) -> int:
    """Minutes since midnight of `HH:MM` (or `H:MM`); `24:00` only when it may be the end of a day."""
    raw = text.strip()
    match = _CLOCK.match(raw)
    if not match:
        raise TimedError(
            lazy_gettext("{time} is not a time: write it as HH:MM, 24-hour, like 09:00 or 18:30", time=repr(raw))
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes == 0 and allow_end_of_day:
        return DAY_MINUTES
    if hours > 23 or minutes > 59:
        latest = "24:00" if allow_end_of_day else "23:59"
        raise TimedError(
            lazy_gettext("{time} is not a time of day: hours go from 00:00 to {latest}", time=repr(raw), latest=latest)
        )
    return 60 * hours + minutes


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Week-minute intervals [a, b) wrapped into the week, split at Monday 00:00, sorted and merged."""
    pieces: list[tuple[int, int]] = []
    for start, end in intervals:
        if end - start >= WEEK_MINUTES:
            return ((0, WEEK_MINUTES),)
        a, b = start % WEEK_MINUTES, start % WEEK_MINUTES + (end - start)
        if b > WEEK_MINUTES:
            pieces += [(a, WEEK_MINUTES), (0, b - WEEK_MINUTES)]
        elif b > a:
            pieces.append((a, b))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(pieces):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def parse_windows(text: str) -> tuple[tuple[int, int], ...] | None:
    """The union of `;`-separated windows as merged week-minute intervals; '' means any time (None)."""
    if not text.strip():
        return None
    intervals: list[tuple[int, int]] = []
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        match = _WINDOW.match(item)
        try:
            if match:
                if not match.group("days").strip():
                    raise TimedError(
                        lazy_gettext("the window {window} has no day: {hint}", window=repr(item), hint=_windows_hint())
                    )
                days = parse_days(match.group("days"))
                start = parse_clock(match.group("start"))
                end = parse_clock(match.group("end"), allow_end_of_day=True)
                length = end - start if end > start else end + DAY_MINUTES - start
            else:
                if re.search(r"\d", item):
                    raise TimedError(
                        lazy_gettext("cannot read the window {window}: {hint}", window=repr(item), hint=_windows_hint())
                    )
                days, start, length = parse_days(item), 0, DAY_MINUTES
        except TimedError as error:
            if "window" in str(error):
                raise
            raise TimedError(
                lazy_gettext("{problem}; {hint}", problem=lazy(error.problems[0]), hint=_windows_hint())
            ) from None
        intervals += [(day * DAY_MINUTES + start, day * DAY_MINUTES + start + length) for day in days]
    if not intervals:
        raise TimedError(
            lazy_gettext(
                "no window in {text}: {hint}, or leave it empty for any time",
                text=repr(text.strip()),
                hint=_windows_hint(),
            )
        )
    return merge_intervals(intervals)


def format_clock(minutes: int) -> str:
    """`HH:MM` of minutes since a midnight (past midnight counts on: 1500 → 01:00)."""
    minutes %= DAY_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_days(days: Iterable[int]) -> str:
    """Day indexes back to the contract's syntax: `mon-fri`, `mon,wed,fri`, `daily`, `sat-sun`."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in chosen:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # a run over Sunday night: sat-mon
        runs[0] = runs.pop() + runs[0]
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAYS[run[0]]}-{DAYS[run[-1]]}")
        else:
            parts += [DAYS[d] for d in run]
    return ",".join(parts)


def format_span(start: int, end: int) -> str:
    """A week-minute interval for people: `sat 09:00–13:00` (an end at midnight reads 24:00)."""
    day = (start // DAY_MINUTES) % 7
    last = "24:00" if end % DAY_MINUTES == 0 and 0 < end - start <= DAY_MINUTES else format_clock(end)
    return f"{DAYS[day]} {format_clock(start)}–{last}"


def format_windows(windows: tuple[tuple[int, int], ...] | None) -> str:
    """Merged windows back to the contract's syntax (`mon-fri 18:00-22:00; sat`); '' for any time."""
    if windows is None:
        return ""
    by_hours: dict[str, list[int]] = {}  # the hours of a day ('' = the whole day) -> the days
    for start, end in windows:
        cursor = start
        while cursor < end:
            day = cursor // DAY_MINUTES
            day_end = min(end, (day + 1) * DAY_MINUTES)
            if cursor % DAY_MINUTES == 0 and day_end - cursor == DAY_MINUTES:
                hours = ""
            else:
                last = "24:00" if day_end % DAY_MINUTES == 0 else format_clock(day_end)
                hours = f"{format_clock(cursor)}-{last}"
            by_hours.setdefault(hours, []).append(day % 7)
            cursor = day_end
    return "; ".join(f"{format_days(days)} {hours}".strip() for hours, days in by_hours.items())


def without_days(windows: tuple[tuple[int, int], ...] | None, days: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """The windows less whole days (a member away on those days of the week planned)."""
    gone = sorted(set(days))
    current = list(windows) if windows is not None else [(0, WEEK_MINUTES)]
    for day in gone:
        cut_a, cut_b = day * DAY_MINUTES, (day + 1) * DAY_MINUTES
        kept: list[tuple[int, int]] = []
        for a, b in current:
            if b <= cut_a or a >= cut_b:
                kept.append((a, b))
                continue
            if a < cut_a:
                kept.append((a, cut_a))
            if b > cut_b:
                kept.append((cut_b, b))
        current = kept
    return merge_intervals(current)
