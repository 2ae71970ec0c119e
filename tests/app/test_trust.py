"""Trust between members and servers: a chart that cannot be drawn, membership that sticks, votes
only from the electorate, done marks and swaps re-checked, merge proposals bounded."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.app import members, organizations, report, swaps, tasks
from bot.app.done import mark_done
from bot.app.merges import MergeVotes
from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.app.week import my_week, open_tasks
from bot.domain.errors import BadInput
from bot.domain.organizations import MERGE_PROPOSALS_PER_DAY
from bot.render.chart import balance_chart
from storage import merges
from storage.db import Database
from storage.models import Assignment, AuditEntry, MemberRow, MergeProposal, OrgServer
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import Clock, FakeJobs, FakeRotaEffects, FakeVoteEffects, InlineRunner
from tests.app.test_merges import A, B, noop, two_orgs

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6)]
WEEK = "2026-W49"


class ChartBreaks(InlineRunner):
    """A worker whose chart drawing fails (as matplotlib did on a `$…$` name)."""

    async def run(self, function: Any, *args: Any, timeout: float = 300.0) -> Any:
        if function is balance_chart:
            self.calls.append("balance_chart")
            raise ValueError("Unknown symbol: \\x")
        return await super().run(function, *args, timeout=timeout)


async def test_a_chart_that_cannot_be_drawn_never_stops_the_post(db: Database, clock, caplog) -> None:
    effects, runner = FakeRotaEffects(), ChartBreaks()
    outbox = Dispatcher(db, effects, FakeVoteEffects(), runner, clock)
    publication = Publication(db, outbox, InlineRunner(), clock, solver_time_limit=0.5)
    org = await make_org(db, ["ana", "ben"], TASKS)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        result = await publication.publish(org.id, WEEK)
    assert result.posted == 1
    [post] = effects.posts
    assert post.content.chart is None  # sent without it
    failures = [r for r in caplog.records if "could not be drawn" in r.getMessage()]
    assert len(failures) == 1 and f"organization {org.id}" in failures[0].getMessage()


async def holder_of(db: Database, clock, org, task: str, week: str | None = None) -> tuple[int, int]:
    """(holder's user id, another member's user id) for a task in the week."""
    for member in org.members.values():
        mine = await my_week(db, clock, GUILD, member.user_id, week)
        if any(h.task.name == task for h in mine.mine):
            other = next(m for m in org.members.values() if m.user_id != member.user_id)
            return member.user_id, other.user_id
    raise AssertionError(f"nobody holds {task}")


async def rows(db: Database, model, *where) -> list[Any]:
    async with db.session() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_a_removed_member_stays_out_until_a_moderator_readmits_them(db: Database, clock) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    ben = org.members["ben"]
    await members.remove_member(db, GUILD, 99, ben.user_id)
    with pytest.raises(BadInput, match="readmit"):
        await members.join(db, GUILD, ben.user_id, "ben", None, clock.now)
    [still_out] = await rows(db, MemberRow, MemberRow.id == ben.id)
    assert not still_out.active and still_out.removed_at is not None

    await members.readmit_member(db, GUILD, 99, ben.user_id)
    with pytest.raises(BadInput, match="was not removed"):
        await members.readmit_member(db, GUILD, 99, ben.user_id)
    later = clock.now + timedelta(days=3)
    await members.join(db, GUILD, ben.user_id, "ben", None, later)
    [back] = await rows(db, MemberRow, MemberRow.id == ben.id)
    assert back.active and back.removed_at is None and back.joined_at == later  # a new membership period
    audit = await rows(db, AuditEntry, AuditEntry.organization_id == org.id)
    assert [(e.action, e.detail, e.guild_id) for e in audit] == [
        ("member.remove", str(ben.user_id), GUILD),
        ("member.readmit", str(ben.user_id), GUILD),
    ]


async def test_leaving_and_joining_again_starts_a_new_period(db: Database, clock) -> None:
    org = await make_org(db, ["ana"], TASKS)
    ana = org.members["ana"]
    await members.leave(db, GUILD, ana.user_id)
    await members.join(db, GUILD, ana.user_id, "ana", None, clock.now + timedelta(hours=1))
    [row] = await rows(db, MemberRow, MemberRow.id == ana.id)
    assert row.active and row.joined_at == clock.now + timedelta(hours=1)


@pytest.fixture
async def votes(db: Database) -> tuple[MergeVotes, Clock]:
    await two_orgs(db)  # A: ana 1, ben 2, cleo 3; B: dave 10, cleo 3
    clock = Clock()
    outbox = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), clock)
    service = MergeVotes(db, outbox, InlineRunner(), clock, jobs=FakeJobs(), schedule_changed=noop)
    clock.now += timedelta(seconds=1)
    return service, clock


async def test_nobody_outside_the_electorate_votes_or_counts_towards_turnout_or_an_early_close(
    db: Database, votes
) -> None:
    """The reported case: members who had left, or were removed, walked back in during the vote and
    voted, so a side's tally exceeded its electorate and "everyone has voted" closed it early."""
    service, clock = votes
    await members.leave(db, A, 2)  # ben leaves before the vote opens
    clock.now += timedelta(seconds=1)
    proposal = await service.propose(A, 1, "BBBB2345", None, 24)
    assert proposal.proposer_electorate == 2  # ana and cleo
    clock.now += timedelta(minutes=1)
    await members.join(db, A, 2, "ben", None, clock.now)  # back during the vote: a new period
    with pytest.raises(BadInput, match=r"not counted: you joined the rota .* after the vote opened"):
        await service.vote(A, 2, proposal.id, "yes")

    await service.vote(A, 3, proposal.id, "yes")  # cleo votes, then a moderator removes her
    await members.remove_member(db, A, 99, 3)
    with pytest.raises(BadInput, match="not counted: you are not in the rota now"):
        await service.vote(A, 3, proposal.id, "no")
    await members.readmit_member(db, A, 99, 3)
    await members.join(db, A, 3, "cleo", None, clock.now)
    with pytest.raises(BadInput, match="after the vote opened"):
        await service.vote(A, 3, proposal.id, "yes")

    await service.vote(A, 1, proposal.id, "yes")
    await service.vote(B, 10, proposal.id, "yes")
    await service.vote(B, 3, proposal.id, "yes")
    assert not service.background  # no early close was started
    async with db.session() as session:
        counts = await merges.tally(session, proposal.id)
        assert counts[proposal.proposer_org_id]["yes"] == 1  # ana only: cleo's vote went with her
        [stored] = (await session.execute(select(MergeProposal))).scalars()
    assert stored.status == "open"  # side A has not all voted: cleo's old vote does not complete it


