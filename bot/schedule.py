"""Weekly publication times in an organization's own timezone."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import BadInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"`{name}` is not a timezone I know. Pick one from the list, e.g. `Europe/Berlin`.") from None


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
