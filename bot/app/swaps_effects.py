"""How a swap's answer (`bot.app.swaps.TellAnswer`) reaches the member who offered it, through the
`RotaEffects` port."""

from __future__ import annotations

from bot.i18n import channel_language
from storage.db import Database
from storage.models import Assignment, MemberRow, Organization, Rota, SwapOffer, TaskRow

from .effects import Attempt, Outbox, Outcome
from .ports import RotaEffects, SwapDecided
from .swaps import TellAnswer


class SwapEffects:
    def __init__(self, db: Database, rota: RotaEffects) -> None:
        self.db, self.rota = db, rota

    async def tell_answer(self, effect: TellAnswer, attempt: Attempt) -> Outcome:
        async with self.db.session() as session:
            offer = await session.get_one(SwapOffer, effect.offer_id)
            piece = await session.get_one(Assignment, offer.assignment_id)
            task = await session.get_one(TaskRow, piece.task_id)
            rota = await session.get_one(Rota, piece.rota_id)
            giver = await session.get_one(MemberRow, offer.from_member_id)
            taker = await session.get_one(MemberRow, offer.to_member_id)
            org = await session.get_one(Organization, rota.organization_id)
        language = channel_language(org.language, giver.language)
        content = SwapDecided(offer.status == "accepted", task.name, piece.hours, rota.week, taker.user_id, language)
        found = await self.rota.find_dm(giver.user_id, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        return Outcome(await self.rota.send_dm(giver.user_id, content, attempt.marker), True)


def register(outbox: Outbox, rota: RotaEffects) -> None:
    outbox.register(TellAnswer, SwapEffects(outbox.db, rota).tell_answer)
