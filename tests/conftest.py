"""Shared fixtures: a real, freshly migrated database per test (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import make_url

from storage.db import Database, migrate

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_SKIP = (
    "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); "
    ".ci/run sets it when PostgreSQL answers on 127.0.0.1:5432"
)


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    admin = make_url(url).set(drivername="postgresql")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _postgres_database() -> AsyncIterator[str]:
    """A throwaway database on the test server, dropped afterwards."""
    name = f"parecon_test_{uuid.uuid4().hex[:12]}"
    await _admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_db_url(request, tmp_path) -> AsyncIterator[str]:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'rota.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_SKIP)
    async for url in _postgres_database():
        yield url


@pytest.fixture
async def db_url(empty_db_url: str) -> str:
    """A database migrated to the latest schema."""
    await asyncio.to_thread(migrate, empty_db_url)
    return empty_db_url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()


REDIS_URL = os.environ.get("TEST_REDIS_URL")
REDIS_SKIP = (
    "task queue tests need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0); .ci/run sets it when Redis answers "
    "on 127.0.0.1:6379"
)
_redis_dbs = iter(range(1, 16))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of the test's own (one of the server's 16, emptied before and after)."""
    if not REDIS_URL:
        pytest.skip(REDIS_SKIP)
    import redis

    index = next(_redis_dbs, None)
    if index is None:  # this process used all of them: start over (each test empties its own)
        globals()["_redis_dbs"] = iter(range(2, 16))
        index = 1
    url = redis_db_url(REDIS_URL, index)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


def redis_db_url(base: str, index: int) -> str:
    """The same Redis server, database `index`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{index}"))
