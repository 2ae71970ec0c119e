"""One server's big import cannot hold up another server: imports are capped in rows, checked in a
thread, and written in short transactions that let other servers' commands in between."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlmodel import func, select

from bot.app import organizations, tasks
from bot.domain.errors import BadInput
from storage.db import Database
from storage.models import TaskRow

GUILD, OTHER_GUILD, MOD = 555, 777, 9000
HEADER = "task,hours,slots,qualification,splittable,min_shift\n"


def rows(n: int) -> str:
    return HEADER + "".join(f"Task {i},1,1,,false,1\n" for i in range(n))


async def set_up(db: Database, guild: int, name: str) -> int:
    done = await organizations.set_up(db, guild, name, MOD, organizations.Schedule(channel_id=guild, name=name))
    return done.org.id


async def task_count(db: Database) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(TaskRow))).scalar_one()


async def test_a_file_over_the_row_cap_is_refused_with_how_to_split_it_and_imports_nothing(db) -> None:
    await set_up(db, GUILD, "Bakery")
    with pytest.raises(BadInput) as refused:
        await tasks.import_tasks(db, GUILD, MOD, "huge.csv", rows(2001).encode())
    message = str(refused.value)
    assert "`huge.csv` has 2,001 task rows; one import takes at most 2,000" in message
    assert "Nothing was imported" in message and "Split it into files of at most 2,000 rows" in message
    assert await task_count(db) == 0
    assert (await tasks.import_tasks(db, GUILD, MOD, "half.csv", rows(10), max_rows=10)).summary() == "10 added"


async def test_the_file_is_checked_off_the_event_loop(db, monkeypatch) -> None:
    await set_up(db, GUILD, "Bakery")
    checked_in: list[threading.Thread] = []
    check = tasks.check_import

    def recording(*args, **kwargs):
        checked_in.append(threading.current_thread())
        return check(*args, **kwargs)

    monkeypatch.setattr(tasks, "check_import", recording)
    await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", rows(3).encode())
    assert checked_in and checked_in[0] is not threading.main_thread()


async def test_another_servers_setup_completes_while_a_2000_row_import_is_still_writing(db) -> None:
    await set_up(db, GUILD, "Bakery")
    importing = asyncio.create_task(tasks.import_tasks(db, GUILD, MOD, "big.csv", rows(2000).encode()))
    # The first batches are committed (visible to another session) while the import goes on.
    while not importing.done() and await task_count(db) == 0:  # noqa: ASYNC110 (polls the database)
        await asyncio.sleep(0)
    assert not importing.done(), "the import held all its rows in one transaction until the end"

    other = await set_up(db, OTHER_GUILD, "Choir")  # another server's /mod org setup

    assert other and not importing.done()  # it did not wait for the rest of the import
    assert 0 < await task_count(db) < 2000
    assert (await importing).summary() == "2000 added"
    assert await task_count(db) == 2000


async def test_a_second_import_of_the_same_organization_is_refused_while_the_first_runs(db) -> None:
    await set_up(db, GUILD, "Bakery")
    first = asyncio.create_task(tasks.import_tasks(db, GUILD, MOD, "a.csv", rows(500).encode()))
    while not first.done() and await task_count(db) == 0:  # noqa: ASYNC110 (polls the database)
        await asyncio.sleep(0)
    with pytest.raises(BadInput, match="An import for this organization is under way"):
        await tasks.import_tasks(db, GUILD, MOD, "b.csv", rows(5).encode())
    assert (await first).summary() == "500 added"
