"""The real bot against the fake Discord: connect, sync once, answer /org, report errors well."""

from __future__ import annotations

import logging
from datetime import time

import discord
import pytest
from discord import app_commands

from storage.orgs import create_org
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import CommandRefused


async def test_connects_syncs_once_and_answers_org_without_an_organization(world: World, start_bot) -> None:
    fake = world.fake
    bot = await start_bot()
    assert {g.id for g in bot.guilds} == {world.a.id, world.b.id}
    assert fake.identifies == 1 and fake.heartbeats >= 1
    assert fake.command_syncs == ["global"]
    assert "org" in {c["name"] for c in fake.global_commands}

    reply = await fake.invoke(world.a, world.alice, "org")
    text = await reply.text()
    assert await reply.is_ephemeral()
    assert "no organization yet" in text and "/mod org setup" in text

    await start_bot()  # a restart with unchanged commands does not sync again
    assert fake.identifies == 2
    assert fake.command_syncs == ["global"]


async def test_org_shows_the_organization_of_this_server_only(world: World, start_bot) -> None:
    bot = await start_bot()
    async with bot.db.transaction() as session:
        await create_org(
            session,
            guild_id=world.a.id,
            channel_id=world.a.channel("rota").id,
            name="Bakery Collective",
            timezone="Europe/Berlin",
            day=0,
            at=time(9, 0),
            merge_code="ABCDEFGH",
        )
    reply = await world.fake.invoke(world.a, world.alice, "org")
    message = await reply.wait_reply()
    embed = message["embeds"][0]
    assert embed["title"] == "Bakery Collective"
    text = await reply.text()
    assert f"<#{world.a.channel('rota').id}>" in text
    assert "Every Monday at 09:00 (Europe/Berlin)" in text and "<t:" in text  # the day as people write it

    other = await world.fake.invoke(world.b, world.dave, "org")
    assert "no organization yet" in await other.text()


async def test_dev_guild_gets_the_commands_instantly(world: World, start_bot, db_url: str) -> None:
    fake = world.fake
    await start_bot(settings=bot_settings(fake, db_url, dev_guild_id=world.a.id))
    assert fake.command_syncs == [str(world.a.id)]
    assert {c["name"] for c in fake.guild_commands[world.a.id]} >= {"org"}
    reply = await fake.invoke(world.a, world.alice, "org")
    assert "no organization yet" in await reply.text()


async def test_org_in_direct_messages(world: World, start_bot) -> None:
    fake = world.fake
    await start_bot()
    with pytest.raises(CommandRefused):  # the Discord client does not offer it in DMs
        await fake.invoke(None, world.alice, "org")
    reply = await fake.invoke(None, world.alice, "org", validate=False)  # a stale client sends it anyway
    assert "inside a server" in await reply.text()
    assert await reply.is_ephemeral()


async def test_unexpected_error_gets_an_apology_with_an_id_and_a_log_line(world: World, start_bot, caplog) -> None:
    @app_commands.command(name="boom", description="fails on purpose")
    async def boom(interaction: discord.Interaction) -> None:
        raise RuntimeError("kaboom")

    @app_commands.command(name="slowboom", description="defers, then fails")
    async def slowboom(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("kaboom after defer")

    def add_commands(bot):
        bot.tree.add_command(boom)
        bot.tree.add_command(slowboom)

    await start_bot(before_start=add_commands)
    caplog.set_level(logging.INFO, logger="bot")
    for name in ("boom", "slowboom"):
        reply = await world.fake.invoke(world.a, world.bob, name)
        text = await reply.text()
        assert await reply.is_ephemeral()
        assert "something went wrong" in text and "error id" in text
        error_id = text.split("`")[1]
        records = [r for r in caplog.records if error_id in r.getMessage()]
        assert records and records[0].exc_info is not None
        assert f"/{name}" in records[0].getMessage() and str(world.a.id) in records[0].getMessage()


async def test_bad_input_gets_an_ephemeral_reply_and_a_log_line(world: World, start_bot, caplog) -> None:
    await start_bot()
    caplog.set_level(logging.INFO, logger="bot.replies")
    reply = await world.fake.invoke(world.b, world.dave, "org")
    assert await reply.is_ephemeral()
    assert any("refused /org" in r.getMessage() and str(world.dave.id) in r.getMessage() for r in caplog.records)


async def test_resumes_after_a_reconnect_request(world: World, start_bot) -> None:
    fake = world.fake
    await start_bot()
    await fake.request_reconnect()
    await fake.wait_until(lambda: fake.resumes == 1, what="a RESUME")
    reply = await fake.invoke(world.a, world.alice, "org")
    assert "no organization yet" in await reply.text()
    assert fake.identifies == 1
