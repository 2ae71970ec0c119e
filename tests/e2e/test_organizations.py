"""Organizations, tasks, members and ratings, driven through the fake Discord on two servers."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from sqlmodel import select

from storage import members as member_queries
from storage import orgs, tasks
from storage.models import AuditEntry, Away, Goal, MemberRow, Rating, TaskRow
from tests.e2e.conftest import World
from tests.e2e.fake_discord import CommandRefused, FakeGuild, FakeUser, message_buttons


class Session:
    """Shortcuts for one test: run a command, get the private reply's text."""

    def __init__(self, world: World, bot) -> None:
        self.world, self.fake, self.bot = world, world.fake, bot

    async def say(self, guild: FakeGuild | None, user: FakeUser, command: str, **options) -> str:
        record = await self.fake.invoke(guild, user, command, **options)
        text = await record.text()
        assert await record.is_ephemeral(), f"/{command} answered publicly: {text}"
        return text

    async def setup_org(self, guild: FakeGuild, moderator: FakeUser, **options) -> str:
        return await self.say(guild, moderator, "mod org setup", channel=guild.channel("rota"), **options)

    async def org_of(self, guild: FakeGuild):
        async with self.bot.db.session() as session:
            return await orgs.org_for_guild(session, guild.id)

    async def rows(self, model, *where):
        async with self.bot.db.session() as session:
            return list((await session.execute(select(model).where(*where))).scalars())


@pytest.fixture
async def s(world: World, start_bot) -> Session:
    return Session(world, await start_bot())


async def test_everything_needs_an_organization_first(s: Session) -> None:
    w = s.world
    for command, options in (("join", {}), ("tasks", {}), ("rate", {}), ("hours", {"hours": 5}), ("leave", {})):
        text = await s.say(w.a, w.alice, command, **options)
        assert "no organization yet" in text and "/mod org setup" in text
    text = await s.say(w.a, w.mod_a, "mod task add", name="Dishes", hours=2)
    assert "no organization yet" in text
    assert await s.rows(TaskRow) == []


async def test_setup_and_org_on_two_separate_servers(s: Session) -> None:
    w = s.world
    text = await s.setup_org(w.a, w.mod_a, name="Bakery Collective", timezone="Europe/Berlin", day="fri", time="17:30")
    assert "Bakery Collective** created" in text and "Europe/Berlin" in text
    await s.setup_org(w.b, w.mod_b)
    a, b = await s.org_of(w.a), await s.org_of(w.b)
    assert a.id != b.id and a.merge_code != b.merge_code
    assert (a.name, a.timezone, a.publish_day, f"{a.publish_time:%H:%M}") == (
        "Bakery Collective",
        "Europe/Berlin",
        4,
        "17:30",
    )
    assert b.name == "Bike Co-op" and b.timezone == "UTC" and b.publish_day == 0

    text = await s.say(w.a, w.alice, "org")
    assert "Bakery Collective" in text and a.merge_code in text and "<t:" in text and "Every Friday at 17:30" in text
    assert "Bike Co-op" not in text
    assert "Bike Co-op" in await s.say(w.b, w.dave, "org")

    # Running setup again updates, keeping what was not given.
    text = await s.setup_org(w.a, w.mod_a, time="08:15")
    assert "updated" in text
    a = await s.org_of(w.a)
    assert (a.name, a.publish_day, f"{a.publish_time:%H:%M}") == ("Bakery Collective", 4, "08:15")

    choices = await s.fake.autocomplete(w.a, w.mod_a, "mod org setup", "timezone", "berl", channel=w.a.channel("rota"))
    assert [c["value"] for c in choices] == ["Europe/Berlin"]


