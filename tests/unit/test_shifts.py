"""The bot's words for work at set times, and when a week's shift really is (DST included)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

from bot.domain.errors import BadInput
from bot.domain.shifts import (
    TaskTime,
    days_words,
    local_moment,
    parse_member_windows,
    parse_when,
    shift_moments,
    when_words,
    windows_words,
)
from bot.render.ics import CalendarItem, calendar_bytes, item_key


def test_when_reads_days_and_a_start_or_a_dash_for_any_time():
    assert parse_when("sat 09:00") == TaskTime((5,), 540)
    assert parse_when("mon-fri 14:00") == TaskTime((0, 1, 2, 3, 4), 840)
    assert parse_when("tue,thu 18:30") == TaskTime((1, 3), 1110)
    assert parse_when("-") == TaskTime() and not parse_when("none").timed
    assert parse_when("sat 09:00").stored() == ("sat", 540)
    assert parse_when("-").stored() == (None, None)
    for bad, words in (("sat", "needs the days and the time"), ("sat 9", "is not a time"), ("xyz 09:00", "not a day")):
        with pytest.raises(BadInput, match=words) as refused:
            parse_when(bad)
        assert "`when:sat 09:00`" in str(refused.value)


def test_days_and_times_in_words():
    assert days_words((5,)) == "Saturdays"
    assert days_words(range(5)) == "Mondays to Fridays"
    assert days_words((1, 3)) == "Tuesdays and Thursdays"
    assert days_words((0, 2, 4)) == "Mondays, Wednesdays and Fridays"
    assert days_words(range(7)) == "every day"
    assert when_words(TaskTime((5,), 540), 4) == "Saturdays 09:00–13:00"
    assert when_words(TaskTime((4,), 22 * 60), 4) == "Fridays 22:00–02:00 (next day)"
    assert when_words(TaskTime((4,), 20 * 60), 4) == "Fridays 20:00–24:00"
    assert when_words(TaskTime(), 2) == "any time in the week"
    assert windows_words(parse_member_windows("mon-fri 18:00-22:00; sat-sun")) == (
        "Mondays to Fridays 18:00–22:00; Saturdays and Sundays (all day)"
    )
    assert windows_words(None) == "any time"
    with pytest.raises(BadInput, match="`windows:mon-fri 18:00-22:00; sat-sun`"):
        parse_member_windows("evenings")


def test_a_shift_is_at_its_wall_clock_time_on_both_sides_of_a_dst_change():
    # Europe/Berlin moves to summer time on Sunday 28 March 2027 (week 2027-W12).
    saturday = local_moment("2027-W12", 5, 9 * 60, "Europe/Berlin")
    sunday = local_moment("2027-W12", 6, 9 * 60, "Europe/Berlin")
    assert saturday == datetime(2027, 3, 27, 8, tzinfo=UTC)  # CET, UTC+1
    assert sunday == datetime(2027, 3, 28, 7, tzinfo=UTC)  # CEST, UTC+2
    start, end = shift_moments("2026-W49", 6, 22 * 60, 26 * 60, "UTC")  # Sunday night into Monday
    assert (start, end) == (datetime(2026, 12, 6, 22, tzinfo=UTC), datetime(2026, 12, 7, 2, tzinfo=UTC))


def test_the_calendar_file_has_shifts_in_the_local_zone_and_flexible_work_all_day_on_monday():
    monday = date(2026, 11, 30)
    shift = CalendarItem(
        item_key(1, "2026-W49", 7, 5, 540, 0, 3), "Stall", 4, "2026-W49", monday,
        datetime(2026, 12, 5, 8, tzinfo=UTC), datetime(2026, 12, 5, 12, tzinfo=UTC),
    )  # fmt: skip
    books = CalendarItem(item_key(1, "2026-W49", 8, None, None, 0, 3), "Bookkeeping", 2, "2026-W49", monday)
    content = calendar_bytes("Bakery: Bea", "Europe/Berlin", [shift, books], datetime(2026, 11, 30, tzinfo=UTC))
    parsed = icalendar.Calendar.from_ical(content)
    assert [str(z["tzid"]) for z in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    stall = events["Stall"]
    assert stall.decoded("dtstart").isoformat() == "2026-12-05T09:00:00+01:00"
    assert stall["dtstart"].params["TZID"] == "Europe/Berlin"
    assert events["Bookkeeping, 2 h this week"].decoded("dtstart") == monday
    # The shift's UID is its slot, not its holder: it stays one event when it changes hands.
    assert item_key(1, "2026-W49", 7, 5, 540, 0, 3) == item_key(1, "2026-W49", 7, 5, 540, 0, 4)
    assert item_key(1, "2026-W49", 8, None, None, 0, 3) != item_key(1, "2026-W49", 8, None, None, 0, 4)
    # A calendar app asks in no language: the file is in the member's (or the organization's).
    half = CalendarItem(item_key(1, "2026-W49", 9, None, None, 0, 3), "Buchhaltung", 2.5, "2026-W49", monday)
    german = icalendar.Calendar.from_ical(calendar_bytes("Bäckerei: Bea", "Europe/Berlin", [half], monday, "de"))
    assert [str(e["summary"]) for e in german.walk("VEVENT")] == ["Buchhaltung, 2,5 h diese Woche"]
