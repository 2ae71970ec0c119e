"""Scale benchmark: many organizations due at the same minute, solved by 1, 2, 4… workers (`make bench-scale`).

For each worker count: a fresh database with `--orgs` organizations of 20–40 members (random hours,
about one task per two members, everyone's ratings), each on a server of its own in the tests' fake
Discord (in this process), all due Monday 09:00 UTC. Then `python -m bot` (one process, the
scheduler's leader, REDIS_URL set) and N `parecon-rota worker` processes start with their clock
(PARECON_ROTA_TEST_CLOCK_OFFSET) a few seconds before 09:00, and the fake records when each rota
post arrives. Printed: the time from 09:00 to the first post, the median one and the last one, and
the throughput; the processes' logs are kept in a temporary folder.

Each solve runs for its whole `--solver-time-limit` (organizations this size are not proved
optimal early), so the time is about orgs × limit ÷ the solves that really run at once: at most the
workers, at most the machine's cores (the bot process draws each post's chart too). This is a
benchmark, not a test: it prints figures and asserts nothing about time.

    make bench-scale                                    # 100 organizations, 2 s solves, 1, 2 and 4 workers
    make bench-scale BENCH_SCALE_ARGS="--orgs 1000 --solver-time-limit 10 --workers 4"
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import liveness
from storage import orgs
from storage.db import Database, migrate
from storage.models import MemberRow, Rating, TaskRow
from tests.e2e.fake_discord import FakeDiscord, FakeGuild

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
LEAD = timedelta(seconds=15)  # the processes start this long before 09:00 (on their clock)


async def seed(db: Database, fake: FakeDiscord, count: int, now: datetime, rng: random.Random) -> list[FakeGuild]:
    guilds = []
    for n in range(count):
        guild = fake.add_guild(f"Collective {n}")
        size = rng.randint(20, 40)
        hours = [rng.choice([4, 5, 6, 8, 10]) for _ in range(size)]
        async with db.transaction() as session:
            org = await orgs.create_org(
                session,
                guild_id=guild.id,
                channel_id=guild.channel("rota").id,
                name=guild.name,
                timezone="UTC",
                day=0,
                at=clock_time(9),
                merge_code=f"B{n:07d}",
                now=now,
            )
            members = [
                MemberRow(organization_id=org.id, user_id=10_000_000 + n * 100 + i, display_name=f"m{n}.{i}", hours=h)
                for i, h in enumerate(hours)
            ]
            session.add_all(members)
            supply, demand, tasks = sum(hours), 0.0, []
            while demand < 0.85 * supply - 8:  # about 85% of the hours offered are needed
                task_hours = rng.choice([2, 3, 4, 5, 6, 8])
                slots = rng.choice([1, 1, 2])
                tasks.append(
                    TaskRow(organization_id=org.id, name=f"Task {len(tasks):02d}", hours=task_hours, slots=slots)
                )
                demand += task_hours * slots
            session.add_all(tasks)
            await session.flush()
            session.add_all(
                Rating(
                    member_id=member.id,
                    task_id=task.id,
                    desirability=rng.randint(1, 10),
                    empowerment=rng.randint(1, 10),
                )
                for member in members
                for task in tasks
            )
        guilds.append(guild)
    await liveness.alive(db, now)  # the last scheduler was alive now: a run missed after it is caught up
    return guilds


async def fresh_database(base: str | None, folder: Path) -> tuple[str, str | None]:
    """A new, migrated database: PostgreSQL (dropped afterwards) or a SQLite file."""
    if base is None or base.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        await asyncio.to_thread(migrate, url)
        return url, None
    from tests.conftest import _admin

    name = f"parecon_bench_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    await asyncio.to_thread(migrate, url)
    return url, name


async def run_one(args: argparse.Namespace, workers: int, folder: Path) -> dict[str, float]:
    import redis

    rng = random.Random(args.seed)
    fake = await FakeDiscord().start()
    db_url, pg_name = await fresh_database(args.database_url, folder)
    redis.Redis.from_url(args.redis_url).flushdb()
    db = Database(db_url)
    print(f"  seeding {args.orgs} organizations…", flush=True)
    guilds = await seed(db, fake, args.orgs, DUE - timedelta(hours=1), rng)
    await db.dispose()
    offset = DUE - datetime.now(UTC) - LEAD
    due_real = DUE - offset  # when 09:00 comes, on the real clock
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SHARD_", "DATABASE_"))} | {
        "DISCORD_TOKEN": fake.token,
        "DATABASE_URL": db_url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "REDIS_URL": args.redis_url,
        "SCHEDULER_ENABLED": "true",
        "SOLVER_TIME_LIMIT": str(args.solver_time_limit),
        "PUBLISH_CONCURRENCY": str(args.concurrency or 2 * workers),
        "LOG_LEVEL": "INFO",
        "PARECON_ROTA_TEST_CLOCK_OFFSET": str(offset.total_seconds()),
        "DATA_DIR": str(folder / "data"),
    }
    logs = []
    processes = []
    for name, command in [*((f"worker-{n}", ["worker"]) for n in range(workers)), ("bot", [])]:
        log = open(folder / f"{workers}w-{name}.log", "wb")  # noqa: SIM115, ASYNC230 (closed below; a local file)
        logs.append(log)
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *command, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        )
    arrivals: list[float] = []
    try:
        counted: set[int] = set()
        deadline = time.monotonic() + args.timeout
        while len(counted) < len(guilds) and time.monotonic() < deadline:
            for guild in guilds:
                if guild.id not in counted and any(m.get("embeds") for m in guild.channel("rota").messages.values()):
                    counted.add(guild.id)
                    arrivals.append((datetime.now(UTC) - due_real).total_seconds())
            await asyncio.sleep(0.2)
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
        for log in logs:
            log.close()
        await fake.stop()
        if pg_name is not None:
            from tests.conftest import _admin

            await _admin(args.database_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    arrivals.sort()
    return {
        "posted": len(arrivals),
        "first": arrivals[0] if arrivals else float("nan"),
        "median": statistics.median(arrivals) if arrivals else float("nan"),
        "last": arrivals[-1] if arrivals else float("nan"),
    }


async def main_async(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.workers.split(",")]
    print(
        f"{args.orgs} organizations of 20–40 members due at the same minute; solver limit "
        f"{args.solver_time_limit} s; {os.cpu_count()} cores on this machine"
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        rows = []
        for workers in counts:
            print(f"{workers} worker(s):", flush=True)
            result = await run_one(args, workers, folder)
            rows.append((workers, result))
            print(
                f"  posted {result['posted']:.0f}/{args.orgs}: first after {result['first']:.1f} s, median "
                f"{result['median']:.1f} s, last {result['last']:.1f} s "
                f"({result['posted'] / max(result['last'], 1e-9) * 60:.0f} posts a minute)",
                flush=True,
            )
        print("\n| workers | posted | first post | median post | last post | posts/minute |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for workers, r in rows:
            print(
                f"| {workers} | {r['posted']:.0f}/{args.orgs} | {r['first']:.1f} s | {r['median']:.1f} s | "
                f"{r['last']:.1f} s | {r['posted'] / max(r['last'], 1e-9) * 60:.0f} |"
            )
    finally:
        if args.keep_logs:
            print(f"\nlogs: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=100, help="organizations due at once (default 100)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to try, comma-separated (default 1,2,4)")
    parser.add_argument("--solver-time-limit", type=float, default=2.0, help="seconds per solve (default 2)")
    parser.add_argument("--concurrency", type=int, default=0, help="PUBLISH_CONCURRENCY (default: 2 × workers)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL server to make a fresh database on (default: TEST_DATABASE_URL, else SQLite)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="a Redis database the benchmark may empty (default redis://127.0.0.1:6379/15)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="give up on a run after this long (s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-logs", action="store_true", help="keep the processes' logs")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
