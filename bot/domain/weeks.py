"""The week calendar: ISO weeks ("2026-W49"), their days, which week a publication or a moderator's
word ("next", "49") means, and when a week ends, in the organization's timezone. Plain Python."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.errors import BadInput
from bot.domain.schedule import zone
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext, worded
from bot.i18n.formatting import weekday_day

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str) -> str:
    match = WEEK_PATTERN.match(text.strip().upper())
    if not match:
        raise BadInput(lazy_gettext("`{text}` is not a week; write it as an ISO week like 2026-W48.", text=text))
    try:
        date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise BadInput(lazy_gettext("{text} does not exist.", text=text)) from None
    return f"{match.group(1)}-W{match.group(2)}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_days(week: str) -> tuple[date, date]:
    monday = week_start(week)
    return monday, monday + timedelta(days=6)


def previous_weeks(week: str, count: int) -> list[str]:
    monday = week_start(week)
    return [iso_week(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]


def week_published_at(local: datetime) -> str:
    """THE rule for "which week": a publication at this local time is for the week starting on the
    coming Monday, or for this week when published on a Monday. The scheduler, `/mod rota preview`
    and `/mod rota publish` all use it (through `week_to_publish` or directly)."""
    return iso_week(local.date() + timedelta(days=(7 - local.weekday()) % 7))


def local_date(now: datetime, tz_name: str) -> date:
    return now.astimezone(zone(tz_name)).date()


def week_to_publish(now: datetime, tz_name: str) -> str:
    """The week a publication now (a UTC time) is for, in the organization's timezone."""
    return week_published_at(now.astimezone(zone(tz_name)))


def week_number(week: str) -> int:
    return int(week.split("-W")[1])


def week_name(week: str, today: date | None = None, language: str = SOURCE_LANGUAGE) -> str:
    """A week as people say it: "week 49, Mon 30 Nov – Sun 6 Dec" ("semana 49, lun 30 nov – dom 6 dic")
    (the year is added when the week is not in `today`'s year, or when `today` is not given)."""
    first, last = week_days(week)
    with_year = not (today is not None and first.year == last.year == today.year)
    if language == SOURCE_LANGUAGE:
        year = f" {last.year}" if with_year else ""
        return f"week {week_number(week)}, {first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b}{year}"
    start, end = weekday_day(first, language), weekday_day(last, language)
    if with_year:
        return gettext(
            language, "week {number}, {first} – {last} {year}", number=week_number(week), first=start, last=end,
            year=last.year,
        )  # fmt: skip
    return gettext(language, "week {number}, {first} – {last}", number=week_number(week), first=start, last=end)


WEEKS_AHEAD = 4  # how far ahead a moderator may publish by hand
WEEK_EXAMPLES = "`next`, `this`, `49`, `W49` or `2026-W49`"
WEEK_EXAMPLES_WORDS = lazy_gettext("`next`, `this`, `49`, `W49` or `2026-W49`")  # in refusals, in the reader's words


def target_week(text: str | None, now: datetime, tz_name: str) -> str:
    """The week `/mod rota publish|preview [week]` means: nothing or `next` = the week a publication
    now is for (`week_to_publish`); `this` = the week it is now; `49`/`W49` = that week of the current
    ISO year; `2026-W49` = that week. Refused (`BadInput`, with examples): what is not a week, a week
    that has ended (its history is written: publishing or replacing it would rewrite the balance
    the next weeks are built on), and a week more than `WEEKS_AHEAD` weeks ahead."""
    today = local_date(now, tz_name)
    wanted = (text or "").strip().upper().replace(" ", "")
    if wanted in ("", "NEXT"):
        return week_to_publish(now, tz_name)
    if wanted in ("THIS", "CURRENT", "NOW"):
        return iso_week(today)
    short = re.match(r"^W?(\d{1,2})$", wanted)
    if short:
        wanted = f"{today.isocalendar()[0]}-W{int(short.group(1)):02d}"
    elif re.match(r"^\d{4}-?W\d{1,2}$", wanted):
        year, number = re.split(r"-?W", wanted)
        wanted = f"{year}-W{int(number):02d}"
    else:
        raise BadInput(
            lazy_gettext(
                "`{text}` is not a week I understand. Write one of {examples}.", text=text, examples=WEEK_EXAMPLES_WORDS
            )
        )
    try:
        week = parse_week(wanted)
    except BadInput:
        raise BadInput(
            lazy_gettext(
                "`{text}` is not a week of the calendar. Write one of {examples}.",
                text=text,
                examples=WEEK_EXAMPLES_WORDS,
            )
        ) from None
    first, last = week_days(week)
    if last < today:
        raise BadInput(
            lazy_gettext(
                "{week} is over: a past week's rota stays as it was. Publish this week (`this`) or a coming one "
                "(`next`).",
                week=worded(lambda language: week_name(week, language=language)),
            )
        )
    if first > today + timedelta(weeks=WEEKS_AHEAD):
        raise BadInput(
            lazy_gettext(
                "{week} is too far ahead: publish at most {count} weeks ahead (the rota is balanced on the weeks "
                "before it).",
                week=worded(lambda language: week_name(week, language=language)),
                count=WEEKS_AHEAD,
            )
        )
    return week


def week_end(week: str, tz_name: str) -> datetime:
    """The moment the week is over: the Monday after it, 00:00 local, in UTC."""
    monday = week_days(week)[1] + timedelta(days=1)
    return datetime.combine(monday, time(0), tzinfo=zone(tz_name)).astimezone(UTC)
