"""Benchmark: another server's `/mod org setup` while one server imports a 2,000-row task file
(`make bench-import`). Prints the import's duration, the other server's setup latencies (p50, max)
and the event loop's longest stall, with the import in batches (as the bot does) and, for comparison,
in one transaction. A benchmark, not a test: it prints figures and asserts nothing about time.

    make bench-import
    make bench-import BENCH_IMPORT_ARGS="--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import organizations, tasks
from storage.db import Database, migrate

ROWS = 2000
HEADER = "task,hours,slots,qualification,splittable,min_shift\n"


async def run(url: str, batch_rows: int, label: str) -> None:
    db = Database(url)
    base = time.time_ns() // 1000  # guild ids of this run's own (a reused PostgreSQL database keeps the last run's)
    await organizations.set_up(db, base, "Importer", 9, organizations.Schedule(channel_id=1))
    csv = (HEADER + "".join(f"Task {i},1,1,,false,1\n" for i in range(ROWS))).encode()
    stalls: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stalls.append(now - last - 0.005)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    importing = asyncio.create_task(tasks.import_tasks(db, base, 9, "big.csv", csv, batch_rows=batch_rows))
    latencies = []
    guild = base
    while not importing.done():
        guild += 1
        t0 = time.perf_counter()
        await organizations.set_up(db, guild, f"Other {guild}", 9, organizations.Schedule(channel_id=guild))
        latencies.append(time.perf_counter() - t0)
    await importing
    took = time.perf_counter() - started
    ticking.cancel()
    await db.dispose()
    print(
        f"{label:<28} import {took:5.2f} s | other server's setup: {len(latencies)} done, "
        f"p50 {statistics.median(latencies) * 1000:6.0f} ms, max {max(latencies) * 1000:6.0f} ms | "
        f"longest event-loop stall {max(stalls) * 1000:5.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        print(f"{ROWS} task rows imported on {url.split(':')[0]} while another server runs /mod org setup:")
        asyncio.run(run(url, tasks.IMPORT_BATCH_ROWS, f"batches of {tasks.IMPORT_BATCH_ROWS} rows"))
        asyncio.run(run(url, ROWS, "one transaction (for comparison)"))


if __name__ == "__main__":
    main()
