"""Beyond one machine, as real processes against the fake Discord, PostgreSQL and Redis: two bot
processes holding shards 0 and 1 of 2 and two `parecon-rota worker`s publish 20 servers due at the
same minute once each; a leader killed hands the scheduler to the standby; a worker killed mid-solve
hands the solve to the other.

The bots' clock is moved with PARECON_ROTA_TEST_CLOCK_OFFSET (tests only) so that Monday 09:00 falls
a few seconds after they start. Should a loaded machine start them late, the new leader's catch-up
publishes the run instead (the last leader's heartbeat is seeded): the posts are the same."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from bot.app import liveness
from storage.db import Database
from storage.models import Rota
from tests.e2e.builders import create_org, rows, seed
from tests.e2e.fake_discord import FakeDiscord, FakeGuild, shard_of

pytestmark = pytest.mark.slow

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday: every organization here publishes at 09:00 UTC
TASKS = [("Dishes", 6, 2, 1), ("Baking", 8, 7, 6), ("Accounts", 4, 4, 8), ("Cleaning", 6, 1, 1)]
MEMBERS = 9  # more than the solver proves exactly: a solve takes its whole time limit


@dataclass
class Process:
    """A child process whose output is read line by line as it comes."""

    name: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task | None = None

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def kill(self) -> None:
        """SIGKILL: no goodbye, no unlock, no ack (a machine gone)."""
        if self.process.returncode is None:
            self.process.kill()
        await asyncio.wait_for(self.process.wait(), 30)

    async def finish(self, timeout: float = 60) -> int:
        """Wait for it to end by itself (a command that does its job and exits)."""
        code = await asyncio.wait_for(self.process.wait(), timeout)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 10)
        return code

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 10)
        return code


async def spawn(name: str, env: dict[str, str], cwd, *args: str) -> Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    child = Process(name, process)

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            child.lines.append(line.decode(errors="replace").rstrip())

    child.reader = asyncio.create_task(read())
    return child


def environment(fake: FakeDiscord, db_url: str, offset: timedelta, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SHARD_", "REDIS_", "DATABASE_"))}
    return (
        env
        | {
            "DISCORD_TOKEN": fake.token,
            "DATABASE_URL": db_url,
            "DISCORD_API_BASE": fake.api_base,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "SCHEDULER_ENABLED": "true",
            "SOLVER_TIME_LIMIT": "0.5",
            "LEADER_RETRY": "0.5",
            "QUEUE_REQUEUE_AFTER": "2",
            "LOG_LEVEL": "INFO",
            "PARECON_ROTA_TEST_CLOCK_OFFSET": str(offset.total_seconds()),
        }
        | settings
    )


async def organizations(fake: FakeDiscord, db_url: str, count: int, shifted_now: datetime) -> list[FakeGuild]:
    """`count` servers, each an organization of MEMBERS people due Monday 09:00 UTC; the last
    scheduler's heartbeat is `shifted_now` (a run due after it and missed is caught up)."""
    db = Database(db_url)
    builder = SimpleNamespace(db=db, now=lambda: shifted_now)
    guilds = []
    try:
        for n in range(count):
            guild = fake.add_guild(f"Collective {n}")
            people = [fake.add_user(f"member {n}.{i}") for i in range(MEMBERS)]
            for person in people:
                fake.add_member(guild, person)
            org_id = await create_org(builder, guild, day=0, at=time(9))
            await seed(builder, org_id, people, TASKS, hours=3)
            guilds.append(guild)
        await liveness.alive(db, shifted_now)
    finally:
        await db.dispose()
    return guilds


def rota_posts(fake: FakeDiscord, guild: FakeGuild) -> list[dict]:
    return [m for m in fake.channel_messages(guild.channel("rota")) if m.get("embeds")]


async def stop_all(*processes: Process) -> None:
    await asyncio.gather(*(p.stop() for p in processes), return_exceptions=True)


@pytest.fixture
def postgres_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("the leader is elected with a PostgreSQL advisory lock; on SQLite there is one process")
    return db_url


