"""How the reminder before a shift (`bot.app.shift_reminders.RemindShift`) is sent, through the
`RotaEffects` port; the piece is read again at delivery, so one done, given back, swapped away or
re-published since it was queued is not reminded."""

from __future__ import annotations

from bot.i18n import channel_language
from storage.db import Database

from .effects import Attempt, Outbox, Outcome
from .facts import piece_moments
from .ports import RotaEffects, ShiftReminder
from .shift_reminders import RemindShift, still_due


class ShiftReminderEffects:
    def __init__(self, db: Database, rota: RotaEffects) -> None:
        self.db, self.rota = db, rota

    async def remind(self, effect: RemindShift, attempt: Attempt) -> Outcome:
        async with self.db.session() as session:
            found = await still_due(session, effect.assignment_id, effect.member_id)
        if found is None:
            return Outcome()  # no longer makes sense: nothing to remind of
        piece = found.piece
        if (piece.day, piece.start) != (effect.day, effect.start):
            return Outcome()  # the piece moved since: its new time has its own reminder
        starts, ends = piece_moments(found.rota.week, found.org.timezone, piece)
        if starts is None or ends is None:
            return Outcome()
        user_id = found.member.user_id
        sent = await self.rota.find_dm(user_id, attempt.marker) if attempt.tried_before else None
        if sent is not None:
            return Outcome(sent)
        language = channel_language(found.org.language, found.member.language)
        content = ShiftReminder(
            found.org.name, found.task.name, piece.hours, starts, ends, found.task.description, language
        )
        return Outcome(await self.rota.send_dm(user_id, content, attempt.marker), True)


def register(outbox: Outbox, rota: RotaEffects) -> None:
    outbox.register(RemindShift, ShiftReminderEffects(outbox.db, rota).remind)
