"""The wiring: what the bot owns besides its connection, built once in `setup_hook`.

The database, the worker processes, the scheduler (only where `SCHEDULER_ENABLED`), and the
use-case services with their Discord effects. Cogs reach them through `cogs.common.services`;
nothing is looked up by name and no cog sets anything another reads.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.app import liveness, report
from bot.app.claims import Claims
from bot.app.merges import MergeVotes
from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.app.reminders import Reminders
from bot.schedule import missed_runs
from bot.scheduler import WeeklyScheduler, cancel_and_wait
from bot.workers import Workers
from cogs.merge.effects import DiscordVoteEffects
from cogs.rota.effects import DiscordRotaEffects
from storage.db import Database

if TYPE_CHECKING:
    from bot.client import RotaBot

log = logging.getLogger(__name__)


@dataclass
class Services:
    db: Database
    workers: Workers
    scheduler: WeeklyScheduler | None  # None in every process but the one that runs it
    publication: Publication
    merges: MergeVotes
    outbox: Dispatcher
    bot: RotaBot
    claims: Claims
    reminders: Reminders
    background: set[asyncio.Task[Any]] = field(default_factory=set)  # catch-ups, the dispatcher, the heartbeat
    catching_up: asyncio.Task[Any] | None = None  # the start-up catch-up of missed publications

    @classmethod
    def create(cls, bot: RotaBot) -> Services:
        clock = bot.now  # tests move the bot's clock; read it at each use
        outbox = Dispatcher(bot.db, DiscordRotaEffects(bot), DiscordVoteEffects(bot), bot.workers, clock)
        publication = Publication(bot.db, outbox, bot.workers, clock, solver_time_limit=bot.settings.solver_time_limit)
        reminders = Reminders(bot.db, outbox, clock)
        scheduler = (
            WeeklyScheduler(publication.publish_due, reminders.remind_due) if bot.settings.scheduler_enabled else None
        )

        async def schedule_changed(org_id: int) -> None:
            await reschedule(scheduler, publication, reminders, org_id)

        merges = MergeVotes(bot.db, outbox, bot.workers, clock, jobs=scheduler, schedule_changed=schedule_changed)
        claims = Claims(bot.db, outbox, clock, jobs=scheduler)
        services = cls(bot.db, bot.workers, scheduler, publication, merges, outbox, bot, claims, reminders)
        if bot.settings.report_dir is not None:
            publication.on_published = services.rewrite_report
        return services

    def rewrite_report(self, org_id: int) -> None:
        """After a publication or a change of opt-in, in the background: the public report (`REPORT_DIR`)."""
        out = self.bot.settings.report_dir
        if out is not None:
            self._spawn(report.regenerate(self.db, out, org_id, self.now()))

    def now(self) -> datetime:
        return self.bot.now()

    async def start(self) -> None:
        """Start the scheduler from the database, and once the bot is connected: deliver what the
        outbox holds (a previous process's effects included), catch up the publications missed
        while the bot was down, close merge votes whose deadline passed meanwhile."""
        if self.scheduler is not None:
            last_alive = await liveness.last_alive(self.db)
            self.scheduler.start()
            schedules = await self.publication.schedules()
            self.scheduler.reconcile(schedules)
            reminder_schedules = await self.reminders.schedules()
            self.scheduler.reconcile_reminders(reminder_schedules)
            missed = missed_runs(schedules, self.now(), last_alive)
            missed_reminders = missed_runs(reminder_schedules, self.now(), last_alive)
            self.catching_up = self._spawn(self._catch_up_publications(missed, missed_reminders))
            self._spawn(self._heartbeat())
        self._spawn(self._close_overdue(await self.merges.open_ids()))
        self._spawn(self._expire_overdue(await self.claims.open_ids()))
        self._spawn(self._deliver())

    async def stop(self) -> None:
        """End all background work before the engine is disposed: nothing left holding a connection."""
        await cancel_and_wait(self.background, 10)
        if self.scheduler is not None:
            await self.scheduler.stop()
        await cancel_and_wait(self.merges.background, 10)

    async def schedule_changed(self, org_id: int) -> None:
        """An organization's schedule changed (or it was archived by a merge): update its job."""
        await reschedule(self.scheduler, self.publication, self.reminders, org_id)

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    async def _deliver(self) -> None:
        await self.bot.wait_until_ready()
        await self.outbox.run()

    async def _heartbeat(self) -> None:
        """Record that the scheduler is running, so that the next start knows which runs it missed."""
        while True:
            try:
                await liveness.alive(self.db, self.now())
            except Exception:
                log.warning("could not record the heartbeat", exc_info=True)
            await asyncio.sleep(liveness.HEARTBEAT_SECONDS)

    async def _catch_up_publications(self, org_ids: list[int], reminder_org_ids: list[int] | None = None) -> None:
        await self.bot.wait_until_ready()
        for org_id in org_ids:
            try:
                await self.publication.publish_due(org_id, why="catch-up")
            except Exception:
                log.exception("catching up the publication of organization %s failed", org_id)
        for org_id in reminder_org_ids or []:  # after the publications: a reminder is about a published week
            try:
                await self.reminders.remind_due(org_id, why="catch-up")
            except Exception:
                log.exception("catching up the reminder of organization %s failed", org_id)

    async def _expire_overdue(self, claim_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.claims.expire_overdue(claim_ids)

    async def _close_overdue(self, proposal_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.merges.close_overdue(proposal_ids)


async def reschedule(
    scheduler: WeeklyScheduler | None, publication: Publication, reminders: Reminders, org_id: int
) -> None:
    if scheduler is None:
        return
    schedules = await publication.schedules(org_id)
    if schedules:
        scheduler.reconcile(schedules, complete=False)
        scheduler.reconcile_reminders(await reminders.schedules(org_id), org_id=org_id)
    else:  # archived by a merge
        scheduler.remove(org_id)
