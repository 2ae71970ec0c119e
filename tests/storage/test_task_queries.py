"""Task lookups by name: case is ignored, LIKE's wildcards are taken literally."""

from __future__ import annotations

from datetime import time

from storage.db import Database
from storage.models import TaskRow
from storage.orgs import create_org
from storage.tasks import search_tasks, task_named


async def test_a_name_matches_only_itself_whatever_the_case(db: Database) -> None:
    async with db.transaction() as session:
        org = await create_org(
            session, guild_id=1, channel_id=2, name="Co-op", timezone="UTC", day=0, at=time(9), merge_code="c0de"
        )
        await session.flush()
        for name in ("Clean_toilets", "Clean toilets", "100% compost"):
            session.add(TaskRow(organization_id=org.id, name=name, hours=1))
    async with db.session() as session:
        assert (await task_named(session, org.id, "clean_TOILETS")).name == "Clean_toilets"
        assert (await task_named(session, org.id, "clean toilets")).name == "Clean toilets"
        assert await task_named(session, org.id, "cleanxtoilets") is None
        assert await task_named(session, org.id, "100%") is None
        assert [t.name for t in await search_tasks(session, org.id, "_")] == ["Clean_toilets"]
        assert [t.name for t in await search_tasks(session, org.id, "0%")] == ["100% compost"]
