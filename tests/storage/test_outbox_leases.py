"""The outbox's leases: a try takes an effect until its lease ends, so two claimers (two processes)
never take the same effect at once; once the lease is over the effect can be taken again, and its
tries are counted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from storage import outbox
from storage.db import Database
from storage.models import OutboxEffect

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
LEASE = timedelta(minutes=5)


async def _queue(db: Database, count: int) -> list[int]:
    async with db.transaction() as session:
        effects = [
            await outbox.add(session, org_id=None, kind="dm", key=f"dm:{n}", subject=f"test:{n}", payload={}, now=NOW)
            for n in range(count)
        ]
    return [effect.id for effect in effects if effect is not None]


async def _claim(db: Database, effect_id: int, now: datetime) -> OutboxEffect | None:
    async with db.transaction() as session:
        return await outbox.claim(session, effect_id, now, LEASE)


async def test_a_leased_effect_is_taken_again_only_once_its_lease_is_over(db: Database) -> None:
    [effect_id] = await _queue(db, 1)
    first = await _claim(db, effect_id, NOW)
    assert first is not None and first.attempts == 1
    assert await _claim(db, effect_id, NOW) is None
    assert await _claim(db, effect_id, NOW + LEASE - timedelta(seconds=1)) is None
    async with db.session() as session:
        assert await outbox.due(session, NOW + LEASE - timedelta(seconds=1)) == []
        assert [e.id for e in await outbox.due(session, NOW + LEASE)] == [effect_id]
    again = await _claim(db, effect_id, NOW + LEASE)  # the first try never finished (a crash): it is due again
    assert again is not None and again.attempts == 2


async def test_an_effect_carried_out_or_given_up_is_not_taken_again(db: Database) -> None:
    done_id, failed_id = await _queue(db, 2)
    async with db.transaction() as session:
        for effect_id, finish in ((done_id, outbox.done), (failed_id, outbox.give_up)):
            effect = await outbox.claim(session, effect_id, NOW, LEASE)
            assert effect is not None
            if finish is outbox.done:
                outbox.done(effect, 1234)
            else:
                outbox.give_up(effect, "Forbidden")
    later = NOW + 10 * LEASE
    assert await _claim(db, done_id, later) is None
    assert await _claim(db, failed_id, later) is None


async def test_the_same_key_is_not_queued_twice(db: Database) -> None:
    assert len(await _queue(db, 1)) == 1
    assert await _queue(db, 1) == []  # the same key: already queued


async def test_two_claimers_never_lease_the_same_effect(db: Database) -> None:
    """Two processes (two engines, each with its own pool) go over the same due effects at once."""
    ids = await _queue(db, 12)
    other = Database(db.url)

    async def claimer(database: Database) -> set[int]:
        taken = set()
        for effect_id in ids:
            if await _claim(database, effect_id, NOW) is not None:
                taken.add(effect_id)
        return taken

    try:
        mine, theirs = await asyncio.gather(claimer(db), claimer(other))
    finally:
        await other.dispose()
    assert mine.isdisjoint(theirs)
    assert mine | theirs == set(ids)
    async with db.session() as session:
        rows = (await session.execute(select(OutboxEffect).where(col(OutboxEffect.id).in_(ids)))).scalars()
        attempts = {e.id: e.attempts for e in rows}
    assert attempts == dict.fromkeys(ids, 1)
