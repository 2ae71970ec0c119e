"""The reminder before a shift through the use cases and the outbox: its timer is set at publication,
it reaches the piece's holder once (a process killed between Discord's send and the record finds it
again), a swap after its time reminds the new holder at once, and nothing goes out for a piece
swapped away, done or given back since it was queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import storage.outbox
from bot.app import swaps
from bot.app.claims import Claims
from bot.app.done import mark_done
from bot.app.outbox import Dispatcher
from bot.app.ports import DeliveryError, ShiftReminder
from bot.app.publication import Publication
from bot.app.shift_reminders import ShiftReminders, timer_key
from storage import members
from storage.db import Database
from storage.models import Assignment, MemberRow, OutboxEffect, TaskRow
from tests.app.conftest import GUILD, Org, make_org
from tests.app.fakes import Clock, Crash, FakeJobs, FakeRotaEffects, InlineRunner, crash_when_recording

WEEK = "2026-W49"  # Mon 30 Nov – Sun 6 Dec 2026; the organization's time is UTC
STALL_STARTS = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # Saturday 09:00, 4 h
REMIND_AT = STALL_STARTS - timedelta(hours=12)  # the default: 12 h before


@pytest.fixture
def jobs() -> FakeJobs:
    return FakeJobs()


@pytest.fixture
def shift_reminders(db: Database, outbox: Dispatcher, clock: Clock, jobs: FakeJobs) -> ShiftReminders:
    return ShiftReminders(db, outbox, clock, jobs=jobs)


@pytest.fixture
def timed_publication(db: Database, outbox: Dispatcher, clock: Clock, shift_reminders) -> Publication:
    return Publication(db, outbox, InlineRunner(), clock, solver_time_limit=0.5, shift_reminders=shift_reminders)


async def timed_week(
    db: Database, publication: Publication, *, pinned: str | None = None
) -> tuple[Org, Assignment, MemberRow]:
    """Two members, the Saturday stall (4 h at 09:00) and flexible dishes, published; `pinned`: the
    one member qualified for the stall (so a re-publication gives it to them again)."""
    org = await make_org(db, ["ana", "ben"], [("Stall", 4, 5, 5), ("Dishes", 2, 2, 1)])
    async with db.transaction() as session:
        stall = await session.get_one(TaskRow, org.tasks["Stall"])
        stall.day, stall.start = "sat", 9 * 60
        if pinned is not None:
            stall.qualification = "stall"
            await members.add_qualification(session, org.members[pinned].id, "stall")
    await publication.publish(org.id, WEEK)
    return (org, *await stall_piece(db, org))


async def stall_piece(db: Database, org: Org) -> tuple[Assignment, MemberRow]:
    """The stall's piece as it stands, and its holder."""
    async with db.session() as session:
        piece = (await session.execute(select(Assignment).where(Assignment.task_id == org.tasks["Stall"]))).scalar_one()
        holder = await session.get_one(MemberRow, piece.member_id)
    return piece, holder


def reminders_to(effects: FakeRotaEffects, user_id: int) -> list[ShiftReminder]:
    return [c for u, c in effects.notes if u == user_id and isinstance(c, ShiftReminder)]


async def test_the_timer_is_set_at_publication_and_the_reminder_says_when(
    db, timed_publication, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects
) -> None:
    _, piece, holder = await timed_week(db, timed_publication)
    assert piece.id is not None
    assert jobs.jobs[timer_key(piece.id)] == REMIND_AT
    clock.now = REMIND_AT - timedelta(minutes=5)  # early (a clock moved back): nothing, the timer stays
    assert await jobs.fire(timer_key(piece.id)) is False and effects.notes == []
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is True
    [reminder] = reminders_to(effects, holder.user_id)
    assert (reminder.task, reminder.hours, reminder.starts, reminder.ends) == (
        "Stall",
        4,
        STALL_STARTS,
        STALL_STARTS + timedelta(hours=4),
    )
    assert await jobs.fire(timer_key(piece.id)) is False  # fired again: still one
    assert len(effects.notes) == 1