async def test_setup_refuses_bad_settings_and_changes_nothing(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    before = await s.org_of(w.a)
    assert "not a timezone" in await s.setup_org(w.a, w.mod_a, timezone="Mars/Olympus")
    assert "24-hour HH:MM" in await s.setup_org(w.a, w.mod_a, time="25:99")
    assert "24-hour HH:MM" in await s.setup_org(w.a, w.mod_a, time="9am")
    after = await s.org_of(w.a)
    assert (after.timezone, after.publish_time) == (before.timezone, before.publish_time)


async def test_moderator_commands_are_hidden_and_checked(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    with pytest.raises(CommandRefused, match="hidden"):
        await s.fake.invoke(w.a, w.alice, "mod task add", name="Dishes", hours=2)
    # An admin re-granted the command's visibility to everyone: the bot still checks.
    record = await s.fake.invoke(w.a, w.alice, "mod task add", name="Dishes", hours=2, visible=True)
    assert "Manage Server" in await record.text() and await record.is_ephemeral()
    record = await s.fake.invoke(w.a, w.alice, "mod org settings", quorum=1, visible=True)
    assert "Manage Server" in await record.text()
    assert await s.rows(TaskRow) == []
    assert (await s.org_of(w.a)).quorum_pct == 50
    # A moderator of server B is no moderator on server A.
    with pytest.raises(CommandRefused):
        await s.fake.invoke(w.a, w.mod_b, "org")  # not even a member of A
    mod_definition = s.fake.find_command(w.a, "mod")
    assert mod_definition["default_member_permissions"] == str(1 << 5)


async def test_settings_goals_and_audit(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    text = await s.say(w.a, w.mod_a, "mod org settings", default_hours=12.5, quorum=60, threshold=75, vote_hours=48)
    assert "Saved" in text and "quorum 60%" in text and "threshold 75%" in text and "48 h" in text
    org = await s.org_of(w.a)
    assert (org.default_hours, org.quorum_pct, org.threshold_pct, org.vote_hours) == (12.5, 60, 75, 48)
    with pytest.raises(CommandRefused):  # Discord's client enforces the option's range…
        await s.fake.invoke(w.a, w.mod_a, "mod org settings", quorum=0)
    # …and a stale client that sends it anyway is refused by the bot.
    text = await s.say(w.a, w.mod_a, "mod org settings", vote_hours=0, validate=False)
    assert "1 hour to 720 hours" in text
    assert (await s.org_of(w.a)).vote_hours == 48

    await s.say(w.a, w.mod_a, "mod org goal-add", text="Bread for everyone in the neighbourhood")
    await s.say(w.a, w.mod_a, "mod org goal-add", text="Nobody works nights")
    choices = await s.fake.autocomplete(w.a, w.mod_a, "mod org goal-remove", "goal", "night")
    assert [c["name"] for c in choices] == ["Nobody works nights"]
    text = await s.say(w.a, w.mod_a, "mod org goal-remove", goal=choices[0]["value"])
    assert "Goal removed: Nobody works nights" in text
    assert "I can't find that goal" in await s.say(w.a, w.mod_a, "mod org goal-remove", goal="999999")
    assert [g.text for g in await s.rows(Goal)] == ["Bread for everyone in the neighbourhood"]
    assert "Bread for everyone" in await s.say(w.a, w.alice, "org")

    text = await s.say(w.a, w.mod_a, "mod audit")
    for action in ("org.create", "org.settings", "goal.add", "goal.remove"):
        assert action in text
    assert f"<@{w.mod_a.id}>" in text
    entries = await s.rows(AuditEntry)
    assert {e.actor_id for e in entries} == {w.mod_a.id}


async def test_task_lifecycle(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    text = await s.say(
        w.a,
        w.mod_a,
        "mod task add",
        name="Clean kitchen",
        hours=3,
        slots=2,
        splittable=True,
        min_shift=1.5,
        qualification="Hygiene",
        role=w.a.role("Moderator"),
        description="Floors too",
    )
    assert "Added **Clean kitchen**" in text
    await s.say(w.a, w.mod_a, "mod task add", name="Chair meeting", hours=2)
    assert "already a task called" in await s.say(w.a, w.mod_a, "mod task add", name="clean KITCHEN", hours=1)
    assert "min_shift must be" in await s.say(
        w.a, w.mod_a, "mod task add", name="Odd", hours=1, splittable=True, min_shift=2
    )
    assert "at most 168" in await s.say(w.a, w.mod_a, "mod task add", name="Too long", hours=200, validate=False)

    [kitchen] = await s.rows(TaskRow, TaskRow.name == "Clean kitchen")
    assert (
        kitchen.hours,
        kitchen.slots,
        kitchen.splittable,
        kitchen.min_shift,
        kitchen.qualification,
        kitchen.role_id,
        kitchen.description,
    ) == (3, 2, True, 1.5, "Hygiene", w.a.role("Moderator").id, "Floors too")

    choices = await s.fake.autocomplete(w.a, w.mod_a, "mod task edit", "task", "kitch")
    assert [c["value"] for c in choices] == ["Clean kitchen"]
    text = await s.say(
        w.a, w.mod_a, "mod task edit", task="Clean kitchen", hours=4, qualification="-", clear_role=True, name="Kitchen"
    )
    assert "Updated **Kitchen**" in text
    [kitchen] = await s.rows(TaskRow, TaskRow.id == kitchen.id)
    assert (kitchen.name, kitchen.hours, kitchen.qualification, kitchen.role_id) == ("Kitchen", 4, None, None)
    assert "Another task is already called" in await s.say(
        w.a, w.mod_a, "mod task edit", task="Kitchen", name="Chair meeting"
    )
    assert "no task called" in await s.say(w.a, w.mod_a, "mod task edit", task="Nope", hours=1)

    assert "Removed **Kitchen**" in await s.say(w.a, w.mod_a, "mod task remove", task="Kitchen")
    assert [c["value"] for c in await s.fake.autocomplete(w.a, w.mod_a, "mod task edit", "task", "")] == [
        "Chair meeting"
    ]
    assert "was removed" in await s.say(w.a, w.mod_a, "mod task remove", task="Kitchen")
    await s.say(w.a, w.alice, "join")
    assert "was removed" in await s.say(w.a, w.alice, "rate", task="Kitchen", desirability=3, empowerment=3)
    assert await s.rows(Rating) == []
    text = await s.say(w.a, w.mod_a, "mod task add", name="Kitchen", hours=2)
    assert "Restored **Kitchen**" in text
    assert len(await s.rows(TaskRow, TaskRow.name == "Kitchen")) == 1


async def test_autocomplete_is_capped_and_matches_anywhere(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    async with s.bot.db.transaction() as session:
        org = await orgs.org_for_guild(session, w.a.id)
        for i in range(40):
            session.add(TaskRow(organization_id=org.id, name=f"Shift {i:02d} delivery", hours=1))
        session.add(TaskRow(organization_id=org.id, name="Accounts", hours=2))
    assert len(await s.fake.autocomplete(w.a, w.alice, "rate", "task", "")) == 25
    assert [c["value"] for c in await s.fake.autocomplete(w.a, w.alice, "rate", "task", "COUNT")] == ["Accounts"]
    assert len(await s.fake.autocomplete(w.a, w.alice, "rate", "task", "deliv")) == 25
    assert await s.fake.autocomplete(w.b, w.dave, "rate", "task", "acc") == []  # server B sees none of A's tasks


async def test_import_is_all_or_nothing_and_export_round_trips(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    await s.say(w.a, w.mod_a, "mod task add", name="Dishes", hours=1)
    bad = b"task,hours,slots\nBaking,4,1\nDelivery,-3,1\n"
    text = await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", bad))
    assert "Nothing was imported" in text and "tasks.csv, line 3" in text and "`hours` must be greater than 0" in text
    assert {t.name for t in await s.rows(TaskRow)} == {"Dishes"}
    text = await s.say(w.a, w.mod_a, "mod task import", file=("t.csv", b"task,hours,colour\nx,1,red\n"))
    assert "unknown column(s) colour" in text
    assert "is not a text file" in await s.say(w.a, w.mod_a, "mod task import", file=("t.csv", b"\x00\x01bad"))

    good = (
        b"task,hours,slots,qualification,splittable,min_shift,desirability,empowerment\n"
        b"Baking,4,2,,false,,,\nDelivery,6,1,driver,true,2,,\nDishes,1.5,1,,,,,\n"
    )
    text = await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", good))
    assert "2 added, 1 updated" in text
    record = await s.fake.invoke(w.a, w.mod_a, "mod task export")
    message = await record.wait_reply()
    assert await record.is_ephemeral()
    exported = s.fake.attachment_bytes(message["attachments"][0]).decode()
    rows = {r["task"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert set(rows) == {"Baking", "Delivery", "Dishes"}
    assert rows["Delivery"]["splittable"] == "true" and rows["Delivery"]["min_shift"] == "2"
    assert rows["Delivery"]["qualification"] == "driver" and rows["Dishes"]["hours"] == "1.5"
    assert rows["Baking"]["desirability"] == "5.5"  # no ratings yet: neutral
    # The export imports again unchanged.
    again = await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", exported.encode()))
    assert "Imported `tasks.csv`: no changes." in again


async def test_members_join_leave_hours_away(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    await s.say(w.a, w.mod_a, "mod org settings", default_hours=8)
    assert "with 8 h a week" in await s.say(w.a, w.alice, "join")
    assert "with 12 h a week" in await s.say(w.a, w.bob, "join", hours=12)
    assert "already in the rota" in await s.say(w.a, w.alice, "join")
    assert "now 20 a week" in await s.say(w.a, w.alice, "hours", hours=20)
    assert "at most 168" in await s.say(w.a, w.alice, "hours", hours=0, validate=False)
    with pytest.raises(CommandRefused):
        await s.fake.invoke(w.a, w.alice, "hours", hours=200)

    assert "YYYY-MM-DD" in await s.say(w.a, w.alice, "away", start="next week", end="2030-01-01")
    assert "before the start" in await s.say(w.a, w.alice, "away", start="2030-02-10", end="2030-02-01")
    assert "already over" in await s.say(w.a, w.alice, "away", start="2001-01-01", end="2001-01-05")
    assert "Noted: away" in await s.say(w.a, w.alice, "away", start="2030-02-01", end="2030-02-10")
    assert len(await s.rows(Away)) == 1

    assert "not in the rota yet" in await s.say(w.a, w.carol, "hours", hours=3)
    assert "You left" in await s.say(w.a, w.bob, "leave")
    assert "not in the rota yet" in await s.say(w.a, w.bob, "leave")
    assert "with 8 h a week" in await s.say(w.a, w.bob, "join")
    members = {m.user_id: m for m in await s.rows(MemberRow)}
    assert members[w.alice.id].hours == 20 and members[w.bob.id].active and members[w.bob.id].hours == 8
    # Carol belongs to both servers; joining B makes her a member of B's organization only.
    await s.setup_org(w.b, w.mod_b)
    await s.say(w.b, w.carol, "join", hours=5)
    carol = [m for m in await s.rows(MemberRow) if m.user_id == w.carol.id]
    assert len(carol) == 1 and carol[0].organization_id == (await s.org_of(w.b)).id


async def test_moderators_manage_members(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    await s.say(w.a, w.alice, "join", hours=10)
    assert "now has `driver`" in await s.say(w.a, w.mod_a, "mod member qualify", member=w.alice, qualification="Driver")
    assert "already has" in await s.say(w.a, w.mod_a, "mod member qualify", member=w.alice, qualification="driver")
    await s.say(w.a, w.mod_a, "mod member qualify", member=w.alice, qualification="first-aid")
    assert "does not have `pilot` (they have: driver, first-aid)" in await s.say(
        w.a, w.mod_a, "mod member unqualify", member=w.alice, qualification="pilot"
    )
    assert "no longer has `first-aid`" in await s.say(
        w.a, w.mod_a, "mod member unqualify", member=w.alice, qualification="first-aid"
    )
    assert "gives 6 h a week" in await s.say(w.a, w.mod_a, "mod member hours", member=w.alice, hours=6)
    assert "is not in the rota" in await s.say(w.a, w.mod_a, "mod member hours", member=w.bob, hours=6)
    assert "out of the rota" in await s.say(w.a, w.mod_a, "mod member remove", member=w.alice)
    async with s.bot.db.session() as session:
        org = await orgs.org_for_guild(session, w.a.id)
        alice = await member_queries.member_for(session, org.id, w.alice.id)
        assert (alice.active, alice.hours) == (False, 6)
        assert await member_queries.qualifications(session, alice.id) == ["driver"]
    audit = await s.say(w.a, w.mod_a, "mod audit")
    for action in ("member.qualify", "member.unqualify", "member.hours", "member.remove"):
        assert action in audit


async def test_rating_is_private_and_replaces_the_earlier_one(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    await s.say(w.a, w.mod_a, "mod task add", name="Dishes", hours=2)
    await s.say(w.a, w.mod_a, "mod task add", name="Chair meeting", hours=1)
    assert "`/join` first" in await s.say(w.a, w.alice, "rate", task="Dishes", desirability=2, empowerment=1)
    for user in (w.alice, w.bob, w.carol):
        await s.say(w.a, user, "join")
    assert "Saved your rating of **Dishes**" in await s.say(
        w.a, w.alice, "rate", task="Dishes", desirability=2, empowerment=1
    )
    assert "Updated your rating" in await s.say(w.a, w.alice, "rate", task="dishes", desirability=3, empowerment=2)
    await s.say(w.a, w.bob, "rate", task="Dishes", desirability=1, empowerment=1)
    await s.say(w.a, w.carol, "rate", task="Dishes", desirability=9, empowerment=8)
    assert "between 1 and 10" in await s.say(
        w.a, w.bob, "rate", task="Dishes", desirability=11, empowerment=1, validate=False
    )
    with pytest.raises(CommandRefused):
        await s.fake.invoke(w.a, w.bob, "rate", task="Dishes", desirability=0, empowerment=1)
    assert "no task called" in await s.say(w.a, w.bob, "rate", task="Lunch", desirability=5, empowerment=5)
    assert "Give both" in await s.say(w.a, w.bob, "rate", task="Dishes", desirability=5)
    ratings = {(r.member_id, r.desirability, r.empowerment) for r in await s.rows(Rating)}
    assert len(ratings) == 3 and {d for _, d, _ in ratings} == {3, 1, 9}

    text = await s.say(w.a, w.alice, "tasks")
    assert "desirability **3**, empowerment **2** (3 ratings)" in text  # medians
    assert "yours: 3/2" in text
    assert "not enough ratings yet (0)" in text  # Chair meeting
    assert "9/8" not in text and "1/1" not in text  # nobody else's rating shows
    assert "yours: 1/1" in await s.say(w.a, w.bob, "tasks")

    # Server B's members cannot rate server A's tasks.
    await s.setup_org(w.b, w.mod_b)
    await s.say(w.b, w.dave, "join")
    assert "no task called" in await s.say(w.b, w.dave, "rate", task="Dishes", desirability=5, empowerment=5)


async def test_guided_rating_session(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    for name in ("Accounts", "Baking", "Cleaning"):
        await s.say(w.a, w.mod_a, "mod task add", name=name, hours=2)
    await s.say(w.a, w.alice, "join")
    await s.say(w.a, w.alice, "rate", task="Baking", desirability=8, empowerment=6)
    record = await s.fake.invoke(w.a, w.alice, "rate")
    message = await record.wait_reply()
    assert "Rate: Accounts" in await record.text() and "2 tasks left to rate" in await record.text()
    selects = [c["custom_id"] for row in message["components"] for c in row["components"] if c["type"] == 3]
    save = next(b for b in message_buttons(message) if b["label"] == "Save & next")
    assert save.get("disabled")
    # Someone else cannot drive alice's session.
    other = await s.fake.select(w.a, w.bob, message, selects[0], ["1"])
    await asyncio.sleep(0.3)
    assert other.response_type is None
    await (await s.fake.select(w.a, w.alice, message, selects[0], ["4"])).wait_response()
    await (await s.fake.select(w.a, w.alice, message, selects[1], ["9"])).wait_response()
    assert not next(b for b in message_buttons(message) if b["label"] == "Save & next").get("disabled")
    await (await s.fake.click(w.a, w.alice, message, save["custom_id"])).wait_response()
    assert "Rate: Cleaning" in await record.text() and "Saved your rating of **Accounts**" in await record.text()
    skip = next(b for b in message_buttons(message) if b["label"] == "Skip")
    await (await s.fake.click(w.a, w.alice, message, skip["custom_id"])).wait_response()
    assert "That was the last one" in message["content"]
    rows = {(r.desirability, r.empowerment) for r in await s.rows(Rating)}
    assert rows == {(8, 6), (4, 9)}


async def test_tasks_list_is_paginated(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    async with s.bot.db.transaction() as session:
        org = await orgs.org_for_guild(session, w.a.id)
        for i in range(23):
            session.add(
                TaskRow(organization_id=org.id, name=f"Task {i:02d} " + "x" * 80, hours=1, description="d" * 300)
            )
    record = await s.fake.invoke(w.a, w.alice, "tasks")
    message = await record.wait_reply()
    assert "Page 1 of 3" in await record.text()
    next_button = next(b for b in message_buttons(message) if b["label"] == "Next")
    await (await s.fake.click(w.a, w.alice, message, next_button["custom_id"])).wait_response()
    assert "Page 2 of 3" in message["embeds"][0]["footer"]["text"]
    async with s.bot.db.session() as session:
        assert len(await tasks.active_tasks(session, org.id)) == 23


async def test_commands_in_direct_messages_are_refused(s: Session) -> None:
    w = s.world
    await s.setup_org(w.a, w.mod_a)
    for command in ("join", "tasks", "rate"):
        record = await s.fake.invoke(None, w.alice, command, validate=False)
        assert "inside a server" in await record.text()
    assert await s.rows(MemberRow) == []
