"""End-to-end fixtures: the fake Discord, two servers with people in them, and the real bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.runtime.client import RotaBot, point_discord_at
from bot.runtime.settings import Settings
from storage.db import Database
from tests.e2e.fake_discord import FakeDiscord, FakeGuild, FakeUser


@dataclass
class World:
    fake: FakeDiscord
    a: FakeGuild  # "Bakery Collective"
    b: FakeGuild  # "Bike Co-op"
    mod_a: FakeUser
    mod_b: FakeUser
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser
    dave: FakeUser


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.stop()
    point_discord_at(None, None)


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    a = fake.add_guild("Bakery Collective")
    b = fake.add_guild("Bike Co-op")
    people = {name: fake.add_user(name) for name in ("mod_a", "mod_b", "alice", "bob", "carol", "dave")}
    fake.add_member(a, people["mod_a"], "Moderator")
    fake.add_member(b, people["mod_b"], "Moderator")
    for name in ("alice", "bob", "carol"):
        fake.add_member(a, people[name])
    fake.add_member(b, people["dave"])
    fake.add_member(b, people["carol"])  # carol belongs to both
    return World(fake, a, b, **people)


def bot_settings(fake: FakeDiscord, db_url: str, **overrides) -> Settings:
    values = dict(
        discord_token=fake.token,
        database_url=db_url,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        scheduler_enabled=False,
        dev_guild_id=None,
    )
    return Settings(_env_file=None, **(values | overrides))


StartBot = Callable[..., Awaitable[RotaBot]]


@pytest.fixture
async def start_bot(fake: FakeDiscord, world: World, db_url: str) -> AsyncIterator[StartBot]:
    """Start the real bot in-process against the fake; several calls mean restarts."""
    running: list[tuple[RotaBot, asyncio.Task]] = []

    async def start(*, settings: Settings | None = None, before_start=None) -> RotaBot:
        for bot, task in running:  # one bot at a time, like a restart
            await stop(bot, task)
        settings = settings or bot_settings(fake, db_url)
        bot = RotaBot(settings, Database(settings.database_url), guild_ready_timeout=0.05)
        if before_start is not None:
            before_start(bot)
        task = asyncio.create_task(bot.start(fake.token))
        running.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what stopped the bot
        if ready not in done:
            raise AssertionError("the bot did not become ready within 15 s")
        return bot

    yield start
    for bot, task in running:
        await stop(bot, task)
    await settle()


async def settle(timeout: float = 10.0) -> None:
    """Let the bots' leftover tasks (an interaction still answering, say) finish, and name any that
    will not: a task stuck here would otherwise hang the event loop's own teardown without a clue."""
    others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
    if not others:
        return
    _, stuck = await asyncio.wait(others, timeout=timeout)
    for task in stuck:
        task.cancel()
    if stuck:
        _, still = await asyncio.wait(stuck, timeout=timeout)
        assert not still, f"tasks that will not finish: {[t.get_coro() for t in still]}"


async def stop(bot: RotaBot, task: asyncio.Task) -> None:
    """Close a bot; bounded, so that a stuck shutdown fails loudly instead of hanging the suite."""
    if not bot.is_closed():
        await asyncio.wait_for(bot.close(), 30)
    await asyncio.wait({task}, timeout=10)
