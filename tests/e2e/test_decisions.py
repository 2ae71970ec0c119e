"""Proposals end to end on the two servers of a federation: who decides, weights, delegation, results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app.decisions import close_key, remind_key
from bot.domain.weeks import iso_week
from storage.models import Assignment, MemberRow, Organization, Rota, TaskRow
from tests.e2e.builders import Clock, rows
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import FakeRole, message_buttons, message_text, pinged, snowflake
from tests.e2e.test_merge import make_org, say

pytestmark = pytest.mark.slow


def proposal_posts(world: World, guild) -> list[dict]:
    return [
        m
        for m in world.fake.channel_messages(guild.channel("rota"))
        if m.get("embeds") and (m["embeds"][0].get("title") or "").startswith("Proposal #")
    ]


def results(world: World, guild) -> list[str]:
    return [
        m["content"]
        for m in world.fake.channel_messages(guild.channel("rota"))
        if m["content"].startswith("Proposal #") and ("passed" in m["content"] or "did not pass" in m["content"])
    ]


@pytest.fixture
async def federation(world: World, start_bot, fake, db_url):
    """Bakery Collective (server A) and Bike Co-op (server B) merged into one organization, with last
    week's rota: dave and alice did the repairs, alice, bob and carol the baking."""
    clock = Clock()
    keys = FakeRole(snowflake(), "Keyholders", 0, position=2)  # there when the bot connects
    world.a.roles[keys.id] = keys

    def prepare(bot):
        bot.clock = clock

    bot = await start_bot(
        settings=bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1), before_start=prepare
    )
    w = world
    await make_org(bot, w.a, [w.alice, w.bob, w.carol], [("Baking", 4, 7, 5)], ["Bread"])
    b = await make_org(bot, w.b, [w.dave, w.carol], [("Repairs", 4, 6, 8)], ["Bikes"])
    clock.now = datetime.now(UTC)
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Bread and Bikes")
    for guild, users in ((w.a, (w.alice, w.bob, w.carol)), (w.b, (w.dave, w.carol))):
        for user in users:
            await say(w, guild, user, "vote", proposal=1, choice="yes")
    await w.fake.wait_until(
        lambda: any("Both sides passed" in m["content"] for m in w.fake.channel_messages(w.a.channel("rota"))),
        timeout=30,
        what="the merge",
    )
    [merged] = await rows(bot, Organization, Organization.archived_at.is_(None))
    held = {w.dave.id: [("Repairs", 4)], w.alice.id: [("Repairs", 2), ("Baking", 6)], w.bob.id: [("Baking", 2)]}
    held[w.carol.id] = [("Baking", 1.5)]
    async with bot.db.transaction() as session:
        rota = Rota(
            organization_id=merged.id,
            week=iso_week((clock.now - timedelta(days=7)).date()),
            spread_sum=0,
            report="{}",
            published_at=clock.now,
        )
        session.add(rota)
        await session.flush()
        tasks = {t.name: t.id for t in await rows(bot, TaskRow, TaskRow.organization_id == merged.id)}
        members = {m.user_id: m.id for m in await rows(bot, MemberRow, MemberRow.organization_id == merged.id)}
        for user_id, pieces in held.items():
            for task, hours in pieces:
                member = members[user_id]
                session.add(
                    Assignment(
                        rota_id=rota.id, task_id=tasks[task], member_id=member, assigned_member_id=member, hours=hours
                    )
                )
    clock.now += timedelta(seconds=1)
    return bot, clock


async def open_proposal(world: World, guild, user, **options) -> tuple[str, str]:
    """`/propose`, then its confirmation button: (the preview's text, the answer once opened)."""
    asked = await world.fake.invoke(guild, user, "propose", **options)
    preview = await asked.wait_reply(30)
    preview_text = message_text(preview)
    buttons = {b["label"]: b["custom_id"] for b in message_buttons(preview)}
    assert buttons, preview_text  # refused: say why
    await world.fake.click(guild, user, preview, buttons["Open the proposal"])
    await world.fake.wait_until(
        lambda: (preview.get("content") or "").startswith("Proposal #"), timeout=30, what="the proposal opening"
    )
    return preview_text, preview["content"]


async def press(world: World, guild, user, post: dict, label: str) -> str:
    custom_id = next(b["custom_id"] for b in message_buttons(post) if b["label"] == label)
    record = await world.fake.click(guild, user, post, custom_id)
    return await record.text(timeout=30)


