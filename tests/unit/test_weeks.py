"""Weeks, availability and the balancing's reasons: the rota's pure rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.domain.errors import BadInput
from bot.domain.rota import MemberInfo, available_hours, reason
from bot.domain.schedule import zone
from bot.domain.solver.model import Task
from bot.domain.weeks import (
    WEEKS_AHEAD,
    parse_week,
    previous_weeks,
    target_week,
    week_days,
    week_name,
    week_published_at,
    week_to_publish,
)


def test_a_monday_publication_is_for_its_own_week_any_other_day_for_the_next() -> None:
    assert week_published_at(datetime(2026, 11, 30, 9, 0)) == "2026-W49"  # a Monday
    assert week_published_at(datetime(2026, 12, 2, 9, 0)) == "2026-W50"  # Wednesday: the coming Monday's week
    assert week_published_at(datetime(2026, 12, 6, 23, 59)) == "2026-W50"  # Sunday night
    assert week_published_at(datetime(2026, 12, 28, 9, 0)) == "2026-W53"  # 2026 has 53 ISO weeks


def test_weeks_parse_and_span_monday_to_sunday() -> None:
    assert parse_week(" 2026-w48 ") == "2026-W48"
    assert week_days("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))  # ISO week 1 starts in December
    assert previous_weeks("2026-W02", 3) == ["2025-W51", "2025-W52", "2026-W01"]
    with pytest.raises(BadInput, match="ISO week"):
        parse_week("last week")
    with pytest.raises(BadInput, match="does not exist"):
        parse_week("2025-W53")  # 2025 has 52


def member(hours: float, *away: tuple[date, date]) -> MemberInfo:
    return MemberInfo(1, "ana", hours, away=away)


def test_available_hours_drop_by_the_days_away_in_the_week() -> None:
    week = "2026-W49"  # Mon 30 Nov – Sun 6 Dec
    assert available_hours(member(14), week) == 14
    assert available_hours(member(14, (date(2026, 11, 20), date(2026, 12, 1))), week) == 10  # Mon–Tue away
    assert available_hours(member(14, (date(2026, 12, 6), date(2026, 12, 20))), week) == 12  # Sunday away
    # Overlapping periods count each day once; a whole week away leaves nothing.
    overlapping = member(14, (date(2026, 11, 30), date(2026, 12, 3)), (date(2026, 12, 2), date(2026, 12, 4)))
    assert available_hours(overlapping, week) == 4
    assert available_hours(member(14, (date(2026, 11, 1), date(2026, 12, 31))), week) == 0
    assert available_hours(member(10, (date(2026, 12, 7), date(2026, 12, 9))), week) == 10  # next week's trip


def test_reason_names_the_balancing_only_when_it_explains_the_task() -> None:
    dishes = Task("t1", 3, desirability=1, empowerment=1)
    chairing = Task("t2", 2, desirability=9, empowerment=9)
    middling = Task("t3", 2, desirability=5, empowerment=5)
    tasks = [dishes, chairing, middling, Task("t4", 2, desirability=6, empowerment=6)]
    assert reason(dishes, None, tasks) == ""  # no history: nothing to explain
    assert "mostly pleasant work" in reason(dishes, (1.0, 0.8, 1.0), tasks)
    assert "more than your share of unpleasant work" in reason(chairing, (1.0, 1.2, 1.0), tasks)
    assert "little empowering work" in reason(chairing, (1.0, 1.0, 0.8), tasks)
    assert "more than your share of empowering work" in reason(dishes, (1.0, 1.0, 1.2), tasks)
    assert reason(middling, (1.0, 1.0, 1.0), tasks) == ""  # fair so far: no reason to give


# -- which week a publication, a preview or `/mod rota publish [week]` is about ----------------------

BERLIN = "Europe/Berlin"


def utc(*args: int) -> datetime:
    from datetime import UTC

    return datetime(*args, tzinfo=UTC)


def test_the_reported_sunday_in_berlin_previews_and_publishes_week_49() -> None:
    # Sunday 29 Nov 2026, 15:00 in Berlin: preview showed W49 and publish published W48 (ending that
    # day). Now both, and the scheduler, name the week that starts tomorrow.
    now = utc(2026, 11, 29, 14, 0)
    assert week_to_publish(now, BERLIN) == "2026-W49"
    assert target_week(None, now, BERLIN) == target_week("next", now, BERLIN) == "2026-W49"
    assert week_published_at(now.astimezone(zone(BERLIN))) == "2026-W49"
    assert week_name("2026-W49", date(2026, 11, 29)) == "week 49, Mon 30 Nov – Sun 6 Dec"


def test_late_sunday_utc_is_already_monday_in_berlin() -> None:
    now = utc(2026, 11, 29, 23, 30)  # 00:30 Monday in Berlin: the week starting today
    assert week_to_publish(now, BERLIN) == "2026-W49"
    assert week_to_publish(now, "America/New_York") == "2026-W49"  # 18:30 Sunday there: tomorrow's
    assert target_week("this", now, BERLIN) == "2026-W49"
    assert target_week("this", now, "America/New_York") == "2026-W48"


def test_a_monday_publishes_its_own_week_a_tuesday_the_next() -> None:
    assert target_week(None, utc(2026, 11, 30, 8), BERLIN) == "2026-W49"
    assert target_week(None, utc(2026, 12, 1, 8), BERLIN) == "2026-W50"
    assert target_week("this", utc(2026, 12, 1, 8), BERLIN) == "2026-W49"


def test_explicit_weeks_in_every_spelling() -> None:
    now = utc(2026, 11, 29, 14, 0)
    for text in ("2026-W49", "2026-w49", "2026W49", "W49", "w49", "49", " 49 "):
        assert target_week(text, now, BERLIN) == "2026-W49", text
    assert target_week("this", now, BERLIN) == "2026-W48"  # ends today: still allowed on purpose


def test_the_turn_of_the_year_uses_the_iso_year() -> None:
    now = utc(2026, 12, 30, 12)  # Wednesday of 2026-W53
    assert week_to_publish(now, "UTC") == "2027-W01"
    assert week_name("2027-W01", date(2026, 12, 30)) == "week 1, Mon 4 Jan – Sun 10 Jan 2027"
    assert target_week("53", now, "UTC") == "2026-W53"


def test_bad_weeks_are_refused_with_examples() -> None:
    now = utc(2026, 11, 29, 14, 0)
    for text in ("last week", "2026-W", "W", "next next", "2026-49"):
        with pytest.raises(BadInput, match="`2026-W49`"):
            target_week(text, now, BERLIN)
    with pytest.raises(BadInput, match="not a week of the calendar"):
        target_week("2025-W53", utc(2025, 12, 1), "UTC")
    with pytest.raises(BadInput, match="not a week of the calendar"):
        target_week("60", now, BERLIN)


def test_ended_weeks_and_far_weeks_are_refused() -> None:
    now = utc(2026, 11, 30, 8)  # Monday of W49: W48 ended yesterday
    with pytest.raises(BadInput, match="week 48, Mon 23 Nov – Sun 29 Nov 2026 is over"):
        target_week("48", now, BERLIN)
    assert WEEKS_AHEAD == 4
    assert target_week("53", now, BERLIN) == "2026-W53"  # four weeks ahead
    with pytest.raises(BadInput, match="too far ahead"):
        target_week("2027-W01", now, BERLIN)
