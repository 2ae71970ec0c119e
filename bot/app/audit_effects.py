"""How a moderator's change is told on the other servers of a federation (`bot.app.audit`'s
`TellOtherServer`), through the `RotaEffects` port."""

from __future__ import annotations

from storage.db import Database
from storage.models import AuditEntry, Organization

from .audit import TellOtherServer
from .effects import Attempt, Outbox, Outcome
from .ports import Channel, ModNotice, RotaEffects


class NoticeEffects:
    def __init__(self, db: Database, rota: RotaEffects) -> None:
        self.db, self.rota = db, rota

    async def tell(self, effect: TellOtherServer, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        found = await self.rota.find_post(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        async with self.db.session() as session:
            entry = await session.get_one(AuditEntry, effect.audit_id)
            org = await session.get_one(Organization, entry.organization_id)
        told = ModNotice(org.name, entry.actor_id, entry.action, entry.detail, entry.guild_id or 0, org.language)
        return Outcome(await self.rota.post_notice(channel, told, attempt.marker), True)


def register(outbox: Outbox, rota: RotaEffects) -> None:
    outbox.register(TellOtherServer, NoticeEffects(outbox.db, rota).tell)
