"""Weekly APScheduler jobs per organization (the publication, the mid-week reminder) and one-off
timers (a vote's close and reminder, a claim's deadline), rebuilt from the database (the source of truth).

APScheduler 3 keeps jobs in memory here: its job stores cannot be shared between schedulers, so
exactly one process may run it (`SCHEDULER_ENABLED`), and runs missed while the bot was down are
caught up from the database at start (`bot.schedule.missed_runs`), once each.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.schedule import Schedule

log = logging.getLogger(__name__)

MISFIRE_GRACE = timedelta(hours=6)  # a run delayed this long (busy loop, suspended host) still happens


def job_id(org_id: int) -> str:
    return f"publish:{org_id}"


def reminder_job_id(org_id: int) -> str:
    return f"reminder:{org_id}"


class WeeklyScheduler:
    def __init__(
        self, publish: Callable[[int], Awaitable[object]], remind: Callable[[int], Awaitable[object]] | None = None
    ) -> None:
        self.publish, self.remind = publish, remind
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
        """Make the jobs match these schedules; with `complete`, drop jobs of organizations not listed."""
        wanted = {job_id(s.org_id): s for s in schedules}
        for job_key, schedule in wanted.items():
            self.scheduler.add_job(
                self._run,
                schedule.trigger(),
                args=[schedule.org_id],
                id=job_key,
                replace_existing=True,
                name=f"weekly rota of organization {schedule.org_id}",
            )
        if complete:
            for job in self.scheduler.get_jobs():
                if job.id.startswith("publish:") and job.id not in wanted:
                    job.remove()

    def reconcile_reminders(self, schedules: Iterable[Schedule], *, org_id: int | None = None) -> None:
        """Make the mid-week reminder jobs match these schedules: of every organization, or (`org_id`)
        of that one only (its job goes when it turned the reminder off)."""
        wanted = {reminder_job_id(s.org_id): s for s in schedules}
        for job_key, schedule in wanted.items():
            self.scheduler.add_job(
                self._remind,
                schedule.trigger(),
                args=[schedule.org_id],
                id=job_key,
                replace_existing=True,
                name=f"mid-week reminder of organization {schedule.org_id}",
            )
        for job in self.scheduler.get_jobs():
            mine = org_id is None or job.id == reminder_job_id(org_id)
            if job.id.startswith("reminder:") and job.id not in wanted and mine:
                job.remove()

    def remove(self, org_id: int) -> None:
        for key in (job_id(org_id), reminder_job_id(org_id)):
            job = self.scheduler.get_job(key)
            if job is not None:
                job.remove()

    def next_run(self, org_id: int) -> datetime | None:
        job = self.scheduler.get_job(job_id(org_id))
        return None if job is None else job.next_run_time

    def once(self, key: str, when: datetime, callback: Callable[..., Awaitable[object]], *args: object) -> None:
        """A one-off job (e.g. closing a vote at its deadline); one already past runs at once."""
        run_at = max(when, datetime.now(UTC))

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
        await self._track(self.publish(org_id), f"scheduled publication of organization {org_id}")

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
