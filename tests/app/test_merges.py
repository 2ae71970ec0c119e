"""Merge votes through the use case: the electorate, votes, one close however often triggered."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

import storage.outbox
from bot.app.merges import MergeVotes, close_key, remind_key
from bot.app.outbox import Dispatcher
from bot.app.ports import VoteClosed
from bot.domain.errors import BadInput
from storage.db import Database
from storage.models import MemberRow, MergeProposal, Organization
from tests.app.conftest import make_org
from tests.app.fakes import Clock, Crash, FakeJobs, FakeRotaEffects, FakeVoteEffects, InlineRunner, crash_when_recording

A, B = 111, 333  # the two servers


async def two_orgs(db: Database) -> None:
    await make_org(db, ["ana", "ben", "cleo"], [("Dishes", 3, 2, 1)], guild_id=A, code="AAAA2345")
    await make_org(db, ["dave"], [("Repairs", 2, 6, 8)], guild_id=B, code="BBBB2345", first_user=10)
    async with db.transaction() as session:  # cleo (user 3) is in both
        session.add(MemberRow(organization_id=2, user_id=3, display_name="cleo", hours=5))


async def noop(_org_id: int) -> None:
    return None


@pytest.fixture
async def votes(db: Database) -> tuple[MergeVotes, Clock]:
    await two_orgs(db)
    clock = Clock()
    outbox = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), clock)
    service = MergeVotes(db, outbox, InlineRunner(), clock, jobs=FakeJobs(), schedule_changed=noop)
    clock.now += timedelta(seconds=1)  # everyone joined before the vote opens
    return service, clock


async def test_a_proposal_posts_on_both_sides_with_a_dry_run(votes) -> None:
    service, _ = votes
    proposal = await service.propose(A, 1, "bbbb2345", "Together", 24)
    assert (proposal.proposer_electorate, proposal.other_electorate) == (3, 2)
    posted = service.outbox.votes.votes  # type: ignore[attr-defined]
    assert sorted(channel.guild_id for channel, _, _ in posted) == [A, B]
    here = next(content for channel, content, _ in posted if channel.guild_id == A)
    assert here.there.org.name == f"Org {B}" and here.there.task_hours == 2
    assert service.jobs.jobs == {  # type: ignore[union-attr]
        close_key(proposal.id): proposal.closes_at,
        remind_key(proposal.id): proposal.closes_at - timedelta(hours=12),  # half-way through a one-day vote
    }
    with pytest.raises(BadInput, match="already in a merge vote"):
        await service.propose(B, 10, "AAAA2345", None, None)


async def test_only_the_electorate_votes_and_a_late_joiner_does_not(db, votes) -> None:
    service, clock = votes
    proposal = await service.propose(A, 1, "BBBB2345", None, 24)
    async with db.transaction() as session:  # joins after the vote opened
        late = clock.now + timedelta(seconds=1)
        session.add(MemberRow(organization_id=1, user_id=50, display_name="late", hours=5, joined_at=late))
    clock.now += timedelta(minutes=1)
    with pytest.raises(BadInput, match="after the vote opened"):
        await service.vote(A, 50, proposal.id, "yes")
    cast = await service.vote(A, 1, proposal.id, "no")
    again = await service.vote(A, 1, proposal.id, "yes")
    assert (cast.previous, again.previous, again.choice) == (None, "no", "yes")


async def test_the_close_runs_once_however_often_it_is_triggered(db, votes) -> None:
    service, clock = votes
    proposal = await service.propose(A, 1, "BBBB2345", "Together", 5)
    for guild, user in ((A, 1), (A, 2), (B, 10)):
        await service.vote(guild, user, proposal.id, "yes")
    assert await service.close(proposal.id) is None  # not due and not everyone voted: it waits
    clock.now += timedelta(hours=6)
    results = await asyncio.gather(*(service.close(proposal.id) for _ in range(3)))
    [closed] = [r for r in results if r is not None]
    assert isinstance(closed, VoteClosed) and closed.merged_name == "Together"
    assert [side.yes for side in closed.sides] == [2, 1]
    assert len(service.outbox.votes.ends) == 2  # type: ignore[attr-defined]  # one announcement per server
    with pytest.raises(BadInput, match="is closed"):
        await service.vote(A, 3, proposal.id, "no")
    async with db.session() as session:
        merged = await session.get_one(Organization, 3)
        old = await session.get_one(Organization, 1)
    assert merged.name == "Together" and old.merged_into_id == merged.id


async def test_everyone_voting_closes_early_in_the_background(votes) -> None:
    service, _ = votes
    proposal = await service.propose(A, 1, "BBBB2345", None, 24)
    for guild, user in ((A, 1), (A, 2), (A, 3), (B, 10), (B, 3)):
        await service.vote(guild, user, proposal.id, "no")
    await asyncio.gather(*service.background)
    [(_, end, _), _] = service.outbox.votes.ends  # type: ignore[attr-defined]
    assert isinstance(end, VoteClosed) and end.merged_name is None


async def everyone_votes_yes(service: MergeVotes) -> int:
    proposal = await service.propose(A, 1, "BBBB2345", "Together", 24)
    for guild, user in ((A, 1), (A, 2), (A, 3), (B, 10), (B, 3)):
        await service.vote(guild, user, proposal.id, "yes")
    return proposal.id


def restarted(db: Database, service: MergeVotes) -> Dispatcher:
    """A new process's dispatcher over the same Discord (the fake keeps what was sent)."""
    old = service.outbox
    return Dispatcher(db, old.rota, old.votes, InlineRunner(), old.clock)


