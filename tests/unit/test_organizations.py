"""Checks on what moderators and members set: tasks, hours, away periods; and the merge rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain.errors import BadInput
from bot.domain.organizations import (
    MAX_HOURS,
    TaskFields,
    check_away,
    check_granularity,
    check_granularity_fits,
    check_hours,
    check_task,
    check_task_fits,
    fits_granularity,
    merged_granularity,
    merged_task_names,
    next_proposal_at,
    pooled_hours,
    unfit_tasks,
)
from bot.domain.votes import in_electorate


def test_check_task_cleans_what_it_accepts() -> None:
    checked = check_task(TaskFields("  Clean   kitchen ", 2, slots=2, qualification="  ", description=" wipe "))
    assert (checked.name, checked.qualification, checked.description) == ("Clean kitchen", None, "wipe")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (TaskFields("", 2), "cannot be empty"),
        (TaskFields("x" * 101, 2), "keep it to 100"),
        (TaskFields("Dishes", 0), "more than 0"),
        (TaskFields("Dishes", MAX_HOURS + 1), "at most 168"),
        (TaskFields("Dishes", 2, slots=0), "from 1 to 100"),
        (TaskFields("Dishes", 2, splittable=True, min_shift=3), "at most the task's hours"),
        (TaskFields("Dishes", 2, qualification="q" * 51), "at most 50"),
        (TaskFields("Dishes", 2, description="d" * 301), "at most 300"),
    ],
)
def test_check_task_refuses_with_what_to_do(fields: TaskFields, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        check_task(fields)


def test_a_min_shift_only_matters_for_a_splittable_task() -> None:
    assert check_task(TaskFields("Dishes", 2, splittable=False, min_shift=5)).min_shift == 5


def test_hours_and_away_periods() -> None:
    assert check_hours(MAX_HOURS) == MAX_HOURS
    with pytest.raises(BadInput):
        check_hours(-1)
    today = date(2026, 12, 1)
    assert check_away("2026-12-24", "2026-12-26", today) == (date(2026, 12, 24), date(2026, 12, 26))
    with pytest.raises(BadInput, match="swap them"):
        check_away("2026-12-26", "2026-12-24", today)
    with pytest.raises(BadInput, match="already over"):
        check_away("2026-11-01", "2026-11-02", today)
    with pytest.raises(BadInput, match="YYYY-MM-DD"):
        check_away("24/12/2026", "2026-12-26", today)
    with pytest.raises(BadInput, match="at most a year"):
        check_away("2026-12-01", "2028-01-01", today)


def test_pooled_hours_add_both_commitments_within_a_week() -> None:
    assert pooled_hours(10, 12) == 22
    assert pooled_hours(100, 100) == MAX_HOURS


def test_the_electorate_is_the_active_members_who_joined_by_the_opening() -> None:
    opened = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert in_electorate(True, opened - timedelta(days=3), opened)
    assert in_electorate(True, opened, opened)  # joined the moment it opened
    assert not in_electorate(True, opened + timedelta(seconds=1), opened)  # joined during the vote
    assert not in_electorate(False, opened - timedelta(days=3), opened)  # left the rota


# -- the shift granularity ---------------------------------------------------------------------------


def test_a_granularity_is_hours_from_three_minutes_to_four_hours_with_two_decimals() -> None:
    assert check_granularity(0.5) == Decimal("0.5") and check_granularity("0.25") == Decimal("0.25")
    assert check_granularity(0.1) == Decimal("0.1")  # a float from the database reads back exactly
    for bad in ("abc", 0, 0.01, 5, "0.333"):
        with pytest.raises(BadInput, match="granularity must be"):
            check_granularity(bad)


def test_a_splittable_task_must_be_a_whole_number_of_steps_an_indivisible_one_need_not() -> None:
    quarter = Decimal("0.25")
    assert fits_granularity(1.25, True, quarter) and fits_granularity(1.1, False, quarter)
    assert not fits_granularity(1.1, True, quarter) and not fits_granularity(0.5, True, Decimal(1))
    with pytest.raises(BadInput) as refused:
        check_task_fits("Dishes", 1.1, True, quarter)
    message = str(refused.value)
    assert "`Dishes`" in message and "1.1 h" in message and "multiple of 0.25 (e.g. 1 or 1.25)" in message
    assert "not splittable" in message
    check_task_fits("Dishes", 1.1, False, quarter)  # one piece: no step to fit


def test_a_granularity_some_splittable_task_does_not_fit_is_refused_naming_them() -> None:
    tasks = [("Dishes", 1.5, True), ("Night watch", 7.5, False), ("Garden", 3.25, True)]
    assert check_granularity_fits(Decimal("0.25"), tasks) == Decimal("0.25")
    assert unfit_tasks(tasks, Decimal("0.5")) == ["`Garden` (3.25 h)"]
    with pytest.raises(BadInput) as refused:
        check_granularity_fits(Decimal(1), tasks)
    message = str(refused.value)
    assert "2 splittable task(s): `Dishes` (1.5 h), `Garden` (3.25 h)" in message
    assert "Nothing was changed" in message and "Night watch" not in message


def test_a_merged_organization_cuts_at_the_step_both_sides_fit() -> None:
    assert merged_granularity(Decimal("0.5"), Decimal("0.25")) == Decimal("0.25")  # the finer
    assert merged_granularity(Decimal("0.25"), Decimal("1")) == Decimal("0.25")
    assert merged_granularity(Decimal("0.5"), Decimal("0.3")) == Decimal("0.1")  # both are whole numbers of it
    assert merged_granularity(Decimal("2"), Decimal("2")) == Decimal("2")
    # No allowed step fits both: the proposer's (a task that does not fit it is named when solving).
    assert merged_granularity(Decimal("0.07"), Decimal("0.05")) == Decimal("0.07")


def test_two_tasks_of_one_name_both_get_their_origin_in_a_merge() -> None:
    north, south = merged_task_names([("North", ["Dishes", "Garden"]), ("South", ["dishes", "Bikes"])])
    assert north == {"Dishes": "Dishes (North)", "Garden": "Garden"}
    assert south == {"dishes": "dishes (South)", "Bikes": "Bikes"}
    # A name the rename would take is already used: a number keeps them apart.
    first, second = merged_task_names([("A", ["Dishes", "Dishes (B)"]), ("B", ["Dishes"])])
    assert (first["Dishes"], first["Dishes (B)"], second["Dishes"]) == ("Dishes (A)", "Dishes (B)", "Dishes (B) 2")


def test_the_next_proposal_waits_for_the_oldest_of_the_last_three_to_leave_the_day() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert next_proposal_at([now - timedelta(hours=h) for h in (30, 20)], now) is None  # 1 within the day
    assert next_proposal_at([now - timedelta(hours=h) for h in (30, 20, 10)], now) is None  # 2 within the day
    three = [now - timedelta(hours=h) for h in (23, 10, 1)]
    assert next_proposal_at(three, now) == now + timedelta(hours=1)