async def test_only_the_holders_of_a_task_decide_on_both_servers(world: World, federation) -> None:
    _, _ = federation
    w = world
    assert "no task called `Gardening`" in await say(
        w, w.a, w.bob, "propose", title="X", who="affected by", tasks="Gardening"
    )
    assert "at most 30 days" in await say(w, w.a, w.bob, "propose", title="X", hours=24 * 31, validate=False)
    assert "At most 5 options" in await say(w, w.a, w.bob, "propose", title="X", choices="a;b;c;d;e;f")
    preview, opened = await open_proposal(
        w, w.a, w.bob, title="A new repair stand", text="Ours is broken.", who="affected by", tasks="Repairs"
    )
    assert "held Repairs in the last 8 weeks" in preview
    assert "2 members decide, one vote each: alice, dave." in preview
    assert "Proposal #1 is open" in opened and "posted on 2 servers." in opened
    number = int(opened.split("#")[1].split()[0])

    # Posted on both servers of the federation, one electorate; the post pings nobody.
    await w.fake.wait_until(lambda: proposal_posts(w, w.a) and proposal_posts(w, w.b), timeout=30, what="the posts")
    on_a, on_b = proposal_posts(w, w.a)[0], proposal_posts(w, w.b)[0]
    assert [b["label"] for b in message_buttons(on_b)] == ["yes", "no", "abstain"]
    assert pinged(on_a) == {"users": set(), "roles": set(), "everyone": False}
    assert "Votes are secret" in message_text(on_a)

    offered = await w.fake.autocomplete(w.a, w.alice, "vote", "choice", "", proposal=number)
    assert [c["value"] for c in offered] == ["yes", "no", "abstain"]
    assert "not counted" in await press(w, w.a, w.carol, on_a, "yes")  # carol did no repairs
    assert "**no**" in await press(w, w.a, w.alice, on_a, "no")
    assert "(was no)" in await say(w, w.a, w.alice, "vote", proposal=number, choice="yes")  # changed
    assert "**yes**" in await press(w, w.b, w.dave, on_b, "yes")  # everyone voted: it closes early

    await w.fake.wait_until(lambda: results(w, w.a) and results(w, w.b), timeout=30, what="the results")
    result = results(w, w.b)[0]
    assert "**A new repair stand** passed." in result and "Votes: yes 2 · no 0 · abstain 0." in result
    assert "Decided by those who held Repairs in the last 8 weeks, one vote each." in result
    assert "Turnout: 100% (2 of 2 members voted); 50% was needed." in result

    def retired() -> bool:
        posts = [proposal_posts(w, g)[0] for g in (w.a, w.b)]
        return all(b.get("disabled") for p in posts for b in message_buttons(p))

    await w.fake.wait_until(retired, timeout=30, what="the buttons disabled")
    assert "is closed" in await say(w, w.b, w.dave, "vote", proposal=number, choice="no")
    log = await say(w, w.b, w.dave, "decisions", search="repair stand")
    assert "A new repair stand · passed (yes 2 · no 0 · abstain 0; turnout 100%)" in log
    assert "Nothing matches" in await say(w, w.a, w.bob, "decisions", search="swimming pool")


async def test_weighted_by_hours_with_a_delegated_vote_the_delegator_overrides(world: World, federation) -> None:
    bot, clock = federation
    w = world
    # Bob and carol give their votes on baking to alice; bob will vote himself.
    for user in (w.bob, w.carol):
        text = await say(w, w.a, user, "delegate to", member=w.alice, scope="Baking")
        assert "proposals on Baking" in text
    assert "loop" in await say(w, w.a, w.alice, "delegate to", member=w.bob)
    assert "yourself" in await say(w, w.a, w.alice, "delegate to", member=w.alice)
    preview, opened = await open_proposal(
        w, w.b, w.dave, title="Bake on Sundays", who="weighted by hours", tasks="Baking", hours=48, threshold=67
    )
    assert "3 members decide, each with a say by their hours (9.5 h in all)" in preview
    assert "alice (6 h), bob (2 h), carol (1.5 h)" in preview
    number = int(opened.split("#")[1].split()[0])
    assert "not counted" in await say(w, w.b, w.dave, "vote", proposal=number, choice="yes")  # no baking

    await say(w, w.a, w.alice, "vote", proposal=number, choice="yes")
    shown = await say(w, w.a, w.bob, "delegate show")
    assert f"#{number} Bake on Sundays: **yes** by <@{w.alice.id}>" in shown and "still vote yourself" in shown
    assert "**no**" in await say(w, w.a, w.bob, "vote", proposal=number, choice="no")  # his own vote counts
    assert "Bake on Sundays" not in (await say(w, w.a, w.bob, "delegate show")).split("Votes cast for you")[1]
    assert results(w, w.a) == []  # carol's vote came by delegation: she may still vote, no early close

    clock.now += timedelta(hours=49)
    bot.services.scheduler.fire_key_now(close_key(number))
    await w.fake.wait_until(lambda: results(w, w.a) and results(w, w.b), timeout=30, what="the close")
    result = results(w, w.a)[0]
    assert "**Bake on Sundays** passed." in result
    assert "Totals by hours: yes 7.5 h · no 2 h · abstain 0 h." in result  # alice 6 + carol's 1.5 by delegation
    assert (
        "Turnout: 100% of the 9.5 h that decide (3 of 3 members voted, 1 of them by delegation); 50% was needed."
        in result
    )
    shown = await say(w, w.a, w.carol, "delegate show")
    assert f"**yes** by <@{w.alice.id}>" in shown
    assert "Bake on Sundays" in await say(w, w.b, w.dave, "decisions")


async def test_a_role_decides_and_those_who_have_not_voted_get_one_reminder(world: World, federation) -> None:
    bot, clock = federation
    w = world
    keys = w.a.role("Keyholders")
    for user in (w.alice, w.bob):
        w.a.member(user).roles.add(keys.id)
    preview, opened = await open_proposal(w, w.a, w.carol, title="Change the lock", who="affected by", role=keys)
    assert f"have the role <@&{keys.id}>" in preview and "2 members decide, one vote each: alice, bob." in preview
    number = int(opened.split("#")[1].split()[0])
    assert "not counted" in await say(w, w.b, w.dave, "vote", proposal=number, choice="yes")
    await say(w, w.a, w.alice, "vote", proposal=number, choice="yes")

    clock.now += timedelta(hours=48, minutes=1)  # a day before the 72 h close
    bot.services.scheduler.fire_key_now(remind_key(number))
    await w.fake.wait_until(lambda: w.fake.dm_messages(w.bob), timeout=30, what="the reminder")
    assert await bot.services.decisions.remind(number) == 0  # fired again: nobody twice
    [dm] = w.fake.dm_messages(w.bob)
    assert "Change the lock" in dm["content"] and "you have not voted" in dm["content"]
    assert pinged(dm)["users"] == set()
    assert w.fake.dm_messages(w.alice) == []  # she voted
