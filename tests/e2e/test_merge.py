"""Merge votes between servers, end to end: two servers, then a third joining the federation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import storage.outbox
from bot.app.merges import remind_key
from cogs.merge.render import result_text
from storage.models import Assignment, Goal, MemberRow, MergeProposal, Organization, TaskRow
from tests.e2e.builders import Clock, Killed, create_org, publish_by_hand, rows, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import CommandRefused, FakeGuild, message_buttons, message_text, pinged

pytestmark = pytest.mark.slow


async def make_org(bot, guild: FakeGuild, users, tasks, goals) -> Organization:
    org_id = await create_org(bot, guild)
    await seed(bot, org_id, users, tasks, goals=goals)
    async with bot.db.session() as session:
        return await session.get(Organization, org_id)


def vote_message(world: World, guild: FakeGuild) -> dict:
    """The latest vote message on that server."""
    votes = [
        m
        for m in world.fake.channel_messages(guild.channel("rota"))
        if m.get("embeds") and "Merge vote" in m["embeds"][0]["title"]
    ]
    return votes[-1]


def announcements(world: World, guild: FakeGuild) -> list[str]:
    return [
        m["content"]
        for m in world.fake.channel_messages(guild.channel("rota"))
        if "is closed" in m["content"] or "withdrawn" in m["content"]
    ]


async def say(world: World, guild, user, command: str, **options) -> str:
    record = await world.fake.invoke(guild, user, command, **options)
    return await record.text(timeout=30)


async def press(world: World, guild, user, message: dict, choice: str) -> str:
    custom_id = next(b["custom_id"] for b in message_buttons(message) if b["label"].lower() == choice)
    record = await world.fake.click(guild, user, message, custom_id)
    return await record.text()


@pytest.fixture
async def two_orgs(world: World, start_bot, fake, db_url):
    clock = Clock()

    def prepare(bot):
        bot.clock = clock

    bot = await start_bot(
        settings=bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1), before_start=prepare
    )
    a = await make_org(
        bot,
        world.a,
        [world.alice, world.bob, world.carol],
        [("Dishes", 3, 2, 1), ("Chair meeting", 2, 8, 10), ("Baking", 4, 7, 5)],
        ["Bread for the neighbourhood"],
    )
    b = await make_org(
        bot,
        world.b,
        [world.dave, world.carol],
        [("Repairs", 4, 6, 8), ("Dishes", 2, 2, 1), ("Sweeping", 2, 1, 1)],
        ["Bikes for all"],
    )
    clock.now = datetime.now(UTC)  # members joined before the votes open
    return bot, clock, a, b


async def test_both_sides_pass_and_the_organizations_merge(world: World, two_orgs) -> None:
    bot, _, a, b = two_orgs
    w = world
    assert "No organization has the merge code" in await say(w, w.a, w.mod_a, "mod merge propose", code="NOPE1234")
    assert "your own organization's merge code" in await say(w, w.a, w.mod_a, "mod merge propose", code=a.merge_code)
    text = await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Bread and Bikes")
    assert "Merge vote #1 is open on both sides" in text
    assert "already in a merge vote (#1)" in await say(w, w.b, w.mod_b, "mod merge propose", code=a.merge_code)

    on_a, on_b = vote_message(w, w.a), vote_message(w, w.b)
    text_a, text_b = message_text(on_a), message_text(on_b)
    assert "join Bike Co-op?" in text_a and "join Bakery Collective?" in text_b
    assert "Bikes for all" in text_a and "Bread for the neighbourhood" in text_b  # the other side's goals
    assert "2 members" in text_a and "8 h of tasks" in text_a
    assert "Dry run for Bakery Collective's members" in text_a and "per member merged" in text_a
    assert "**Dishes (Bakery Collective)** and **Dishes (Bike Co-op)**" in text_a  # as the merge names them
    assert "<t:" in text_a and "50% of its 3 members must vote" in text_a
    assert [b["label"] for b in message_buttons(on_a)] == ["Yes", "No", "Abstain"]

    assert "**yes**" in await press(w, w.a, w.alice, on_a, "yes")
    assert "**yes**" in await say(w, w.a, w.bob, "vote", proposal=1, choice="yes")
    assert "Only members in **Bakery Collective**'s rota" in await press(w, w.a, w.mod_a, on_a, "yes")
    assert "Only members in **Bike Co-op**'s rota" in await say(w, w.b, w.mod_b, "vote", proposal=1, choice="yes")
    assert "**no**" in await press(w, w.b, w.dave, on_b, "no")
    assert "(was no)" in await say(w, w.b, w.dave, "vote", proposal=1, choice="yes")  # changed before the close
    status = await say(w, w.a, w.alice, "merge status")
    assert "2/3 voted" in status and "1/2 voted" in status and "your vote: yes" in status
    assert "yes/no" not in status  # no running split while open
    assert "your vote" not in await say(w, w.a, w.carol, "merge status")

    # Carol belongs to both and votes on each side; with her, every member has voted yes: early close.
    await say(w, w.a, w.carol, "vote", proposal=1, choice="yes")
    await say(w, w.b, w.carol, "vote", proposal=1, choice="yes")
    await w.fake.wait_until(lambda: announcements(w, w.a) and announcements(w, w.b), timeout=30, what="results")
    result = announcements(w, w.b)[0]
    assert "Both sides passed: **Bread and Bikes**" in result and "3 yes, 0 no, 0 abstain of 3" in result
    assert message_buttons(vote_message(w, w.a)) == []  # the buttons are retired
    assert "is closed" in await say(w, w.a, w.alice, "vote", proposal=1, choice="no")

    [merged] = await rows(bot, Organization, Organization.archived_at.is_(None))
    assert merged.name == "Bread and Bikes"
    for guild in (w.a, w.b):
        assert "Bread and Bikes" in await say(w, guild, w.carol, "org")
    tasks = {t.name: t.origin for t in await rows(bot, TaskRow, TaskRow.organization_id == merged.id)}
    assert tasks == {
        "Dishes (Bakery Collective)": "Bakery Collective",
        "Chair meeting": "Bakery Collective",
        "Baking": "Bakery Collective",
        "Repairs": "Bike Co-op",
        "Dishes (Bike Co-op)": "Bike Co-op",
        "Sweeping": "Bike Co-op",
    }
    assert {g.text for g in await rows(bot, Goal, Goal.organization_id == merged.id)} == {
        "Bread for the neighbourhood",
        "Bikes for all",
    }
    members = await rows(bot, MemberRow, MemberRow.organization_id == merged.id)
    assert sorted(m.user_id for m in members) == sorted(u.id for u in (w.alice, w.bob, w.carol, w.dave))
    assert next(m for m in members if m.user_id == w.carol.id).hours == 20  # both commitments
    assert "from Bike Co-op" in await say(w, w.a, w.alice, "tasks")

    # One rota over everyone, posted on both servers; work crosses the old border.
    assert "Published" in await publish_by_hand(w.fake, w.a, w.mod_a)
    for guild in (w.a, w.b):
        await w.fake.wait_until(
            lambda g=guild: any("rota for week" in message_text(m) for m in w.fake.channel_messages(g.channel("rota"))),
            timeout=30,
            what="the rota post",
        )
    async with bot.db.session() as session:
        pieces = (
            await session.execute(
                select(Assignment, TaskRow, MemberRow)
                .join(TaskRow)
                .join(MemberRow, MemberRow.id == Assignment.member_id)
            )
        ).all()
    crossing = [
        (t.name, m.display_name)
        for _, t, m in pieces
        if (t.origin == "Bakery Collective" and m.user_id == w.dave.id)
        or (t.origin == "Bike Co-op" and m.user_id in (w.alice.id, w.bob.id))
    ]
    assert crossing, "nobody got a task from the other organization"


async def test_quorum_threshold_and_one_side_failing(world: World, two_orgs) -> None:
    bot, clock, a, b = two_orgs
    w = world
    # 1: quorum not met on A (1 of 3 voted), deadline reached through the scheduler.
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=24)
    await say(w, w.a, w.alice, "vote", proposal=1, choice="yes")
    await say(w, w.b, w.dave, "vote", proposal=1, choice="yes")
    clock.now += timedelta(hours=25)
    bot.services.scheduler.fire_key_now("close-merge:1")
    await w.fake.wait_until(lambda: announcements(w, w.a), timeout=30, what="the close")
    text = announcements(w, w.a)[0]
    assert "quorum not met (33% voted, 50% needed)" in text and "does not happen" in text
    assert len(await rows(bot, Organization, Organization.archived_at.is_(None))) == 2

    # 2: threshold not met on B (1 yes, 1 no = 50% < 67%), A passes: one side failing is enough.
    await say(w, w.b, w.mod_b, "mod merge propose", code=a.merge_code, vote_hours=24)
    for user in (w.alice, w.bob):
        await say(w, w.a, user, "vote", proposal=2, choice="yes")
    await say(w, w.b, w.dave, "vote", proposal=2, choice="yes")
    await say(w, w.b, w.carol, "vote", proposal=2, choice="no")
    await say(w, w.a, w.carol, "vote", proposal=2, choice="yes")  # now everyone has voted: it closes early
    await w.fake.wait_until(lambda: len(announcements(w, w.b)) == 2, timeout=30, what="the early close")
    text = announcements(w, w.b)[1]
    assert "threshold not met (50% yes, 67% needed)" in text and "Bakery Collective**: 3 yes" in text
    proposals = {p.id: p.status for p in await rows(bot, MergeProposal)}
    assert proposals == {1: "failed", 2: "failed"}
    assert len(await rows(bot, Organization, Organization.archived_at.is_(None))) == 2


async def test_close_after_a_restart_and_cancel(world: World, two_orgs, start_bot, fake, db_url) -> None:
    bot, clock, _a, b = two_orgs
    w = world
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=2)
    for user in (w.alice, w.bob):
        await say(w, w.a, user, "vote", proposal=1, choice="yes")
    await say(w, w.b, w.dave, "vote", proposal=1, choice="yes")
    # The bot is down over the deadline; when it comes back, the vote closes (once) and merges.
    later = Clock()
    later.now = clock.now + timedelta(hours=3)

    def prepare(new_bot):
        new_bot.clock = later

    bot = await start_bot(
        settings=bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1), before_start=prepare
    )
    await w.fake.wait_until(lambda: announcements(w, w.a) and announcements(w, w.b), timeout=30, what="the close")
    assert "Both sides passed" in announcements(w, w.a)[0]  # A: 2/3 yes; B: dave 1/2 = quorum 50%
    await asyncio.sleep(0.5)
    assert len(announcements(w, w.a)) == 1
    [merged] = await rows(bot, Organization, Organization.archived_at.is_(None))

    # A proposal can be withdrawn by either side's moderators; nothing changes.
    c = fake.add_guild("Garden Club")
    gardener = fake.add_user("gardener")
    fake.add_member(c, gardener)
    fake.add_member(c, w.mod_b, "Moderator")
    garden = await make_org(bot, c, [gardener], [("Weeding", 2, 3, 2)], ["Green city"])
    await say(w, c, w.mod_b, "mod merge propose", code=merged.merge_code)
    with pytest.raises(CommandRefused):
        await w.fake.invoke(w.a, w.alice, "mod merge cancel", proposal=2)  # hidden from non-moderators
    assert "There is no merge vote #99" in await say(w, w.a, w.mod_a, "mod merge cancel", proposal=99)
    text = await say(w, w.a, w.mod_a, "mod merge cancel", proposal=2)
    assert "withdrawn" in text
    await w.fake.wait_until(lambda: any("withdrawn" in t for t in announcements(w, c)), timeout=10, what="cancel")
    assert "is closed" in await say(w, c, gardener, "vote", proposal=2, choice="yes")
    assert garden.id in {o.id for o in await rows(bot, Organization, Organization.archived_at.is_(None))}


async def test_a_third_organization_joins_the_federation(world: World, two_orgs, fake) -> None:
    bot, clock, _a, b = two_orgs
    w = world
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Federation")
    for guild, users in ((w.a, (w.alice, w.bob, w.carol)), (w.b, (w.dave, w.carol))):
        for user in users:
            await say(w, guild, user, "vote", proposal=1, choice="yes")
    await w.fake.wait_until(lambda: announcements(w, w.a), timeout=30, what="the first merge")
    [federation] = await rows(bot, Organization, Organization.archived_at.is_(None))

    c = fake.add_guild("Garden Club")
    gardener = fake.add_user("gardener")
    fake.add_member(c, gardener)
    fake.add_member(c, w.dave)
    fake.add_member(c, fake.add_user("gardens_mod"), "Moderator")
    garden = await make_org(bot, c, [gardener, w.dave], [("Weeding", 2, 3, 2)], ["Green city"])
    moderator = next(m.user for m in c.members.values() if m.user.name == "gardens_mod")
    clock.now = datetime.now(UTC)
    text = await say(w, c, moderator, "mod merge propose", code=federation.merge_code, name="Big Federation")
    assert "Merge vote #2 is open" in text
    vote_on_b = vote_message(w, w.b)  # the federation's vote is posted on both of its servers
    assert "join Garden Club?" in message_text(vote_on_b)
    for guild, user in ((c, gardener), (c, w.dave), (w.a, w.alice), (w.b, w.dave), (w.a, w.bob), (w.a, w.carol)):
        await say(w, guild, user, "vote", proposal=2, choice="yes")
    await w.fake.wait_until(lambda: announcements(w, c), timeout=30, what="the second merge")
    assert "Big Federation" in announcements(w, c)[0]
    [big] = await rows(bot, Organization, Organization.archived_at.is_(None))
    for guild in (w.a, w.b, c):
        assert "Big Federation" in await say(w, guild, w.dave if guild is not w.a else w.alice, "org")
    goals = {g.text for g in await rows(bot, Goal, Goal.organization_id == big.id)}
    assert goals == {"Bread for the neighbourhood", "Bikes for all", "Green city"}
    assert garden.id != big.id


async def test_simultaneous_votes_and_a_double_close(world: World, two_orgs) -> None:
    bot, clock, _a, b = two_orgs
    w = world
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=5)
    ballots = [(w.a, w.alice, "yes"), (w.a, w.bob, "abstain"), (w.a, w.carol, "yes"), (w.b, w.dave, "yes")]
    records = await asyncio.gather(
        *(w.fake.invoke(guild, user, "vote", proposal=1, choice=choice) for guild, user, choice in ballots)
    )
    replies = await asyncio.gather(*(r.text(timeout=30) for r in records))
    assert all("Your vote on #1" in text for text in replies)
    merges = bot.services.merges
    clock.now += timedelta(hours=6)
    results = await asyncio.gather(merges.close(1), merges.close(1), merges.close(1))
    assert sum(1 for r in results if r) == 1  # the close ran once
    text = result_text(next(r for r in results if r))
    assert "**Bakery Collective**: 2 yes, 0 no, 1 abstain of 3" in text  # no vote lost or doubled
    assert "**Bike Co-op**: 1 yes, 0 no, 0 abstain of 2" in text
    await asyncio.sleep(0.3)
    assert len(announcements(w, w.a)) == 1 and len(announcements(w, w.b)) == 1
    assert len(await rows(bot, Organization, Organization.archived_at.is_(None))) == 1  # merged exactly once


async def test_a_crash_during_the_close_announces_once_on_both_sides(
    world: World, two_orgs, start_bot, fake, db_url, monkeypatch
) -> None:
    bot, clock, _a, b = two_orgs
    w = world
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=2)
    for guild, user in ((w.a, w.alice), (w.a, w.bob), (w.b, w.dave)):
        await say(w, guild, user, "vote", proposal=1, choice="yes")

    # Crash 1: the close commits (the merge, and its announcements queued), then the process dies.
    async def killed(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(bot.services.outbox, "deliver_subject", killed)
    clock.now += timedelta(hours=3)
    with pytest.raises(Killed):
        await bot.services.merges.close(1)
    assert announcements(w, w.a) == [] and announcements(w, w.b) == []

    # Crash 2, in the next process: an announcement is sent, and the process dies before recording it.
    real_done = storage.outbox.done

    def die_after_sending(effect, message_id):
        if effect.kind == "vote.end":
            raise Killed()
        real_done(effect, message_id)

    async def restart(now: datetime):
        def prepare(new_bot):
            new_bot.clock = Clock(now)

        settings = bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1)
        return await start_bot(settings=settings, before_start=prepare)

    monkeypatch.setattr(storage.outbox, "done", die_after_sending)
    await restart(clock.now + timedelta(minutes=1))
    await w.fake.wait_until(lambda: announcements(w, w.a) or announcements(w, w.b), timeout=30, what="one result")
    await asyncio.sleep(0.5)

    # After the last restart every server has the result once, and no vote buttons are left.
    monkeypatch.setattr(storage.outbox, "done", real_done)
    bot = await restart(clock.now + timedelta(minutes=2))

    def settled() -> bool:
        retired = all(message_buttons(vote_message(w, g)) == [] for g in (w.a, w.b))
        return bool(announcements(w, w.a) and announcements(w, w.b) and retired)

    await w.fake.wait_until(settled, timeout=30, what="the results and the retired buttons")
    await asyncio.sleep(0.5)
    assert len(announcements(w, w.a)) == 1 and len(announcements(w, w.b)) == 1
    assert "Both sides passed" in announcements(w, w.a)[0]
    assert len(await rows(bot, Organization, Organization.archived_at.is_(None))) == 1  # merged once


async def test_a_day_before_the_close_only_those_who_have_not_voted_are_mentioned(world: World, two_orgs) -> None:
    bot, clock, _a, b = two_orgs
    w = world
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=72)
    await say(w, w.a, w.alice, "vote", proposal=1, choice="yes")
    await say(w, w.b, w.carol, "vote", proposal=1, choice="no")  # carol votes on B's side only

    def reminders(guild) -> list[dict]:
        return [m for m in w.fake.channel_messages(guild.channel("rota")) if "not voted yet" in m["content"]]

    clock.now += timedelta(hours=48, minutes=1)  # a day before the close
    bot.services.scheduler.fire_key_now(remind_key(1))
    await w.fake.wait_until(lambda: reminders(w.a) and reminders(w.b), timeout=15, what="the reminders")
    assert await bot.services.merges.remind(1) == 0  # fired again (say, after a restart): nothing more
    await asyncio.sleep(0.3)
    [on_a], [on_b] = reminders(w.a), reminders(w.b)
    assert pinged(on_a) == {"users": {w.bob.id, w.carol.id}, "roles": set(), "everyone": False}
    assert pinged(on_b) == {"users": {w.dave.id}, "roles": set(), "everyone": False}
    assert "closes <t:" in on_a["content"] and "merge vote #1" in on_a["content"]
