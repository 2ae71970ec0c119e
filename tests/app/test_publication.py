"""Publishing a week with fake Discord effects: once stored, once posted, whatever crashes or overlaps."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlmodel import select

import storage.outbox
from bot.app import organizations
from bot.app.outbox import REFUSED_ATTEMPTS, Dispatcher
from bot.app.ports import DeliveryError
from bot.app.publication import Publication
from bot.domain.errors import BadInput
from bot.domain.weeks import week_days
from storage.db import Database
from storage.models import Assignment, Away, MemberRow, OrgServer, OutboxEffect, Rota, RotaPost, TaskRow
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import Crash, FakeRotaEffects, InlineRunner, crash_when_recording

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6), ("Accounts", 2, 4, 8), ("Cleaning", 3, 1, 1)]
WEEK = "2026-W49"


async def add_server(db: Database, org_id: int, guild_id: int) -> None:
    """A second server of the organization (as after a merge), its rota channel at guild_id * 2."""
    async with db.transaction() as session:
        session.add(OrgServer(guild_id=guild_id, organization_id=org_id, channel_id=guild_id * 2))


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


def restarted(db: Database, outbox: Dispatcher) -> Dispatcher:
    """A new process's dispatcher over the same Discord (the fake keeps what was sent)."""
    return Dispatcher(db, outbox.rota, outbox.votes, InlineRunner(), outbox.clock)


async def test_a_crash_between_storing_and_sending_delivers_everything_once_after_a_restart(
    db, publication: Publication, outbox, effects, clock
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    await add_server(db, org.id, GUILD + 1)
    async with db.transaction() as session:
        (await session.get_one(MemberRow, org.members["ana"].id)).notify = True
    effects.fail_next_send = Crash()  # killed once the rota and its effects are stored, before the post
    with pytest.raises(Crash):
        await publication.publish(org.id, WEEK)
    [rota] = await stored(db, Rota)
    assert rota.published_at is not None and effects.sent == 0 and effects.dms == []
    pieces = await stored(db, Assignment)

    clock.now += timedelta(minutes=1)
    await restarted(db, outbox).deliver_due()
    assert sorted(p.channel.guild_id for p in effects.posts) == [GUILD, GUILD + 1]  # one on every server
    assert [user for user, _, _ in effects.dms] == [org.members["ana"].user_id]
    assert {p.id for p in await stored(db, Assignment)} == {p.id for p in pieces}  # not solved again
    again = await publication.publish(org.id, WEEK)
    assert (again.created, again.posted, effects.sent, len(effects.dms)) == (False, 0, 2, 1)


async def test_a_crash_between_sending_and_recording_finds_the_post_by_its_marker(
    db, publication: Publication, outbox, effects, clock, monkeypatch
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    real_done = crash_when_recording(monkeypatch, "rota.post", Crash)
    with pytest.raises(Crash):
        await publication.publish(org.id, WEEK)
    assert await stored(db, RotaPost, RotaPost.message_id.is_not(None)) == [] and effects.sent == 1

    monkeypatch.setattr(storage.outbox, "done", real_done)
    clock.now += timedelta(minutes=1)
    await restarted(db, outbox).deliver_due()
    assert effects.sent == 1  # found, not sent again
    [row] = await stored(db, RotaPost)
    assert row.message_id == effects.posts[0].id


async def test_a_passing_failure_is_retried_with_backoff(db, publication: Publication, outbox, effects, clock) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    effects.fail_next_send = DeliveryError("503 Service Unavailable", permanent=False)
    published = await publication.publish(org.id, WEEK)
    assert published.created and published.posted == 0
    [effect] = await stored(db, OutboxEffect, OutboxEffect.kind == "rota.post")
    assert (effect.status, effect.attempts, effect.last_error) == ("pending", 1, "503 Service Unavailable")
    assert await outbox.deliver_due() == []  # not yet: it waits for its backoff
    clock.now = effect.next_attempt_at
    [delivery] = await outbox.deliver_due()
    assert delivery.status == "done" and delivery.sent and effects.sent == 1


async def test_a_channel_that_keeps_refusing_is_given_up_and_shown_to_moderators(
    db, publication: Publication, outbox, effects, clock
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    await add_server(db, org.id, GUILD + 1)
    effects.gone.add(GUILD * 2)  # the first server's rota channel was deleted
    published = await publication.publish(org.id, WEEK)
    assert published.posted == 1 and [p.channel.guild_id for p in effects.posts] == [GUILD + 1]  # not held up
    for _ in range(REFUSED_ATTEMPTS + 2):  # the dispatcher's later rounds
        clock.now += timedelta(hours=1)
        await outbox.deliver_due()
    [effect] = await stored(db, OutboxEffect, OutboxEffect.kind == "rota.post", OutboxEffect.status != "done")
    assert (effect.status, effect.attempts) == ("failed", REFUSED_ATTEMPTS)
    assert "404 Unknown Channel" in effect.last_error
    shown = await organizations.change_settings(db, GUILD + 1, 99)  # what /mod org settings shows
    [failure] = shown.failed
    assert failure.id == effect.id and effects.sent == 1


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


async def test_a_republication_takes_the_role_from_the_replaced_holder(
    db, publication: Publication, effects: FakeRotaEffects
) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], [("Facilitate", 2, 8, 10), ("Dishes", 2, 2, 1), ("Cook", 2, 6, 4)])
    async with db.transaction() as session:
        (await session.get_one(TaskRow, org.tasks["Facilitate"])).role_id = 77
    effects.roles.add((GUILD, 77))
    await publication.publish(org.id, WEEK)
    [(_, _, first)] = effects.holders
    holder = next(m for m in org.members.values() if m.user_id == first)
    async with db.transaction() as session:  # they will be away: the moderator publishes again
        first_day, last_day = week_days(WEEK)
        session.add(Away(member_id=holder.id, start=first_day, end=last_day))
    await publication.publish(org.id, WEEK, replace=True)
    [(_, _, second)] = effects.holders
    assert second != first  # the replaced holder lost the role, the new one has it


async def test_each_publication_logs_who_what_and_why(db, publication: Publication, caplog) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    caplog.set_level(logging.INFO, logger="bot")
    await publication.publish_due(org.id)
    await publication.publish_now(org.id, "2026-W50", moderator_id=9)
    await publication.publish_now(org.id, "2026-W50", moderator_id=9)  # out already: nothing new to say
    lines = [r.getMessage() for r in caplog.records if "the rota of organization" in r.getMessage()]
    assert lines == [
        f"published the rota of organization {org.id} for week {WEEK} (scheduled)",
        f"published the rota of organization {org.id} for week 2026-W50 (by hand, moderator 9)",
    ]


async def test_two_dispatchers_at_once_deliver_each_effect_once(
    db, publication: Publication, outbox, effects, monkeypatch
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS)
    await add_server(db, org.id, GUILD + 1)

    async def queued_only(subject: str) -> list:
        return []

    monkeypatch.setattr(outbox, "deliver_subject", queued_only)  # stored and queued, nothing sent yet
    await publication.publish(org.id, WEEK)
    other_process = restarted(db, outbox)
    await asyncio.gather(outbox.deliver_due(), other_process.deliver_due(), outbox.deliver_due())
    assert sorted(p.channel.guild_id for p in effects.posts) == [GUILD, GUILD + 1] and effects.sent == 2
    assert {e.status for e in await stored(db, OutboxEffect)} == {"done"}


async def test_preview_and_publish_name_the_same_week_as_the_scheduler(db, publication: Publication, clock) -> None:
    from datetime import UTC, datetime

    from storage.models import Organization

    org = await make_org(db, ["ana", "ben"], [("Dishes", 2, 2, 1), ("Baking", 2, 7, 6)])
    async with db.transaction() as session:
        (await session.get_one(Organization, org.id)).timezone = "Europe/Berlin"
    clock.now = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)  # the reported Sunday, 15:00 in Berlin
    target = await publication.target(GUILD)
    preview = await publication.preview(GUILD)
    assert target.week == preview.week == "2026-W49" and target.published_at is None
    assert (await publication.target(GUILD, "this")).week == "2026-W48"
    await publication.publish_now(org.id, target.week, moderator_id=9)
    assert (await publication.target(GUILD, "W49")).published_at is not None
    with pytest.raises(BadInput, match="is not a week I understand"):
        await publication.target(GUILD, "soon")
    clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday: week 48 has ended
    with pytest.raises(BadInput, match="is over"):
        await publication.preview(GUILD, "2026-W48")


