"""Social ratings: the median of members' ratings, neutral and flagged when too few."""

from __future__ import annotations

import pytest

from bot.domain.errors import BadInput
from bot.domain.ratings import MIN_RATINGS, check_rating, social_rating


def test_median_resists_a_strategic_extreme() -> None:
    honest = [(6, 5), (7, 5), (6, 6), (7, 6)]
    social = social_rating([*honest, (10, 1)])
    assert (social.desirability, social.empowerment) == (7, 5)
    assert social.count == 5 and not social.flagged


def test_too_few_ratings_are_neutral_and_flagged() -> None:
    social = social_rating([(1, 1)] * (MIN_RATINGS - 1))
    assert (social.desirability, social.empowerment, social.flagged) == (5.5, 5.5, True)


@pytest.mark.parametrize(("d", "e"), [(0, 5), (11, 5), (5, 0), (5, 10.5)])
def test_out_of_range_is_refused_with_the_range(d: float, e: float) -> None:
    with pytest.raises(BadInput, match="between 1 and 10"):
        check_rating(d, e)
