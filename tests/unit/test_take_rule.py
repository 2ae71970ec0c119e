"""THE rule for "can this member take this piece": swaps, claims and the claim offer's list use it."""

from __future__ import annotations

from datetime import date

from bot.domain.holdings import Candidate, Shift, why_not_take
from bot.domain.rota import MemberInfo, TaskInfo, solver_inputs
from bot.domain.solver.timed import parse_windows

WEEK = "2026-W50"  # Mon 7 Dec – Sun 13 Dec 2026
STALL = TaskInfo(1, "Stall", 4, 1, False, 1, None, (), None, (5,), 9 * 60)
SATURDAY_MORNING = Shift("Stall", 5, 9 * 60, 13 * 60)
ZONE = "Europe/Berlin"  # the organization's: named in the refusals with times


def candidate(windows: str = "", *, hours: float = 10, held: float = 0, away=(), shifts=(), quals=()) -> Candidate:
    member = MemberInfo(7, "Bea", hours, frozenset(quals), tuple(away), parse_windows(windows))
    return Candidate(member, held, frozenset(), tuple(shifts))


def test_a_member_free_at_that_time_can_take_it():
    assert why_not_take(candidate("sat 08:00-14:00"), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) is None
    assert why_not_take(candidate(), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) is None  # no windows: any time


def test_outside_the_windows_names_them():
    reason = why_not_take(candidate("mon-fri 18:00-22:00"), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE, you=False)
    assert reason == (
        "they are not available on Saturday 09:00–13:00 (Europe/Berlin): their times are Mondays to Fridays 18:00–22:00"
    )
    # half inside is not enough: the whole piece
    assert why_not_take(candidate("sat 10:00-14:00"), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) is not None


def test_a_clash_with_their_other_shift_names_it():
    other = Shift("Cafe", 5, 12 * 60, 15 * 60)
    assert why_not_take(candidate(shifts=[other]), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) == (
        "it clashes with your Cafe shift on Saturday 12:00–15:00 (Europe/Berlin)"
    )
    touching = Shift("Cafe", 5, 13 * 60, 15 * 60)
    assert why_not_take(candidate(shifts=[touching]), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) is None


def test_away_on_the_day_or_the_whole_week():
    saturday = date(2026, 12, 12)
    assert why_not_take(candidate(away=[(saturday, saturday)]), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) == (
        "you are away on Saturday"
    )
    week = (date(2026, 12, 1), date(2026, 12, 20))
    assert (
        why_not_take(candidate(away=[week]), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) == "you are away that week"
    )


def test_qualification_and_hours_come_first():
    driving = TaskInfo(2, "Van", 4, 1, False, 1, "driver", (), None, (5,), 9 * 60)
    assert why_not_take(candidate(), driving, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) == "it needs `driver`"
    assert "it would make 12 h of your 10 h" in (
        why_not_take(candidate(held=8), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE) or ""
    )


def test_a_shift_past_sunday_midnight_wraps_to_monday_morning():
    late = Shift("Night", 6, 22 * 60, 26 * 60)
    assert why_not_take(candidate("sun 20:00-24:00; mon 00:00-03:00"), STALL, 4, WEEK, late, tz_name=ZONE) is None
    assert why_not_take(candidate("sun 20:00-24:00"), STALL, 4, WEEK, late, tz_name=ZONE) is not None


def test_the_solver_gets_the_times_and_windows_less_the_days_away():
    saturday = date(2026, 12, 12)
    member = MemberInfo(7, "Bea", 10, frozenset(), ((saturday, saturday),), parse_windows("fri-sat 08:00-20:00"))
    inputs = solver_inputs(WEEK, [STALL], [member], [])
    assert inputs.tasks[0].day == (5,) and inputs.tasks[0].start == 540
    assert inputs.members[0].windows == ((4 * 1440 + 480, 4 * 1440 + 1200),)
