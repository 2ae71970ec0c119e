"""The ledger's and the public report's rules: weeks asked for, corrections, pay to the cent; the
report's figures and anonymous labels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.errors import BadInput
from bot.domain.ledger import (
    Correction,
    Piece,
    check_correction,
    check_currency,
    check_rate,
    ledger,
    totals,
    week_range,
)
from bot.domain.report import MemberFigures, Report
from bot.render.public_report import WeekInput, anonymous_label, build

TODAY = date(2026, 11, 30)  # a Monday, week 2026-W49


def test_the_default_period_is_the_last_eight_weeks_and_a_reversed_or_huge_one_is_refused() -> None:
    assert week_range(None, None, TODAY) == ("2026-W42", "2026-W49")
    assert week_range(None, "2026-W02", TODAY) == ("2025-W47", "2026-W02")  # across the new year
    assert week_range("2026-w40", "2026-W40", TODAY) == ("2026-W40", "2026-W40")
    with pytest.raises(BadInput, match="after `to`"):
        week_range("2026-W49", "2026-W48", TODAY)
    with pytest.raises(BadInput, match="at most about two years"):
        week_range("2020-W01", "2026-W01", TODAY)
    with pytest.raises(BadInput, match="2025-W53 does not exist"):
        week_range("2025-W53", None, TODAY)


def test_corrections_rates_and_currencies_are_checked() -> None:
    assert check_correction(-1.25, "  marked   twice ") == (-1.25, "marked twice")
    for hours, reason, message in (
        (0, "x", "not 0"),
        (200, "x", "at most"),
        (1.005, "x", "two decimals"),
        (1, " ", "why"),
    ):
        with pytest.raises(BadInput, match=message):
            check_correction(hours, reason)
    assert check_rate(18.5) == Decimal("18.50") and check_rate(0) is None
    for bad in (-1, 18.505, 10**6):
        with pytest.raises(BadInput, match="hourly rate"):
            check_rate(bad)
    assert check_currency(" eur ") == "EUR" and check_currency("£") == "£" and check_currency(" ") is None
    with pytest.raises(BadInput, match="currency"):
        check_currency("=1+1")


def test_pay_is_hours_done_plus_corrections_times_the_rate_exactly() -> None:
    pieces = [Piece("2026-W48", 1, 0.1, True), Piece("2026-W48", 1, 0.2, True), Piece("2026-W49", 1, 3, False)]
    weeks = ledger(pieces, [Correction("2026-W49", 1, 1.5, "late shift"), Correction("2026-W47", 2, 2, "missed")])
    assert [(w.member_id, w.week, w.held, w.done, w.corrected) for w in weeks] == [
        (1, "2026-W48", Decimal("0.3"), Decimal("0.3"), 0),  # 0.1 + 0.2 is 0.3 here, not 0.30000000000000004
        (1, "2026-W49", Decimal("3.0"), 0, Decimal("1.5")),
        (2, "2026-W47", 0, 0, Decimal("2.0")),  # a correction alone makes a row
    ]
    assert weeks[1].reasons == ("late shift (+1.5 h)",)
    paid = totals(weeks, Decimal("18.35"))
    assert paid[1].credited == Decimal("1.8") and paid[1].pay == Decimal("33.03")  # 1.8 × 18.35, to the cent
    assert paid[2].held == 0 and paid[2].pay == Decimal("36.70")
    assert totals(weeks, None)[1].pay is None


def figures(member: str, hours: float, unpleasant: float, fair: float = 5.0) -> MemberFigures:
    """A member with `hours`, whose fair share of hours and of each kind of work is `fair`: their
    unpleasant work is `unpleasant` / `fair` of it, empowering work the opposite."""
    return MemberFigures(
        member,
        hours,
        hours / 10,
        5.0,
        5.0,
        10.0,
        (fair, fair, fair),
        (hours / fair, unpleasant / fair, 2 - unpleasant / fair),
    )


def test_the_report_labels_members_by_hours_and_names_only_those_who_opted_in() -> None:
    assert [anonymous_label(i) for i in (0, 1, 25, 26, 27)] == [
        "Member A",
        "Member B",
        "Member Z",
        "Member AA",
        "Member AB",
    ]
    first = Report(1.2, (figures("m1", 4, 3), figures("m2", 6, 7), figures("m3", 0, 0)), (3, 7), (4, 6), (5.4, 5.2))
    later = Report(0.4, (figures("m1", 6, 7), figures("m2", 4, 3)), (3, 7), (4, 6), (5.4, 5.2))
    built = build(
        "Org",
        ["Goal"],
        [WeekInput("2026-W49", later, {1: 6, 2: 4}), WeekInput("2026-W48", first, {1: 4, 2: 5})],
        {1: None, 2: "bea"},
        [],
        TODAY,
    )
    assert [w.week for w in built.weeks] == ["2026-W48", "2026-W49"] and built.weeks[0].members == 2
    assert built.weeks[0].hours == 9  # the hours held now (after a swap), not as published
    assert built.weeks[0].shares == ((0.8, 1.2), (0.6, 1.4), (0.6, 1.4)) and built.has_shares
    assert built.weeks[0].words.startswith("unevenly balanced: 3 of 3 members")  # the project's own words
    assert [(p.label, p.named, p.hours) for p in built.people] == [("Member A", False, 10), ("bea", True, 9)]
    member_a = built.people[0]
    assert member_a.running == (("2026-W48", 0.6), ("2026-W49", 1.0))  # rotation: back to exactly fair
    assert member_a.share == (1.0, 1.0, 1.0)


def test_weeks_stored_before_fair_shares_were_kept_still_show() -> None:
    old = Report(
        0.9, (MemberFigures("m1", 4, 0.4, 3.0, 4.0), MemberFigures("m2", 6, 0.6, 7.0, 6.0)), (3, 7), (4, 6), (5.4, 5.2)
    )
    built = build("Org", [], [WeekInput("2026-W40", old, {})], {}, [], TODAY)
    assert not built.has_shares and built.weeks[0].desirability == (3.0, 7.0) and built.weeks[0].hours == 10
    assert built.weeks[0].words == "fairly balanced" and built.people[0].share is None  # by the old spread
