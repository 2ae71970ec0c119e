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

MIN_RATINGS = 2
LOW, HIGH = 1, 10


@dataclass(frozen=True)
class SocialRating:
    desirability: float
    empowerment: float
    count: int
    flagged: bool  # too few ratings: the neutral midpoint stands in


def check_rating(desirability: float, empowerment: float) -> None:
    for name, value in (("desirability", desirability), ("empowerment", empowerment)):
        if not LOW <= value <= HIGH:
            raise BadInput(f"{name} must be between {LOW} and {HIGH} (you gave {value:g}).")


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
