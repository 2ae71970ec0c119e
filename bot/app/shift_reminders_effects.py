"""How the reminder before a shift (`bot.app.shift_reminders.RemindShift`) is sent, through the
`RotaEffects` port; the shift is read again at delivery (found by its occurrence when a
re-publication renewed its piece), so one done, given back, swapped away or moved since it was
queued is not reminded."""

from __future__ import annotations

from bot.i18n import channel_language
from storage.db import Database

from .effects import Attempt, Outbox, Outcome
from .facts import piece_moments
from .ports import RotaEffects, ShiftReminder
from .shift_reminders import RemindShift, still_due_for


class ShiftReminderEffects:
    def __init__(self, db: Database, rota: RotaEffects) -> None:
        self.db, self.rota = db, rota

    async def remind(self, effect: RemindShift, attempt: Attempt) -> Outcome:
        async with self.db.session() as session:
            found = await still_due_for(session, effect)
        if found is None:
            return Outcome()  # no longer makes sense (done, given back, swapped away, moved): nothing to remind of
        piece = found.piece
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
