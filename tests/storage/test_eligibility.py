"""Who may vote: members active now who joined (this time) before the vote opened; members who left
or were removed, and those who joined during the vote, stay out of the count and of an open tally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import merges
from storage.db import Database
from storage.models import MemberRow, MergeProposal
from tests.storage.builders import member, org

OPENED = datetime(2026, 12, 1, 12, tzinfo=UTC)
BEFORE, AFTER = OPENED - timedelta(days=3), OPENED + timedelta(hours=1)


async def test_the_electorate_counts_members_active_now_who_joined_before_the_vote_opened(db: Database) -> None:
    async with db.transaction() as session:
        ours, theirs = await org(session, 1, "North"), await org(session, 2, "South")
        await member(session, ours.id, 10, "Ana", joined_at=BEFORE)
        await member(session, ours.id, 11, "Ben", joined_at=OPENED)  # joined as it opened: in
        await member(session, ours.id, 12, "Cleo", joined_at=AFTER)  # joined during the vote
        await member(session, ours.id, 13, "Dan", joined_at=BEFORE, active=False)  # left
        await member(session, ours.id, 14, "Eve", joined_at=BEFORE, active=False, removed_at=BEFORE)  # removed
        await member(session, theirs.id, 15, "Fay", joined_at=BEFORE)  # another organization's
        ours_id, theirs_id = ours.id, theirs.id
    async with db.session() as session:
        assert await merges.electorate(session, ours_id, OPENED) == 2
        assert await merges.electorate(session, theirs_id, OPENED) == 1
        # Before anyone joined, nobody may vote.
        assert await merges.electorate(session, ours_id, BEFORE - timedelta(days=1)) == 0


async def test_an_open_tally_leaves_out_the_votes_of_members_out_of_the_electorate(db: Database) -> None:
    async with db.transaction() as session:
        ours, theirs = await org(session, 1, "North"), await org(session, 2, "South")
        ana = await member(session, ours.id, 10, "Ana", joined_at=BEFORE)
        ben = await member(session, ours.id, 11, "Ben", joined_at=BEFORE)
        fay = await member(session, theirs.id, 15, "Fay", joined_at=BEFORE)
        proposal = MergeProposal(
            proposer_org_id=ours.id,
            other_org_id=theirs.id,
            name="Both",
            proposed_by=10,
            proposer_quorum=50,
            proposer_threshold=67,
            proposer_electorate=2,
            other_quorum=50,
            other_threshold=67,
            other_electorate=1,
            created_at=OPENED,
            closes_at=OPENED + timedelta(days=2),
        )
        session.add(proposal)
        await session.flush()
        for row, choice in ((ana, "yes"), (ben, "no"), (fay, "yes")):
            await merges.cast(session, proposal.id, row, choice)
        ids = {"proposal": proposal.id, "ours": ours.id, "theirs": theirs.id, "ben": ben.id}
    async with db.transaction() as session:
        counts = await merges.tally(session, ids["proposal"])
        assert (counts[ids["ours"]]["yes"], counts[ids["ours"]]["no"], counts[ids["theirs"]]["yes"]) == (1, 1, 1)
        ben_now = await session.get_one(MemberRow, ids["ben"])
        ben_now.active, ben_now.removed_at = False, AFTER  # a moderator takes Ben out during the vote
    async with db.transaction() as session:
        counts = await merges.tally(session, ids["proposal"])
        assert (counts[ids["ours"]]["yes"], counts[ids["ours"]]["no"]) == (1, 0)
        proposal_now = await session.get_one(MergeProposal, ids["proposal"])
        proposal_now.status = "passed"
    async with db.session() as session:
        # Once closed the tally is the record of what was cast.
        counts = await merges.tally(session, ids["proposal"])
        assert (counts[ids["ours"]]["yes"], counts[ids["ours"]]["no"]) == (1, 1)
