"""Queries for the outbox: Discord effects written with the change that calls for them, then
delivered (and retried, or given up) by the dispatcher."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.db import QUEUED
from storage.models import OutboxEffect, utcnow

LEASE_STEPS = 12  # tries whose lease `claim` works out one by one; later ones get the last


async def add(
    session: AsyncSession,
    *,
    org_id: int | None,
    kind: str,
    key: str,
    subject: str,
    payload: dict[str, Any],
    now: datetime | None = None,
) -> OutboxEffect | None:
    """Queue an effect in the caller's transaction; None if one with this key is queued already
    (either way its subject is delivered once the transaction commits).

    One INSERT that skips a key already there, in the caller's transaction: a savepoint would do on
    PostgreSQL, but SQLite's driver opens no transaction before a SAVEPOINT, so an effect queued
    first thing would be committed by its RELEASE even if the change around it rolled back."""
    effect = OutboxEffect(
        organization_id=org_id,
        kind=kind,
        key=key,
        subject=subject,
        payload=json.dumps(payload),
        next_attempt_at=now or utcnow(),
    )
    table = OutboxEffect.__table__  # type: ignore[attr-defined]  # SQLModel's stubs do not declare __table__
    values = {column.name: getattr(effect, column.name) for column in table.columns if column.name != "id"}
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=["key"])
    result = await session.execute(statement.returning(table.c.id))
    queued = session.info.setdefault(QUEUED, [])
    if subject not in queued:
        queued.append(subject)
    effect_id = result.scalar_one_or_none()
    if effect_id is None:
        return None
    effect.id = effect_id
    return effect


async def claim(
    session: AsyncSession, effect_id: int, now: datetime, lease: timedelta | Callable[[int], timedelta]
) -> OutboxEffect | None:
    """Take the effect for one try, unless it is not pending or someone is trying it (another
    process, or this one: a try leases it until `now + lease`, which is also when it is next due;
    `lease(n)` for the n-th try). Counts the try before it is made, so a crash during it still
    counts. One statement: the update returns the row it took."""
    column = OutboxEffect.__table__.c.next_attempt_at  # type: ignore[attr-defined]  # as in add()
    if callable(lease):
        until: Any = case(
            *((col(OutboxEffect.attempts) == n, literal(now + lease(n + 1), column.type)) for n in range(LEASE_STEPS)),
            else_=literal(now + lease(LEASE_STEPS + 1), column.type),
        )
    else:
        until = literal(now + lease, column.type)
    result = await session.execute(
        update(OutboxEffect)
        .where(
            col(OutboxEffect.id) == effect_id,
            col(OutboxEffect.status) == "pending",
            col(OutboxEffect.next_attempt_at) <= now,
        )
        .values(attempts=OutboxEffect.attempts + 1, next_attempt_at=until)
        .returning(OutboxEffect),
        execution_options={"synchronize_session": False, "populate_existing": True},
    )
    found: OutboxEffect | None = result.scalar_one_or_none()
    return found


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[OutboxEffect]:
    """Pending effects whose next try is due, oldest first."""
    result = await session.execute(
        select(OutboxEffect)
        .where(OutboxEffect.status == "pending", OutboxEffect.next_attempt_at <= now)
        .order_by(col(OutboxEffect.id))
        .limit(limit)
    )
    return list(result.scalars())


async def pending_of(session: AsyncSession, subject: str) -> list[OutboxEffect]:
    result = await session.execute(
        select(OutboxEffect)
        .where(OutboxEffect.subject == subject, OutboxEffect.status == "pending")
        .order_by(col(OutboxEffect.id))
    )
    return list(result.scalars())


async def of_subject(
    session: AsyncSession, subject: str, kind: str | None = None, *, kinds: Sequence[str] = ()
) -> list[OutboxEffect]:
    query = select(OutboxEffect).where(OutboxEffect.subject == subject)
    if kind is not None:
        query = query.where(OutboxEffect.kind == kind)
    if kinds:
        query = query.where(col(OutboxEffect.kind).in_(kinds))
    return list((await session.execute(query.order_by(col(OutboxEffect.id)))).scalars())


async def next_due(session: AsyncSession) -> datetime | None:
    result = await session.execute(
        select(func.min(OutboxEffect.next_attempt_at)).where(OutboxEffect.status == "pending")
    )
    found: datetime | None = result.scalar_one_or_none()
    if found is not None and found.tzinfo is None:  # an aggregate skips the column's type on SQLite
        found = found.replace(tzinfo=UTC)
    return found


async def failed(session: AsyncSession, org_id: int, limit: int = 10) -> list[OutboxEffect]:
    """The organization's effects given up on, newest first (shown to its moderators)."""
    result = await session.execute(
        select(OutboxEffect)
        .where(OutboxEffect.organization_id == org_id, OutboxEffect.status == "failed")
        .order_by(col(OutboxEffect.id).desc())
        .limit(limit)
    )
    return list(result.scalars())


def skip(effect: OutboxEffect, reason: str) -> None:
    """No longer needed (e.g. the post of a rota replaced before it went out)."""
    effect.status, effect.last_error, effect.done_at = "done", reason[:300], utcnow()


def done(effect: OutboxEffect, message_id: int | None) -> None:
    effect.status, effect.message_id, effect.done_at = "done", message_id, utcnow()


def give_up(effect: OutboxEffect, error: str) -> None:
    effect.status, effect.last_error, effect.done_at = "failed", error[:300], utcnow()
