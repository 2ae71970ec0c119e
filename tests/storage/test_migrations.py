"""Migrations build the schema from empty, and the schema matches the models (no drift)."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import Database, migrate


async def test_migrations_from_empty_match_the_models(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate, empty_db_url)
    db = Database(empty_db_url)
    try:
        async with db.engine.connect() as connection:

            def diff(sync_connection):
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return compare_metadata(context, SQLModel.metadata)

            differences = await connection.run_sync(diff)
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await db.dispose()
    assert differences == []
    assert set(SQLModel.metadata.tables) <= tables


async def test_migrating_twice_is_harmless(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate, empty_db_url)
    await asyncio.to_thread(migrate, empty_db_url)


async def test_discord_ids_are_64_bit(db: Database) -> None:
    from storage.models import Organization

    big = 2**63 - 1
    async with db.transaction() as session:
        session.add(Organization(guild_id=big, name="Big", channel_id=big - 1))
    async with db.session() as session:
        from storage.orgs import org_for_guild

        org = await org_for_guild(session, big)
    assert org is not None and org.channel_id == big - 1
