"""Load benchmark: how fast the bot answers bursts of interactions (`make bench-load`).

The real bot runs as its own process (`python -m bot`, as in production) against the tests' fake
Discord in this process. A 200-member organization with 15 tasks, everyone's ratings and a published
rota; then `/rate`, `/tasks` and `/myjobs` from random members, in two shapes: a steady 50 per
second for 10 seconds, and 500 at once. For each, the time from the interaction's creation to the
bot's first answer reaching the fake (a reply, or a "thinking…" defer), and to the visible reply:
p50, p95, p99, max, and how many first answers were late (after Discord's 3 s: users would see "the
application did not respond").

This is a benchmark, not a test: it prints figures and asserts nothing about time.

    make bench-load                       # SQLite (a fresh file)
    make bench-load BENCH_LOAD_ARGS="--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import BinaryIO

from bot.domain.weeks import iso_week
from storage import orgs
from storage.db import Database, migrate
from storage.models import MemberRow, Rating, TaskRow
from tests.e2e.builders import publish_by_hand
from tests.e2e.fake_discord import RESPONSE_DEADLINE_S, FakeDiscord, FakeGuild, FakeUser, InteractionRecord

MEMBERS, TASKS = 200, 15


async def seed(db: Database, guild: FakeGuild, users: list[FakeUser]) -> list[str]:
    async with db.transaction() as session:
        org = await orgs.create_org(
            session,
            guild_id=guild.id,
            channel_id=guild.channel("rota").id,
            name="Load Co-op",
            timezone="UTC",
            day=0,
            at=clock_time(9),
            merge_code="LOAD2345",
        )
        members = [
            MemberRow(organization_id=org.id, user_id=u.id, display_name=u.name, hours=4 + i % 6)
            for i, u in enumerate(users)
        ]
        session.add_all(members)
        names = [f"Task {n:02d}" for n in range(TASKS)]
        tasks = [TaskRow(organization_id=org.id, name=name, hours=20 + 3 * n, slots=2) for n, name in enumerate(names)]
        session.add_all(tasks)
        await session.flush()
        rng = random.Random(1)
        session.add_all(
            Rating(member_id=m.id, task_id=t.id, desirability=rng.randint(1, 10), empowerment=rng.randint(1, 10))
            for m in members
            for t in tasks
        )
    return names


def bot_env(fake: FakeDiscord, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DEV_GUILD_ID", "DATABASE_URL"}}
    return env | {
        "DISCORD_TOKEN": fake.token,
        "DATABASE_URL": url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "SCHEDULER_ENABLED": "false",
        "SOLVER_TIME_LIMIT": "3",
        "LOG_LEVEL": "WARNING",
    }


async def one(fake: FakeDiscord, guild: FakeGuild, user: FakeUser, names: list[str], rng: random.Random):
    kind = rng.choice(("rate", "tasks", "myjobs"))
    if kind == "rate":
        options = {"task": rng.choice(names), "desirability": rng.randint(1, 10), "empowerment": rng.randint(1, 10)}
        return await fake.invoke(guild, user, "rate", **options)
    return await fake.invoke(guild, user, kind)


async def settle(fake: FakeDiscord, records: list[InteractionRecord]) -> None:
    """Until every interaction has had an answer (or could not have one any more)."""
    with contextlib.suppress(AssertionError):  # some never answered: counted as late
        await fake.wait_until(lambda: all(r.replied for r in records), RESPONSE_DEADLINE_S + 30, "replies")


def percentiles(label: str, waits: list[float]) -> str:
    waits = sorted(waits)
    finite = [w for w in waits if w != float("inf")]

    def at(q: float) -> str:
        value = waits[min(len(waits) - 1, int(q * len(waits)))]
        return "never" if value == float("inf") else f"{value * 1000:.0f} ms"

    top = f"{max(finite) * 1000:.0f} ms" if finite else "never"
    return f"  {label:<13} p50={at(0.50):>8} p95={at(0.95):>8} p99={at(0.99):>8} max={top:>8}"


def report(label: str, records: list[InteractionRecord]) -> None:
    never = float("inf")
    first = [(r.answered - r.created) if r.answered is not None else never for r in records]
    full = [(r.replied - r.created) if r.replied is not None else never for r in records]
    late = sum(1 for w in first if w > RESPONSE_DEADLINE_S)
    print(f"{label}: n={len(records)}, late (first answer after {RESPONSE_DEADLINE_S:g} s) = {late}")
    print(percentiles("first answer", first))
    print(percentiles("full reply", full))


async def run(url: str, rate: float, seconds: float, burst: int, log: BinaryIO) -> None:
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Load Co-op")
    moderator = fake.add_user("moderator")
    fake.add_member(guild, moderator, "Moderator")
    users = [fake.add_user(f"member{i:03d}") for i in range(MEMBERS)]
    for user in users:
        fake.add_member(guild, user)
    await asyncio.to_thread(migrate, url)
    db = Database(url)
    names = await seed(db, guild, users)
    await db.dispose()

    identifies = fake.identifies
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=bot_env(fake, url), stdout=log, stderr=asyncio.subprocess.STDOUT
    )
    try:
        await fake.wait_until(lambda: fake.identifies > identifies, timeout=60, what="the bot to connect")
        week = iso_week(datetime.now(UTC).date())
        await publish_by_hand(fake, guild, moderator, timeout=120, week="this")
        await fake.wait_until(
            lambda: any(m.get("embeds") for m in fake.channel_messages(guild.channel("rota"))),
            timeout=120,
            what=f"the rota for {week}",
        )
        rng = random.Random(7)
        warm = [await one(fake, guild, rng.choice(users), names, rng) for _ in range(20)]
        await settle(fake, warm)

        steady: list[InteractionRecord] = []
        start = time.monotonic()
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            steady.append(await one(fake, guild, rng.choice(users), names, rng))
        await settle(fake, steady)
        report(f"{rate:g}/s for {seconds:g} s", steady)

        await asyncio.sleep(1)
        at_once = await asyncio.gather(*(one(fake, guild, rng.choice(users), names, rng) for _ in range(burst)))
        await settle(fake, list(at_once))
        report(f"{burst} at once", list(at_once))
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--rate", type=float, default=50.0, help="interactions per second, steady (default 50)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the steady load lasts (default 10)")
    parser.add_argument("--burst", type=int, default=500, help="interactions all at once (default 500)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        print(f"{MEMBERS} members, {TASKS} tasks; database {url.split('://')[0]}; /rate, /tasks, /myjobs")
        log_path = Path(tmp) / "bot.log"
        with log_path.open("wb") as log:
            asyncio.run(run(url, args.rate, args.seconds, args.burst, log))
        errors = log_path.read_text(errors="replace").count("[ERROR")
        print(f"bot log: {errors} ERROR lines (late answers are refused by Discord: 'Unknown interaction')")


if __name__ == "__main__":
    main()