async def test_a_crash_between_sending_and_recording_finds_the_reminder_and_sends_it_once(
    db, timed_publication, outbox: Dispatcher, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects, monkeypatch
) -> None:
    _, piece, holder = await timed_week(db, timed_publication)
    assert piece.id is not None
    clock.now = REMIND_AT + timedelta(seconds=30)
    real_done = crash_when_recording(monkeypatch, "shift.remind", Crash)
    with pytest.raises(Crash):  # Discord got the DM; the process died before the database knew
        await jobs.fire(timer_key(piece.id))
    assert len(reminders_to(effects, holder.user_id)) == 1

    monkeypatch.setattr(storage.outbox, "done", real_done)
    clock.now += timedelta(minutes=1)
    restarted = Dispatcher(db, outbox.rota, outbox.votes, InlineRunner(), outbox.clock)
    await restarted.deliver_due()  # the new process tries again: finds the DM by its marker
    again = ShiftReminders(db, restarted, clock, jobs=FakeJobs())
    await again.fire_overdue(await again.rebuild())  # and the start-up catch-up queues nothing new
    assert len(reminders_to(effects, holder.user_id)) == 1
    async with db.session() as session:
        [row] = (await session.execute(select(OutboxEffect).where(OutboxEffect.kind == "shift.remind"))).scalars()
    assert row.status == "done"


async def test_a_swap_after_the_reminder_time_reminds_the_new_holder_not_the_old_one_again(
    db, timed_publication, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects
) -> None:
    org, piece, holder = await timed_week(db, timed_publication)
    assert piece.id is not None
    other = next(m for m in org.members.values() if m.id != holder.id)
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is True
    offered = await swaps.offer(db, clock, GUILD, holder.user_id, "Stall", other.user_id)
    await swaps.answer(db, offered.offer_id, other.user_id, accept=True, clock=clock)
    await timed_publication.outbox.deliver_due()  # the swap's transaction woke the background delivery
    assert len(reminders_to(effects, holder.user_id)) == 1
    assert [r.task for r in reminders_to(effects, other.user_id)] == ["Stall"]
    assert await jobs.fire(timer_key(piece.id)) is False  # the timer again: each once


async def test_nothing_goes_out_for_a_piece_swapped_away_done_or_given_back_since(
    db, timed_publication, outbox: Dispatcher, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects
) -> None:
    org, piece, holder = await timed_week(db, timed_publication)
    assert piece.id is not None
    clock.now = REMIND_AT + timedelta(seconds=30)
    claims = Claims(db, outbox, clock, jobs=jobs)
    await claims.give_back(GUILD, holder.user_id, "Stall")
    assert await jobs.fire(timer_key(piece.id)) is False  # given back: whoever claims it is reminded
    other = next(m for m in org.members.values() if m.id != holder.id)
    [claim_key] = [k for k in jobs.jobs if k.startswith("claim-deadline:")]
    await claims.claim(GUILD, other.user_id, int(claim_key.split(":")[1]))
    await outbox.deliver_due()
    assert [r.task for r in reminders_to(effects, other.user_id)] == ["Stall"]  # the taker, at once
    assert reminders_to(effects, holder.user_id) == []


async def test_a_piece_marked_done_before_its_reminder_is_not_reminded(
    db, timed_publication, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects
) -> None:
    _, piece, holder = await timed_week(db, timed_publication)
    assert piece.id is not None
    clock.now = REMIND_AT - timedelta(hours=1)
    await mark_done(db, clock, GUILD, holder.user_id, "Stall")
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is False
    assert effects.notes == []


async def test_a_re_publication_inside_the_window_does_not_remind_the_same_shift_again(
    db,
    timed_publication: Publication,
    shift_reminders: ShiftReminders,
    jobs: FakeJobs,
    clock: Clock,
    effects: FakeRotaEffects,
) -> None:
    org, piece, holder = await timed_week(db, timed_publication, pinned="ana")
    assert piece.id is not None and holder.id == org.members["ana"].id
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is True
    clock.now += timedelta(minutes=10)
    await timed_publication.publish(org.id, WEEK, replace=True)  # the same shift, a new piece (PostgreSQL: a new id)
    renewed, again = await stall_piece(db, org)
    assert again.id == holder.id
    assert await shift_reminders.fire(renewed.id) is False  # its timer (fired at once: due), and the old one
    assert await jobs.fire(timer_key(piece.id)) is False
    restarted = ShiftReminders(db, timed_publication.outbox, clock, jobs=FakeJobs())
    await restarted.fire_overdue(await restarted.rebuild())  # as at start: nothing new
    await timed_publication.outbox.deliver_due()
    assert len(reminders_to(effects, holder.user_id)) == 1
    assert len(effects.notes) == 1

    async with db.transaction() as session:  # then swapped: the new holder once, the old not again
        await members.add_qualification(session, org.members["ben"].id, "stall")
    ben = org.members["ben"]
    offered = await swaps.offer(db, clock, GUILD, holder.user_id, "Stall", ben.user_id)
    await swaps.answer(db, offered.offer_id, ben.user_id, accept=True, clock=clock)
    await timed_publication.outbox.deliver_due()
    assert await shift_reminders.fire(renewed.id) is False
    assert len(reminders_to(effects, holder.user_id)) == 1
    assert [r.task for r in reminders_to(effects, ben.user_id)] == ["Stall"]


