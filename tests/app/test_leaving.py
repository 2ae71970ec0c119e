"""Leaving a federation by vote: a three-server federation where one server's side leaves and the
other two stay. Only the leaving side votes, by its own rules; it takes its tasks, goals, members,
ratings and history; the rest carries on; everyone is told; a member of both stays in both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.app import report
from bot.app.merges import MergeVotes
from bot.app.outbox import Dispatcher
from bot.app.ports import VoteClosed
from bot.app.publication import Publication
from bot.domain.errors import BadInput
from bot.domain.votes import reminder_at
from storage import orgs, rotas
from storage.db import Database
from storage.models import Goal, MemberRow, MergeProposal, Organization, OrgServer, Rating, TaskRow
from tests.app.conftest import make_org
from tests.app.fakes import Clock, FakeJobs, FakeRotaEffects, FakeVoteEffects, InlineRunner

A, B, C = 111, 333, 555  # the three servers


async def noop(_org_id: int) -> None:
    return None


async def passed(service: MergeVotes, clock: Clock, guild: int, code: str, voters: list[tuple[int, int]]) -> int:
    proposal = await service.propose(guild, voters[0][1], code, None, 24)
    for voter_guild, user in voters:
        await service.vote(voter_guild, user, proposal.id, "yes")
    clock.now += timedelta(days=2)
    closed = await service.close(proposal.id)
    assert isinstance(closed, VoteClosed) and closed.merged_name
    merged = await merged_org_id(service.db, proposal.id)
    assert merged is not None
    return merged


async def merged_org_id(db: Database, proposal_id: int) -> int | None:
    """The organization a passed vote made (the announcement's facts do not carry it)."""
    async with db.session() as session:
        return (await session.get_one(MergeProposal, proposal_id)).merged_org_id


@pytest.fixture
async def federation(db: Database):
    """A (ana, ben, cleo) + B (dave, cleo: in both, erin) merged; then that + C (fay) merged."""
    await make_org(db, ["ana", "ben", "cleo"], [("Dishes", 3, 2, 1)], guild_id=A, code="AAAA2345")
    side_b = await make_org(
        db, ["dave", "erin"], [("Repairs", 2, 6, 8), ("Dishes", 2, 3, 2)], guild_id=B, code="BBBB2345", first_user=10
    )
    await make_org(db, ["fay"], [("Garden", 2, 8, 5)], guild_id=C, code="CCCC2345", first_user=20)
    async with db.transaction() as session:
        cleo_b = MemberRow(organization_id=side_b.id, user_id=3, display_name="cleo", hours=4)
        session.add(cleo_b)
        await session.flush()
        session.add(Rating(member_id=cleo_b.id, task_id=side_b.tasks["Repairs"], desirability=9, empowerment=9))
        session.add(Goal(organization_id=side_b.id, text="Fix what breaks"))
        session.add(Goal(organization_id=1, text="Feed everyone"))
    clock = Clock()
    effects, votes = FakeRotaEffects(), FakeVoteEffects()
    outbox = Dispatcher(db, effects, votes, InlineRunner(), clock)
    service = MergeVotes(db, outbox, InlineRunner(), clock, jobs=FakeJobs(), schedule_changed=noop)
    service.spawn = lambda coroutine: coroutine.close()  # type: ignore[method-assign]  # closes by hand here
    clock.now += timedelta(seconds=1)
    ab = await passed(service, clock, A, "BBBB2345", [(A, 1), (A, 2), (A, 3), (B, 10), (B, 11), (B, 3)])
    async with db.session() as session:
        code = (await session.get_one(Organization, ab)).merge_code
    abc = await passed(service, clock, C, code, [(C, 20), (A, 1), (A, 2), (A, 3), (B, 10), (B, 11)])
    publication = Publication(db, outbox, InlineRunner(), clock, solver_time_limit=0.5)
    return service, clock, publication, abc, side_b.id


async def test_one_side_leaves_by_its_own_vote_and_the_other_two_stay(db, federation, tmp_path) -> None:
    service, clock, publication, abc, side_b = federation
    before = await publication.publish(abc, "2026-W49")  # a week of the federation, before the leave
    async with db.transaction() as session:
        org_b = await session.get_one(Organization, side_b)
        org_b.quorum_pct, org_b.threshold_pct = 60, 75  # B's own rules, from before the merge
    async with db.session() as session:
        held_before = sorted(
            (h.member.display_name, h.task.id, h.assignment.hours)
            for h in await rotas.holdings(session, before.rota.id)
        )
    votes = service.outbox.votes
    posted_before = len(votes.votes)

    proposal = await service.propose_leave(B, 10, 12)
    assert (proposal.kind, proposal.proposer_quorum, proposal.proposer_threshold) == ("leave", 60, 75)
    assert proposal.proposer_electorate == 3  # dave, erin and cleo (in both); not A's or C's members
    assert [channel.guild_id for channel, _, _ in votes.votes[posted_before:]] == [B]  # posted on B's side only
    [(_, content, _)] = votes.votes[posted_before:]
    assert content.there.org.id == side_b and content.there.members == 3 and content.there.task_hours == 4
    assert content.there.goals == ["Fix what breaks"]
    with pytest.raises(BadInput, match="already in a vote"):
        await service.propose_leave(A, 1, None)
    with pytest.raises(BadInput, match="came from"):
        await service.vote(A, 1, proposal.id, "yes")  # ana is A's: the rest does not vote
    await service.vote(B, 10, proposal.id, "yes")
    clock.now = reminder_at(proposal.created_at, proposal.closes_at)
    assert await service.remind(proposal.id) == 1
    [(channel, reminder, _)] = votes.reminders
    assert channel.guild_id == B and list(reminder.mentions.user_ids) == [3, 11]  # cleo and erin: B's, not yet
    await service.vote(A, 3, proposal.id, "yes")  # cleo votes from any server of the federation
    await service.vote(B, 11, proposal.id, "no")
    clock.now += timedelta(hours=13)
    closed = await service.close(proposal.id)
    assert closed is not None and closed.merged_name is None  # 2 of 3 yes is under B's 75%: it stays

    proposal = await service.propose_leave(B, 10, 12)
    for user in (10, 11, 3):
        await service.vote(B, user, proposal.id, "yes")
    clock.now += timedelta(hours=13)
    closed = await service.close(proposal.id)
    assert closed is not None and closed.merged_name == f"Org {B}"
    ends = [(channel.guild_id, end) for channel, end, _ in votes.ends if end.proposal.id == proposal.id]
    assert sorted(guild for guild, _ in ends) == [A, B, C]  # both sides are told, on every server
    left = await merged_org_id(db, proposal.id)
    async with db.session() as session:
        left = (await session.get_one(MergeProposal, closed.proposal.id)).merged_org_id
        assert (await orgs.org_for_guild(session, B)).id == left  # type: ignore[union-attr]
        assert (await orgs.org_for_guild(session, A)).id == abc  # type: ignore[union-attr]
        assert (await orgs.org_for_guild(session, C)).id == abc  # type: ignore[union-attr]
        new = await session.get_one(Organization, left)
        assert (new.left_from_id, new.quorum_pct, new.threshold_pct, new.archived_at) == (abc, 60, 75, None)
        task_names = {
            org_id: sorted(
                t.name
                for t in (await session.execute(select(TaskRow).where(TaskRow.organization_id == org_id))).scalars()
            )
            for org_id in (abc, left)
        }
        # "Dishes" was renamed on both sides at the merge; the side that left has its plain name back
        assert task_names == {abc: ["Dishes (Org 111)", "Garden"], left: ["Dishes", "Repairs"]}
        assert [g.text for g in await orgs.goals(session, left)] == ["Fix what breaks"]
        assert [g.text for g in await orgs.goals(session, abc)] == ["Feed everyone"]
        people = {
            org_id: sorted(
                (m.display_name, m.hours)
                for m in (await session.execute(select(MemberRow).where(MemberRow.organization_id == org_id))).scalars()
            )
            for org_id in (abc, left)
        }
        assert people[abc] == [("ana", 10), ("ben", 10), ("cleo", 14), ("fay", 10)]  # cleo stays, pooled hours
        assert people[left] == [("cleo", 4), ("dave", 10), ("erin", 10)]  # and is in B with B's hours
        cleo_b = (
            await session.execute(select(MemberRow).where(MemberRow.organization_id == left, MemberRow.user_id == 3))
        ).scalar_one()
        ratings = (await session.execute(select(Rating).where(Rating.member_id == cleo_b.id))).scalars()
        repairs = next(t for t in (await session.execute(select(TaskRow).where(TaskRow.name == "Repairs"))).scalars())
        assert [(r.task_id, r.desirability) for r in ratings] == [(repairs.id, 9)]  # her rating went with the task
        inputs = await rotas.week_inputs(session, abc, "2026-W50")
        assert all(
            len(t.ratings) == 3 for t in inputs.tasks if t.name == "Dishes (Org 111)"
        )  # only ABC's raters remain
        old = await rotas.holdings(session, before.rota.id)  # the federation's past week: readable, whole
        assert sorted((h.member.display_name, h.task.id, h.assignment.hours) for h in old) == held_before
        assert {"dave", "erin"} <= {name for name, _, _ in held_before}
        servers = (await session.execute(select(OrgServer).where(OrgServer.guild_id == B))).scalar_one()
        assert servers.origin_org_id is None  # its own organization again: it could merge and leave anew
    async with db.session() as session:
        history = await rotas.history(session, left, ["2026-W49"])
    assert {p.member_id for p in history} & {m.id for m in (await _members(db, left))}  # the weeks there count
    mine = await publication.publish(left, "2026-W50")  # both carry on publishing
    theirs = await publication.publish(abc, "2026-W50")
    assert mine.created and theirs.created
    with pytest.raises(BadInput, match="not a federation"):
        await service.propose_leave(B, 10, None)
    for guild in (A, B):  # the public reports tell the story on both sides
        await report.set_publishing(db, guild, 900, True)
    written = await report.write(db, tmp_path, clock.now)
    pages = {p.parent.name: p.read_text() for p in written.pages if p.parent != tmp_path}
    story = [
        "Org 111 and Org 333 merged into Org 111 + Org 333 by vote.",
        "Org 555 and Org 111 + Org 333 merged into Org 555 + Org 111 + Org 333 by vote.",
        "Org 333 left Org 555 + Org 111 + Org 333 by a vote of its members.",
    ]
    assert sorted(pages) == sorted([f"org-555-org-111-org-333-{abc}", f"org-333-{left}"]), sorted(pages)
    assert all(line in pages[f"org-555-org-111-org-333-{abc}"] for line in story)
    assert story[-1] in pages[f"org-333-{left}"]


async def _members(db: Database, org_id: int) -> list[MemberRow]:
    async with db.session() as session:
        return list((await session.execute(select(MemberRow).where(MemberRow.organization_id == org_id))).scalars())


async def test_the_last_side_left_has_nobody_to_leave_and_a_plain_organization_nothing(db: Database) -> None:
    await make_org(db, ["ana"], [("Dishes", 3, 2, 1)], guild_id=A, code="AAAA2345")
    await make_org(db, ["dave"], [("Repairs", 2, 6, 8)], guild_id=B, code="BBBB2345", first_user=10)
    await make_org(db, ["fay"], [("Garden", 2, 8, 5)], guild_id=C, code="CCCC2345", first_user=20)
    clock = Clock()
    outbox = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), clock)
    service = MergeVotes(db, outbox, InlineRunner(), clock, jobs=FakeJobs(), schedule_changed=noop)
    service.spawn = lambda coroutine: coroutine.close()  # type: ignore[method-assign]
    clock.now += timedelta(seconds=1)
    with pytest.raises(BadInput, match="not a federation"):
        await service.propose_leave(C, 20, None)
    await passed(service, clock, A, "BBBB2345", [(A, 1), (B, 10)])
    proposal = await service.propose_leave(B, 10, 1)
    await service.vote(B, 10, proposal.id, "yes")
    clock.now += timedelta(hours=2)
    assert (await service.close(proposal.id)) is not None
    with pytest.raises(BadInput, match="only side left"):
        await service.propose_leave(A, 1, None)
