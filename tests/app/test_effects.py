"""The outbox's core (`bot.app.effects`) with effect types made up for the test: it knows no feature,
so whatever holds for these holds for the rota's, the claims' and the votes' effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import storage.outbox
from bot.app.effects import REFUSED_ATTEMPTS, Attempt, Effect, Outbox, Outcome, Prior, delivered, queue
from bot.app.ports import DeliveryError
from storage.db import Database, Session
from storage.models import OutboxEffect
from tests.app.fakes import Clock, Crash

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Ring(Effect):
    kind = "test.ring"
    thing: int
    bell: str
    loud: bool = False  # added "later": rows written before lack it

    def key(self) -> str:
        return f"thing:{self.thing}:ring:{self.bell}"

    def subject(self) -> str:
        return f"thing:{self.thing}"


@dataclass(frozen=True)
class Announce(Effect):
    kind = "test.announce"
    after = ("test.ring",)
    thing: int

    def key(self) -> str:
        return f"thing:{self.thing}:announce"

    def subject(self) -> str:
        return f"thing:{self.thing}"


@dataclass
class Bells:
    """A fake Discord: what was carried out, in order; messages found again by their marker."""

    done: list[str] = field(default_factory=list)
    markers: dict[str, int] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)  # bells Discord refuses for good
    seen_prior: list[tuple[Prior, ...]] = field(default_factory=list)
    crash_recording: bool = False

    async def ring(self, effect: Ring, attempt: Attempt) -> Outcome:
        if effect.bell in self.refuse:
            raise DeliveryError(f"403 the {effect.bell} bell", permanent=True)
        found = self.markers.get(attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        self.done.append(f"ring {effect.bell}{' loud' if effect.loud else ''}")
        self.markers[attempt.marker] = len(self.done)
        return Outcome(len(self.done), sent=True)

    async def announce(self, effect: Announce, attempt: Attempt) -> Outcome:
        self.seen_prior.append(await attempt.prior())
        self.done.append("announce")
        return Outcome(sent=True)

    async def record(self, session: Session, effect: Ring, outcome: Outcome) -> None:
        if self.crash_recording:
            raise Crash()


def outbox_of(db: Database, clock: Clock, bells: Bells) -> Outbox:
    outbox = Outbox(db, clock)
    outbox.register(Ring, bells.ring, record=bells.record)
    outbox.register(Announce, bells.announce)
    return outbox


async def rows(db: Database) -> list[OutboxEffect]:
    async with db.session() as session:
        return list((await session.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars())


async def test_a_kind_is_registered_once_and_a_circle_of_after_is_refused(db: Database) -> None:
    outbox = Outbox(db, Clock(NOW))
    outbox.register(Ring, Bells().ring)
    with pytest.raises(ValueError, match="registered already"):
        outbox.register(Ring, Bells().ring)

    @dataclass(frozen=True)
    class Chicken(Announce):
        kind = "test.chicken"
        after = ("test.egg",)

    @dataclass(frozen=True)
    class Egg(Announce):
        kind = "test.egg"
        after = ("test.chicken",)

    outbox.register(Chicken, Bells().announce)
    with pytest.raises(ValueError, match="circle"):
        outbox.register(Egg, Bells().announce)
    assert "test.ring" in outbox.kinds()


async def test_a_transaction_naming_the_outbox_delivers_what_it_queued_once_it_commits_in_declared_order(
    db: Database,
) -> None:
    bells = Bells()
    outbox = outbox_of(db, Clock(NOW), bells)
    async with db.transaction(outbox) as session:
        assert await queue(session, Announce(1), org_id=None, now=NOW)  # queued first, but declared to come after
        assert await queue(session, Ring(1, "big"), org_id=None, now=NOW)
        assert await queue(session, Ring(1, "small"), org_id=None, now=NOW)
        assert not await queue(session, Ring(1, "big"), org_id=None, now=NOW)  # the same key: a no-op
        assert bells.done == []  # nothing before the commit
    assert bells.done == ["ring big", "ring small", "announce"]
    assert [d.status for d in delivered(session)] == ["done"] * 3
    [prior] = bells.seen_prior
    assert {(p.effect, p.status, p.message_id) for p in prior} == {
        (Ring(1, "big"), "done", 1),
        (Ring(1, "small"), "done", 2),
    }
    assert await outbox.deliver_due() == [] and len(bells.done) == 3  # once


async def test_the_dependent_hears_of_a_refused_prerequisite_and_is_not_held_up(db: Database) -> None:
    bells = Bells(refuse={"big"})
    outbox = outbox_of(db, Clock(NOW), bells)
    async with db.transaction(outbox) as session:
        await queue(session, Ring(1, "big"), org_id=None, now=NOW)
        await queue(session, Announce(1), org_id=None, now=NOW)
    assert bells.done == ["announce"]
    [[refused]] = bells.seen_prior
    assert refused.status == "pending" and refused.error == "403 the big bell"


async def test_a_rolled_back_transaction_delivers_nothing_and_one_naming_no_outbox_only_wakes_it(db: Database) -> None:
    bells = Bells()
    outbox = outbox_of(db, Clock(NOW), bells)
    with pytest.raises(RuntimeError):
        async with db.transaction(outbox) as session:
            await queue(session, Ring(1, "big"), org_id=None, now=NOW)
            raise RuntimeError("the change failed")
    assert await rows(db) == [] and bells.done == []

    async with db.transaction() as session:  # e.g. a command: its answer does not wait for Discord
        await queue(session, Ring(2, "big"), org_id=None, now=NOW)
    assert bells.done == [] and outbox.wake.is_set()
    await outbox.deliver_due()
    assert bells.done == ["ring big"]


async def test_an_unknown_kind_is_given_up_as_refused_and_holds_up_nothing(db: Database) -> None:
    clock = Clock(NOW)
    bells = Bells()
    outbox = outbox_of(db, clock, bells)
    async with db.transaction() as session:
        await storage.outbox.add(
            session, org_id=None, kind="test.gone", key="gone:1", subject="gone:1", payload={}, now=NOW
        )
        await queue(session, Ring(1, "big"), org_id=None, now=NOW)
    for _ in range(REFUSED_ATTEMPTS):
        await outbox.deliver_due()
        clock.now += timedelta(hours=1)
    gone, rung = await rows(db)
    assert (gone.status, gone.attempts, gone.last_error) == ("failed", REFUSED_ATTEMPTS, "unknown effect 'test.gone'")
    assert rung.status == "done" and bells.done == ["ring big"]


async def test_a_row_written_by_an_older_version_is_carried_out(db: Database) -> None:
    bells = Bells()
    outbox = outbox_of(db, Clock(NOW), bells)
    async with db.transaction() as session:  # no `loud` yet, and a field since dropped
        await storage.outbox.add(
            session,
            org_id=None,
            kind="test.ring",
            key="thing:3:ring:old",
            subject="thing:3",
            payload={"thing": 3, "bell": "old", "colour": "red"},
            now=NOW,
        )
    await outbox.deliver_due()
    assert bells.done == ["ring old"]


async def test_a_crash_between_carrying_out_and_recording_is_found_again_not_done_twice(db: Database) -> None:
    clock = Clock(NOW)
    bells = Bells()
    outbox = outbox_of(db, clock, bells)
    bells.crash_recording = True
    with pytest.raises(Crash):  # the process dies after Discord got it, before the database knew
        async with db.transaction(outbox) as session:
            await queue(session, Ring(1, "big", loud=True), org_id=None, now=clock.now)
            await queue(session, Announce(1), org_id=None, now=clock.now)
    assert bells.done == ["ring big loud"]
    bells.crash_recording = False

    clock.now += timedelta(minutes=1)  # the lease of the try that died is over
    restarted = outbox_of(db, clock, bells)
    ring, announce = await restarted.deliver_due()
    assert (ring.kind, ring.status, ring.sent) == ("test.ring", "done", False)  # found by its marker
    assert (announce.kind, announce.status, announce.sent) == ("test.announce", "done", True)
    assert bells.done == ["ring big loud", "announce"]
    assert {r.status for r in await rows(db)} == {"done"}


async def test_an_effect_tried_elsewhere_is_not_tried_again_until_its_lease_ends(db: Database) -> None:
    clock = Clock(NOW)
    bells = Bells()
    outbox = outbox_of(db, clock, bells)
    async with db.transaction() as session:
        await queue(session, Ring(1, "big"), org_id=None, now=NOW)
    [row] = await rows(db)
    async with db.transaction() as session:  # another process took it for a try
        assert row.id is not None
        assert await storage.outbox.claim(session, row.id, clock(), timedelta(minutes=1)) is not None
    assert await outbox.deliver_due() == [] and bells.done == []
    clock.now += timedelta(minutes=2)  # that process died mid-try
    [delivery] = await outbox.deliver_due()
    assert delivery.status == "done" and bells.done == ["ring big"]