async def test_a_crash_after_the_close_still_announces_on_every_server_once(db, votes, monkeypatch) -> None:
    service, clock = votes
    discord = service.outbox.votes
    monkeypatch.setattr(service, "spawn", lambda coroutine: coroutine.close())  # the early close: by hand here
    proposal_id = await everyone_votes_yes(service)
    discord.fail_next_announce = Crash()  # killed after the close committed, before anything was sent
    with pytest.raises(Crash):
        await service.close(proposal_id)
    assert discord.ends == []
    async with db.session() as session:
        assert (await session.get_one(MergeProposal, proposal_id)).status == "passed"

    clock.now += timedelta(minutes=1)
    await restarted(db, service).deliver_due()
    assert sorted(channel.guild_id for channel, _, _ in discord.ends) == [A, B]
    assert all(isinstance(end, VoteClosed) and end.merged_name == "Together" for _, end, _ in discord.ends)
    assert sorted(channel.guild_id for channel, _ in discord.retired) == [A, B]  # the buttons are gone
    assert await service.close(proposal_id) is None  # and it does not close twice


async def test_a_crash_between_announcing_and_recording_finds_the_announcement(db, votes, monkeypatch) -> None:
    service, clock = votes
    discord = service.outbox.votes
    monkeypatch.setattr(service, "spawn", lambda coroutine: coroutine.close())
    proposal_id = await everyone_votes_yes(service)
    real_done = crash_when_recording(monkeypatch, "vote.end", Crash)
    with pytest.raises(Crash):
        await service.close(proposal_id)
    assert len(discord.ends) == 1  # sent, not recorded

    monkeypatch.setattr(storage.outbox, "done", real_done)
    clock.now += timedelta(minutes=1)
    await restarted(db, service).deliver_due()
    assert sorted(channel.guild_id for channel, _, _ in discord.ends) == [A, B]  # one each, none twice
    async with db.session() as session:
        effects = await storage.outbox.of_subject(session, f"merge:{proposal_id}", "vote.end")
    assert {e.status for e in effects} == {"done"}
    assert {e.message_id for e in effects} == {message_id for _, _, message_id in discord.ends}


async def test_a_cancelled_vote_is_announced_and_its_buttons_retired(votes) -> None:
    service, _ = votes
    proposal = await service.propose(A, 1, "BBBB2345", None, 24)
    await service.cancel(B, 10, proposal.id)
    discord = service.outbox.votes
    assert sorted(channel.guild_id for channel, _, _ in discord.ends) == [A, B]
    assert {message_id for _, message_id in discord.retired} == {message_id for _, _, message_id in discord.votes}


async def test_the_dry_run_names_tasks_as_the_merge_will_and_says_how_much_work_is_unrated(db, votes) -> None:
    service, _ = votes
    async with db.transaction() as session:  # B has its own "dishes" (no ratings: counted as neutral)
        from storage.models import TaskRow

        session.add(TaskRow(organization_id=2, name="dishes", hours=1.5, slots=2))
    proposal = await service.propose(A, 1, "BBBB2345", "Together", 24)
    pooled = json.loads(proposal.dry_run)["pooled"]
    assert pooled["renamed"] == [["Dishes", "Dishes (Org 111)"], ["dishes", "dishes (Org 333)"]]
    # Repairs has one rating (dave's): too few, so it is unrated too.
    assert (pooled["hours"], pooled["unrated_hours"], pooled["unrated_tasks"]) == (8.0, 5.0, 2)
