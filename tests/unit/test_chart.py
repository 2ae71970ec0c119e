"""The chart's rows: sorted, the extremes and the middle of a big organization, one label per person."""

from __future__ import annotations

from bot.render.chart import MAX_ROWS, Gap, balance_chart, distinct, shown_rows, sorted_rows


def test_most_unpleasant_work_comes_first() -> None:
    rows = sorted_rows([("ana", (1.0, 0.8, 1.0)), ("ben", (1.0, 1.4, 1.0)), ("cy", (1.2, 0.8, 1.0))])
    assert [name for name, _ in rows] == ["ben", "cy", "ana"]


def test_a_big_organization_shows_the_extremes_the_middle_and_you_and_says_how_many_are_left_out() -> None:
    rows = [(f"m{i:03d}", (1.0, 2 - i / 100, 1.0)) for i in range(200)]
    shown = shown_rows(rows, highlight="m150")
    people = [row[0] for row in shown if not isinstance(row, Gap)]
    assert len(people) == 15 + 10 + 1 + 15 and people[:2] == ["m000", "m001"] and people[-1] == "m199"
    assert "m150" in people and "m100" in people  # you, and the middle
    gaps = [row.count for row in shown if isinstance(row, Gap)]
    assert sum(gaps) + len(people) == 200 and len(gaps) == 3
    assert shown_rows(rows[:MAX_ROWS], None) == rows[:MAX_ROWS]  # up to 40: everyone


def test_two_members_with_one_name_get_two_labels() -> None:
    assert distinct({"m10": "Sam", "m9": "sam", "m3": "Ana"}) == {"m3": "Ana", "m9": "sam", "m10": "Sam 2"}


def test_names_and_titles_are_drawn_as_typed_not_as_maths() -> None:
    """`$\\x$` is mathtext to matplotlib, which raised on it: one nickname stopped the whole post."""
    png = balance_chart([("$\\x$", (1.0, 1.2, 0.8)), ("$$ a_b^c $", (0.9, 1.0, 1.1))], "Co-op $\\y$: week 2026-W49")
    assert png.startswith(b"\x89PNG")
    highlighted = balance_chart([("$\\x$", (1.0, 1.2, 0.8))], "$\\frac{a}{$", highlight="$\\x$")
    assert highlighted.startswith(b"\x89PNG")
