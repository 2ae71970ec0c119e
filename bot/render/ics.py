"""Members' shifts as an iCalendar file (`/calendar show`, the calendar feeds), written with the
`icalendar` library. Plain Python: no Discord, no database.

A shift at a set time is an event in the organization's timezone (with its VTIMEZONE, so calendar
apps get DST right); flexible work is one all-day item on the week's Monday ("Bookkeeping, 2 h this
week"). Each item's UID comes from what it is (organization, week, task, day, start, and which of
identical slots), never from database ids that a re-publication renews: calendar apps update the
event instead of adding a second one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar

from bot.domain.schedule import zone
from bot.domain.solver.model import hours_in
from bot.i18n import SOURCE_LANGUAGE, gettext

PRODID = "-//parecon-rota//shifts//EN"
UID_DOMAIN = "parecon-rota"


@dataclass(frozen=True)
class CalendarItem:
    """One line of someone's week: a shift (start and end, UTC) or flexible work (no start)."""

    key: str  # what makes it this item: stable across re-publications (see `item_key`)
    task: str
    hours: float
    week: str
    monday: date
    start: datetime | None = None
    end: datetime | None = None
    who: str = ""  # the holder's name, in an organization-wide calendar
    description: str = ""


def item_key(org_id: int, week: str, task_id: int, day: int | None, start: int | None, index: int, member: int) -> str:
    """A UID's stable part: a shift is the task's slot at that time (`index` tells identical slots
    apart), so it stays one event when it changes hands; flexible work is the member's share."""
    if day is None or start is None:
        return f"org{org_id}-{week}-task{task_id}-member{member}"
    return f"org{org_id}-{week}-task{task_id}-d{day}-m{start}-n{index}"


def calendar_bytes(
    name: str, tz_name: str, items: Sequence[CalendarItem], now: datetime, language: str = SOURCE_LANGUAGE
) -> bytes:
    """The whole calendar: events in `tz_name` (the organization's), all-day items for flexible work,
    their words in `language`."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    local = zone(tz_name)
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.key}@{UID_DOMAIN}")
        event.add("dtstamp", now)
        who = f" ({item.who})" if item.who else ""
        if item.start is not None and item.end is not None:
            event.add("summary", f"{item.task}{who}")
            event.add("dtstart", item.start.astimezone(local))
            event.add("dtend", item.end.astimezone(local))
        else:
            flexible = gettext(
                language, "{task}, {hours} h this week", task=item.task, hours=hours_in(item.hours, language)
            )
            event.add("summary", f"{flexible}{who}")
            event.add("dtstart", item.monday)
            event.add("dtend", item.monday + timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # flexible work does not make anyone busy on Monday
        if item.description:
            event.add("description", item.description)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
