"""An organization's lineage: the organizations merged into it, directly or through earlier merges,
and the history (past weeks' pieces) the fairness counts read through it, also for a side that left."""

from __future__ import annotations

from storage.db import Database
from storage.models import utcnow
from storage.rotas import history, lineage
from tests.storage.builders import member, org, rota, task


async def test_the_lineage_follows_merges_through_earlier_merges_and_nothing_else(db: Database) -> None:
    async with db.transaction() as session:
        old_north, north, south, elsewhere = [
            await org(session, guild, name)
            for guild, name in ((1, "Old North"), (2, "North"), (3, "South"), (4, "East"))
        ]
        federation = await org(session, 5, "Federation")
        now = utcnow()
        old_north.merged_into_id, old_north.archived_at = north.id, now
        north.merged_into_id, north.archived_at = federation.id, now
        south.merged_into_id, south.archived_at = federation.id, now
        ids = {o.name: o.id for o in (old_north, north, south, elsewhere, federation)}
    async with db.session() as session:
        assert sorted(await lineage(session, ids["Federation"])) == sorted(
            [ids["Federation"], ids["North"], ids["South"], ids["Old North"]]
        )
        assert sorted(await lineage(session, ids["North"])) == sorted([ids["North"], ids["Old North"]])
        assert await lineage(session, ids["South"]) == [ids["South"]]
        assert await lineage(session, ids["East"]) == [ids["East"]]


async def test_history_reads_the_merged_organizations_weeks_and_a_leaving_sides_federation(db: Database) -> None:
    async with db.transaction() as session:
        north, federation, left, elsewhere = [
            await org(session, guild, name)
            for guild, name in ((1, "North"), (2, "Federation"), (3, "North again"), (4, "East"))
        ]
        north.merged_into_id, north.archived_at = federation.id, utcnow()
        left.left_from_id = federation.id
        ana = await member(session, north.id, 10, "Ana")
        ben = await member(session, federation.id, 11, "Ben")
        cleo = await member(session, left.id, 12, "Cleo")
        dan = await member(session, elsewhere.id, 13, "Dan")
        dishes, cooking, sweeping, other = (
            await task(session, north.id, "Dishes"),
            await task(session, federation.id, "Cooking"),
            await task(session, left.id, "Sweeping"),
            await task(session, elsewhere.id, "Other"),
        )
        await rota(session, north.id, "2026-W45", [(dishes, ana, 2)])
        await rota(session, federation.id, "2026-W46", [(cooking, ben, 3)])
        await rota(session, federation.id, "2026-W40", [(cooking, ben, 1)])  # a week not asked about
        await rota(session, left.id, "2026-W47", [(sweeping, cleo, 1.5)])
        await rota(session, elsewhere.id, "2026-W46", [(other, dan, 4)])
        ids = {"federation": federation.id, "left": left.id, "elsewhere": elsewhere.id}
        people = {ana.id: "Ana", ben.id: "Ben", cleo.id: "Cleo", dan.id: "Dan"}
    weeks = ["2026-W45", "2026-W46", "2026-W47"]
    async with db.session() as session:
        federation_past = {
            (p.week, people[p.member_id], p.hours) for p in await history(session, ids["federation"], weeks)
        }
        left_past = {(p.week, people[p.member_id], p.hours) for p in await history(session, ids["left"], weeks)}
        elsewhere_past = {
            (p.week, people[p.member_id], p.hours) for p in await history(session, ids["elsewhere"], weeks)
        }
    assert federation_past == {("2026-W45", "Ana", 2), ("2026-W46", "Ben", 3)}
    # A side that left still counts its members' weeks in the federation (and what merged into it).
    assert left_past == {("2026-W45", "Ana", 2), ("2026-W46", "Ben", 3), ("2026-W47", "Cleo", 1.5)}
    assert elsewhere_past == {("2026-W46", "Dan", 4)}
