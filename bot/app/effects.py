"""The outbox's core: carries out the Discord effects that use cases queue together with the change
that calls for them (`storage.outbox`), each exactly once as people see it. It knows no feature:
each feature declares its effect types (`Effect` subclasses) and registers a handler for each
(`Outbox.register`); `bot.app.outbox.Dispatcher` is where the features are plugged in.

- Queued with the change: a use case writes the effect (`queue`) in the transaction of its state
  change, so a crash leaves both or neither; once that transaction commits, the unit of work hands
  what it queued to the dispatcher (`Outbox.committed`), and whatever is still pending is delivered
  in the background (`Outbox.run`) and when the bot starts again.
- Found before sent again: every message carries its effect's marker (in a footer or a last line);
  an effect tried before (the bot may have died between sending and recording) first looks for its
  message (`Attempt.tried_before`). Role moves and edits are idempotent and are simply done again.
- Retried with backoff on passing failures (429, 5xx, a dropped connection); given up after
  `REFUSED_ATTEMPTS` when Discord refuses for good (a deleted channel, a missing permission: 403/404)
  and after `MAX_ATTEMPTS` in all. Given-up effects are kept as failed, logged, and shown to the
  organization's moderators (`/mod org settings`); one failing effect never holds up the others.
- Ordered by declaration: an effect type names the kinds of the same subject it comes after
  (`Effect.after`); those are tried first in any batch, and their outcomes reach its handler
  (`Attempt.prior`), whether they were tried in this batch or in an earlier one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from storage import outbox as table
from storage.db import DELIVERED, Database, Session
from storage.models import OutboxEffect

from .ports import Clock, DeliveryError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # passing failures: about 10 minutes of tries
REFUSED_ATTEMPTS = 3  # Discord refused (403/404): a moderator may just be fixing it
BACKOFF = timedelta(seconds=5)  # doubled at each try
MAX_BACKOFF = timedelta(minutes=30)
IDLE_SECONDS = 60.0  # the dispatcher looks again at least this often
MARKER_PREFIX = "parecon-rota · "


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


class Effect:
    """One Discord effect, as stored: subclasses are frozen dataclasses whose fields are the row's
    payload (`kind` names the type in the stored rows: never rename one). A payload holds what the
    effect needs at delivery: ids, to read the current state then, and values only where the
    record they come from changes or goes before the delivery (each type says which)."""

    kind: ClassVar[str]
    after: ClassVar[tuple[str, ...]] = ()  # kinds of the same subject tried before this one

    def key(self) -> str:
        """Unique among all effects: queuing the same key twice is a no-op."""
        raise NotImplementedError

    def subject(self) -> str:
        """The thing the effect is about (a rota, a vote): delivered together, ordered by `after`."""
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]  # subclasses are dataclasses

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        """Rows written by older versions may lack fields added since (they have defaults) or hold
        some no longer used (ignored)."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{name: value for name, value in payload.items() if name in names})


E = TypeVar("E", bound=Effect)


@dataclass(frozen=True)
class Prior:
    """An effect that this one comes `after`, as it stands: done, pending (to be retried) or failed,
    why it last failed, and the message it sent."""

    effect: Effect
    status: str
    error: str | None
    message_id: int | None


@dataclass
class Attempt:
    """One try of one effect, as its handler sees it."""

    key: str
    subject: str
    tried_before: bool  # the effect may have been carried out by a try that died before recording it
    batch: Batch = field(default_factory=lambda: Batch())
    load_prior: Callable[[], Awaitable[tuple[Prior, ...]]] | None = None

    @property
    def marker(self) -> str:
        """What the message carries to be found again, unless the effect brings its own."""
        return MARKER_PREFIX + self.key

    async def prior(self) -> tuple[Prior, ...]:
        """The effects of the same subject of the kinds this one comes `after` (read when asked: most
        handlers only need the order)."""
        return await self.load_prior() if self.load_prior is not None else ()


class Batch:
    """What the effects delivered together share (a publication's post and its forty DMs read the
    rota once): values loaded once per batch by the handlers that need them."""

    def __init__(self) -> None:
        self._values: dict[object, asyncio.Future[Any]] = {}

    async def once(self, key: object, load: Callable[[], Awaitable[Any]]) -> Any:
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = asyncio.ensure_future(load())
        return await found


@dataclass(frozen=True)
class Outcome:
    message_id: int | None = None
    sent: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delivery:
    effect_id: int
    kind: str
    status: str  # done, pending (to be tried again), failed
    sent: bool = False  # a message was sent by this delivery (not found again, not skipped)


