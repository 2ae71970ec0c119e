"""How a proposal is told in Discord (`bot.app.decisions`' effect types: the post with its buttons on
each server of the organization, the reminder DMs a day before the close, the result, the buttons
disabled), through the `DecisionEffects` port.

The contents are read at delivery: a post queued before a close says nothing stale (it is skipped),
and a reminder leaves out whoever voted (or had a delegate vote) meanwhile."""

from __future__ import annotations

from dataclasses import replace

from storage import decisions as store
from storage.db import Database, Session
from storage.models import Organization, Proposal, TaskRow

from .decisions import (
    AnnounceResult,
    PostProposal,
    RemindElector,
    RetireProposal,
    current_tally,
    stored_result,
    why_not_told,
)
from .effects import Attempt, Outbox, Outcome
from .ports import Channel, Clock, DecisionEffects, Electorate, ProposalPost, ProposalReminder


class DecisionDelivery:
    def __init__(self, db: Database, port: DecisionEffects, clock: Clock) -> None:
        self.db, self.port, self.clock = db, port, clock

    async def post(self, effect: PostProposal, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        async with self.db.session() as session:
            proposal = await session.get_one(Proposal, effect.proposal_id)
            if proposal.status != "open":
                return Outcome()  # closed before its post went out: the result says it all
            org = await session.get_one(Organization, proposal.organization_id)
            electors = await store.electors(session, effect.proposal_id)
            choices = await store.choices(session, effect.proposal_id)
            who = await who_decides_in(session, proposal, org.language)
        found = await self.port.find_message(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        content = ProposalPost(
            effect.proposal_id,
            org.name,
            proposal.title,
            proposal.text,
            proposal.proposed_by,
            choices,
            Electorate.of(who, electors, proposal.basis == "weighted"),
            proposal.quorum_pct,
            proposal.threshold_pct,
            proposal.secret,
            proposal.closes_at,
            attempt.marker,
            org.language,
        )
        return Outcome(await self.port.post_proposal(channel, content), True)

    async def announce(self, effect: AnnounceResult, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        found = await self.port.find_message(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        async with self.db.session() as session:
            proposal = await session.get_one(Proposal, effect.proposal_id)
            org = await session.get_one(Organization, proposal.organization_id)
            who = await who_decides_in(session, proposal, org.language)
            choices = await store.choices(session, effect.proposal_id)
        result = replace(stored_result(proposal), decided_by=who, language=org.language)
        if result.status == "failed":
            result = replace(result, why_not=why_not_told(result, org.language, tuple(choices)))
        return Outcome(await self.port.announce(channel, result, attempt.marker), True)

    async def retire(self, effect: RetireProposal, attempt: Attempt) -> Outcome:
        posted = [
            p
            for p in await attempt.prior()
            if isinstance(p.effect, PostProposal) and p.effect.guild_id == effect.guild_id and p.message_id
        ]
        if not posted:
            return Outcome()  # never posted on this server (closed first, or the server joined since)
        async with self.db.session() as session:
            choices = await store.choices(session, effect.proposal_id)
            proposal = await session.get_one(Proposal, effect.proposal_id)
            org = await session.get_one(Organization, proposal.organization_id)
        for prior in posted:
            assert isinstance(prior.effect, PostProposal) and prior.message_id is not None
            where = Channel(prior.effect.guild_id, prior.effect.channel_id)
            await self.port.retire(where, prior.message_id, effect.proposal_id, choices, org.language)
        return Outcome()

    async def remind(self, effect: RemindElector, attempt: Attempt) -> Outcome:
        async with self.db.session() as session:
            proposal = await session.get_one(Proposal, effect.proposal_id)
            if proposal.status != "open":
                return Outcome()  # closed meanwhile: nothing to remind of
            counted, _ = await current_tally(session, proposal, self.clock())
            org = await session.get_one(Organization, proposal.organization_id)
        if effect.member_id in counted.how:
            return Outcome()  # voted (or their delegate did) since it was queued
        found = await self.port.find_dm(effect.user_id, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        reminder = ProposalReminder(effect.proposal_id, org.name, proposal.title, proposal.closes_at, org.language)
        return Outcome(await self.port.remind(effect.user_id, reminder, attempt.marker), True)


def register(outbox: Outbox, port: DecisionEffects | None, clock: Clock) -> None:
    """Without a port (a test of another feature) nothing is registered: no proposal is opened there."""
    if port is None:
        return
    handlers = DecisionDelivery(outbox.db, port, clock)
    outbox.register(PostProposal, handlers.post)
    outbox.register(RemindElector, handlers.remind)
    outbox.register(AnnounceResult, handlers.announce)
    outbox.register(RetireProposal, handlers.retire)


async def who_decides_in(session: Session, proposal: Proposal, language: str) -> str:
    """Who decides the proposal, in words in `language`, with its tasks' names."""
    rule = store.rule_of(proposal)
    names = {t: row.name for t in rule.task_ids if (row := await session.get(TaskRow, t)) is not None}
    return rule.describe(names, language)
