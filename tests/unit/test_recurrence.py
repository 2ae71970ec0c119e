"""When a task happens: weekly, every N weeks from a first week, or once."""

from __future__ import annotations

import pytest

from bot.domain.errors import BadInput
from bot.domain.recurrence import ONCE, Recurrence, check_recurrence, from_cells


def test_a_weekly_task_happens_every_week() -> None:
    assert all(Recurrence().occurs(w) for w in ("2026-W01", "2026-W49", "2027-W10"))
    assert Recurrence().describe("2026-W49") == "every week"


def test_every_two_weeks_happens_in_alternate_weeks_from_the_first_across_the_new_year() -> None:
    every = Recurrence(2, "2026-W52")
    assert [every.occurs(w) for w in ("2026-W50", "2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02")] == [
        False,  # before the first week: not yet
        False,
        True,
        False,
        True,  # 2026 has 53 ISO weeks: W52 + 2 weeks is 2027-W01
        False,
    ]


def test_when_is_said_from_the_current_week() -> None:
    every = Recurrence(4, "2026-W48")
    assert every.describe("2026-W49") == "every 4 weeks, next in week 2026-W52"
    assert every.describe("2026-W52") == "every 4 weeks, this week and next in week 2027-W03"
    assert Recurrence(ONCE, "2026-W50").describe("2026-W49") == "once, in week 2026-W50"
    assert Recurrence(ONCE, "2026-W50").describe("2026-W51") == "once, in week 2026-W50 (over)"
    assert Recurrence(ONCE, "2026-W50").occurs("2026-W50") and not Recurrence(ONCE, "2026-W50").occurs("2026-W52")


def test_a_moderators_options_are_checked() -> None:
    assert check_recurrence(None, None, None, "2026-W50") == Recurrence()
    assert check_recurrence(4, None, None, "2026-W50") == Recurrence(4, "2026-W50")  # from next week
    assert check_recurrence(4, "2026-w52", None, "2026-W50") == Recurrence(4, "2026-W52")
    assert check_recurrence(None, None, "2026-W51", "2026-W50") == Recurrence(ONCE, "2026-W51")
    with pytest.raises(BadInput, match="not both"):
        check_recurrence(4, None, "2026-W51", "2026-W50")
    with pytest.raises(BadInput, match="ISO week"):
        check_recurrence(2, "next week", None, "2026-W50")


def test_the_csv_cells_read_back_what_the_export_wrote_and_old_files_are_weekly() -> None:
    for when in (Recurrence(), Recurrence(3, "2026-W50"), Recurrence(ONCE, "2027-W02")):
        assert from_cells(*when.csv_cells()) == when
    assert from_cells("", "") == Recurrence()
    assert from_cells("1", "2026-W50") == Recurrence()
    with pytest.raises(BadInput, match="needs `first_week`"):
        from_cells("4", "")
    with pytest.raises(BadInput, match="whole number"):
        from_cells("monthly", "2026-W50")
