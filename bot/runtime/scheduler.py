"""Weekly APScheduler jobs per organization (the publication, the mid-week reminder) and one-off
timers (a vote's close and reminder, a claim's deadline), rebuilt from the database (the source of truth).

APScheduler 3 keeps jobs in memory here: its job stores cannot be shared between schedulers, so
the weekly jobs run in one process only, the leader elected through the database (`bot.runtime.leader`);
runs missed while no leader was running are caught up from the database when one takes over
(`bot.domain.schedule.missed_runs`), once each.

Publications due at the same minute run concurrently, at most `concurrency` at once (each holds a
solve and a burst of Discord requests), with a progress line every tenth of the burst.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.domain.schedule import Schedule

log = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(hours=6)  # a run delayed this long (busy loop, suspended host) still happens


def job_id(org_id: int) -> str:
    return f"publish:{org_id}"


def reminder_job_id(org_id: int) -> str:
    return f"reminder:{org_id}"


class ShiftedTrigger(BaseTrigger):
    """A trigger read on a clock `offset` ahead of the real one (tests only: a subprocess bot whose
    clock is moved with PARECON_ROTA_TEST_CLOCK_OFFSET fires its jobs on that clock)."""

    def __init__(self, trigger: BaseTrigger, offset: timedelta) -> None:
        self.trigger, self.offset = trigger, offset

    def __str__(self) -> str:
        return f"{self.trigger}, on a clock {self.offset} ahead"

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        previous = None if previous_fire_time is None else previous_fire_time + self.offset
        fire = self.trigger.get_next_fire_time(previous, now + self.offset)
        return None if fire is None else fire - self.offset


class Burst:
    """Publications under way: at most `concurrency` at once, progress logged as they finish."""

    def __init__(self, concurrency: int) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.total = self.done = self.failed = 0

    async def run(self, coroutine: Coroutine[Any, Any, object], what: str) -> None:
        self.total += 1
        ok = False
        try:
            async with self.slots:
                await coroutine
            ok = True
        except asyncio.CancelledError:
            coroutine.close()  # cancelled while waiting for a slot: it never started
            raise
        except Exception:
            log.exception("%s failed", what)
        finally:
            self.done += 1
            self.failed += not ok
            self._progress()

    def _progress(self) -> None:
        total = self.total
        step = max(1, total // 10)
        if total > 1 and (self.done % step == 0 or self.done == total):
            log.info("published %d/%d, %d failed", self.done, total, self.failed)
        if self.done == total:  # the burst is over: the next one counts from zero
            self.total = self.done = self.failed = 0


class WeeklyScheduler:
    def __init__(
        self,
        publish: Callable[[int], Coroutine[Any, Any, object]],
        remind: Callable[[int], Awaitable[object]] | None = None,
        *,
        concurrency: int = 4,
        clock_offset: timedelta = timedelta(0),
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.publish, self.remind = publish, remind
        self.now = now  # the bot's clock, which the deadlines of one-off jobs are in
        self.burst = Burst(concurrency)
        self.clock_offset = clock_offset
        self.schedules: dict[int, Schedule] = {}  # the weekly jobs' schedules, as last reconciled
        self.reminder_schedules: dict[int, Schedule] = {}  # the same for the mid-week reminders
        self.leading = False  # this process is the elected leader: it runs the weekly jobs
        self.running: set[asyncio.Task] = set()  # job runs under way, finished or cancelled on stop
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
                "coalesce": True,  # several missed runs of one job make one run
                "max_instances": 1,
            },
        )

    def start(self) -> None:
        """Start inside the running event loop (e.g. in `setup_hook`)."""
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop firing, and end the runs under way (a publication is safe to cut: it resumes later)."""
        self.shutdown()
        await cancel_and_wait(self.running, timeout)

    def reconcile(self, schedules: Iterable[Schedule], *, complete: bool = True) -> None:
        """Make the jobs match these schedules; with `complete`, drop jobs of organizations not listed.
        A job whose schedule did not change is left as it is (replacing it could skip a run due now)."""
        wanted = {job_id(s.org_id): s for s in schedules}
        for job_key, schedule in wanted.items():
            if self.schedules.get(schedule.org_id) == schedule and self.scheduler.get_job(job_key) is not None:
                continue
            self.schedules[schedule.org_id] = schedule
            trigger = schedule.trigger()
            self.scheduler.add_job(
                self._run,
                ShiftedTrigger(trigger, self.clock_offset) if self.clock_offset else trigger,
                args=[schedule.org_id],
                id=job_key,
                replace_existing=True,
                name=f"weekly rota of organization {schedule.org_id}",
            )
        if complete:
            for job in self.scheduler.get_jobs():
                if job.id.startswith("publish:") and job.id not in wanted:
                    self.remove(int(job.id.removeprefix("publish:")))

    def remove_all(self) -> None:
        """Drop every weekly job, publications and reminders (this process no longer leads); one-off
        jobs stay."""
        self.schedules.clear()
        self.reminder_schedules.clear()
        for job in self.scheduler.get_jobs():
            if job.id.startswith(("publish:", "reminder:")):
                job.remove()

    def reconcile_reminders(self, schedules: Iterable[Schedule], *, org_id: int | None = None) -> None:
        """Make the mid-week reminder jobs match these schedules: of every organization, or (`org_id`)
        of that one only (its job goes when it turned the reminder off)."""
        wanted = {reminder_job_id(s.org_id): s for s in schedules}
        for job_key, schedule in wanted.items():
            if self.reminder_schedules.get(schedule.org_id) == schedule and self.scheduler.get_job(job_key):
                continue  # unchanged: replacing it could skip a reminder due now
            self.reminder_schedules[schedule.org_id] = schedule
            trigger = schedule.trigger()
            self.scheduler.add_job(
                self._remind,
                ShiftedTrigger(trigger, self.clock_offset) if self.clock_offset else trigger,
                args=[schedule.org_id],
                id=job_key,
                replace_existing=True,
                name=f"mid-week reminder of organization {schedule.org_id}",
            )
        for job in self.scheduler.get_jobs():
            mine = org_id is None or job.id == reminder_job_id(org_id)
            if job.id.startswith("reminder:") and job.id not in wanted and mine:
                self.reminder_schedules.pop(int(job.id.removeprefix("reminder:")), None)
                job.remove()

    def remove(self, org_id: int) -> None:
        self.schedules.pop(org_id, None)
        self.reminder_schedules.pop(org_id, None)
        for key in (job_id(org_id), reminder_job_id(org_id)):
            job = self.scheduler.get_job(key)
            if job is not None:
                job.remove()

    def next_run(self, org_id: int) -> datetime | None:
        job = self.scheduler.get_job(job_id(org_id))
        return None if job is None else job.next_run_time

    def once(self, key: str, when: datetime, callback: Callable[..., Awaitable[object]], *args: object) -> None:
        """A one-off job (e.g. closing a vote at its deadline); one already past runs at once.

        `when` is on the bot's clock; APScheduler runs on real time: the job runs after the same
        delay (a deadline the bot's clock has not reached must not fire early, and find nothing due)."""
        real_now = datetime.now(UTC)
        bot_now = self.now() if self.now is not None else real_now
        run_at = real_now + max(when - bot_now, timedelta(0))

        async def run() -> None:
            await self._track(callback(*args), f"job {key}")

        self.scheduler.add_job(run, "date", run_date=run_at, id=key, replace_existing=True)

    def remove_key(self, key: str) -> None:
        job = self.scheduler.get_job(key)
        if job is not None:
            job.remove()

    def fire_key_now(self, key: str) -> None:
        self.scheduler.modify_job(key, next_run_time=datetime.now(UTC))

    def fire_now(self, org_id: int) -> None:
        """Make the organization's job due now; the scheduler runs it at once (tests, `/mod` tools)."""
        self.scheduler.modify_job(job_id(org_id), next_run_time=datetime.now(UTC))

    async def _run(self, org_id: int) -> None:
        await self._track(self.burst.run(self.publish(org_id), f"scheduled publication of organization {org_id}"), "")

    async def publish_many(self, publish: Callable[[int], Coroutine[Any, Any, object]], org_ids: Iterable[int]) -> None:
        """Publish these organizations (a catch-up) in the same bounded burst as the scheduled runs."""
        await asyncio.gather(
            *(
                self.burst.run(publish(org_id), f"catching up the publication of organization {org_id}")
                for org_id in org_ids
            )
        )

    async def _remind(self, org_id: int) -> None:
        if self.remind is not None:
            await self._track(self.remind(org_id), f"mid-week reminder of organization {org_id}")

    async def _track(self, coroutine: Awaitable[object], what: str) -> None:
        task = asyncio.current_task()
        assert task is not None  # APScheduler runs each job in a task of its own
        self.running.add(task)
        try:
            await coroutine
        except Exception:
            log.exception("%s failed", what)
        finally:
            self.running.discard(task)


async def cancel_and_wait(tasks: set[asyncio.Task], timeout: float) -> None:
    """Cancel background tasks and wait (bounded) until they have really finished, so that nothing
    still holds a database connection when the engine is disposed."""
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=timeout)