async def test_a_republication_tells_by_dm_only_those_who_asked_and_whose_work_changed(
    db, publication: Publication, effects: FakeRotaEffects
) -> None:
    org = await make_org(db, ["ana", "ben", "cleo", "dov"], [("Facilitate", 2, 8, 10), ("Dishes", 2, 2, 1)])
    async with db.transaction() as session:
        for member in org.members.values():
            (await session.get_one(MemberRow, member.id)).notify = member.display_name != "dov"
    await publication.publish(org.id, WEEK)

    async def work() -> dict[int, list[tuple[int, float]]]:
        found: dict[int, list[tuple[int, float]]] = {}
        for piece in await stored(db, Assignment):
            found.setdefault(piece.member_id, []).append((piece.task_id, piece.hours))
        return {m: sorted(v) for m, v in found.items()}

    before = await work()
    effects.dms.clear()
    gone = next(m for m in org.members.values() if m.id in before)  # away now: their work moves
    async with db.transaction() as session:
        first_day, last_day = week_days(WEEK)
        session.add(Away(member_id=gone.id, start=first_day, end=last_day))
    await publication.publish(org.id, WEEK, replace=True)
    after = await work()
    changed = {m.user_id for m in org.members.values() if before.get(m.id, []) != after.get(m.id, [])}
    told = {user for user, _, _ in effects.dms}
    asked = {m.user_id for m in org.members.values() if m.display_name != "dov"}
    assert gone.user_id in changed and told == changed & asked
    assert all(before.get(m.id) == after.get(m.id) for m in org.members.values() if m.user_id not in changed)
