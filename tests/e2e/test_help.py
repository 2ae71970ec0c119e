"""`/help` read from the command tree, and the set-up checklist from `/mod org setup` to the first week."""

from __future__ import annotations

from cogs.help import OTHER, TOPICS, entries, topic_of
from tests.e2e.builders import publish_by_hand
from tests.e2e.conftest import World
from tests.e2e.fake_discord import SEND_MESSAGES, FakeDiscord, message_text


async def ask(fake: FakeDiscord, guild, user, command: str, **options) -> dict:
    record = await fake.invoke(guild, user, command, **options)
    message = await record.wait_reply()
    assert await record.is_ephemeral(), f"/{command} answered publicly"
    return message


async def test_help_lists_what_each_one_may_use_with_the_commands_own_descriptions(world: World, start_bot) -> None:
    bot = await start_bot()
    found = entries(bot.tree)
    assert [e.name for e in found if topic_of(e.name) == OTHER] == []  # every command has a topic
    members_own = [e for e in found if not e.moderator]
    moderators_own = [e for e in found if e.moderator]
    assert {"join", "rate", "help"} <= {e.name for e in members_own} and len(moderators_own) > 20

    member = await ask(world.fake, world.a, world.alice, "help")
    text = message_text(member)
    for entry in members_own:
        assert f"/{entry.name}`" in text
    assert "/mod " not in text.replace("`/mod …`", "")
    for embed in member["embeds"]:  # the fake refuses what Discord would; the sizes stay inside its limits
        assert len(embed["fields"]) <= 25

    moderator = message_text(await ask(world.fake, world.a, world.mod_a, "help"))
    for entry in found:
        assert f"/{entry.name}`" in moderator
    setup = next(e for e in found if e.name == "mod org setup")
    assert setup.description in moderator  # the command's own description, not a copy


async def test_each_topic_shows_its_commands_with_their_options(world: World, start_bot) -> None:
    bot = await start_bot()
    found = entries(bot.tree)
    topics = sorted({topic_of(e.name) for e in found})
    help_options = next(e for e in found if e.name == "help").options
    assert len(topics) >= 9 and help_options[0][0] == "topic"
    offered = [c.value for c in bot.tree.get_command("help").parameters[0].choices]
    assert sorted(offered) == topics  # a topic with no command on this bot is not offered
    for topic in topics:
        wanted = [e for e in found if topic_of(e.name) == topic]
        message = await ask(world.fake, world.a, world.mod_a, "help", topic=topic)
        embed = message["embeds"][0]
        assert embed["title"] == str(TOPICS[topic].title)
        assert len(embed["fields"]) <= 25
        for entry in wanted:  # a command with many options continues in a second field
            shown = "\n".join(f["value"] for f in embed["fields"] if f["name"].split(" (")[0] == f"/{entry.name}")
            assert entry.description in shown
            for name, description, _required in entry.options:
                assert f"`{name}`" in shown and description in shown


async def test_a_member_asking_about_moderators_topic_is_told_it_is_theirs(world: World, start_bot) -> None:
    await start_bot()
    text = message_text(await ask(world.fake, world.a, world.alice, "help", topic="tasks"))
    assert "for moderators" in text and "/mod task add" not in text
    text = message_text(await ask(world.fake, world.a, world.alice, "help", topic="rota"))
    assert "/myjobs" in text and "/mod rota publish" not in text and "more command(s) here for moderators" in text


async def test_the_checklist_guides_from_setup_to_the_first_week(world: World, start_bot) -> None:
    w, fake = world, world.fake
    bot = await start_bot()
    text = message_text(await ask(fake, w.a, w.mod_a, "mod org setup", channel=w.a.channel("rota")))
    assert "Your first week" in text and "Before the first publication" in text
    assert "✅ I can post in the rota channel" in text
    assert "⬜ No tasks yet → `/mod task add (or /mod task import)`" in text
    assert "⬜ 0 member(s) in the rota: at least 2 are needed" in text

    await ask(fake, w.a, w.mod_a, "mod task add", name="Dishes", hours=2)
    await ask(fake, w.a, w.mod_a, "mod task add", name="Accounts", hours=1)
    for person in (w.alice, w.bob):
        await ask(fake, w.a, person, "join")
    await ask(fake, w.a, w.alice, "rate", task="Dishes", desirability=3, empowerment=4)
    status = message_text(await ask(fake, w.a, w.mod_a, "mod org status"))
    assert "Bakery Collective" in status and "Nothing blocks a publication now" in status
    assert "✅ 2 task(s)" in status and "✅ 2 member(s) in the rota" in status
    assert "⬜ 2 task(s) have fewer than 2 ratings" in status and "Accounts, Dishes → `/rate`" in status

    # The bot loses its right to post (its own role's and @everyone's): the checklist says so, with the fix.
    guild = bot.get_guild(w.a.id)
    roles = [w.a.roles[w.a.id], *(w.a.roles[r] for r in w.a.member(fake.bot_user).roles)]

    async def may_send(allowed: bool) -> None:
        for role in roles:
            role.permissions = role.permissions | SEND_MESSAGES if allowed else role.permissions & ~SEND_MESSAGES
            await fake.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(w.a.id), "role": role.payload()})
        await fake.wait_until(
            lambda: all(guild.get_role(r.id).permissions.send_messages is allowed for r in roles), what="role updates"
        )

    await may_send(False)
    status = message_text(await ask(fake, w.a, w.mod_a, "mod org status"))
    assert "⬜ I can't post in the rota channel" in status and "Before the first publication" in status
    assert "/mod org setup channel:…" in status
    await may_send(True)

    for person in (w.alice, w.bob):
        for task in ("Dishes", "Accounts"):
            await ask(fake, w.a, person, "rate", task=task, desirability=5, empowerment=6)
    status = message_text(await ask(fake, w.a, w.mod_a, "mod org status"))
    assert "✅ Every task has at least 2 ratings" in status and "⬜ Preview the first week" in status

    assert "published" in (await publish_by_hand(fake, w.a, w.mod_a)).lower()
    status = message_text(await ask(fake, w.a, w.mod_a, "mod org status"))
    assert "Bakery Collective" in status and "Your first week" not in status
