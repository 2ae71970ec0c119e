"""A week as members live it, through the use cases: a task given back and claimed (once, even when
two claim at the same moment), its deadline, the mid-week reminder, the vote reminder, and the
answer to a swap reaching the member who offered it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from bot.app import swaps
from bot.app.claims import Claims, timer_key
from bot.app.done import mark_done
from bot.app.merges import MergeVotes, remind_key
from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.app.reminders import Reminders
from bot.app.week import my_week, set_notify
from bot.domain.errors import BadInput
from storage import members
from storage.db import Database
from storage.models import Assignment, Away, MemberRow, OutboxEffect, Qualification, TaskClaim, TaskRow
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import Clock, FakeJobs, FakeRotaEffects, FakeVoteEffects, InlineRunner

TASKS = [("Dishes", 3, 2, 1), ("Baking", 3, 7, 6)]
WEEK = "2026-W49"


async def setup_week(db: Database, publication: Publication, names=("ana", "ben", "cleo"), tasks=TASKS, hours=10):
    org = await make_org(db, list(names), tasks, hours=hours)
    await publication.publish(org.id, WEEK)
    return org


async def holder(db: Database, clock, org, task: str) -> MemberRow:
    for member in org.members.values():
        week = await my_week(db, clock, GUILD, member.user_id)
        if any(h.task.name == task for h in week.mine):
            return member
    raise AssertionError(f"nobody holds {task}")


@pytest.fixture
def jobs() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def claims(db: Database, outbox, clock, jobs) -> Claims:
    return Claims(db, outbox, clock, jobs=jobs)


async def piece_of(db: Database, org, task: str) -> Assignment:
    async with db.session() as session:
        return (await session.execute(select(Assignment).where(Assignment.task_id == org.tasks[task]))).scalar_one()


async def test_a_task_given_back_is_offered_to_those_who_can_take_it_and_claimed(
    db, publication, claims: Claims, clock, effects: FakeRotaEffects, jobs: FakeJobs
) -> None:
    org = await setup_week(db, publication, names=("ana", "ben", "cleo", "dan", "eve"))
    giver = await holder(db, clock, org, "Dishes")
    others = [m for m in org.members.values() if m.id != giver.id]
    # One of the others is away all week, another has no room left: neither is offered it.
    dan, eve = others[0], others[1]
    async with db.transaction() as session:
        session.add(Away(member_id=dan.id, start=date(2026, 11, 30), end=date(2026, 12, 6)))
        (await session.get_one(MemberRow, eve.id)).hours = 0.5
    given = await claims.give_back(GUILD, giver.user_id, "dishes")
    assert (given.task, given.hours) == ("Dishes", 3)
    assert given.deadline == clock.now + timedelta(hours=24)  # the default, well inside the week
    assert jobs.jobs == {timer_key(given.claim_id): given.deadline}
    [(channel, notice, _, _)] = effects.claims
    assert channel.guild_id == GUILD and notice.state == "offered" and notice.giver_user_id == giver.user_id
    expected = {m.user_id for m in others[2:]}
    assert set(notice.mentions.user_ids) == expected and given.offered == len(expected)
    assert giver.user_id not in notice.mentions.user_ids
    assert "Dishes" not in [h.task.name for h in await claims.returnable(GUILD, giver.user_id)]
    with pytest.raises(BadInput, match="gave \\*\\*Dishes\\*\\* back already"):
        await claims.give_back(GUILD, giver.user_id, "Dishes")
    assert (await piece_of(db, org, "Dishes")).member_id == giver.id  # still theirs until claimed

    with pytest.raises(BadInput, match="someone else has to claim it"):
        await claims.claim(GUILD, giver.user_id, given.claim_id)
    with pytest.raises(BadInput, match="you are away that week"):
        await claims.claim(GUILD, dan.user_id, given.claim_id)
    with pytest.raises(BadInput, match=r"of your 0\.5 h"):
        await claims.claim(GUILD, eve.user_id, given.claim_id)
    taker = next(m for m in others if m.user_id in expected)
    took = await claims.claim(GUILD, taker.user_id, given.claim_id)
    assert (took.task, took.week, took.giver_user_id) == ("Dishes", WEEK, giver.user_id)
    piece = await piece_of(db, org, "Dishes")
    assert piece.member_id == taker.id and piece.assigned_member_id == giver.id  # the ledger knows both
    async with db.session() as session:
        [row] = (await session.execute(select(TaskClaim))).scalars()
    assert (row.status, row.from_member_id, row.taker_member_id) == ("taken", giver.id, taker.id)
    assert row.decided_at is not None
    assert [n.state for _, n in effects.closed] == ["taken"]  # the offer's message says so
    assert timer_key(given.claim_id) not in jobs.jobs
    with pytest.raises(BadInput, match="already took"):
        await claims.claim(GUILD, dan.user_id, given.claim_id)
    # The rotation and the balance of the next weeks read the assignment: it counts for the taker.
    assert "Dishes" in [h.task.name for h in (await my_week(db, clock, GUILD, taker.user_id)).mine]


async def test_two_members_claiming_at_once_one_wins_and_the_other_is_told(
    db, publication, claims: Claims, clock
) -> None:
    org = await setup_week(db, publication, names=("ana", "ben", "cleo"), tasks=[("Dishes", 3, 2, 1)])
    giver = await holder(db, clock, org, "Dishes")
    given = await claims.give_back(GUILD, giver.user_id, "Dishes")
    a, b = [m for m in org.members.values() if m.id != giver.id]
    results = await asyncio.gather(
        claims.claim(GUILD, a.user_id, given.claim_id),
        claims.claim(GUILD, b.user_id, given.claim_id),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], BadInput) and ("already took" in str(lost[0]) or "just took" in str(lost[0]))
    piece = await piece_of(db, org, "Dishes")
    assert piece.member_id in (a.id, b.id)
    async with db.session() as session:
        [row] = (await session.execute(select(TaskClaim))).scalars()
    assert row.taker_member_id == piece.member_id


async def test_a_qualification_counts_and_nobody_with_room_still_posts_it(db, publication, claims, clock, effects):
    org = await setup_week(db, publication, names=("ana", "ben"), tasks=[("Driving", 2, 5, 5), ("Dishes", 2, 2, 1)])
    async with db.transaction() as session:
        for member in org.members.values():
            session.add(Qualification(member_id=member.id, name="driver"))
        await session.flush()
        (await session.get_one(TaskRow, org.tasks["Driving"])).qualification = "driver"
    giver = await holder(db, clock, org, "Driving")
    other = next(m for m in org.members.values() if m.id != giver.id)
    async with db.transaction() as session:  # the other loses the licence before it is given back
        await members.remove_qualification(session, other.id, "driver")
    given = await claims.give_back(GUILD, giver.user_id, "Driving")
    assert given.offered == 0 and effects.claims[-1][1].mentions.user_ids == []
    with pytest.raises(BadInput, match="it needs `driver`"):
        await claims.claim(GUILD, other.user_id, given.claim_id)


async def test_nobody_claims_by_the_deadline_moderators_are_told_once(
    db, publication, claims: Claims, clock, effects: FakeRotaEffects, jobs: FakeJobs
) -> None:
    org = await setup_week(db, publication)
    async with db.transaction() as session:
        from storage.models import Organization

        (await session.get_one(Organization, org.id)).claim_hours = 168  # longer than what is left of the week
    giver = await holder(db, clock, org, "Baking")
    given = await claims.give_back(GUILD, giver.user_id, "Baking")
    assert given.deadline == datetime(2026, 12, 7, tzinfo=UTC)  # capped at the end of the week (UTC here)
    assert not await claims.expire(given.claim_id)  # fired too soon (a restart): waits
    clock.now = given.deadline
    assert await jobs.fire(timer_key(given.claim_id))
    assert not await claims.expire(given.claim_id)  # and again: nothing more
    await claims.expire_overdue([given.claim_id])  # nor at the next start
    expired = [n for _, n, _, _ in effects.claims if n.state == "expired"]
    assert len(expired) == 1 and expired[0].task == "Baking" and expired[0].moderator_role_id is None
    assert [n.state for _, n in effects.closed] == ["expired"]
    with pytest.raises(BadInput, match="no longer up for claiming"):
        other = next(m for m in org.members.values() if m.id != giver.id)
        await claims.claim(GUILD, other.user_id, given.claim_id)
    assert (await piece_of(db, org, "Baking")).member_id == giver.id  # moderators decide
    with pytest.raises(BadInput, match="is over"):
        await claims.give_back(GUILD, giver.user_id, "Baking", WEEK)


async def test_an_offer_left_by_a_dead_process_is_delivered_and_its_deadline_fires_after_restart(
    db, publication, clock, effects: FakeRotaEffects
) -> None:
    org = await setup_week(db, publication)
    first = Claims(db, publication.outbox, clock, jobs=FakeJobs())
    giver = await holder(db, clock, org, "Dishes")
    given = await first.give_back(GUILD, giver.user_id, "Dishes")
    # A new process: its timers are rebuilt from the database.
    restarted_jobs = FakeJobs()
    restarted = Claims(db, publication.outbox, clock, jobs=restarted_jobs)
    assert await restarted.open_ids() == [given.claim_id]
    assert restarted_jobs.jobs == {timer_key(given.claim_id): given.deadline}
    clock.now = given.deadline + timedelta(minutes=5)  # it was down over the deadline
    await restarted.expire_overdue(await restarted.open_ids())
    await restarted.expire_overdue(await restarted.open_ids())
    assert len([n for _, n, _, _ in effects.claims if n.state == "expired"]) == 1


async def test_done_and_given_back_work_are_refused_clearly(db, publication, claims: Claims, clock) -> None:
    org = await setup_week(db, publication)
    giver = await holder(db, clock, org, "Dishes")
    await mark_done(db, clock, GUILD, giver.user_id, "Dishes", WEEK)
    with pytest.raises(BadInput, match="marked done already"):
        await claims.give_back(GUILD, giver.user_id, "Dishes")
    with pytest.raises(BadInput, match="hold no"):
        await claims.give_back(GUILD, giver.user_id, "Cooking")
    with pytest.raises(BadInput, match="not up for claiming here"):
        await claims.claim(GUILD, giver.user_id, 424242)


async def test_work_done_after_all_closes_its_offer(db, publication, claims: Claims, clock, effects) -> None:
    org = await setup_week(db, publication)
    giver = await holder(db, clock, org, "Baking")
    given = await claims.give_back(GUILD, giver.user_id, "Baking")
    await mark_done(db, clock, GUILD, giver.user_id, "Baking")  # they managed it after all
    await publication.outbox.deliver_due()
    async with db.session() as session:
        assert (await session.get_one(TaskClaim, given.claim_id)).status == "withdrawn"
    assert [n.state for _, n in effects.closed] == ["withdrawn"]
    other = next(m for m in org.members.values() if m.id != giver.id)
    with pytest.raises(BadInput, match="no longer up for claiming"):
        await claims.claim(GUILD, other.user_id, given.claim_id)
    assert (await piece_of(db, org, "Baking")).member_id == giver.id


# -- the mid-week reminder ---------------------------------------------------------------------------


async def test_the_mid_week_reminder_reaches_each_holder_of_open_work_once(
    db, publication, clock, effects: FakeRotaEffects
) -> None:
    org = await setup_week(db, publication, names=("ana", "ben", "cleo", "dan"), tasks=[*TASKS, ("Sweep", 2, 3, 2)])
    reminders = Reminders(db, publication.outbox, clock)
    [schedule] = await reminders.schedules(org.id)
    assert (schedule.day, schedule.at) == (3, time(18))  # Thursday 18:00 unless changed
    assert await reminders.remind_due(org.id) == 0  # Monday: last week's reminder time, and W48 is over
    holders = {h.member.id: h.member for h in await all_holdings(db, clock, org)}
    done_all, opted_out, *reminded = list(holders.values())
    for item in [h for h in await all_holdings(db, clock, org) if h.member.id == done_all.id]:
        await mark_done(db, clock, GUILD, done_all.user_id, item.task.name)
    await set_notify(db, GUILD, opted_out.user_id, False, "reminders")

    clock.now = datetime(2026, 12, 3, 18, 0, 5, tzinfo=UTC)  # Thursday 18:00:05
    assert await reminders.remind_due(org.id) == len(reminded)
    assert await reminders.remind_due(org.id) == 0  # fired twice (a restart): once each
    sent = {user_id: note for user_id, note in effects.notes}
    assert set(sent) == {m.user_id for m in reminded}
    note = sent[reminded[0].user_id]
    assert note.week == WEEK and note.tasks and all(hours > 0 for _, hours, _, _ in note.tasks)
    async with db.session() as session:
        keys = [
            e.key for e in (await session.execute(select(OutboxEffect).where(OutboxEffect.kind == "remind"))).scalars()
        ]
    assert len(keys) == len(set(keys)) == len(reminded)


async def test_a_reminder_queued_but_done_before_delivery_is_not_sent(db, publication, clock, effects) -> None:
    org = await setup_week(db, publication, names=("ana",), tasks=[("Dishes", 2, 2, 1)])
    reminders = Reminders(db, publication.outbox, clock)
    clock.now = datetime(2026, 12, 3, 18, 1, tzinfo=UTC)
    real = publication.outbox.deliver_subject

    async def later(subject):  # the bot dies before delivering; ana marks it done meanwhile
        return []

    publication.outbox.deliver_subject = later  # type: ignore[method-assign]
    assert await reminders.remind_due(org.id) == 1
    publication.outbox.deliver_subject = real  # type: ignore[method-assign]
    await mark_done(db, clock, GUILD, org.members["ana"].user_id, "Dishes")
    await publication.outbox.deliver_due()
    assert effects.notes == []


async def all_holdings(db, clock, org):
    found = []
    for member in org.members.values():
        found += (await my_week(db, clock, GUILD, member.user_id)).mine
    return found


async def test_notify_turns_the_weekly_dm_and_the_reminders_on_and_off(db, clock) -> None:
    org = await make_org(db, ["ana"], TASKS)
    ana = org.members["ana"].user_id

    async def state():
        async with db.session() as session:
            row = await members.member_for(session, org.id, ana)
        assert row is not None
        return row.notify, row.reminders

    assert await state() == (False, True)  # defaults: no weekly DM, reminders on
    await set_notify(db, GUILD, ana, True)
    assert await state() == (True, True)
    await set_notify(db, GUILD, ana, False, "reminders")
    assert await state() == (True, False)
    await set_notify(db, GUILD, ana, False)
    assert await state() == (False, False)


# -- a swap's answer reaches the member who offered it ----------------------------------------------


async def test_the_offerer_hears_the_answer_of_a_swap(db, publication, clock, effects: FakeRotaEffects) -> None:
    org = await setup_week(db, publication, names=("ana", "ben"))
    giver = await holder(db, clock, org, "Dishes")
    taker = next(m for m in org.members.values() if m.id != giver.id)
    declined = await swaps.offer(db, clock, GUILD, giver.user_id, "Dishes", taker.user_id)
    await swaps.answer(db, declined.offer_id, taker.user_id, accept=False, clock=clock)
    accepted = await swaps.offer(db, clock, GUILD, giver.user_id, "Dishes", taker.user_id)
    await swaps.answer(db, accepted.offer_id, taker.user_id, accept=True, clock=clock)
    await publication.outbox.deliver_due()
    await publication.outbox.deliver_due()
    assert [(user, note.accepted, note.task) for user, note in effects.notes] == [
        (giver.user_id, False, "Dishes"),
        (giver.user_id, True, "Dishes"),
    ]


# -- the vote reminder ------------------------------------------------------------------------------


async def test_a_day_before_a_vote_closes_only_those_who_have_not_voted_are_reminded(db) -> None:
    from tests.app.conftest import GUILD as A

    async def noop(_org_id: int) -> None:
        return None

    await make_org(db, ["ana", "ben", "cleo"], TASKS, guild_id=A, code="AAAA2345")
    await make_org(db, ["dan", "eve"], TASKS, guild_id=A + 1, code="BBBB2345", first_user=10)
    clock = Clock()
    clock.now += timedelta(seconds=1)
    vote_effects = FakeVoteEffects()
    outbox_ = Dispatcher(db, FakeRotaEffects(), vote_effects, InlineRunner(), clock)
    jobs = FakeJobs()
    votes = MergeVotes(db, outbox_, InlineRunner(), clock, jobs=jobs, schedule_changed=noop)
    proposal = await votes.propose(A, 1, "BBBB2345", None, 72)
    assert jobs.jobs[remind_key(proposal.id)] == proposal.closes_at - timedelta(days=1)
    await votes.vote(A, 1, proposal.id, "yes")
    await votes.vote(A + 1, 10, proposal.id, "no")
    assert await votes.remind(proposal.id) == 0  # too soon: waits
    clock.now = proposal.closes_at - timedelta(days=1)
    assert await jobs.fire(remind_key(proposal.id)) == 2  # one message per server
    assert await votes.remind(proposal.id) == 0  # once
    mentioned = {channel.guild_id: set(r.mentions.user_ids) for channel, r, _ in vote_effects.reminders}
    assert mentioned == {A: {2, 3}, A + 1: {11}}
