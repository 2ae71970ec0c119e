"""Use cases against a real database (SQLite, and PostgreSQL when set) with fake Discord effects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest

from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from storage import orgs
from storage.db import Database
from storage.models import MemberRow, Rating, TaskRow
from tests.app.fakes import Clock, FakeRotaEffects, FakeVoteEffects, InlineRunner

MONDAY = datetime(2026, 11, 30, 9, 0, 30, tzinfo=UTC)  # week 2026-W49 starts
GUILD, CHANNEL = 111, 222


@dataclass
class Org:
    id: int
    members: dict[str, MemberRow]  # by name; user ids 1, 2, 3…
    tasks: dict[str, int]  # task ids by name


async def make_org(
    db: Database,
    names: list[str],
    tasks: list[tuple[str, float, int, int]],
    *,
    guild_id: int = GUILD,
    code: str = "CODE2345",
    hours: float = 10,
    first_user: int = 1,
) -> Org:
    """An organization on one server with members and tasks (name, hours, desirability, empowerment)
    rated so by everyone."""
    async with db.transaction() as session:
        org = await orgs.create_org(
            session,
            guild_id=guild_id,
            channel_id=guild_id * 2,
            name=f"Org {guild_id}",
            timezone="UTC",
            day=0,
            at=time(9),
            merge_code=code,
        )
        members = {
            name: MemberRow(organization_id=org.id, user_id=first_user + i, display_name=name, hours=hours)
            for i, name in enumerate(names)
        }
        session.add_all(members.values())
        await session.flush()
        ids = {}
        for name, task_hours, d, e in tasks:
            task = TaskRow(organization_id=org.id, name=name, hours=task_hours)
            session.add(task)
            await session.flush()
            ids[name] = task.id
            for member in members.values():
                session.add(Rating(member_id=member.id, task_id=task.id, desirability=d, empowerment=e))
    assert org.id is not None
    return Org(org.id, members, ids)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def effects() -> FakeRotaEffects:
    return FakeRotaEffects()


@pytest.fixture
def vote_effects() -> FakeVoteEffects:
    return FakeVoteEffects()


@pytest.fixture
def outbox(db: Database, effects: FakeRotaEffects, vote_effects: FakeVoteEffects, clock: Clock) -> Dispatcher:
    return Dispatcher(db, effects, vote_effects, InlineRunner(), clock)


@pytest.fixture
def publication(db: Database, outbox: Dispatcher, clock: Clock) -> Publication:
    return Publication(db, outbox, InlineRunner(), clock, solver_time_limit=0.5)