class CarryOut(Protocol, Generic[E]):  # type: ignore[misc]
    def __call__(self, effect: E, attempt: Attempt, /) -> Awaitable[Outcome]: ...


class Record(Protocol, Generic[E]):  # type: ignore[misc]
    """What a delivery changes besides the effect's own row, in the same transaction."""

    def __call__(self, session: Session, effect: E, outcome: Outcome, /) -> Awaitable[None]: ...


@dataclass(frozen=True)
class Registered(Generic[E]):
    type: type[E]
    carry_out: CarryOut[E]
    record: Record[E] | None


async def queue(session: Session, effect: Effect, *, org_id: int | None, now: datetime | None = None) -> bool:
    """Queue an effect in the caller's transaction (delivered once it commits); False if one with its
    key was queued already."""
    added = await table.add(
        session,
        org_id=org_id,
        kind=effect.kind,
        key=effect.key(),
        subject=effect.subject(),
        payload=effect.payload(),
        now=now,
    )
    return added is not None


@dataclass(frozen=True)
class GivenUp:
    """An effect the outbox gave up on, as moderators are shown it (`/mod org settings`)."""

    id: int
    kind: str
    when: datetime
    reason: str
    channel_id: int | None  # where it was to be posted, if in a channel
    user_id: int | None  # whom it was for, if one member


async def given_up(session: Session, org_id: int, limit: int = 10) -> list[GivenUp]:
    """The organization's effects given up on, newest first."""
    found = []
    for row in await table.failed(session, org_id, limit):
        payload = json.loads(row.payload)
        assert row.id is not None
        when = row.done_at or row.created_at
        found.append(GivenUp(row.id, row.kind, when, row.last_error, payload.get("channel_id"), payload.get("user_id")))
    return found


def delivered(session: Session) -> list[Delivery]:
    """What the unit of work delivered after this session's transaction committed."""
    return list(session.info.get(DELIVERED, []))


