"""The mid-week reminder: a DM to each holder of work not yet marked done, at the organization's
reminder day and time (`/mod org settings`), once per member per week (the outbox key), not to
members who opted out (`/notify setting:off`) or who marked everything done.

A weekly timer per organization (`bot.runtime.scheduler.WeeklyScheduler`, rebuilt from the database at
start; a run missed while the bot was down is made up at start while its week lasts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.schedule import Schedule, last_due, zone
from bot.domain.weeks import iso_week, week_end
from storage import orgs, rotas
from storage.db import Database
from storage.models import Organization

from .effects import Effect, queue
from .ports import Clock

if TYPE_CHECKING:
    from .effects import Outbox

log = logging.getLogger(__name__)


def subject(rota_id: int) -> str:
    return f"remind:{rota_id}"


@dataclass(frozen=True)
class Remind(Effect):
    """The mid-week DM to one member (carried out by `bot.app.reminders_effects`): what is still to
    do is read at delivery, so work marked done meanwhile is left out."""

    kind = "remind"
    rota_id: int
    member_id: int

    def key(self) -> str:
        return f"{subject(self.rota_id)}:{self.member_id}"

    def subject(self) -> str:
        return subject(self.rota_id)


class Reminders:
    def __init__(self, db: Database, outbox: Outbox, clock: Clock) -> None:
        self.db, self.outbox, self.clock = db, outbox, clock

    async def schedules(self, org_id: int | None = None) -> list[Schedule]:
        async with self.db.session() as session:
            return await orgs.reminder_schedules(session, org_id)

    async def remind_due(self, org_id: int, why: str = "scheduled") -> int:
        """Queue and send the reminders of the week whose reminder time is the latest now due,
        unless that week is over; returns how many were queued by this call (0 when they were
        queued already: each member hears once a week)."""
        schedules = await self.schedules(org_id)
        now = self.clock()
        due = last_due(schedules[0], now) if schedules else None
        if due is None:
            return 0
        async with self.db.transaction(self.outbox) as session:
            org = await session.get_one(Organization, org_id)
            week = iso_week(due.astimezone(zone(org.timezone)).date())
            if now >= week_end(week, org.timezone):
                return 0
            rota = await rotas.rota_for(session, org_id, week)
            if rota is None or rota.published_at is None:
                return 0
            queued = 0
            held = await rotas.holdings(session, rota.id)
            members = {h.member.id: h.member for h in held if h.assignment.done_at is None}
            for member in members.values():
                if not (member.active and member.reminders):
                    continue
                queued += await queue(session, Remind(rota.id, member.id), org_id=org_id, now=now)
        if queued:
            log.info("reminding %s member(s) of organization %s of week %s (%s)", queued, org_id, week, why)
        return queued