async def test_a_re_publication_that_gives_the_shift_to_another_member_reminds_them(
    db,
    timed_publication: Publication,
    shift_reminders: ShiftReminders,
    jobs: FakeJobs,
    clock: Clock,
    effects: FakeRotaEffects,
) -> None:
    org, piece, _ = await timed_week(db, timed_publication, pinned="ana")
    ana, ben = org.members["ana"], org.members["ben"]
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is True
    async with db.transaction() as session:
        await members.remove_qualification(session, ana.id, "stall")
        await members.add_qualification(session, ben.id, "stall")
    await timed_publication.publish(org.id, WEEK, replace=True)  # inside the window: ben at once
    renewed, now_holder = await stall_piece(db, org)
    assert now_holder.id == ben.id
    assert await shift_reminders.fire(renewed.id) is False  # once
    assert len(reminders_to(effects, ana.user_id)) == 1
    assert [r.task for r in reminders_to(effects, ben.user_id)] == ["Stall"]


async def test_a_re_publication_that_moves_the_shift_reminds_its_holder_of_the_new_time(
    db, timed_publication: Publication, jobs: FakeJobs, clock: Clock, effects: FakeRotaEffects
) -> None:
    org, piece, holder = await timed_week(db, timed_publication, pinned="ana")
    clock.now = REMIND_AT + timedelta(seconds=30)
    assert await jobs.fire(timer_key(piece.id)) is True
    async with db.transaction() as session:
        (await session.get_one(TaskRow, org.tasks["Stall"])).start = 10 * 60  # an hour later
    await timed_publication.publish(org.id, WEEK, replace=True)
    renewed, _ = await stall_piece(db, org)
    later = STALL_STARTS + timedelta(hours=1)
    assert jobs.jobs[timer_key(renewed.id)] == later - timedelta(hours=12)  # not due yet
    assert len(reminders_to(effects, holder.user_id)) == 1
    clock.now = later - timedelta(hours=12) + timedelta(seconds=30)
    assert await jobs.fire(timer_key(renewed.id)) is True
    assert [r.starts for r in reminders_to(effects, holder.user_id)] == [STALL_STARTS, later]
    assert await jobs.fire(timer_key(renewed.id)) is False


async def test_a_reminder_still_pending_when_the_week_is_re_published_reaches_the_holder_once(
    db,
    timed_publication: Publication,
    shift_reminders: ShiftReminders,
    clock: Clock,
    effects: FakeRotaEffects,
    jobs: FakeJobs,
    monkeypatch,
) -> None:
    org, piece, holder = await timed_week(db, timed_publication, pinned="ana")
    clock.now = REMIND_AT + timedelta(seconds=30)
    real_send = effects.send_dm

    async def unreachable(user_id: int, content: object, marker: str) -> int:
        raise DeliveryError("sending a DM: 503 Service Unavailable", permanent=False)

    monkeypatch.setattr(effects, "send_dm", unreachable)
    assert await jobs.fire(timer_key(piece.id)) is True  # queued; Discord did not take it
    await timed_publication.publish(org.id, WEEK, replace=True)  # the piece renewed meanwhile
    renewed, _ = await stall_piece(db, org)
    assert await shift_reminders.fire(renewed.id) is False  # the same shift: queued already
    monkeypatch.setattr(effects, "send_dm", real_send)
    clock.now += timedelta(minutes=5)
    await timed_publication.outbox.deliver_due()  # the retry finds the shift in the new rota
    assert [r.starts for r in reminders_to(effects, holder.user_id)] == [STALL_STARTS]
