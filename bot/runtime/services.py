"""The wiring: what the bot owns besides its connection, built once in `setup_hook`.

The database, the worker processes (or the task queue), the scheduler (only where
`SCHEDULER_ENABLED`, and its weekly jobs only while this process is the elected leader), and the
use-case services with their Discord effects. Cogs reach them through `cogs.common.services`;
nothing is looked up by name and no cog sets anything another reads.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.app import liveness, report
from bot.app.calendars import Calendars
from bot.app.claims import Claims
from bot.app.decisions import Decisions
from bot.app.merges import MergeVotes
from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.app.reminders import Reminders
from bot.app.shift_reminders import ShiftReminders
from bot.domain.schedule import missed_runs
from bot.runtime.health import Check, heartbeat_key, service_checks
from bot.runtime.leader import Leadership
from bot.runtime.scheduler import WeeklyScheduler, cancel_and_wait
from bot.runtime.web import WebServer
from cogs.decisions.effects import DiscordDecisionEffects, DiscordRoleLookup
from cogs.host import RotaBot
from cogs.merge.effects import DiscordVoteEffects
from cogs.rota.effects import DiscordRotaEffects
from storage.db import Database

if TYPE_CHECKING:
    from bot.runtime.settings import Settings
    from bot.runtime.taskqueue import QueueRunner
    from bot.runtime.workers import Workers

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 30.0  # how often the leader reads schedules changed by commands other processes served
SHIFT_TIMERS_SECONDS = 300.0  # how often the leader sets the timers before shifts other processes published


@dataclass
class Services:
    db: Database
    workers: Workers | QueueRunner
    scheduler: WeeklyScheduler | None  # None in every process but the one that runs it
    publication: Publication
    merges: MergeVotes
    outbox: Dispatcher
    bot: RotaBot
    claims: Claims
    reminders: Reminders
    settings: Settings
    decisions: Decisions
    shift_reminders: ShiftReminders
    calendars: Calendars
    background: set[asyncio.Task[Any]] = field(default_factory=set)  # catch-ups, the dispatcher, the heartbeat
    catching_up: asyncio.Task[Any] | None = None  # the catch-up of missed publications, on taking the lead
    leadership: Leadership | None = None
    leading: set[asyncio.Task[Any]] = field(default_factory=set)  # what only the leader runs
    web: WebServer | None = None  # only with WEB_PORT

    @classmethod
    def create(cls, bot: RotaBot, settings: Settings, workers: Workers | QueueRunner) -> Services:
        clock = bot.now  # tests move the bot's clock; read it at each use
        outbox = Dispatcher(
            bot.db,
            DiscordRotaEffects(bot),
            DiscordVoteEffects(bot),
            workers,
            clock,
            decisions=DiscordDecisionEffects(bot),
        )
        publication = Publication(bot.db, outbox, workers, clock, solver_time_limit=settings.solver_time_limit)
        reminders = Reminders(bot.db, outbox, clock)
        scheduler = (
            WeeklyScheduler(
                publication.publish_due,
                reminders.remind_due,
                concurrency=settings.publish_concurrency,
                clock_offset=getattr(bot, "clock_offset", timedelta(0)),
                now=clock,
            )
            if settings.scheduler_enabled
            else None
        )

        async def schedule_changed(org_id: int) -> None:
            await reschedule(scheduler, publication, reminders, org_id)

        merges = MergeVotes(bot.db, outbox, workers, clock, jobs=scheduler, schedule_changed=schedule_changed)
        claims = Claims(bot.db, outbox, clock, jobs=scheduler)
        decisions = Decisions(bot.db, outbox, clock, jobs=scheduler, roles=DiscordRoleLookup(bot))
        shift_reminders = ShiftReminders(bot.db, outbox, clock, jobs=scheduler)
        publication.shift_reminders = shift_reminders  # the timers before a new week's shifts
        calendars = Calendars(bot.db, clock)
        services = cls(
            bot.db, workers, scheduler, publication, merges, outbox, bot, claims, reminders, settings,
            decisions, shift_reminders, calendars,
        )  # fmt: skip
        if settings.web_port is not None:
            services.web = WebServer(
                services.calendars,
                services.health,
                host=settings.web_host,
                port=settings.web_port,
                base_url=settings.web_base_url,
                report_dir=settings.report_dir,
            )
        if settings.report_dir is not None:
            publication.on_published = services.rewrite_report
        return services

    def rewrite_report(self, org_id: int) -> None:
        """After a publication or a change of opt-in, in the background: the public report (`REPORT_DIR`)."""
        out = self.settings.report_dir
        if out is not None:
            self._spawn(report.regenerate(self.db, out, org_id, self.now(), self.settings.report_file_mode))

    def now(self) -> datetime:
        return self.bot.now()

    async def health(self) -> list[Check]:
        """`/healthz`: the checks of `parecon-rota health`, from inside the running bot."""
        settings = self.settings
        return await service_checks(settings.database_url, heartbeat_key(settings.shard_ids), datetime.now(UTC))

    async def start(self) -> None:
        """Start the scheduler (its one-off timers: vote deadlines) and stand for the leadership; the
        leader runs the weekly jobs (`_lead`). Once the bot is connected: deliver what the outbox
        holds (a previous process's effects included), close merge votes whose deadline passed."""
        if self.web is not None:
            await self.web.start()
            self.calendars.base_url = self.web.base_url
        if self.scheduler is not None:
            self.scheduler.start()
            self.leadership = Leadership(
                self.db, retry=self.settings.leader_retry, elected=self._lead, deposed=self._step_down
            )
            await self.leadership.start()
            self._spawn(self.leadership.run())
        self._spawn(self._close_overdue(await self.merges.open_ids()))
        self._spawn(self._close_overdue_proposals(await self.decisions.open_ids()))
        self._spawn(self._expire_overdue(await self.claims.open_ids()))
        if self.scheduler is not None:  # the timers' home
            self._spawn(self._remind_overdue(await self.shift_reminders.rebuild()))
        self._spawn(self._deliver())

    async def stop(self) -> None:
        """End all background work before the engine is disposed: nothing left holding a connection."""
        await cancel_and_wait(self.leading, 10)
        await cancel_and_wait(self.background, 10)
        if self.leadership is not None:
            await self.leadership.release()
        if self.scheduler is not None:
            await self.scheduler.stop()
        await cancel_and_wait(self.merges.background, 10)
        await cancel_and_wait(self.decisions.background, 10)
        if self.web is not None:
            await self.web.stop()

    async def _lead(self) -> None:
        """Elected: the weekly jobs from the database, the catch-up of the runs missed while no leader
        ran (the last leader's heartbeat says since when), the heartbeat, and the schedules changed
        by commands any process served."""
        assert self.scheduler is not None
        self.scheduler.leading = True
        last_alive = await liveness.last_alive(self.db)
        schedules = await self.publication.schedules()
        self.scheduler.reconcile(schedules)
        reminder_schedules = await self.reminders.schedules()
        self.scheduler.reconcile_reminders(reminder_schedules)
        missed = missed_runs(schedules, self.now(), last_alive)
        missed_reminders = missed_runs(reminder_schedules, self.now(), last_alive)
        self.catching_up = self._spawn_leading(self._catch_up_publications(missed, missed_reminders))
        self._spawn_leading(self._heartbeat())
        self._spawn_leading(self._follow_schedules())
        self._spawn_leading(self._follow_shifts())

    async def _step_down(self) -> None:
        """No longer the leader: stop the weekly jobs (runs under way finish: they are safe twice)."""
        await cancel_and_wait(self.leading, 10)
        if self.scheduler is not None:
            self.scheduler.leading = False
            self.scheduler.remove_all()

    async def _follow_schedules(self) -> None:
        """`/mod org setup` (or the reminder's settings) served by another process changes a schedule in
        the database only."""
        assert self.scheduler is not None
        while True:
            await asyncio.sleep(RECONCILE_SECONDS)
            try:
                self.scheduler.reconcile(await self.publication.schedules())
                self.scheduler.reconcile_reminders(await self.reminders.schedules())
            except Exception:
                log.warning("could not read the schedules", exc_info=True)

    async def _follow_shifts(self) -> None:
        """A week published (or a setting changed) by a process without the scheduler set no timers
        before its shifts: the leader sets them from the database now and then (and sends a reminder
        already due; the outbox key keeps each one to once)."""
        while True:
            await asyncio.sleep(SHIFT_TIMERS_SECONDS)
            try:
                await self.shift_reminders.fire_overdue(await self.shift_reminders.rebuild())
            except Exception:
                log.warning("could not set the timers before shifts", exc_info=True)

    def _spawn_leading(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self.leading.add(task)
        task.add_done_callback(self.leading.discard)
        return task

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
        if org_ids:
            log.info("catching up %d publication(s) missed while no scheduler ran", len(org_ids))
        assert self.scheduler is not None
        await self.scheduler.publish_many(lambda org_id: self.publication.publish_due(org_id, why="catch-up"), org_ids)
        for org_id in reminder_org_ids or []:  # after the publications: a reminder is about a published week
            try:
                await self.reminders.remind_due(org_id, why="catch-up")
            except Exception:
                log.exception("catching up the reminder of organization %s failed", org_id)

    async def _expire_overdue(self, claim_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.claims.expire_overdue(claim_ids)

    async def _remind_overdue(self, piece_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.shift_reminders.fire_overdue(piece_ids)

    async def _close_overdue(self, proposal_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.merges.close_overdue(proposal_ids)

    async def _close_overdue_proposals(self, proposal_ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        await self.decisions.close_overdue(proposal_ids)


async def reschedule(
    scheduler: WeeklyScheduler | None, publication: Publication, reminders: Reminders, org_id: int
) -> None:
    if scheduler is None or not scheduler.leading:  # the leader reads the change within RECONCILE_SECONDS
        return
    schedules = await publication.schedules(org_id)
    if schedules:
        scheduler.reconcile(schedules, complete=False)
        scheduler.reconcile_reminders(await reminders.schedules(org_id), org_id=org_id)
    else:  # archived by a merge
        scheduler.remove(org_id)