async def test_two_shards_two_workers_twenty_servers_due_at_once_post_once_each(
    fake: FakeDiscord, postgres_url: str, redis_url: str, tmp_path
) -> None:
    lead = timedelta(seconds=12)  # time to start four processes (late: the catch-up publishes instead)
    offset = DUE - datetime.now(UTC) - lead
    guilds = await organizations(fake, postgres_url, 20, datetime.now(UTC) + offset)
    assert {shard_of(g.id, 2) for g in guilds} == {0, 1}
    env = environment(fake, postgres_url, offset, REDIS_URL=redis_url, SHARD_COUNT="2", PUBLISH_CONCURRENCY="4")
    workers = [await spawn(f"worker {n}", env, tmp_path, "worker") for n in range(2)]
    bots = [await spawn(f"shard {n}", env | {"SHARD_IDS": str(n)}, tmp_path) for n in range(2)]
    try:
        await fake.wait_until(
            lambda: all(len(rota_posts(fake, g)) >= 1 for g in guilds), timeout=120, what="a post on every server"
        )
        # Each process answers its own servers' interactions.
        for guild in (next(g for g in guilds if shard_of(g.id, 2) == n) for n in (0, 1)):
            reply = await fake.invoke(guild, guild.members[fake.owner.id].user, "org")
            assert guild.name in await reply.text(timeout=10)
        await fake.wait_until(lambda: all(w.saw("solved") for w in workers), timeout=10, what="both workers")
        # Each process's health check reads its own gateway heartbeat.
        for n in (0, 1):
            health = await spawn(f"health {n}", env | {"SHARD_IDS": str(n)}, tmp_path, "health")
            assert await health.finish() == 0, health.output
            held = sum(shard_of(g.id, 2) == n for g in guilds)
            assert "gateway: connected" in health.output and f"{held} servers" in health.output, health.output
    finally:
        await stop_all(*bots, *workers)
    outputs = "\n\n".join(f"--- {p.name}\n{p.output}" for p in (*bots, *workers))
    assert [len(rota_posts(fake, g)) for g in guilds] == [1] * 20, outputs
    assert sorted(fake.identified_shards) == [(0, 2), (1, 2)], outputs
    assert fake.command_syncs == ["global"], outputs  # synced by shard 0's process only
    leaders = [b for b in bots if b.saw("this process (")]
    assert len(leaders) == 1, outputs
    assert leaders[0].count("published the rota") == 20  # the leader posts on servers it does not hold
    assert all(w.count("solved") >= 1 for w in workers), outputs  # the solves spread over both
    assert sum(w.count("solved") for w in workers) == 20, outputs
    assert "Traceback" not in outputs, outputs
    db = Database(postgres_url)
    try:
        assert len(await rows(SimpleNamespace(db=db), Rota)) == 20
    finally:
        await db.dispose()


async def test_when_the_leader_dies_the_standby_publishes_the_next_run(
    fake: FakeDiscord, postgres_url: str, tmp_path
) -> None:
    lead = timedelta(seconds=20)
    offset = DUE - datetime.now(UTC) - lead
    guilds = await organizations(fake, postgres_url, 3, datetime.now(UTC) + offset)
    env = environment(fake, postgres_url, offset)  # no REDIS_URL: each bot solves in its own pool
    first = await spawn("first", env, tmp_path)
    second: Process | None = None
    try:
        await fake.wait_until(lambda: first.saw("runs the scheduler: took"), timeout=60, what="the first to lead")
        second = await spawn("second", env, tmp_path)
        await fake.wait_until(lambda: second.saw("standing by"), timeout=60, what="the second to stand by")
        assert rota_posts(fake, guilds[0]) == []  # 09:00 has not come yet
        await first.kill()
        took_over = "runs the scheduler: took"
        await fake.wait_until(lambda: second.saw(took_over), timeout=30, what="the standby to take over (≤ 30 s)")
        await fake.wait_until(
            lambda: all(len(rota_posts(fake, g)) >= 1 for g in guilds), timeout=90, what="the posts from the standby"
        )
    finally:
        await stop_all(*(p for p in (first, second) if p is not None))
    assert second is not None
    assert [len(rota_posts(fake, g)) for g in guilds] == [1, 1, 1], second.output
    assert second.count("published the rota") == 3, second.output


async def test_a_worker_killed_mid_solve_hands_it_to_the_other_and_the_post_arrives_once(
    fake: FakeDiscord, postgres_url: str, redis_url: str, tmp_path
) -> None:
    lead = timedelta(seconds=10)
    offset = DUE - datetime.now(UTC) - lead
    [guild] = await organizations(fake, postgres_url, 1, datetime.now(UTC) + offset)
    env = environment(fake, postgres_url, offset, REDIS_URL=redis_url, SOLVER_TIME_LIMIT="1")
    workers = [await spawn(f"worker {n}", env, tmp_path, "worker") for n in range(2)]
    bot = await spawn("bot", env, tmp_path)
    try:
        await fake.wait_until(lambda: any(w.saw("solving") for w in workers), timeout=90, what="a solve to start")
        victim = next(w for w in workers if w.saw("solving"))
        survivor = next(w for w in workers if w is not victim)
        await victim.kill()  # mid-solve: the solve takes its whole second
        await fake.wait_until(lambda: len(rota_posts(fake, guild)) >= 1, timeout=60, what="the post")
    finally:
        await stop_all(bot, *workers)
    outputs = "\n\n".join(f"--- {p.name}\n{p.output}" for p in (bot, *workers))
    assert not victim.saw("solved"), outputs
    assert survivor.count("solved") == 1, outputs
    assert len(rota_posts(fake, guild)) == 1, outputs
    assert bot.count("published the rota") == 1, outputs
