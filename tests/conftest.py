"""Shared fixtures: a real, freshly migrated database per test (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

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
