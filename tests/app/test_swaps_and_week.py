"""A member's week through the use cases: jobs, done, swaps offered, accepted, declined, refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.app import swaps
from bot.app.done import mark_done
from bot.app.publication import Publication
from bot.app.week import my_jobs, my_task_names, my_week, set_notify
from bot.domain.errors import BadInput, NotSetUp
from storage import members
from storage.db import Database
from storage.models import Assignment, SwapOffer
from tests.app.conftest import GUILD, make_org

TASKS = [("Dishes", 3, 2, 1), ("Baking", 3, 7, 6)]


async def published(db: Database, publication: Publication, names=("ana", "ben")):
    org = await make_org(db, list(names), TASKS)
    await publication.publish(org.id, "2026-W49")
    return org


async def holder_of(db: Database, clock, org, task: str) -> tuple[int, int]:
    """(holder's user id, another member's user id) for a task this week."""
    for member in org.members.values():
        week = await my_week(db, clock, GUILD, member.user_id)
        if any(h.task.name == task for h in week.mine):
            other = next(m for m in org.members.values() if m.user_id != member.user_id)
            return member.user_id, other.user_id
    raise AssertionError(f"nobody holds {task}")


async def test_jobs_before_and_after_publication(db, publication: Publication, clock) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    ana = org.members["ana"].user_id
    with pytest.raises(BadInput, match="not out yet"):
        await my_jobs(db, clock, GUILD, ana)
    with pytest.raises(NotSetUp):
        await my_jobs(db, clock, GUILD + 5, ana)
    with pytest.raises(BadInput, match="/join"):
        await my_jobs(db, clock, GUILD, 999)
    await publication.publish(org.id, "2026-W49")
    jobs = await my_jobs(db, clock, GUILD, ana)
    assert jobs is not None and jobs.week == "2026-W49" and jobs.member_hours == 10
    assert jobs.total == sum(line.hours for line in jobs.lines) > 0
    assert await my_task_names(db, clock, GUILD, ana, "") == sorted(line.task for line in jobs.lines)
    assert await my_task_names(db, clock, GUILD, 999, "") == []  # not a member: nothing to offer


async def test_done_once(db, publication: Publication, clock) -> None:
    org = await published(db, publication)
    holder, other = await holder_of(db, clock, org, "Dishes")
    assert await mark_done(db, clock, GUILD, holder, " dishes ") == "Dishes"
    with pytest.raises(BadInput, match="already marked done"):
        await mark_done(db, clock, GUILD, holder, "Dishes")
    with pytest.raises(BadInput, match="hold no"):
        await mark_done(db, clock, GUILD, other, "Dishes")


async def test_a_swap_accepted_moves_the_piece_and_keeps_who_was_assigned(db, publication: Publication, clock) -> None:
    org = await published(db, publication)
    giver, taker = await holder_of(db, clock, org, "Dishes")
    with pytest.raises(BadInput, match="someone else"):
        await swaps.offer(db, clock, GUILD, giver, "Dishes", giver)
    with pytest.raises(BadInput, match="is not in the rota"):
        await swaps.offer(db, clock, GUILD, giver, "Dishes", 999)
    offered = await swaps.offer(db, clock, GUILD, giver, "Dishes", taker)
    assert offered.task == "Dishes" and offered.hours == 3
    with pytest.raises(BadInput, match="Only the member"):
        await swaps.answer(db, offered.offer_id, giver, accept=True, clock=clock)
    answered = await swaps.answer(db, offered.offer_id, taker, accept=True, clock=clock)
    assert (answered.accepted, answered.giver_user_id, answered.taker_user_id) == (True, giver, taker)
    async with db.session() as session:
        [piece] = [
            a
            for a in (
                await session.execute(select(Assignment).where(Assignment.task_id == org.tasks["Dishes"]))
            ).scalars()
        ]
    assert piece.member_id != piece.assigned_member_id  # the ledger knows both
    with pytest.raises(BadInput, match="already accepted"):
        await swaps.answer(db, offered.offer_id, taker, accept=False, clock=clock)
    assert "Dishes" in await my_task_names(db, clock, GUILD, taker, "dish")


async def test_a_swap_declined_changes_nothing(db, publication: Publication, clock) -> None:
    org = await published(db, publication)
    giver, taker = await holder_of(db, clock, org, "Baking")
    offered = await swaps.offer(db, clock, GUILD, giver, "Baking", taker)
    answered = await swaps.answer(db, offered.offer_id, taker, accept=False, clock=clock)
    assert not answered.accepted
    assert "Baking" in await my_task_names(db, clock, GUILD, giver, "")
    async with db.session() as session:
        assert (await session.get_one(SwapOffer, offered.offer_id)).status == "declined"
    with pytest.raises(BadInput, match="no longer exists"):
        await swaps.answer(db, 424242, taker, accept=True, clock=clock)


async def test_a_swap_needs_the_qualification_and_a_free_slot(db, publication: Publication, clock) -> None:
    org = await published(db, publication, names=("ana", "ben", "cleo"))
    giver, taker = await holder_of(db, clock, org, "Dishes")
    offered = await swaps.offer(db, clock, GUILD, giver, "Dishes", taker)
    async with db.transaction() as session:  # the task now needs a licence the taker lacks
        from storage.models import TaskRow

        (await session.get_one(TaskRow, org.tasks["Dishes"])).qualification = "hygiene"
    with pytest.raises(BadInput, match="needs `hygiene`"):
        await swaps.answer(db, offered.offer_id, taker, accept=True, clock=clock)
    async with db.transaction() as session:
        target = await members.member_for(session, org.id, taker)
        assert target is not None
        await members.add_qualification(session, target.id, "hygiene")
    assert (await swaps.answer(db, offered.offer_id, taker, accept=True, clock=clock)).accepted
    # The piece changed hands: an older offer of it is out of date.
    async with db.transaction() as session:
        piece = (
            await session.execute(select(Assignment).where(Assignment.task_id == org.tasks["Dishes"]))
        ).scalar_one()
        giver_member = await session.get_one(SwapOffer, offered.offer_id)
        session.add(
            SwapOffer(assignment_id=piece.id, from_member_id=giver_member.from_member_id, to_member_id=piece.member_id)
        )
    async with db.session() as session:
        stale = (await session.execute(select(SwapOffer).where(SwapOffer.status == "open"))).scalar_one()
    with pytest.raises(BadInput, match="out of date"):
        await swaps.answer(db, stale.id, taker, accept=True, clock=clock)


async def test_notify_is_per_member(db, clock) -> None:
    org = await make_org(db, ["ana"], TASKS)
    await set_notify(db, GUILD, org.members["ana"].user_id, True)
    async with db.session() as session:
        row = await members.member_for(session, org.id, org.members["ana"].user_id)
    assert row is not None and row.notify
