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


async def test_upgrade_fills_in_the_sides_of_a_federation_formed_before_they_were_recorded(empty_db_url: str) -> None:
    await asyncio.to_thread(migrate, empty_db_url, "1f73a75c7cc9")  # before sides (and before recurrence)
    db = Database(empty_db_url)
    t0, t1, t2 = (datetime(2026, 11, day, 9, tzinfo=UTC) for day in (1, 5, 20))
    statements = [
        # A (1) and B (2) merged into F (3) by vote #1; servers 10 (A's) and 20 (B's) now F's.
        *(
            "INSERT INTO organization (id, name, timezone, publish_day, publish_time, default_hours, granularity,"
            f" quorum_pct, threshold_pct, vote_hours, merge_code, created_at, archived_at, merged_into_id) VALUES"
            f" ({i}, '{name}', 'UTC', 0, '09:00:00', 10, 0.25, 50, 67, 72, 'CODE{i}', :t{i - 1}, {archived}, {into})"
            for i, name, archived, into in ((3, "F", "NULL", "NULL"), (1, "A", ":t2", 3), (2, "B", ":t2", 3))
        ),
        "INSERT INTO org_server (guild_id, organization_id, channel_id, joined_at) VALUES (10, 3, 11, :t0), "
        "(20, 3, 21, :t1)",
        "INSERT INTO task (id, organization_id, name, hours, slots, splittable, min_shift, origin, created_at) VALUES"
        " (1, 3, 'Dishes', 2, 1, false, 1, 'A', :t0), (2, 3, 'Repairs', 2, 1, false, 1, 'B', :t1),"
        " (3, 3, 'New', 1, 1, false, 1, NULL, :t2)",
        "INSERT INTO goal (id, organization_id, text, origin, created_at) VALUES (1, 3, 'Bread', 'A', :t0),"
        " (2, 3, 'Bikes', 'B', :t1)",
        # ana voted on A's side; dave on B's; carol was in both (her B row folded, inactive, in B); eve joined F
        "INSERT INTO member (id, organization_id, user_id, display_name, hours, active, notify, joined_at) VALUES"
        " (1, 3, 100, 'ana', 10, true, false, :t0), (2, 3, 200, 'dave', 10, true, false, :t1),"
        " (3, 3, 300, 'carol', 14, true, false, :t0), (4, 2, 300, 'carol', 4, false, false, :t1),"
        " (5, 3, 500, 'eve', 10, true, false, :t2)",
        "INSERT INTO merge_proposal (id, proposer_org_id, other_org_id, name, proposed_by, status, proposer_quorum,"
        " proposer_threshold, proposer_electorate, other_quorum, other_threshold, other_electorate, dry_run,"
        " created_at, closes_at, result, merged_org_id) VALUES (1, 1, 2, 'F', 100, 'passed', 50, 67, 2, 50, 67, 2,"
        " '{}', :t1, :t2, '{}', 3)",
        "INSERT INTO merge_vote (proposal_id, member_id, organization_id, choice, updated_at) VALUES"
        " (1, 1, 1, 'yes', :t1), (1, 2, 2, 'yes', :t1)",
    ]
    try:
        async with db.engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement), {"t0": t0, "t1": t1, "t2": t2})
        await asyncio.to_thread(migrate, empty_db_url)
        async with db.engine.connect() as connection:

            async def sides(query: str) -> dict:
                return dict((await connection.execute(text(query))).all())

            assert await sides("SELECT guild_id, origin_org_id FROM org_server") == {10: 1, 20: 2}
            assert await sides("SELECT name, origin_org_id FROM task") == {"Dishes": 1, "Repairs": 2, "New": None}
            assert await sides("SELECT text, origin_org_id FROM goal") == {"Bread": 1, "Bikes": 2}
            members = await sides("SELECT id, origin_org_id FROM member WHERE organization_id = 3")
            assert members == {1: 1, 2: 2, 3: 1, 5: None}  # carol's kept row is A's; eve's side is unknown
            flags = (
                await connection.execute(text("SELECT publish_report, kind FROM organization, merge_proposal"))
            ).all()
            assert {(bool(p), k) for p, k in flags} == {(False, "merge")}
    finally:
        await db.dispose()