async def test_merge_proposals_are_limited_per_organization_and_a_new_code_stops_the_old(db: Database, votes) -> None:
    """The reported spam: propose, cancel, propose again, each time posting in the other's channel."""
    service, clock = votes
    opened = clock.now
    for _ in range(MERGE_PROPOSALS_PER_DAY):
        proposal = await service.propose(A, 1, "BBBB2345", None, 24)
        await service.cancel(A, 1, proposal.id)
        clock.now += timedelta(minutes=5)
    posts_before = len(service.outbox.votes.votes)  # type: ignore[attr-defined]
    with pytest.raises(BadInput, match="3 merges in the last 24 hours") as refused:
        await service.propose(A, 1, "BBBB2345", None, 24)
    assert f"Try again after {opened + timedelta(days=1):%a %d %b %H:%M} UTC" in str(refused.value)
    assert len(service.outbox.votes.votes) == posts_before  # type: ignore[attr-defined]  # nothing posted
    assert len(await rows(db, MergeProposal)) == MERGE_PROPOSALS_PER_DAY

    code = await organizations.new_merge_code(db, B, 77)  # B's moderator replaces its code
    assert code != "BBBB2345"
    clock.now = opened + timedelta(days=1, seconds=1)  # the first proposal left the window
    with pytest.raises(BadInput, match="No organization has the merge code"):
        await service.propose(A, 1, "BBBB2345", None, 24)
    assert (await service.propose(A, 1, code, None, 24)).id is not None
    [entry] = await rows(db, AuditEntry, AuditEntry.action == "org.merge-code")
    assert (entry.actor_id, entry.guild_id) == (77, B)
    proposed = await rows(db, AuditEntry, AuditEntry.action == "merge.propose")
    assert {(e.organization_id, e.guild_id) for e in proposed} == {(1, A), (2, A)}  # B's moderators see it too


