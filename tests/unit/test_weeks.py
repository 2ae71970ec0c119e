"""Weeks, availability and the balancing's reasons: the rota's pure rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.errors import BadInput
from bot.rota import (
    MemberInfo,
    available_hours,
    parse_week,
    previous_weeks,
    reason,
    week_days,
    week_published_at,
)
from bot.solver.model import Task


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
