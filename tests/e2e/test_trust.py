"""What one member or one server does cannot break the others: a nickname the chart could misread,
a removed member walking back in to vote, a name that would ping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.models import MemberRow, Rota
from tests.e2e.builders import Clock, create_org, rows, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import message_buttons

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
