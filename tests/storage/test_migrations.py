"""Migrations build the schema from empty, and the schema matches the models (no drift)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import Database, migrate
from storage.orgs import create_org, org_for_guild, server


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
    big = 2**63 - 1
    async with db.transaction() as session:
        await create_org(
            session,
            guild_id=big,
            channel_id=big - 1,
            name="Big",
            timezone="UTC",
            day=0,
            at=time(9),
            merge_code="BIGBIG23",
        )
    async with db.session() as session:
        org = await org_for_guild(session, big)
        assert org is not None and org.name == "Big"
        assert (await server(session, big)).channel_id == big - 1


async def test_upgrade_moves_an_existing_server_into_org_server(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate, empty_db_url, "9735a06051e5")  # the first revision
    db = Database(empty_db_url)
    try:
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO organization (guild_id, name, channel_id, timezone, publish_day, publish_time, "
                    "created_at) VALUES (:g, 'Old', :c, 'UTC', 2, '10:00:00', :t)"
                ),
                {"g": 2**62, "c": 2**62 + 1, "t": datetime.now(UTC)},
            )
        await asyncio.to_thread(migrate, empty_db_url)
        async with db.session() as session:
            org = await org_for_guild(session, 2**62)
            assert org is not None and org.publish_day == 2 and len(org.merge_code) == 8
            assert org.default_hours == 10 and org.quorum_pct == 50
            assert (await server(session, 2**62)).channel_id == 2**62 + 1
    finally:
        await db.dispose()
