"""The fake Discord itself, exercised by the real discord.py client: every surface the suites rely on."""

from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands

from tests.e2e.conftest import World
from tests.e2e.fake_discord import EPHEMERAL, CommandRefused, message_buttons


class Probe(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.clicked_by: list[int] = []

    @discord.ui.button(label="Press", custom_id="probe:press", style=discord.ButtonStyle.primary)
    async def press(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        self.clicked_by.append(interaction.user.id)
        await interaction.response.edit_message(content=f"pressed by {interaction.user.id}")

    @discord.ui.select(custom_id="probe:pick", options=[discord.SelectOption(label=x, value=x) for x in "abc"])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"picked {','.join(select.values)}", ephemeral=True)


class Feedback(discord.ui.Modal, title="Feedback"):
    note = discord.ui.TextInput(label="Note", custom_id="note")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"noted: {self.note.value}", ephemeral=True)


def probe_commands(bot) -> None:
    group = app_commands.Group(name="probe", description="harness probes")
    sub = app_commands.Group(name="deep", description="a subcommand group", parent=group)
    fruits = ["apple", "apricot", "banana", "cherry"]

    @sub.command(name="echo", description="echo typed options")
    @app_commands.describe(count="how many")
    async def echo(
        interaction: discord.Interaction,
        text: str,
        count: app_commands.Range[int, 1, 5],
        ratio: float,
        flag: bool,
        who: discord.Member,
        where: discord.TextChannel,
        role: discord.Role,
        file: discord.Attachment,
    ) -> None:
        data = await file.read()
        await interaction.response.send_message(
            f"{text}|{count}|{ratio}|{flag}|{who.id}|{where.id}|{role.id}|{data.decode()}"
        )

    @group.command(name="fruit", description="autocomplete")
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @fruit.autocomplete("name")
    async def fruit_choices(interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=f, value=f) for f in fruits if current in f]

    @group.command(name="buttons", description="a view")
    async def buttons(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("choose", view=bot.probe_view)

    @group.command(name="modal", description="a modal")
    async def modal(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    @group.command(name="slow", description="answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(3.3)
        try:
            await interaction.response.send_message("late")
        except discord.NotFound as error:
            bot.probe_errors.append(error.code)

    @group.command(name="twice", description="answers twice")
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("once", ephemeral=True)
        try:
            await interaction.followup.send("x" * 2001)
        except discord.HTTPException as error:
            bot.probe_errors.append(error.code)
        try:
            await interaction.edit_original_response(embed=discord.Embed(description="y" * 4097))
        except discord.HTTPException as error:
            bot.probe_errors.append(error.code)
        await interaction.followup.send("a follow-up", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "x.csv"))

    bot.probe_view = Probe()
    bot.probe_errors = []
    bot.add_view(bot.probe_view)
    bot.tree.add_command(group)


@pytest.fixture
async def probe_bot(start_bot):
    return await start_bot(before_start=probe_commands)


async def test_typed_options_in_a_subcommand_group_with_resolved_objects(world: World, probe_bot) -> None:
    fake, a = world.fake, world.a
    reply = await fake.invoke(
        a,
        world.alice,
        "probe deep echo",
        text="hi",
        count=3,
        ratio=0.5,
        flag=True,
        who=world.bob,
        where=a.channel("rota"),
        role=a.role("Moderator"),
        file=("data.csv", b"task,hours"),
    )
    assert await reply.text() == (
        f"hi|3|0.5|True|{world.bob.id}|{a.channel('rota').id}|{a.role('Moderator').id}|task,hours"
    )
    assert not await reply.is_ephemeral()
    with pytest.raises(CommandRefused):
        await fake.invoke(
            a,
            world.alice,
            "probe deep echo",
            text="hi",
            count=9,
            ratio=1.0,
            flag=False,
            who=world.bob,
            where=a.channel("rota"),
            role=a.role("Moderator"),
            file=("f", b""),
        )


async def test_autocomplete_buttons_selects_and_modals(world: World, probe_bot) -> None:
    fake, a = world.fake, world.a
    assert [c["value"] for c in await fake.autocomplete(a, world.alice, "probe fruit", "name", "ap")] == [
        "apple",
        "apricot",
    ]

    reply = await fake.invoke(a, world.alice, "probe buttons")
    message = await reply.wait_reply()
    assert [b["custom_id"] for b in message_buttons(message)] == ["probe:press"]
    click = await fake.click(a, world.bob, message, "probe:press")
    assert await click.text() == f"pressed by {world.bob.id}"
    assert probe_bot.probe_view.clicked_by == [world.bob.id]
    picked = await fake.select(a, world.bob, message, "probe:pick", ["b", "c"])
    assert await picked.text() == "picked b,c"

    opened = await (await fake.invoke(a, world.alice, "probe modal")).wait_response()
    assert opened.modal["title"] == "Feedback"
    submitted = await fake.submit_modal(a, world.alice, opened, {"note": "more bread"})
    assert await submitted.text() == "noted: more bread"


async def test_discord_rules_are_enforced(world: World, probe_bot) -> None:
    fake, a = world.fake, world.a
    reply = await fake.invoke(a, world.alice, "probe twice")
    await fake.wait_until(lambda: len(reply.followups) == 1, what="the follow-up")
    assert probe_bot.probe_errors == [50035, 50035]  # 2001 characters; a 4097-character description
    assert reply.original["flags"] & EPHEMERAL
    followup = reply.followups[0]
    assert fake.attachment_bytes(followup["attachments"][0]) == b"a,b\n1,2\n"

    late = await fake.invoke(a, world.alice, "probe slow")
    await fake.wait_until(lambda: probe_bot.probe_errors[2:] == [10062], timeout=6, what="the late answer refused")
    assert late.response_type is None


async def test_channel_messages_files_dms_roles_and_rate_limits(world: World, start_bot) -> None:
    fake, a = world.fake, world.a
    bot = await start_bot()
    rota = bot.get_channel(a.channel("rota").id)
    fake.rate_limit_next("/messages", retry_after=0.05)
    sent = await rota.send("hello", file=discord.File(io.BytesIO(b"week,task\n"), "rota.csv"))
    stored = fake.channel_messages(a.channel("rota"))
    assert [m["content"] for m in stored] == ["hello"]
    assert fake.attachment_bytes(stored[0]["attachments"][0]) == b"week,task\n"
    await sent.edit(content="hello again")
    assert stored[0]["content"] == "hello again"

    user = await bot.fetch_user(world.alice.id)
    await user.send("your jobs")
    assert [m["content"] for m in fake.dm_messages(world.alice)] == ["your jobs"]

    guild = bot.get_guild(a.id)
    member = await guild.fetch_member(world.alice.id)
    await member.add_roles(discord.Object(a.role("Moderator").id))
    assert a.role("Moderator").id in a.member(world.alice).roles
    await member.remove_roles(discord.Object(a.role("Moderator").id))
    assert a.role("Moderator").id not in a.member(world.alice).roles
    with pytest.raises(discord.NotFound):
        await rota.fetch_message(1)
    assert ("GET", f"/channels/{rota.id}/messages/1") not in fake.unknown_requests
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/nothing/here"))
    assert ("GET", "/nothing/here") in fake.unknown_requests


async def test_member_events_reach_a_bot_that_asked_for_them(world: World, start_bot, db_url) -> None:
    from bot.runtime.client import RotaBot

    fake = world.fake
    joined: list[int] = []
    await start_bot()  # the real bot asks for no privileged intents: it gets no member events
    assert all(not s.intents & (1 << 1) for s in fake.sessions.values())

    class MembersBot(RotaBot):
        async def on_member_join(self, member):
            joined.append(member.id)

    from storage.db import Database
    from tests.e2e.conftest import bot_settings

    intents = discord.Intents.none()
    intents.guilds = intents.members = True
    settings = bot_settings(fake, db_url)
    listener = MembersBot(settings, Database(db_url), sync_on_start=False, guild_ready_timeout=0.05)
    listener._connection._intents = intents
    task = asyncio.create_task(listener.start(fake.token))
    try:
        await asyncio.wait_for(listener.wait_until_ready(), 10)
        newcomer = fake.add_user("erin")
        await fake.member_joins(world.a, newcomer)
        await fake.wait_until(lambda: joined == [newcomer.id], what="on_member_join")
        await fake.member_leaves(world.a, newcomer)
    finally:
        await listener.close()
        await task
