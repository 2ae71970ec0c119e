"""What one member or one server does cannot break the others: a nickname the chart could misread,
a removed member walking back in to vote, a name that would ping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.models import AuditEntry, MemberRow, MergeProposal, Organization, Rota
from tests.e2e.builders import Clock, create_org, rows, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import message_buttons, pinged

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # week 2026-W49 starts


async def start_at(start_bot, settings, now: datetime):
    clock = Clock(now)

    def prepare(bot):
        bot.clock = clock

    return await start_bot(settings=settings, before_start=prepare), clock


async def test_a_nickname_matplotlib_would_read_as_maths_is_drawn_as_typed(world: World, start_bot, db_url) -> None:
    fake = world.fake
    tricky = fake.add_user("$\\x$")  # mathtext would raise on it
    fake.add_member(world.a, tricky)
    bot, _ = await start_at(start_bot, bot_settings(fake, db_url, solver_time_limit=1), MONDAY.replace(hour=10))
    org_id = await create_org(bot, world.a)
    await seed(bot, org_id, [world.alice, tricky], [("Dishes $\\y$", 3, 2, 1), ("Baking", 3, 7, 6)])
    result = await bot.services.publication.publish(org_id, "2026-W49")
    assert result.posted
    [post] = [m for m in fake.channel_messages(world.a.channel("rota")) if m.get("embeds")]
    assert next(a["filename"] for a in post["attachments"]) == "balance.png"  # the chart, with the name in it
    asked = await fake.invoke(world.a, tricky, "myjobs")
    assert "Your jobs, week 2026-W49" in await asked.text(timeout=30)
    [chart] = (await asked.wait_reply())["attachments"]
    assert chart["filename"] == "you.png" and fake.attachment_bytes(chart).startswith(b"\x89PNG")
    mine = await fake.click(world.a, world.alice, post, next(b["custom_id"] for b in message_buttons(post)))
    assert "Your jobs" in await mine.text(timeout=30)
    assert len(await rows(bot, Rota)) == 1 and len(await rows(bot, MemberRow)) == 2


async def test_a_removed_member_stays_out_of_the_rota_and_the_vote_and_a_name_pings_nobody(
    world: World, start_bot, fake, db_url
) -> None:
    w = world
    bot, clock = await start_at(start_bot, bot_settings(fake, db_url, solver_time_limit=1), datetime.now(UTC))
    a_id, b_id = await create_org(bot, w.a), await create_org(bot, w.b)
    await seed(bot, a_id, [w.alice, w.bob, w.carol], [("Dishes", 3, 2, 1)])
    await seed(bot, b_id, [w.dave, w.carol], [("Repairs", 4, 6, 8)])
    async with bot.db.transaction() as session:  # a name that would ping Dave in his own server's channel
        (await session.get_one(Organization, a_id)).name = f"Bakery <@{w.dave.id}> **bold"
        b_code = (await session.get_one(Organization, b_id)).merge_code
    # The members were seeded at the real time, which runs ahead of the bot's clock on a loaded machine:
    # the vote opens after both.
    clock.now = max(clock.now, datetime.now(UTC)) + timedelta(seconds=1)

    removed = await fake.invoke(w.a, w.mod_a, "mod member remove", member=w.bob)
    assert "cannot `/join` again until a moderator" in await removed.text()
    back = await fake.invoke(w.a, w.bob, "join")
    assert "Ask a moderator" in await back.text() and await back.is_ephemeral()
    opened = await fake.invoke(w.a, w.mod_a, "mod merge propose", code=b_code)
    assert "Merge vote #1 is open" in await opened.text(timeout=30)
    clock.now += timedelta(minutes=1)
    assert "may `/join`" in await (await fake.invoke(w.a, w.mod_a, "mod member readmit", member=w.bob)).text()
    assert "Welcome" in await (await fake.invoke(w.a, w.bob, "join")).text()
    refused = await fake.invoke(w.a, w.bob, "vote", proposal=1, choice="yes")
    assert "Your vote was not counted" in await refused.text() and await refused.is_ephemeral()
    [proposal] = await rows(bot, MergeProposal)
    assert proposal.proposer_electorate == 2  # alice and carol

    await (await fake.invoke(w.a, w.mod_a, "mod merge cancel", proposal=1)).text()

    def withdrawn() -> list[dict]:
        return [m for m in fake.channel_messages(w.b.channel("rota")) if "withdrawn" in (m.get("content") or "")]

    await fake.wait_until(withdrawn, timeout=15, what="the withdrawal on the other server")
    [notice] = withdrawn()
    assert pinged(notice) == {"users": set(), "roles": set(), "everyone": False}
    assert "\\*\\*bold" in notice["content"]  # the name's markdown is shown, not applied
    audit = await rows(bot, AuditEntry, AuditEntry.organization_id == a_id)
    assert [(e.action, e.guild_id) for e in audit] == [
        ("member.remove", w.a.id),
        ("merge.propose", w.a.id),
        ("member.readmit", w.a.id),
        ("merge.cancel", w.a.id),
    ]
    on_b = await fake.invoke(w.b, w.mod_b, "mod audit")  # the other organization sees where it came from
    assert "`merge.propose`" in await on_b.text() and "on **Bakery Collective**" in await on_b.text()
