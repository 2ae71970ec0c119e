"""Proposals through the use case, with fake Discord effects: preview, limits, voting, delegation,
early close, withdrawal, reminders, timers and the log."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

import pytest

import storage.outbox
from bot.app.decisions import Decisions, Draft, close_key, remind_key
from bot.app.members import join, leave, readmit_member, remove_member
from bot.app.outbox import Dispatcher
from bot.domain.errors import BadInput
from bot.domain.weeks import iso_week
from storage.db import Database
from storage.models import Assignment, MemberRow, Organization, Proposal, Rota, utcnow
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import (
    Clock,
    Crash,
    FakeDecisionEffects,
    FakeJobs,
    FakeRotaEffects,
    FakeVoteEffects,
    InlineRunner,
    crash_when_recording,
)


class FakeRoles:
    def __init__(self, holders: set[int]) -> None:
        self.held = holders

    async def holders(self, guild_id: int, role_id: int, user_ids) -> set[int]:
        return self.held & set(user_ids)


@dataclass
class World:
    service: Decisions
    effects: FakeDecisionEffects
    clock: Clock
    members: dict[str, MemberRow]
    tasks: dict[str, int]


@pytest.fixture
async def world(db: Database) -> World:
    org = await make_org(db, ["ana", "ben", "cleo", "dan"], [("Dishes", 3, 2, 1), ("Baking", 4, 7, 5)])
    async with db.transaction() as session:  # last week: ana 6 h of dishes, ben 1.5 h; cleo baked
        last_week = iso_week((utcnow() - timedelta(days=7)).date())
        rota = Rota(organization_id=org.id, week=last_week, spread_sum=0, report="{}", published_at=utcnow())
        session.add(rota)
        await session.flush()
        for name, task, hours in (("ana", "Dishes", 6), ("ben", "Dishes", 1.5), ("cleo", "Baking", 4)):
            member = org.members[name].id
            task_id = org.tasks[task]
            session.add(
                Assignment(rota_id=rota.id, task_id=task_id, member_id=member, assigned_member_id=member, hours=hours)
            )
    clock = Clock(utcnow() + timedelta(seconds=1))  # everyone joined before the proposals open
    effects = FakeDecisionEffects()
    outbox = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), clock, decisions=effects)
    service = Decisions(db, outbox, clock, jobs=FakeJobs(), roles=FakeRoles({2, 3}))
    return World(service, effects, clock, org.members, org.tasks)


def user(world: World, name: str) -> int:
    return world.members[name].user_id


async def test_the_preview_says_who_decides_with_what_weight_and_changes_nothing(db, world: World) -> None:
    preview = await world.service.preview(GUILD, 1, Draft("New sink", who="weighted", tasks="dishes"))
    assert preview.electorate.count == 2 and preview.electorate.total == Fraction(15, 2)
    assert preview.electorate.top == [("ana", 6), ("ben", Fraction(3, 2))]
    assert preview.closes_at == world.clock.now + timedelta(hours=72)  # the organization's vote_hours
    affected = await world.service.preview(GUILD, 1, Draft("Oven", who="affected", tasks="Baking"))
    assert [n for n, _ in affected.electorate.top] == ["cleo"]
    by_role = await world.service.preview(GUILD, 1, Draft("Keys", who="affected", role_id=77))
    assert sorted(n for n, _ in by_role.electorate.top) == ["ben", "cleo"]
    async with db.session() as session:
        assert await session.get(Proposal, 1) is None


@pytest.mark.parametrize(
    ("draft", "refusal"),
    [
        (Draft("  "), "needs a title"),
        (Draft("X", who="affected", tasks="Gardening"), "no task called `Gardening`"),
        (Draft("X", hours=24 * 31), "at most 30 days"),
        (Draft("X", choices="a;b;c;d;e;f"), "At most 5 options"),
        (Draft("X", who="weighted"), "needs the tasks"),
        (Draft("X", quorum=10, threshold=40), "threshold may be 50% to 100%"),
        (Draft("X", tasks="Dishes"), "go with `who:affected by`"),
    ],
)
async def test_bad_drafts_are_refused_with_an_example(world: World, draft: Draft, refusal: str) -> None:
    with pytest.raises(BadInput, match=refusal):
        await world.service.preview(GUILD, 1, draft)


async def test_at_most_n_open_proposals_per_member(db, world: World) -> None:
    async with db.transaction() as session:
        (await session.get_one(Organization, 1)).proposals_per_member = 1
    await world.service.propose(GUILD, 1, Draft("One"))
    with pytest.raises(BadInput, match="the most one member may have"):
        await world.service.propose(GUILD, 1, Draft("Two"))


async def test_a_weighted_tally_with_a_delegation_overridden_and_the_result(world: World) -> None:
    s, w = world.service, world
    # Ben gives his vote to Ana for dishes proposals; he later votes himself.
    await s.delegate(GUILD, user(w, "ben"), user(w, "ana"), None, "Dishes")
    with pytest.raises(BadInput, match="loop"):
        await s.delegate(GUILD, user(w, "ana"), user(w, "ben"), None, None)
    with pytest.raises(BadInput, match="yourself"):
        await s.delegate(GUILD, user(w, "ana"), user(w, "ana"), None, None)
    opened = await s.propose(GUILD, 1, Draft("New sink", who="weighted", tasks="Dishes", quorum=50, threshold=60))
    pid = opened.proposal.id
    [(channel, post, _)] = w.effects.posts
    assert channel.guild_id == GUILD and post.electorate.count == 2 and post.secret
    with pytest.raises(BadInput, match="not counted"):
        await s.vote(GUILD, user(w, "cleo"), pid, "yes")  # no dishes: not affected
    await s.vote(GUILD, user(w, "ana"), pid, "Yes")
    shown = await s.delegations(GUILD, user(w, "ben"))
    assert [(c.choice, c.delegate_user_id) for c in shown.cast_for_you] == [("yes", user(w, "ana"))]
    cast = await s.vote(GUILD, user(w, "ben"), pid, "no")  # his own vote overrides; now everyone voted
    assert cast.previous is None
    await asyncio.gather(*s.background)
    [(_, result)] = w.effects.results
    assert result.status == "passed" and result.decided == "yes"
    assert dict(result.totals) == {"yes": 6, "no": Fraction(3, 2), "abstain": 0}
    assert result.delegated == 0 and result.voters == 2
    assert len(w.effects.retired) == 1
    log = await s.log(GUILD, 1, "sink")
    assert [e.outcome for e in log.decided] == ["passed (yes 6 h · no 1.5 h · abstain 0 h; turnout 100%)"]


async def test_a_delegated_vote_counts_until_the_deadline(world: World) -> None:
    s, w = world.service, world
    await s.delegate(GUILD, user(w, "dan"), user(w, "ana"), None, None)
    opened = await s.propose(GUILD, 1, Draft("Buy tea", hours=48))
    await s.vote(GUILD, user(w, "ana"), opened.proposal.id, "yes")
    assert await s.close(opened.proposal.id) is None  # not due, and not everyone voted directly
    w.clock.now += timedelta(hours=49)
    closed = await s.close(opened.proposal.id)
    assert closed is not None and closed.outcome.startswith("passed")  # 2 of 4 = the 50% quorum
    [(_, result)] = w.effects.results
    assert result.delegated == 1 and result.voters == 2
    shown = await s.delegations(GUILD, user(w, "dan"))
    assert [(c.proposal_id, c.choice, c.open) for c in shown.cast_for_you] == [(opened.proposal.id, "yes", False)]
    assert await s.close(opened.proposal.id) is None  # once


async def test_withdrawal_before_and_after_the_first_vote(world: World) -> None:
    s, w = world.service, world
    first = await s.propose(GUILD, 1, Draft("Paint the door"))
    with pytest.raises(BadInput, match="Only its proposer or a moderator"):
        await s.withdraw(GUILD, user(w, "ben"), first.proposal.id, None, moderator=False)
    done = await s.withdraw(GUILD, 1, first.proposal.id, None, moderator=False)
    assert done.title == "Paint the door"
    second = await s.propose(GUILD, 1, Draft("Paint it red"))
    await s.vote(GUILD, user(w, "ben"), second.proposal.id, "no")
    with pytest.raises(BadInput, match="only a moderator"):
        await s.withdraw(GUILD, 1, second.proposal.id, None, moderator=False)
    with pytest.raises(BadInput, match="say why"):
        await s.withdraw(GUILD, 99, second.proposal.id, "", moderator=True)
    await s.withdraw(GUILD, 99, second.proposal.id, "a duplicate of #1", moderator=True)
    statuses = [r.status for _, r in w.effects.results]
    assert statuses == ["withdrawn", "withdrawn"] and w.effects.results[1][1].reason == "a duplicate of #1"
    log = await s.log(GUILD, 1, None)
    assert "withdrawn by a moderator: a duplicate of #1" in [e.outcome for e in log.decided]


async def test_reminders_go_once_to_those_whose_vote_is_not_counted(world: World) -> None:
    s, w = world.service, world
    await s.delegate(GUILD, user(w, "dan"), user(w, "ana"), None, None)
    opened = await s.propose(GUILD, 1, Draft("Tea", hours=72))
    pid = opened.proposal.id
    jobs = s.jobs
    assert jobs.jobs == {  # type: ignore[union-attr]
        close_key(pid): opened.proposal.closes_at,
        remind_key(pid): opened.proposal.closes_at - timedelta(days=1),
    }
    await s.vote(GUILD, user(w, "ana"), pid, "yes")
    assert await s.remind(pid) == 0  # too soon
    w.clock.now += timedelta(hours=48, minutes=1)
    assert await s.remind(pid) == 2  # ben and cleo; dan's vote is carried by ana
    assert await s.remind(pid) == 0
    assert sorted(u for u, _ in w.effects.reminded) == [user(w, "ben"), user(w, "cleo")]


async def test_open_proposals_are_scheduled_again_and_closed_if_overdue(world: World) -> None:
    s, w = world.service, world
    opened = await s.propose(GUILD, 1, Draft("Tea", hours=2))
    w.clock.now += timedelta(hours=3)
    ids = await s.open_ids()
    assert ids == [opened.proposal.id]
    await s.close_overdue(ids)
    [(_, result)] = w.effects.results
    assert result.status == "failed" and "quorum not met" in result.why_not
    assert (await s.log(GUILD, 1, None)).open == []


async def test_an_open_vote_names_voters_and_a_crash_after_posting_the_result_posts_it_once(
    db, world: World, monkeypatch
) -> None:
    s, w = world.service, world
    opened = await s.propose(GUILD, 1, Draft("Picnic", choices="Park; Beach", secret=False, threshold=60))
    for name, choice in (("ana", "Park"), ("ben", "park"), ("cleo", "Beach")):
        await s.vote(GUILD, user(w, name), opened.proposal.id, choice)
    real_done = crash_when_recording(monkeypatch, "decision.end", Crash)
    with pytest.raises(Crash):  # the result is sent, then the process dies before recording it
        await s.vote(GUILD, user(w, "dan"), opened.proposal.id, "abstain")
        await asyncio.gather(*s.background)
    monkeypatch.setattr(storage.outbox, "done", real_done)
    w.clock.now += timedelta(minutes=10)  # the next try is due: it finds the result already posted
    await s.outbox.deliver_due()
    [(_, result)] = w.effects.results
    assert result.decided == "Park" and ("ana", "Park", False) in result.ballots
    assert await s.which(GUILD, opened.proposal.id) == "proposal"
    assert await s.choices(GUILD, opened.proposal.id) == ["Park", "Beach", "abstain"]


async def test_a_crash_between_posting_and_recording_posts_the_proposal_once_after_a_restart(
    db, world: World, monkeypatch
) -> None:
    s, w = world.service, world
    real_done = crash_when_recording(monkeypatch, "decision.post", Crash)
    with pytest.raises(Crash):  # the post is sent, then the process dies before the outbox records it
        await s.propose(GUILD, 1, Draft("Compost bins"))
    assert len(w.effects.posts) == 1
    async with db.session() as session:
        [proposal] = await storage.outbox.of_subject(session, "proposal:1", "decision.post")
    assert proposal.status == "pending" and proposal.message_id is None

    monkeypatch.setattr(storage.outbox, "done", real_done)
    w.clock.now += timedelta(minutes=1)  # a new process: its dispatcher over the same Discord
    restarted = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), w.clock, decisions=w.effects)
    await restarted.deliver_due()
    [(_, post, message_id)] = w.effects.posts  # found by its marker, not sent again
    assert post.title == "Compost bins"
    async with db.session() as session:
        [proposal] = await storage.outbox.of_subject(session, "proposal:1", "decision.post")
    assert proposal.status == "done" and proposal.message_id == message_id

    # Its close retires the buttons of the post found again, and posts the result once.
    await s.withdraw(GUILD, 1, 1, None, moderator=False)
    assert w.effects.retired == [(w.effects.posts[0][0], message_id)]
    assert [r.status for _, r in w.effects.results] == ["withdrawn"]


async def test_who_left_or_was_removed_since_it_opened_cannot_vote_even_back_in_the_rota(db, world: World) -> None:
    s, w = world.service, world
    opened = await s.propose(GUILD, 1, Draft("Longer breaks"))
    pid = opened.proposal.id
    await leave(db, GUILD, user(w, "ben"))
    w.clock.now += timedelta(minutes=5)
    await join(db, GUILD, user(w, "ben"), "ben", None, now=w.clock.now)  # back, in a new membership period
    with pytest.raises(BadInput, match="without a break since #1 opened"):
        await s.vote(GUILD, user(w, "ben"), pid, "yes")
    await remove_member(db, GUILD, 99, user(w, "cleo"))  # taken out by a moderator, readmitted, back
    await readmit_member(db, GUILD, 99, user(w, "cleo"))
    await join(db, GUILD, user(w, "cleo"), "cleo", None, now=w.clock.now)
    with pytest.raises(BadInput, match="not counted"):
        await s.vote(GUILD, user(w, "cleo"), pid, "no")
    w.clock.now = opened.proposal.closes_at - timedelta(hours=23)
    assert await s.remind(pid) == 2  # ana and dan; not the two whose vote would not count
    assert sorted(u for u, _ in w.effects.reminded) == [user(w, "ana"), user(w, "dan")]