class InTheBackground:
    """Where a transaction that names no outbox hands its effects (`storage.db.Database.outbox`): a
    command's answer does not wait for Discord; the background delivery is woken at once."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def committed(self, subjects: Sequence[str]) -> list[Delivery]:
        self.outbox.kick()
        return []


class Outbox:
    """Delivers pending effects: at once for the transaction that queued them and names this outbox
    (`db.transaction(outbox)`, then `committed`), and in the background (`run`) for the others,
    retries and whatever a previous process left pending."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock
        self.wake = asyncio.Event()
        self._types: dict[str, Registered[Any]] = {}
        self._ranks: dict[str, int] = {}
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        if db.outbox is None:  # transactions that name no outbox: delivered in the background
            db.outbox = InTheBackground(self)

    # -- registration --------------------------------------------------------------------------------

    def register(self, effect_type: type[E], carry_out: CarryOut[E], *, record: Record[E] | None = None) -> None:
        """A feature's effect type and how it is carried out (and recorded)."""
        kind = effect_type.kind
        if kind in self._types:
            raise ValueError(f"effect kind {kind!r} is registered already")
        self._types[kind] = Registered(effect_type, carry_out, record)
        self._ranks = {}
        self._rank_all()  # a cycle of `after` fails here, at start, not at delivery

    def kinds(self) -> list[str]:
        return sorted(self._types)

    def _rank_all(self) -> None:
        ranks: dict[str, int] = {}

        def rank(kind: str, path: tuple[str, ...]) -> int:
            if kind in path:
                raise ValueError(f"effect kinds come after each other in a circle: {' -> '.join((*path, kind))}")
            if kind not in ranks:
                registered = self._types.get(kind)
                before = registered.type.after if registered else ()
                ranks[kind] = 1 + max((rank(k, (*path, kind)) for k in before), default=-1)
            return ranks[kind]

        for kind in self._types:
            rank(kind, ())
        self._ranks = ranks

    def in_order(self, effects: Iterable[OutboxEffect]) -> list[OutboxEffect]:
        """Each effect after those of the kinds it declares it comes after; else oldest first."""
        return sorted(effects, key=lambda e: (self._ranks.get(e.kind, 0), e.id or 0))

    # -- delivering ------------------------------------------------------------------------------------

    def kick(self) -> None:
        """Something was queued: look now rather than at the next timer."""
        self.wake.set()

    async def committed(self, subjects: Sequence[str]) -> list[Delivery]:
        """A transaction that queued effects of these subjects committed: deliver them now (the unit
        of work calls this); what fails is retried in the background."""
        deliveries = []
        try:
            for subject in subjects:
                deliveries += await self.deliver_subject(subject)
        finally:
            self.kick()
        return deliveries

    async def run(self) -> None:
        """Deliver whatever is due, then sleep until the next retry is due (or `kick`); forever."""
        while True:
            try:
                await self.deliver_due()
                async with self.db.session() as session:
                    upcoming = await table.next_due(session)
            except Exception:
                log.exception("the outbox dispatcher failed; it tries again in a minute")
                upcoming = None
            delay = IDLE_SECONDS
            if upcoming is not None:
                delay = min(max((upcoming - self.clock()).total_seconds(), 0.05), IDLE_SECONDS)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), delay)

    async def deliver_due(self) -> list[Delivery]:
        async with self.db.session() as session:
            found = self.in_order(await table.due(session, self.clock()))
        batch = Batch()
        return [await self.deliver(e.id, batch) for e in found if e.id is not None]

    async def deliver_subject(self, subject: str) -> list[Delivery]:
        """Deliver now the pending effects of one thing (a rota, a merge vote) that are due (not waiting
        for a retry, not being tried elsewhere)."""
        async with self.db.session() as session:
            found = self.in_order(await table.pending_of(session, subject))
        batch = Batch()
        return [await self.deliver(e.id, batch) for e in found if e.id is not None]

    async def deliver(self, effect_id: int, batch: Batch | None = None) -> Delivery:
        """Try one effect once, unless it is no longer pending."""
        lock = self._locks.get(effect_id)
        if lock is None:
            lock = self._locks[effect_id] = asyncio.Lock()
        async with lock:
            async with self.db.transaction() as session:
                row = await table.claim(session, effect_id, self.clock(), backoff)
                if row is None:  # done, given up, waiting for its next try, or being tried elsewhere
                    seen = await session.get_one(OutboxEffect, effect_id)
                    return Delivery(effect_id, seen.kind, seen.status)
                registered = self._types.get(row.kind)
            try:
                if registered is None:
                    raise DeliveryError(f"unknown effect {row.kind!r}", permanent=True)
                effect = registered.type.from_payload(json.loads(row.payload))
                attempt = Attempt(row.key, row.subject, row.attempts > 1, batch or Batch(), self._prior_of(row))
                outcome = await registered.carry_out(effect, attempt)
            except DeliveryError as error:
                return await self._failed(row, error.reason, refused=error.permanent)
            except Exception as error:
                log.debug("delivering %s failed", row.key, exc_info=True)
                return await self._failed(row, f"{type(error).__name__}: {error}", refused=False)
            async with self.db.transaction() as session:
                table.done(await session.merge(row, load=False), outcome.message_id)  # as claimed: no read
                if registered.record is not None:
                    await registered.record(session, effect, outcome)
            return Delivery(effect_id, row.kind, "done", outcome.sent)

    def _prior_of(self, row: OutboxEffect) -> Callable[[], Awaitable[tuple[Prior, ...]]]:
        async def load() -> tuple[Prior, ...]:
            before = self._types[row.kind].type.after
            if not before:
                return ()
            async with self.db.session() as session:
                rows = await table.of_subject(session, row.subject, kinds=before)
            return tuple(
                Prior(
                    self._types[r.kind].type.from_payload(json.loads(r.payload)), r.status, r.last_error, r.message_id
                )
                for r in rows
                if r.kind in self._types
            )

        return load

    async def _failed(self, effect: OutboxEffect, reason: str, *, refused: bool) -> Delivery:
        assert effect.id is not None
        give_up = effect.attempts >= (REFUSED_ATTEMPTS if refused else MAX_ATTEMPTS)
        async with self.db.transaction() as session:
            row = await session.merge(effect, load=False)  # as claimed: no read
            if give_up:
                table.give_up(row, reason)
            else:
                row.last_error = reason[:300]
        if give_up:
            log.warning(
                "delivery failed for good: %s for organization %s after %d tries (%s); moderators see it in "
                "/mod org settings",
                effect.key,
                effect.organization_id,
                effect.attempts,
                reason,
            )
            return Delivery(effect.id, effect.kind, "failed")
        log.info(
            "delivery failed: %s for organization %s, try %d (%s); trying again in %ds",
            effect.key,
            effect.organization_id,
            effect.attempts,
            reason,
            backoff(effect.attempts).total_seconds(),
        )
        return Delivery(effect.id, effect.kind, "pending")
