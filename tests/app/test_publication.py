"""Publishing a week with fake Discord effects: once stored, once posted, whatever crashes or overlaps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

import storage.rotas
from bot.app.publication import Publication
from bot.errors import BadInput
from storage.db import Database
from storage.models import Assignment, MemberRow, Rota, RotaPost, TaskRow
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import FakeRotaEffects

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6), ("Accounts", 2, 4, 8), ("Cleaning", 3, 1, 1)]
WEEK = "2026-W49"


async def stored(db: Database, model, *where):
    async with db.session() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def test_a_publication_is_stored_posted_and_sent_once(db, publication: Publication, effects) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], TASKS)
    async with db.transaction() as session:
        (await session.get_one(MemberRow, org.members["ana"].id)).notify = True
    first = await publication.publish(org.id, WEEK)
    assert (first.created, first.posted) == (True, 1)
    [post] = effects.posts
    assert post.content.marker == f"parecon-rota · {WEEK} · rota #{first.rota.id}"
    assert sum(h.assignment.hours for h in post.content.held) == sum(t[1] for t in TASKS)
    assert [user for user, _, _ in effects.dms] == [org.members["ana"].user_id]  # only who asked
    [rota] = await stored(db, Rota)
    assert rota.published_at is not None and rota.spread_sum == post.content.report.spread_sum
    [row] = await stored(db, RotaPost)
    assert row.message_id == post.id

    again = await publication.publish(org.id, WEEK)
    assert (again.created, again.posted, effects.sent, len(effects.dms)) == (False, 0, 1, 1)


async def test_concurrent_triggers_store_and_post_once(db, publication: Publication, effects) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    results = await asyncio.gather(*(publication.publish(org.id, WEEK) for _ in range(3)))
    assert sum(r.created for r in results) == 1 and sum(r.posted for r in results) == 1
    assert effects.sent == 1 and len(await stored(db, Rota)) == 1


async def test_a_crash_before_posting_resumes_with_the_stored_rota(db, publication: Publication, effects) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    effects.fail_next_send = ConnectionError("power cut")
    with pytest.raises(ConnectionError):
        await publication.publish(org.id, WEEK)
    [rota] = await stored(db, Rota)
    assert rota.published_at is None and effects.sent == 0
    pieces = await stored(db, Assignment)
    resumed = await publication.publish(org.id, WEEK)
    assert (resumed.created, resumed.posted) == (False, 1)  # the same rota, not solved again
    assert {p.id for p in await stored(db, Assignment)} == {p.id for p in pieces}


async def test_a_crash_between_sending_and_recording_finds_the_post_by_its_marker(
    db, publication: Publication, effects, monkeypatch
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    real_post_for = storage.rotas.post_for
    calls = 0

    async def die_when_recording(session, *args):
        nonlocal calls
        calls += 1
        if calls == 2:  # the first call makes the row, the second records the sent message
            raise ConnectionError("power cut after sending")
        return await real_post_for(session, *args)

    monkeypatch.setattr(storage.rotas, "post_for", die_when_recording)
    with pytest.raises(ConnectionError):
        await publication.publish(org.id, WEEK)
    [row] = await stored(db, RotaPost)
    assert row.message_id is None and effects.sent == 1

    monkeypatch.setattr(storage.rotas, "post_for", real_post_for)
    resumed = await publication.publish(org.id, WEEK)
    assert resumed.posted == 0 and effects.sent == 1  # found, not sent again
    [row] = await stored(db, RotaPost)
    assert row.message_id == effects.posts[0].id


async def test_a_republication_replaces_the_post_and_the_pieces(db, publication: Publication, effects) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    first = await publication.publish(org.id, WEEK)
    again = await publication.publish(org.id, WEEK, replace=True)
    assert again.rota.id == first.rota.id and again.created and again.posted == 1
    assert effects.sent == 2 and len(effects.posts) == 1  # the old post was deleted
    assert len(await stored(db, Rota)) == 1


async def test_roles_move_to_this_weeks_holders_or_the_post_says_why_not(
    db, publication: Publication, effects: FakeRotaEffects, clock
) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], [("Facilitate", 2, 8, 10), ("Dishes", 2, 2, 1), ("Cook", 2, 6, 4)])
    async with db.transaction() as session:
        (await session.get_one(TaskRow, org.tasks["Facilitate"])).role_id = 77
    effects.roles.add((GUILD, 77))
    await publication.publish(org.id, WEEK)
    [first] = [user for _, _, user in effects.holders]
    await publication.publish(org.id, "2026-W50")
    [second] = [user for _, _, user in effects.holders]
    assert second != first  # rotated, and last week's holder lost the role

    effects.forbidden = True
    await publication.publish(org.id, "2026-W51")
    assert any("Manage Roles" in note for note in effects.posts[-1].content.notes)


async def test_nothing_to_solve_or_unsolvable_is_a_clear_refusal(db, publication: Publication, effects) -> None:
    empty = await make_org(db, ["ana"], [])
    with pytest.raises(BadInput, match="no tasks yet"):
        await publication.publish(empty.id, WEEK)
    org = await make_org(db, ["ben"], [("Dishes", 2, 2, 1)], guild_id=GUILD + 1, code="OTHER234", first_user=10)
    async with db.transaction() as session:
        session.add(TaskRow(organization_id=org.id, name="Fly the plane", hours=2, qualification="pilot"))
    with pytest.raises(BadInput, match="'Fly the plane' needs qualification 'pilot'"):
        await publication.publish(org.id, WEEK)
    assert await stored(db, Rota) == [] and effects.sent == 0


async def test_the_due_week_follows_the_schedule(db, publication: Publication, effects, clock) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    published = await publication.publish_due(org.id)  # Monday 09:00:30: this week
    assert published is not None and published.rota.week == WEEK
    clock.now += timedelta(days=2)  # Wednesday: still this week's run, already out
    again = await publication.publish_due(org.id)
    assert again is not None and again.rota.week == WEEK and effects.sent == 1
