"""How the mid-week reminder (`bot.app.reminders.Remind`) is sent, through the `RotaEffects` port."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import channel_language
from storage import rotas
from storage.db import Database
from storage.models import Organization, Rota
from storage.rotas import Holding

from .effects import Attempt, Outbox, Outcome
from .facts import held_facts, in_time_order
from .ports import Clock, Reminder, RotaEffects
from .reminders import Remind


@dataclass(frozen=True)
class WeekToDo:
    org: Organization
    rota: Rota
    held: list[Holding]


class ReminderEffects:
    def __init__(self, db: Database, rota: RotaEffects, clock: Clock) -> None:
        self.db, self.rota, self.clock = db, rota, clock

    async def remind(self, effect: Remind, attempt: Attempt) -> Outcome:
        async def load() -> WeekToDo:  # once for all the reminders delivered together
            async with self.db.session() as session:
                rota = await session.get_one(Rota, effect.rota_id)
                org = await session.get_one(Organization, rota.organization_id)
                return WeekToDo(org, rota, await rotas.holdings(session, rota.id))

        week: WeekToDo = await attempt.batch.once(("reminded week", effect.rota_id), load)
        mine = [h for h in week.held if h.member.id == effect.member_id]
        todo = [
            (h.task.name, h.assignment.hours, h.assignment.starts, h.assignment.ends)
            for h in in_time_order(held_facts(mine, week.rota.week, week.org.timezone))
            if h.assignment.done_at is None
        ]
        if not todo or not mine[0].member.reminders:
            return Outcome()  # all done (or opted out) since it was queued: nothing to remind of
        user_id = mine[0].member.user_id
        found = await self.rota.find_dm(user_id, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        language = channel_language(week.org.language, mine[0].member.language)
        content = Reminder(week.org.name, week.rota.week, todo, self.clock(), language)
        return Outcome(await self.rota.send_dm(user_id, content, attempt.marker), True)


def register(outbox: Outbox, rota: RotaEffects) -> None:
    outbox.register(Remind, ReminderEffects(outbox.db, rota, outbox.clock).remind)
