"""How a merge (or leave) vote is told in Discord (`bot.app.merges`' effect types: the vote post,
the reminder, the end and the buttons' retirement), through the `VoteEffects` port."""

from __future__ import annotations

import json

from bot.domain.rota import total_hours
from bot.domain.solver.model import exact_hours
from bot.domain.votes import Side
from bot.i18n import channel_language
from storage import merges, orgs
from storage.db import Database, Session
from storage.models import MergePost, MergeProposal, Organization
from storage.tasks import active_tasks

from .effects import Attempt, Outbox, Outcome
from .facts import org_facts, proposal_facts
from .languages import org_language
from .merges import AnnounceEnd, PostVote, RemindVoters, RetireVote
from .ports import (
    Channel,
    Mentions,
    SideFacts,
    VoteClosed,
    VoteEffects,
    VoteEnd,
    VotePostContent,
    VoteReminder,
    VoteWithdrawn,
)


class VoteDelivery:
    def __init__(self, db: Database, votes: VoteEffects) -> None:
        self.db, self.votes = db, votes

    async def post(self, effect: PostVote, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        async with self.db.session() as session:
            proposal = await session.get_one(MergeProposal, effect.proposal_id)
            if proposal.status != "open":
                return Outcome()  # closed before its post went out: the announcement says it all
            facts = await side_facts(session, proposal, effect.here, effect.there)
        found = await self.votes.find_message(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        content = VotePostContent(proposal_facts(proposal), facts[effect.here], facts[effect.there], attempt.marker)
        return Outcome(await self.votes.post_vote(channel, content), True)

    async def record_post(self, session: Session, effect: PostVote, outcome: Outcome) -> None:
        if outcome.message_id is not None:
            session.add(
                MergePost(
                    proposal_id=effect.proposal_id,
                    guild_id=effect.guild_id,
                    channel_id=effect.channel_id,
                    message_id=outcome.message_id,
                )
            )

    async def remind(self, effect: RemindVoters, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        async with self.db.session() as session:
            proposal = await session.get_one(MergeProposal, effect.proposal_id)
            if proposal.status != "open":
                return Outcome()  # closed meanwhile: nothing to remind of
            waiting = await merges.non_voters(session, proposal, effect.org_id)
            side = await session.get(Organization, effect.org_id)
        if not waiting:
            return Outcome()
        found = await self.votes.find_message(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        assert proposal.id is not None
        language = channel_language(side.language if side else None)
        reminder = VoteReminder(proposal.id, proposal.name, proposal.closes_at, Mentions(waiting), language)
        return Outcome(await self.votes.remind(channel, reminder, attempt.marker, attempt.tried_before), True)

    async def announce(self, effect: AnnounceEnd, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        found = await self.votes.find_message(channel, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        return Outcome(await self.votes.announce(channel, await self.end(effect), attempt.marker), True)

    async def end(self, effect: AnnounceEnd) -> VoteEnd:
        # In the language of the organization whose channel it is (after a merge: the merged one's).
        language = channel_language(await org_language(self.db, effect.guild_id))
        if effect.end == "withdrawn":
            return VoteWithdrawn(effect.proposal_id, effect.by_org, language)
        async with self.db.session() as session:
            proposal = await session.get_one(MergeProposal, effect.proposal_id)
        result = json.loads(proposal.result)
        sides = (Side(**result["proposer"]), Side(**result["other"]))
        first, second = effect.names or ("", "")
        return VoteClosed(proposal_facts(proposal), (first, second), sides, effect.merged_name, language)

    async def retire(self, effect: RetireVote, attempt: Attempt) -> Outcome:
        async with self.db.session() as session:
            posted = [p for p in await merges.posts(session, effect.proposal_id) if p.message_id]
        for post in posted:
            if post.guild_id == effect.guild_id and post.message_id:
                await self.votes.retire(Channel(post.guild_id, post.channel_id), post.message_id)
        return Outcome()


async def side_facts(session: Session, proposal: MergeProposal, here: int, there: int) -> dict[int, SideFacts]:
    """What each side of the vote shows the other: members, hours of work, goals."""
    facts = {}
    if proposal.kind == "leave":  # what the leaving side takes with it
        members_count, side_tasks, side_goals = await merges.side_facts(
            session, proposal.proposer_org_id, proposal.other_org_id
        )
        side = await session.get_one(Organization, proposal.other_org_id)
        hours = total_hours(exact_hours(t.hours) * t.slots for t in side_tasks)
        facts[there] = SideFacts(org_facts(side), members_count, hours, side_goals)
    for org_id in (here, there):
        if org_id in facts:
            continue
        org = await session.get_one(Organization, org_id)
        facts[org_id] = SideFacts(
            org_facts(org),
            await orgs.active_member_count(session, org_id),
            total_hours(exact_hours(t.hours) * t.slots for t in await active_tasks(session, org_id)),
            [g.text for g in await orgs.goals(session, org_id)],
        )
    return facts


def register(outbox: Outbox, votes: VoteEffects) -> None:
    handlers = VoteDelivery(outbox.db, votes)
    outbox.register(PostVote, handlers.post, record=handlers.record_post)
    outbox.register(RemindVoters, handlers.remind)
    outbox.register(AnnounceEnd, handlers.announce)
    outbox.register(RetireVote, handlers.retire)
