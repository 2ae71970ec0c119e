"""How a task given back is told in Discord (`bot.app.claims`' effect types: the offer, its close,
"nobody took it"), through the `RotaEffects` port; the claim is read as it stands at delivery."""

from __future__ import annotations

from dataclasses import replace

from storage import orgs
from storage.db import Database
from storage.models import Assignment, MemberRow, Organization, Rota, TaskClaim, TaskRow

from .claims import CloseOffer, OfferClaim, TellExpired, offered_to
from .effects import Attempt, Outbox, Outcome
from .facts import piece_moments
from .ports import Channel, ClaimNotice, Mentions, RotaEffects


class ClaimEffects:
    def __init__(self, db: Database, rota: RotaEffects) -> None:
        self.db, self.rota = db, rota

    async def notice(self, claim_id: int, guild_id: int) -> ClaimNotice | None:
        """A task given back as it stands now, with the members it is offered to while it is open."""
        async with self.db.session() as session:
            claim = await session.get(TaskClaim, claim_id)
            if claim is None:
                return None
            piece = await session.get_one(Assignment, claim.assignment_id)
            task = await session.get_one(TaskRow, piece.task_id)
            rota = await session.get_one(Rota, piece.rota_id)
            org = await session.get_one(Organization, claim.organization_id)
            giver = await session.get_one(MemberRow, claim.from_member_id)
            taker = await session.get(MemberRow, claim.taker_member_id) if claim.taker_member_id else None
            offered = [m.user_id for m in await offered_to(session, claim)] if claim.status == "open" else []
            server = await orgs.server(session, guild_id)
        state = {"open": "offered", "taken": "taken", "withdrawn": "withdrawn"}.get(claim.status, "expired")
        assert claim.id is not None
        starts, ends = piece_moments(rota.week, org.timezone, piece)
        return ClaimNotice(
            state,
            claim.id,
            org.name,
            task.name,
            piece.hours,
            rota.week,
            giver.user_id,
            claim.deadline,
            Mentions(offered),
            taker.user_id if taker else None,
            server.moderator_role_id if server else None,
            starts,
            ends,
            org.language,
        )

    async def offer(self, effect: OfferClaim | TellExpired, attempt: Attempt) -> Outcome:
        notice = await self.notice(effect.claim_id, effect.guild_id)
        if notice is None or (isinstance(effect, OfferClaim) and notice.state != "offered"):
            return Outcome()  # taken or closed before its offer went out: nothing to offer
        if isinstance(effect, TellExpired):
            notice = replace(notice, state="expired", mentions=Mentions())
        channel = Channel(effect.guild_id, effect.channel_id)
        found = await self.rota.find_post(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        return Outcome(await self.rota.post_claim(channel, notice, attempt.marker, attempt.tried_before), True)

    async def close(self, effect: CloseOffer, attempt: Attempt) -> Outcome:
        notice = await self.notice(effect.claim_id, effect.guild_id)
        channel = Channel(effect.guild_id, effect.channel_id)
        for offer in await attempt.prior():  # the offers sent on this server
            here = isinstance(offer.effect, OfferClaim) and offer.effect.guild_id == channel.guild_id
            if notice is not None and offer.message_id and here:
                await self.rota.close_claim(channel, offer.message_id, notice)
        return Outcome()


def register(outbox: Outbox, rota: RotaEffects) -> None:
    handlers = ClaimEffects(outbox.db, rota)
    outbox.register(OfferClaim, handlers.offer)
    outbox.register(CloseOffer, handlers.close)
    outbox.register(TellExpired, handlers.offer)
