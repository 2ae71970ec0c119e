"""Members' individual ratings of a task, aggregated into its social rating.

The rule is the **median**: one member rating a task 1 or 10 to push it their way moves the median
at most to the next member's rating, where a mean would move by (10 − 1) / n. A task with fewer than
`MIN_RATINGS` ratings gets the neutral midpoint (5.5) and is flagged, so nobody's lone opinion sets it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from bot.domain.errors import BadInput
from bot.domain.solver.model import NEUTRAL
from bot.i18n import lazy_gettext

MIN_RATINGS = 2
LOW, HIGH = 1, 10


@dataclass(frozen=True)
class SocialRating:
    desirability: float
    empowerment: float
    count: int
    flagged: bool  # too few ratings: the neutral midpoint stands in


def check_rating(desirability: float, empowerment: float) -> None:
    if not LOW <= desirability <= HIGH:
        raise BadInput(
            lazy_gettext(
                "desirability must be between {low} and {high} (you gave {value:g}).",
                low=LOW,
                high=HIGH,
                value=desirability,
            )
        )
    if not LOW <= empowerment <= HIGH:
        raise BadInput(
            lazy_gettext(
                "empowerment must be between {low} and {high} (you gave {value:g}).",
                low=LOW,
                high=HIGH,
                value=empowerment,
            )
        )


def social_rating(ratings: Iterable[tuple[float, float]], *, min_ratings: int = MIN_RATINGS) -> SocialRating:
    """Aggregate (desirability, empowerment) pairs, one per member, into the task's social rating."""
    pairs = list(ratings)
    if len(pairs) < min_ratings:
        return SocialRating(NEUTRAL, NEUTRAL, len(pairs), flagged=True)
    return SocialRating(
        desirability=float(median(d for d, _ in pairs)),
        empowerment=float(median(e for _, e in pairs)),
        count=len(pairs),
        flagged=False,
    )
