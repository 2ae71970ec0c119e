"""Weekly publication times in an organization's own timezone, and which runs are due."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger

from bot.domain.errors import BadInput
from bot.i18n import lazy_gettext

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # as people write them
CATCH_UP_WINDOW = timedelta(days=6)  # a run missed while down is made up if its cycle is not over


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            lazy_gettext("`{name}` is not a timezone I know. Pick one from the list, e.g. `Europe/Berlin`.", name=name)
        ) from None


@functools.cache
def timezone_names() -> list[str]:
    # available_timezones() reads the zone database from disk: once per process, not per keystroke.
    return sorted(available_timezones())


def next_publication(now: datetime, tz_name: str, weekday: int, at: time) -> datetime:
    """The first moment strictly after `now` that falls on `weekday` at `at` local time, in UTC.

    Wall-clock based, so it stays at 09:00 local across daylight-saving changes.
    """
    tz = zone(tz_name)
    local_now = now.astimezone(tz)
    days_ahead = (weekday - local_now.weekday()) % 7
    candidate_day = local_now.date() + timedelta(days=days_ahead)
    candidate = datetime.combine(candidate_day, at, tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(candidate_day + timedelta(days=7), at, tzinfo=tz)
    return candidate.astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    org_id: int
    timezone: str
    day: int
    at: time
    since: datetime | None = None  # when this schedule took effect (and the organization existed)

    def trigger(self) -> CronTrigger:
        return CronTrigger(
            day_of_week=WEEKDAYS[self.day], hour=self.at.hour, minute=self.at.minute, timezone=zone(self.timezone)
        )


def last_due(schedule: Schedule, now: datetime) -> datetime | None:
    """The most recent scheduled time at or before `now`."""
    trigger = schedule.trigger()
    start = now - timedelta(days=8)
    previous, current = None, trigger.get_next_fire_time(None, start)
    while current is not None and current <= now:
        previous, current = current, trigger.get_next_fire_time(current, current + timedelta(seconds=1))
    return previous


def missed_runs(schedules: Iterable[Schedule], now: datetime, down_since: datetime | None = None) -> list[int]:
    """Organizations whose last scheduled run is to be caught up: it fell in the catch-up window,
    while the bot was down (after `down_since`, the last time it was known to be running), and
    once the organization and its current schedule existed. A run that did happen is skipped by the
    publisher anyway (the week is out)."""
    return [s.org_id for s in schedules if (due := last_due(s, now)) is not None and missed(s, due, now, down_since)]


def missed(schedule: Schedule, due: datetime, now: datetime, down_since: datetime | None) -> bool:
    if now - due > CATCH_UP_WINDOW:
        return False
    if schedule.since is not None and due < schedule.since:
        return False  # before the organization or this schedule existed: nobody scheduled it
    return down_since is None or due > down_since
