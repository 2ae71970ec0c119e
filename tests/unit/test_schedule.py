"""When a weekly publication is due, across daylight-saving changes, and which missed runs are made up."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain.schedule import CATCH_UP_WINDOW, Schedule, last_due, missed_runs, next_publication

BERLIN_MONDAY_9 = Schedule(1, "Europe/Berlin", 0, time(9, 0))


def test_last_due_keeps_the_local_time_across_daylight_saving() -> None:
    # Berlin leaves summer time on Sunday 2026-10-25: Monday 09:00 is 07:00 UTC before, 08:00 after.
    assert last_due(BERLIN_MONDAY_9, datetime(2026, 10, 20, tzinfo=UTC)) == datetime(2026, 10, 19, 7, tzinfo=UTC)
    assert last_due(BERLIN_MONDAY_9, datetime(2026, 10, 26, 7, 59, tzinfo=UTC)) == datetime(
        2026, 10, 19, 7, tzinfo=UTC
    )  # 08:59 local: this Monday's run is not due yet
    assert last_due(BERLIN_MONDAY_9, datetime(2026, 10, 26, 8, 0, tzinfo=UTC)) == datetime(2026, 10, 26, 8, tzinfo=UTC)


def test_next_publication_is_strictly_after_now_in_local_wall_time() -> None:
    at_nine = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # exactly 09:00 in Berlin
    assert next_publication(at_nine, "Europe/Berlin", 0, time(9)) == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert next_publication(at_nine, "UTC", 2, time(18, 30)) == datetime(2026, 10, 28, 18, 30, tzinfo=UTC)


def test_missed_runs_are_those_whose_cycle_is_not_over() -> None:
    due = datetime(2026, 11, 30, 9, tzinfo=UTC)
    utc_monday = Schedule(7, "UTC", 0, time(9))
    assert missed_runs([utc_monday], due + timedelta(hours=5)) == [7]  # down over 09:00, back at 14:00
    assert missed_runs([utc_monday], due + CATCH_UP_WINDOW) == [7]
    assert missed_runs([utc_monday], due + CATCH_UP_WINDOW + timedelta(minutes=1)) == []  # too late: skipped
    friday = Schedule(8, "UTC", 4, time(9))
    assert missed_runs([utc_monday, friday], due + timedelta(hours=1)) == [7, 8]  # Friday's ran 3 days ago


def test_a_run_before_the_organization_or_its_schedule_existed_is_not_caught_up() -> None:
    due = datetime(2026, 11, 30, 9, tzinfo=UTC)
    back = due + timedelta(hours=5)
    set_up_after = Schedule(7, "UTC", 0, time(9), since=due + timedelta(minutes=1))  # set up at 09:01
    assert missed_runs([set_up_after], back) == []
    # Set up ten minutes ago for yesterday (Sunday) at the time it was: yesterday's slot was not its own.
    yesterday_now = Schedule(7, "UTC", 6, time(13, 50), since=back - timedelta(minutes=10))
    assert missed_runs([yesterday_now], back) == []
    set_up_before = Schedule(7, "UTC", 0, time(9), since=due - timedelta(days=1))
    assert missed_runs([set_up_before], back) == [7]  # one set up the day before the run is due


def test_only_a_run_that_fell_while_the_bot_was_down_is_caught_up() -> None:
    due = datetime(2026, 11, 30, 9, tzinfo=UTC)
    schedule = Schedule(7, "UTC", 0, time(9), since=due - timedelta(days=10))
    back = due + timedelta(hours=5)
    assert missed_runs([schedule], back, down_since=due - timedelta(hours=1)) == [7]  # down over 09:00
    # Up at 09:00 (the scheduler ran it, or chose not to): a restart does not publish it again.
    assert missed_runs([schedule], back, down_since=due + timedelta(hours=1)) == []
