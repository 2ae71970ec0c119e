"""Trust between members and servers: a chart that cannot be drawn, membership that sticks, votes
only from the electorate, done marks and swaps re-checked, merge proposals bounded."""

from __future__ import annotations

import logging
from typing import Any

from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.chart import balance_chart
from storage.db import Database
from tests.app.conftest import make_org
from tests.app.fakes import FakeRotaEffects, FakeVoteEffects, InlineRunner

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6)]
WEEK = "2026-W49"


class ChartBreaks(InlineRunner):
    """A worker whose chart drawing fails (as matplotlib did on a `$…$` name)."""

    async def run(self, function: Any, *args: Any, timeout: float = 300.0) -> Any:
        if function is balance_chart:
            self.calls.append("balance_chart")
            raise ValueError("Unknown symbol: \\x")
        return await super().run(function, *args, timeout=timeout)


async def test_a_chart_that_cannot_be_drawn_never_stops_the_post(db: Database, clock, caplog) -> None:
    effects, runner = FakeRotaEffects(), ChartBreaks()
    outbox = Dispatcher(db, effects, FakeVoteEffects(), runner, clock)
    publication = Publication(db, outbox, InlineRunner(), clock, solver_time_limit=0.5)
    org = await make_org(db, ["ana", "ben"], TASKS)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        result = await publication.publish(org.id, WEEK)
    assert result.posted == 1
    [post] = effects.posts
    assert post.content.chart is None  # sent without it
    failures = [r for r in caplog.records if "could not be drawn" in r.getMessage()]
    assert len(failures) == 1 and f"organization {org.id}" in failures[0].getMessage()