async def test_done_marks_are_for_this_week_and_last_and_a_moderator_corrects_older_ones(
    db: Database, publication: Publication, clock
) -> None:
    """The reported case: *Done…* on any old post marked that week done, unaudited (done is pay)."""
    org = await make_org(db, ["ana", "ben"], TASKS)
    await publication.publish(org.id, WEEK)
    holder, _ = await holder_of(db, clock, org, "Dishes")
    clock.now += timedelta(weeks=1)  # W50: W49 is last week, still markable
    assert await mark_done(db, clock, GUILD, holder, "Dishes", WEEK) == "Dishes"
    baker, _ = await holder_of(db, clock, org, "Baking", WEEK)
    clock.now += timedelta(weeks=1)  # W51: W49 is history
    with pytest.raises(BadInput, match=r"Week 2026-W49 can no longer be marked: only this week \(2026-W51\)"):
        await open_tasks(db, clock, GUILD, baker, WEEK, to_mark=True)
    with pytest.raises(BadInput, match="and last week \\(2026-W50\\) can"):
        await mark_done(db, clock, GUILD, baker, "Baking", WEEK)
    assert not await rows(db, Assignment, Assignment.done_at.is_not(None), Assignment.task_id == org.tasks["Baking"])
    assert await open_tasks(db, clock, GUILD, baker, WEEK, to_mark=True, moderator=True)
    await mark_done(db, clock, GUILD, baker, "Baking", WEEK, moderator=True)
    [entry] = await rows(db, AuditEntry, AuditEntry.action == "rota.done")
    assert (entry.actor_id, entry.detail, entry.guild_id) == (baker, "2026-W49 Baking", GUILD)


async def test_a_swap_is_checked_again_when_accepted(db: Database, publication: Publication, clock) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], TASKS)
    await publication.publish(org.id, WEEK)
    giver, taker = await holder_of(db, clock, org, "Dishes")
    done_first = await swaps.offer(db, clock, GUILD, giver, "Dishes", taker)
    await mark_done(db, clock, GUILD, giver, "Dishes")
    with pytest.raises(BadInput, match="already marked done"):
        await swaps.answer(db, done_first.offer_id, taker, accept=True, clock=clock)

    giver, taker = await holder_of(db, clock, org, "Baking")
    removed = await swaps.offer(db, clock, GUILD, giver, "Baking", taker)
    await members.remove_member(db, GUILD, 99, taker)
    with pytest.raises(BadInput, match="not in the rota any more"):
        await swaps.answer(db, removed.offer_id, taker, accept=True, clock=clock)
    await members.readmit_member(db, GUILD, 99, taker)
    await members.join(db, GUILD, taker, "back", None, clock.now)

    late = await swaps.offer(db, clock, GUILD, giver, "Baking", taker)
    clock.now += timedelta(weeks=1)  # the week is over
    with pytest.raises(BadInput, match="expired with its week \\(2026-W49\\)"):
        await swaps.answer(db, late.offer_id, taker, accept=True, clock=clock)
    [baking] = await rows(db, Assignment, Assignment.task_id == org.tasks["Baking"])
    assert baking.member_id == next(m.id for m in org.members.values() if m.user_id == giver)  # never moved


async def test_in_a_federation_a_change_on_one_server_is_audited_with_it_and_told_on_the_others(
    db: Database, outbox: Dispatcher, effects: FakeRotaEffects, clock
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    other = 999  # a second server of the organization, as after a merge
    async with db.transaction() as session:
        session.add(OrgServer(guild_id=other, organization_id=org.id, channel_id=other * 2))
    await tasks.edit_task(db, other, 42, "Dishes", tasks.TaskEdit(hours=5))
    await members.remove_member(db, GUILD, 7, org.members["ben"].user_id)
    await tasks.import_tasks(db, other, 42, "more.csv", "task,hours\nBread,2\n")
    await report.set_publishing(db, GUILD, 7, True)
    clock.now = datetime.now(UTC)  # these moderator commands queue their notices for now
    await outbox.deliver_due()
    told = {
        (channel.guild_id, notice.action, notice.actor_id, notice.origin_guild_id)
        for channel, notice, _, _ in effects.notices
    }
    assert told == {
        (GUILD, "task.edit", 42, other),
        (other, "member.remove", 7, GUILD),
        (GUILD, "task.import", 42, other),
        (other, "report.publish", 7, GUILD),
    }  # never the server it came from
    audit = await rows(db, AuditEntry, AuditEntry.organization_id == org.id)
    assert [(e.action, e.guild_id) for e in audit] == [
        ("task.edit", other),
        ("member.remove", GUILD),
        ("task.import", other),
        ("report.publish", GUILD),
    ]
    await outbox.deliver_due()
    assert len(effects.notices) == 4  # once each
