"""How many SQL statements one weekly publication costs: an organization of 40 members who all asked
for the weekly DM, two tasks with a role, one server; solved inline, Discord faked. Prints figures
(no assertion: a benchmark to compare versions, not a test).

    .venv/bin/python -m tests.bench_publication_queries [--members 40]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from storage.db import Database, migrate
from storage.models import MemberRow, TaskRow
from tests.app.conftest import GUILD, MONDAY, make_org
from tests.app.fakes import Clock, FakeRotaEffects, FakeVoteEffects, InlineRunner

WEEK = "2026-W49"


async def measure(members: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite'}"
        await asyncio.to_thread(migrate, url)
        db = Database(url)
        try:
            names = [f"member {i:02d}" for i in range(members)]
            tasks = [(f"Task {i:02d}", 2.0, 3 + i % 5, 4 + i % 4) for i in range(members * 2)]
            org = await make_org(db, names, tasks, hours=4)
            async with db.transaction() as session:
                for row in org.members.values():
                    (await session.get_one(MemberRow, row.id)).notify = True
                for i, task_id in enumerate(list(org.tasks.values())[:2]):
                    (await session.get_one(TaskRow, task_id)).role_id = 900 + i
            effects = FakeRotaEffects()
            effects.roles |= {(GUILD, 900), (GUILD, 901)}
            clock = Clock(MONDAY)
            outbox = Dispatcher(db, effects, FakeVoteEffects(), InlineRunner(), clock)
            publication = Publication(db, outbox, InlineRunner(), clock, solver_time_limit=2.0)

            statements: Counter[str] = Counter()

            def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
                statements[statement.split(None, 1)[0].upper()] += 1

            event.listen(db.engine.sync_engine, "before_cursor_execute", count)
            published = await publication.publish(org.id, WEEK)
            event.remove(db.engine.sync_engine, "before_cursor_execute", count)
        finally:
            await db.dispose()
    assert published.created and effects.sent == 1
    return {
        "members": members,
        "statements": sum(statements.values()),
        "by verb": dict(sorted(statements.items())),
        "posts": effects.sent,
        "dms": len(effects.dms),
        "role moves": len(effects.holders),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    figures = asyncio.run(measure(parser.parse_args().members))
    for name, value in figures.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
