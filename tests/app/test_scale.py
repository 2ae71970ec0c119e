"""Beyond one machine, at the use-case level: two leaders for a moment, a solve's result arriving
twice, the bounded burst of publications, and the leadership lock (PostgreSQL) or its absence (SQLite)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlmodel import select

from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.runtime.leader import Leadership
from bot.runtime.scheduler import Burst, ShiftedTrigger, WeeklyScheduler
from storage.db import Database
from storage.leader import LOCK_KEY
from storage.models import Rota, RotaPost
from tests.app.conftest import make_org
from tests.app.fakes import FakeRotaEffects, FakeVoteEffects, InlineRunner

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6), ("Accounts", 2, 4, 8)]


def process(db: Database, effects: FakeRotaEffects, clock, runner=None) -> Publication:
    """One bot process's publication (its own locks, its own dispatcher) over the shared database and Discord."""
    outbox = Dispatcher(db, effects, FakeVoteEffects(), InlineRunner(), clock)
    return Publication(db, outbox, runner or InlineRunner(), clock, solver_time_limit=0.5)


class TogetherRunner(InlineRunner):
    """Holds each solve until `n` are under way: every process has its own result before any stores."""

    def __init__(self, arrived: list[asyncio.Event], n: int) -> None:
        super().__init__()
        self.arrived, self.n = arrived, n

    async def run(self, function, *args: Any, timeout: float = 300.0, owner: object = None):
        self.arrived.append(asyncio.Event())
        if len(self.arrived) == self.n:
            for event in self.arrived:
                event.set()
        await asyncio.wait_for(self.arrived[-1].wait(), 10)
        return await super().run(function, *args, timeout=timeout)


async def until(condition, timeout: float = 10.0) -> None:
    """Wait for a condition (bounded: only a failure reaches the bound)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def count(db: Database, model) -> int:
    async with db.session() as session:
        return len(list((await session.execute(select(model))).scalars()))


async def test_two_schedulers_firing_the_same_organization_at_once_post_once(db, effects, clock) -> None:
    # A brief double leadership: two processes' schedulers both run the job, both solve, and both
    # results arrive (as a solve redelivered to a second worker would): one rota, one post.
    org = await make_org(db, ["ana", "ben"], TASKS)
    arrived: list[asyncio.Event] = []
    publications = [process(db, effects, clock, TogetherRunner(arrived, 2)) for _ in range(2)]
    schedulers = [WeeklyScheduler(p.publish_due) for p in publications]
    for scheduler, publication in zip(schedulers, publications, strict=True):
        scheduler.start()
        scheduler.reconcile(await publication.schedules())
    try:
        for scheduler in schedulers:
            scheduler.fire_now(org.id)
        await until(lambda: effects.sent >= 1 and len(arrived) == 2 and not any(s.running for s in schedulers))
    finally:
        for scheduler in schedulers:
            await scheduler.stop()
    assert len(arrived) == 2  # both solved
    assert effects.sent == 1 and len(effects.posts) == 1
    assert await count(db, Rota) == 1 and await count(db, RotaPost) == 1


async def test_a_result_arriving_after_the_week_is_stored_changes_nothing(db, effects, clock) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    arrived: list[asyncio.Event] = []
    first, second = (process(db, effects, clock, TogetherRunner(arrived, 2)) for _ in range(2))
    results = await asyncio.gather(first.publish_due(org.id), second.publish_due(org.id))
    assert sorted(r.created for r in results if r) == [False, True]
    assert sum(r.posted for r in results if r) == 1 and effects.sent == 1
    assert await count(db, Rota) == 1


async def test_a_burst_runs_at_most_its_concurrency_at_once_and_logs_progress(caplog) -> None:
    caplog.set_level(logging.INFO, logger="bot.runtime.scheduler")
    burst = Burst(3)
    under_way, most = 0, 0
    release = asyncio.Event()

    async def publish(n: int) -> None:
        nonlocal under_way, most
        under_way += 1
        most = max(most, under_way)
        await release.wait()
        under_way -= 1
        if n == 7:
            raise RuntimeError("Discord said no")

    runs = [asyncio.create_task(burst.run(publish(n), f"publication {n}")) for n in range(10)]
    await until(lambda: under_way == 3)
    assert burst.total == 10 and under_way == 3
    release.set()
    await asyncio.gather(*runs)
    assert most == 3
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("published ")]
    assert lines[-1] == "published 10/10, 1 failed"
    assert "published 1/10, 0 failed" in lines  # a line per tenth
    assert burst.total == 0  # the next burst counts from zero


def test_a_shifted_trigger_fires_on_the_shifted_clock() -> None:
    monday_nine = CronTrigger(day_of_week="mon", hour=9, minute=0, timezone=UTC)
    ahead = ShiftedTrigger(monday_nine, timedelta(days=3, hours=1))  # the bot's clock: Monday 08:59:30
    real_now = datetime(2026, 11, 27, 7, 59, 30, tzinfo=UTC)  # Friday
    assert ahead.get_next_fire_time(None, real_now) == real_now + timedelta(seconds=30)


async def test_on_sqlite_the_only_process_leads_from_its_start(db) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite variant")
    events: list[str] = []

    async def elected() -> None:
        events.append("elected")

    async def deposed() -> None:
        events.append("deposed")

    leadership = Leadership(db, retry=0.01, elected=elected, deposed=deposed)
    await leadership.start()
    assert leadership.leading and events == ["elected"]


async def test_on_postgresql_one_process_leads_and_a_standby_takes_over_when_its_connection_dies(db) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL variant (advisory locks)")
    events: list[tuple[str, str]] = []

    def make(name: str) -> Leadership:
        async def elected() -> None:
            events.append((name, "elected"))

        async def deposed() -> None:
            events.append((name, "deposed"))

        return Leadership(Database(db.url), retry=0.01, elected=elected, deposed=deposed)

    first, second = make("first"), make("second")
    try:
        await first.start()
        await second.start()
        await second.attempt()
        assert (first.leading, second.leading) == (True, False)
        assert events == [("first", "elected")]

        # The leader's connection dies (its machine, its network): PostgreSQL ends the session.
        async with db.session() as session:
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": LOCK_KEY},
            )
        await first.attempt()  # its next check: the lock is gone with the connection
        assert not first.leading and ("first", "deposed") in events
        await second.attempt()
        assert second.leading and events[-1] == ("second", "elected")
        await first.attempt()  # and the old leader stands by
        assert not first.leading
    finally:
        for leadership in (first, second):
            await leadership.release()
            await leadership.db.dispose()


async def test_stepping_down_drops_the_weekly_publications_and_reminders_but_not_one_off_timers() -> None:
    from datetime import time

    from bot.domain.schedule import Schedule

    async def nothing(*_: object) -> None:
        return None

    scheduler = WeeklyScheduler(nothing, nothing)
    scheduler.start()
    try:
        scheduler.reconcile([Schedule(1, "UTC", 0, time(9)), Schedule(2, "UTC", 0, time(9))])
        scheduler.reconcile_reminders([Schedule(1, "UTC", 3, time(18))])
        scheduler.once("close-merge:5", datetime.now(UTC) + timedelta(days=1), nothing)
        first = scheduler.next_run(1)
        scheduler.reconcile([Schedule(1, "UTC", 0, time(9)), Schedule(2, "UTC", 0, time(9))])
        assert scheduler.next_run(1) == first  # unchanged schedules keep their jobs as they are
        scheduler.remove_all()
        assert [job.id for job in scheduler.scheduler.get_jobs()] == ["close-merge:5"]
    finally:
        await scheduler.stop()
