"""The weekly rota end to end: scheduled publication, the post, restarts, swaps, roles, DST."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

import storage.outbox
from bot.app.outbox import REFUSED_ATTEMPTS
from bot.domain.rota import PastPiece
from bot.domain.solver.metrics import Week, rotation
from bot.domain.solver.model import Member, Task
from storage.models import (
    Assignment,
    MemberRow,
    Organization,
    OrgServer,
    OutboxEffect,
    Qualification,
    Rota,
    RotaPost,
    TaskRow,
)
from tests.app.fakes import crash_when_recording
from tests.e2e.builders import Clock, Killed, create_org, publish_by_hand, rows, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import EVERYONE_DEFAULT, FakeGuild, message_buttons, message_text, pinged

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # week 2026-W49 starts


async def make_org(bot, guild: FakeGuild, **schedule) -> int:
    org_id = await create_org(bot, guild, **schedule)
    await bot.services.schedule_changed(org_id)  # as /mod org setup does
    return org_id


async def fill(bot, org_id: int, users, tasks, **options) -> dict[str, int]:
    return await seed(bot, org_id, users, tasks, **options)


BAKERY_TASKS = [
    ("Chair meeting", 2, 8, 10),
    ("Dishes", 3, 2, 1),
    ("Baking", 4, 7, 6),
    ("Deliveries", 3, 4, 3),
    ("Accounts", 2, 4, 8),
    ("Cleaning", 3, 1, 1),
    ("Press", 1, 8, 9),
    ("Stock", 2, 5, 4),
]


def rota_messages(world: World, guild: FakeGuild) -> list[dict]:
    return [m for m in world.fake.channel_messages(guild.channel("rota")) if m.get("embeds")]


async def eventually(check, timeout: float = 15.0):
    """Poll an async check until it returns something truthy (the bot finishes after the post)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
    return value


@pytest.fixture
def scheduled(fake, db_url):
    return bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1)


async def start_at(start_bot, settings, now: datetime, before=None):
    clock = Clock(now)

    def prepare(bot):
        bot.clock = clock
        if before:
            before(bot)

    bot = await start_bot(settings=settings, before_start=prepare)
    return bot, clock


async def test_scheduled_publication_posts_embed_chart_and_csv(world: World, start_bot, scheduled) -> None:
    bot, clock = await start_at(start_bot, scheduled, MONDAY.replace(hour=8))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob, world.carol], BAKERY_TASKS)
    scheduler = bot.services.scheduler
    assert rota_messages(world, world.a) == []  # 08:00: not due yet, and last week's run is long past

    clock.now = MONDAY.replace(minute=0, second=30)
    scheduler.fire_now(org_id)  # the scheduler runs the job; the clock says it is 09:00:30
    post = await world.fake.wait_for_message(world.a.channel("rota"), lambda m: bool(m.get("embeds")), timeout=30)
    text = message_text(post)
    assert "rota for week 2026-W49" in text and "<t:" in text
    assert "of their fair share" in text and "Spread-sum" not in text  # plain words, no jargon
    for user in (world.alice, world.bob, world.carol):
        assert f"<@{user.id}>" in text
    assert post["embeds"][0]["image"]["url"] == "attachment://balance.png"
    files = {a["filename"]: world.fake.attachment_bytes(a) for a in post["attachments"]}
    assert files["balance.png"].startswith(b"\x89PNG")
    table = list(csv.DictReader(io.StringIO(files["rota-2026-W49.csv"].decode())))
    assert set(table[0]) == {"task", "member", "hours", "week", "day", "start", "end"}
    hours = {}
    for row in table:
        hours[row["task"]] = hours.get(row["task"], 0) + float(row["hours"])
    assert hours == {name: h for name, h, _, _ in BAKERY_TASKS}
    [stored_post] = await eventually(lambda: rows(bot, RotaPost, RotaPost.message_id.is_not(None)))
    [rota] = await rows(bot, Rota, Rota.published_at.is_not(None))
    assert rota.week == "2026-W49"
    assert stored_post.message_id == int(post["id"])
    # The job stays scheduled for next week; firing again in the same week posts nothing new.
    scheduler.fire_now(org_id)
    await asyncio.sleep(0.5)
    assert len(rota_messages(world, world.a)) == 1


async def test_a_missed_publication_is_caught_up_once_on_start(world: World, start_bot, scheduled) -> None:
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=7))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:5])
    # The bot was down over Monday 09:00 and comes back at 14:00.
    await start_at(start_bot, scheduled, MONDAY.replace(hour=14))
    await world.fake.wait_until(lambda: len(rota_messages(world, world.a)) == 1, timeout=30, what="the catch-up")
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=15))  # and again: nothing more
    assert bot.services.catching_up is not None
    await asyncio.wait_for(bot.services.catching_up, 30)
    assert len(rota_messages(world, world.a)) == 1
    assert [r.week for r in await rows(bot, Rota)] == ["2026-W49"]


async def test_a_restart_publishes_no_run_from_before_the_organization_was_set_up(
    world: World, start_bot, scheduled, caplog
) -> None:
    # Monday 14:00: a moderator sets up the organization for Sunday (yesterday) at the current time.
    # (This first process runs no scheduler, so no heartbeat tells the next one it was up: only the
    # time the schedules took effect keeps their runs out.)
    unscheduled = bot_settings(world.fake, scheduled.database_url, scheduler_enabled=False)
    bot, _ = await start_at(start_bot, unscheduled, MONDAY.replace(hour=14))
    record = await world.fake.invoke(
        world.a, world.mod_a, "mod org setup", channel=world.a.channel("rota"), day="sun", time="14:00"
    )
    assert "created" in await record.text(timeout=10)
    [org] = await rows(bot, Organization)
    await fill(bot, org.id, [world.alice, world.bob, world.carol, world.mod_a], BAKERY_TASKS[:2])
    # …and one with the default schedule, Monday 09:00, set up after this Monday's run.
    other_id = await make_org(bot, world.b)
    await fill(bot, other_id, [world.dave], BAKERY_TASKS[2:3])

    caplog.set_level(logging.INFO, logger="bot")
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=14, minute=5))  # restart
    assert bot.services.catching_up is not None
    await asyncio.wait_for(bot.services.catching_up, 30)  # the catch-up is over
    assert rota_messages(world, world.a) == [] and rota_messages(world, world.b) == []
    assert await rows(bot, Rota) == []
    assert not [r for r in caplog.records if "published the rota" in r.getMessage()]


async def test_a_catch_up_says_why_in_the_log(world: World, start_bot, scheduled, caplog) -> None:
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=7))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:3])
    caplog.set_level(logging.INFO, logger="bot")
    await start_at(start_bot, scheduled, MONDAY.replace(hour=14))  # down over 09:00
    await world.fake.wait_until(lambda: len(rota_messages(world, world.a)) == 1, timeout=30, what="the catch-up")
    [line] = [r.getMessage() for r in caplog.records if "published the rota" in r.getMessage()]
    assert line == f"published the rota of organization {org_id} for week 2026-W49 (catch-up)"


async def test_a_restart_in_the_middle_of_a_publication_posts_once(
    world: World, start_bot, scheduled, monkeypatch
) -> None:
    bot, _clock = await start_at(start_bot, scheduled, MONDAY.replace(hour=8))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:5])

    # Crash 1: the rota and its effects are stored, then the process dies before posting (the next
    # bot, after the restart, has its own services, unpatched).
    outbox = bot.services.outbox

    async def die_before_posting(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(outbox, "deliver_subject", die_before_posting)
    with pytest.raises(Killed):
        await bot.services.publication.publish(org_id, "2026-W49")
    assert len(await rows(bot, Rota)) == 1 and rota_messages(world, world.a) == []

    # Crash 2 (after the restart): the message is sent, then the process dies before recording it.
    real_done = crash_when_recording(monkeypatch, "rota.post", Killed)
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(minute=5))
    await world.fake.wait_until(lambda: len(rota_messages(world, world.a)) == 1, timeout=30, what="the post")
    await asyncio.sleep(0.5)
    assert await rows(bot, RotaPost, RotaPost.message_id.is_not(None)) == []  # died before recording

    # The next restart finds the sent message by its footer instead of posting again.
    monkeypatch.setattr(storage.outbox, "done", real_done)
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(minute=10))
    [post] = await eventually(lambda: rows(bot, RotaPost, RotaPost.message_id.is_not(None)))
    assert post.message_id == int(rota_messages(world, world.a)[0]["id"])
    assert len(rota_messages(world, world.a)) == 1
    assert len(await rows(bot, Rota)) == 1


async def test_a_deleted_channel_is_given_up_shown_to_moderators_and_holds_up_nothing(
    world: World, start_bot, scheduled
) -> None:
    bot, clock = await start_at(start_bot, scheduled, MONDAY.replace(minute=30))
    org_id = await make_org(bot, world.a)
    async with bot.db.transaction() as session:  # the organization spans both servers (as after a merge)
        session.add(OrgServer(guild_id=world.b.id, organization_id=org_id, channel_id=world.b.channel("rota").id))
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:3])
    del world.a.channels[world.a.channel("rota").id]  # someone deletes server A's rota channel

    await bot.services.publication.publish(org_id, "2026-W49")
    assert len(rota_messages(world, world.b)) == 1  # B's post is not held up

    async def given_up():
        for _ in range(REFUSED_ATTEMPTS):  # the dispatcher's retries, hurried along
            clock.now += timedelta(hours=1)
            bot.services.outbox.kick()
            await asyncio.sleep(0.05)
        return await rows(bot, OutboxEffect, OutboxEffect.status == "failed")

    [failed] = await eventually(given_up)
    assert failed.kind == "rota.post" and "404" in failed.last_error
    settings = await world.fake.invoke(world.b, world.mod_b, "mod org settings")
    text = await settings.text(timeout=10)
    assert "Deliveries that failed" in text and "The rota post" in text and "Unknown Channel" in text
    assert len(rota_messages(world, world.b)) == 1


async def test_a_crash_between_sending_a_dm_and_recording_it_sends_it_once(
    world: World, start_bot, scheduled, monkeypatch
) -> None:
    bot, clock = await start_at(start_bot, scheduled, MONDAY.replace(minute=30))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:3])
    async with bot.db.transaction() as session:
        alice = (await session.execute(select(MemberRow).where(MemberRow.user_id == world.alice.id))).scalar_one()
        alice.notify = True
    real_done = crash_when_recording(monkeypatch, "dm", Killed)
    with pytest.raises(Killed):
        await bot.services.publication.publish(org_id, "2026-W49")
    assert len(world.fake.dm_messages(world.alice)) == 1  # sent, not recorded

    monkeypatch.setattr(storage.outbox, "done", real_done)
    bot, _ = await start_at(start_bot, scheduled, clock.now + timedelta(minutes=1))  # the DM is found in the DMs
    await eventually(lambda: rows(bot, OutboxEffect, OutboxEffect.kind == "dm", OutboxEffect.status == "done"))
    [dm] = world.fake.dm_messages(world.alice)
    [rota] = await rows(bot, Rota)
    assert "Your jobs in" in dm["content"] and dm["content"].endswith(f"parecon-rota · rota:{rota.id}:dm:{alice.id}")
    assert len(rota_messages(world, world.a)) == 1


async def test_overlapping_triggers_store_and_post_once(world: World, start_bot, scheduled) -> None:
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=8))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:4])
    publication = bot.services.publication
    results = await asyncio.gather(*(publication.publish(org_id, "2026-W49") for _ in range(3)))
    assert sum(r.posted for r in results) == 1 and sum(r.created for r in results) == 1
    assert len(rota_messages(world, world.a)) == 1


async def test_swap_accepted_after_a_restart_and_done(world: World, start_bot, scheduled) -> None:
    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=10))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], [("Dishes", 3, 2, 1), ("Baking", 3, 7, 6)])
    await bot.services.publication.publish(org_id, "2026-W49")
    fake = world.fake
    reply = await fake.invoke(world.a, world.alice, "myjobs")
    mine = await reply.text()
    alice_task = "Dishes" if "Dishes" in mine else "Baking"
    assert [c["value"] for c in await fake.autocomplete(world.a, world.alice, "done", "task", "")] == [alice_task]
    other = await fake.invoke(world.a, world.alice, "swap", task=alice_task, member=world.alice)
    assert "someone else" in await other.text()
    offer = await fake.invoke(world.a, world.alice, "swap", task=alice_task, member=world.bob)
    message = await offer.wait_reply()
    assert f"<@{world.bob.id}>" in message["content"] and not await offer.is_ephemeral()
    not_in_rota = await fake.invoke(world.a, world.alice, "swap", task=alice_task, member=world.carol)
    assert "is not in the rota" in await not_in_rota.text()

    bot, _ = await start_at(start_bot, scheduled, MONDAY.replace(hour=11))  # restart: buttons must still work
    accept = next(b["custom_id"] for b in message_buttons(message) if b["label"] == "Accept")
    refused = await fake.click(world.a, world.alice, message, accept)
    assert "Only the member" in await refused.text() and await refused.is_ephemeral()
    accepted = await fake.click(world.a, world.bob, message, accept)
    await accepted.wait_response()
    assert "took **" in message["content"]
    [bob] = await rows(bot, MemberRow, MemberRow.user_id == world.bob.id)
    pieces = await rows(bot, Assignment)
    assert {p.member_id for p in pieces} == {bob.id}  # bob now does both
    assert any(p.assigned_member_id != p.member_id for p in pieces)  # the ledger knows who was assigned

    done = await fake.invoke(world.a, world.bob, "done", task=alice_task)
    assert "Marked" in await done.text()
    assert "already marked done" in await (await fake.invoke(world.a, world.bob, "done", task=alice_task)).text()
    assert "hold no" in await (await fake.invoke(world.a, world.alice, "done", task=alice_task)).text()
    assert any(p.done_at for p in await rows(bot, Assignment))
    assert "✓" in await (await fake.invoke(world.a, world.bob, "rota")).text()


async def test_roles_move_from_last_weeks_holders_to_this_weeks(world: World, fake, start_bot, scheduled) -> None:
    facilitator = fake.add_guild("Role Co-op", roles={"Moderator": 1 << 5, "Facilitator": 0})
    people = [fake.add_user(f"p{i}") for i in range(4)]
    for person in people:
        fake.add_member(facilitator, person)
    bot, clock = await start_at(start_bot, scheduled, MONDAY.replace(hour=8))
    org_id = await make_org(bot, facilitator)
    role_id = facilitator.role("Facilitator").id
    await fill(
        bot,
        org_id,
        people,
        [("Facilitate", 2, 8, 10), ("Dishes", 2, 2, 1), ("Sweep", 2, 2, 1), ("Cook", 2, 6, 4)],
        role_task="Facilitate",
        role_id=role_id,
    )
    publication = bot.services.publication
    await publication.publish(org_id, "2026-W49")
    holders = lambda: {p.id for p in people if role_id in facilitator.member(p).roles}  # noqa: E731
    first = holders()
    assert len(first) == 1
    clock.now = MONDAY.replace(day=7)
    await publication.publish(org_id, "2026-W50")
    second = holders()
    assert len(second) == 1 and second != first  # rotated, and last week's holder lost the role

    # Without Manage Roles the post says so instead of failing.
    bot_role = next(r for r in facilitator.roles.values() if r.name == "parecon-rota")
    bot_role.permissions = EVERYONE_DEFAULT
    clock.now = MONDAY.replace(day=14)
    await publication.publish(org_id, "2026-W51")
    last = rota_messages(world, facilitator)[-1]
    assert "Manage Roles" in message_text(last)


async def test_dst_change_keeps_the_local_publication_time(world: World, start_bot, scheduled) -> None:
    # Europe/Berlin leaves summer time on Sunday 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 after.
    before_dst = datetime(2026, 10, 19, 7, 0, 30, tzinfo=UTC)
    bot, clock = await start_at(start_bot, scheduled, before_dst.replace(hour=6))
    org_id = await make_org(bot, world.a, tz="Europe/Berlin")
    await fill(bot, org_id, [world.alice, world.bob], BAKERY_TASKS[:4])
    scheduler = bot.services.scheduler
    trigger = scheduler.scheduler.get_job(f"publish:{org_id}").trigger
    after = trigger.get_next_fire_time(None, datetime(2026, 10, 20, tzinfo=UTC))
    assert after.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)

    clock.now = before_dst
    scheduler.fire_now(org_id)
    await world.fake.wait_until(lambda: len(rota_messages(world, world.a)) == 1, timeout=30, what="W43")
    clock.now = datetime(2026, 10, 26, 7, 30, tzinfo=UTC)  # 08:30 in Berlin: not yet due this week
    scheduler.fire_now(org_id)
    await asyncio.sleep(1.0)
    assert len(rota_messages(world, world.a)) == 1
    clock.now = datetime(2026, 10, 26, 8, 0, 30, tzinfo=UTC)  # 09:00:30 in Berlin
    scheduler.fire_now(org_id)
    await world.fake.wait_until(lambda: len(rota_messages(world, world.a)) == 2, timeout=30, what="W44")
    assert [r.week for r in await rows(bot, Rota)] == ["2026-W43", "2026-W44"]


async def test_three_weeks_balance_better_than_one(world: World, fake, start_bot, scheduled) -> None:
    guild = fake.add_guild("Big Co-op")
    people = [fake.add_user(f"worker{i}") for i in range(8)]
    for person in people:
        fake.add_member(guild, person)
    bot, clock = await start_at(start_bot, scheduled, MONDAY.replace(hour=8))
    org_id = await make_org(bot, guild)
    tasks = [(f"Task {i}", [2, 3, 4, 5][i % 4], 1 + (i * 3) % 10, 1 + (i * 7) % 10) for i in range(14)]
    await fill(bot, org_id, people, tasks)
    publication = bot.services.publication
    weeks = []
    for n, week in enumerate(("2026-W49", "2026-W50", "2026-W51")):
        clock.now = MONDAY.replace(day=30).replace(hour=9) if n == 0 else datetime(2026, 12, 7 * n, 9, tzinfo=UTC)
        await publication.publish(org_id, week)
        async with bot.db.session() as session:
            rota = (await session.execute(select(Rota).where(Rota.week == week))).scalar_one()
            pieces = [
                PastPiece(week, a.task_id, a.member_id, a.hours)
                for a in (await session.execute(select(Assignment).where(Assignment.rota_id == rota.id))).scalars()
            ]
        weeks.append(pieces)
    solver_tasks = [Task(f"t{i}", h, desirability=d, empowerment=e) for i, (_, h, d, e) in enumerate(tasks)]
    ids = {name: i for i, (name, *_rest) in enumerate(tasks)}
    async with bot.db.session() as session:
        task_rows = {t.id: t.name for t in (await session.execute(select(TaskRow))).scalars()}
    members = [Member(f"m{i}", 10) for i in range(100)]

    def as_week(label, pieces):
        from bot.domain.solver.model import Piece

        return Week(
            label,
            solver_tasks,
            [m for m in members if any(p.member_id == int(m.name[1:]) for p in pieces)],
            [Piece(f"t{ids[task_rows[p.task_id]]}", f"m{p.member_id}", p.hours) for p in pieces],
        )

    single = rotation([as_week("1", weeks[0])])
    three = rotation([as_week(str(i), w) for i, w in enumerate(weeks)])
    assert three.cumulative_spread_sum < single.cumulative_spread_sum
    assert three.longest_unpleasant_streak == 1
    report = json.loads((await rows(bot, Rota, Rota.week == "2026-W51"))[0].report)
    assert report["spread_sum"] >= 0


async def test_preview_publish_republish_rota_myjobs_notify(world: World, start_bot, db_url, fake) -> None:
    settings = bot_settings(fake, db_url, scheduler_enabled=False, solver_time_limit=1)
    bot, _clock = await start_at(start_bot, settings, MONDAY.replace(hour=10))
    org_id = await make_org(bot, world.a)
    ids = await fill(bot, org_id, [world.alice, world.bob, world.carol], BAKERY_TASKS)
    async with bot.db.transaction() as session:
        carol = (await session.execute(select(MemberRow).where(MemberRow.user_id == world.carol.id))).scalar_one()
        session.add(Qualification(member_id=carol.id, name="driver"))
    assert "not out yet" in await (await fake.invoke(world.a, world.alice, "myjobs")).text()
    async with bot.db.transaction() as session:  # what each task involves, shown wherever the task is
        for task in (await session.execute(select(TaskRow))).scalars():
            task.description = f"How to do {task.name.lower()}"
    gutters = await fake.invoke(world.a, world.mod_a, "mod task add", name="Gutters", hours=2, every_weeks=2)
    assert "every 2 weeks from 2026-W50" in await gutters.text()  # from next week: not in this week's rota
    listed = await (await fake.invoke(world.a, world.alice, "tasks")).text()
    assert "every 2 weeks, next in week 2026-W50" in listed and "How to do dishes" in listed
    assert "no published rota" in await (await fake.invoke(world.a, world.alice, "rota")).text()
    assert "DM each week" in await (await fake.invoke(world.a, world.alice, "notify", setting="on")).text()

    preview = await fake.invoke(world.a, world.mod_a, "mod rota preview")
    shown = await preview.text(timeout=30)
    assert "Preview of week 49, Mon 30 Nov – Sun 6 Dec: nothing is stored" in shown and await preview.is_ephemeral()
    assert await rows(bot, Rota) == [] and rota_messages(world, world.a) == []
    again = await fake.invoke(world.a, world.mod_a, "mod rota preview")  # a second full solve at once: no
    said = await again.text()
    assert "one every 60 s per moderator. Try again in" in said and await again.is_ephemeral()
    assert "Preview of" not in said
    bad = await fake.invoke(world.a, world.mod_a, "mod rota publish", week="last week")
    assert "`2026-W49`" in await bad.text() and await bad.is_ephemeral()
    assert "is over" in await (await fake.invoke(world.a, world.mod_a, "mod rota publish", week="48")).text()

    asked = await fake.invoke(world.a, world.mod_a, "mod rota publish")  # names the week, posts nothing yet
    question = await asked.wait_reply()
    assert "Publish the rota for **week 49, Mon 30 Nov – Sun 6 Dec** now?" in question["content"]
    assert await rows(bot, Rota) == [] and rota_messages(world, world.a) == []
    go = next(b["custom_id"] for b in message_buttons(question) if b["label"] == "Publish")
    await fake.click(world.a, world.mod_a, question, go)
    await fake.wait_until(lambda: "Published" in (question.get("content") or ""), timeout=30, what="publish")
    assert "Published the rota for **week 49, Mon 30 Nov – Sun 6 Dec**. It is " in question["content"]
    assert "balanced" in question["content"] and "spread" not in question["content"]
    assert len(rota_messages(world, world.a)) == 1
    post = message_text(rota_messages(world, world.a)[0])
    assert "of their fair share" in post and "What the tasks involve" in post and "Gutters" not in post
    [dm] = [m["content"] for m in fake.dm_messages(world.alice) if "Your jobs in" in m["content"]]
    assert "your fair share is" in dm and "Unpleasant work:" in dm and "How to do" in dm
    assert not fake.dm_messages(world.bob)

    again = await fake.invoke(world.a, world.mod_a, "mod rota publish", week="2026-W49")
    message = await again.wait_reply()
    assert "**week 49, Mon 30 Nov – Sun 6 Dec** was published" in message["content"]
    confirm = next(b["custom_id"] for b in message_buttons(message) if b["label"].startswith("Re-publish"))
    await (await fake.invoke(world.a, world.mod_a, "rota")).wait_reply()
    click = await fake.click(world.a, world.mod_a, message, confirm)
    await fake.wait_until(lambda: "Re-published" in (message.get("content") or ""), timeout=30, what="re-publish")
    assert len(rota_messages(world, world.a)) == 1  # replaced, not added
    assert click.response_type == 7
    assert len(await rows(bot, Rota)) == 1

    text = await (await fake.invoke(world.a, world.alice, "rota")).text()
    assert "rota for week 2026-W49" in text
    assert (
        "no published rota for week 2026-W40"
        in await (await fake.invoke(world.a, world.alice, "rota", week="2026-W40")).text()
    )
    assert "ISO week" in await (await fake.invoke(world.a, world.alice, "rota", week="last week")).text()
    asked = await fake.invoke(world.a, world.alice, "myjobs")
    jobs = await asked.text(timeout=30)
    assert "Your jobs, week 2026-W49" in jobs and "of your 10 h; your fair share is" in jobs
    assert "Unpleasant work:" in jobs and "Empowering work:" in jobs and "*How to do" in jobs
    [chart] = (await asked.wait_reply())["attachments"]  # the week's chart with Alice's row marked
    assert chart["filename"] == "you.png" and fake.attachment_bytes(chart).startswith(b"\x89PNG")
    soon = await fake.invoke(world.a, world.alice, "myjobs")  # the jobs again, not the chart so soon
    shown = await soon.wait_reply(timeout=30)
    assert "Your chart again in" in shown["content"] and "Your jobs, week 2026-W49" in message_text(shown)
    assert shown["attachments"] == [] and await soon.is_ephemeral()
    assert ids


async def test_a_large_organization_post_stays_within_discords_limits(world: World, fake, start_bot, db_url) -> None:
    guild = fake.add_guild("Huge Co-op")
    people = [fake.add_user(f"member-with-a-long-name-{i:03d}") for i in range(120)]
    for person in people:
        fake.add_member(guild, person)
    settings = bot_settings(fake, db_url, scheduler_enabled=False, solver_time_limit=2)
    bot, _ = await start_at(start_bot, settings, MONDAY.replace(hour=10))
    org_id = await make_org(bot, guild)
    await fill(
        bot,
        org_id,
        people,
        [(f"Quite a long task name number {i}", 2 + i % 5, 1 + i % 10, 1 + (i * 3) % 10) for i in range(240)],
    )
    result = await bot.services.publication.publish(org_id, "2026-W49")
    assert result.posted == 1
    [post] = rota_messages(world, guild)
    assert "more members: see the attached CSV" in message_text(post)
    assert not fake.rejected
    # Everyone with work is mentioned, once, across as many messages as the mentions need.
    held = {a.member_id for a in await rows(bot, Assignment)}
    holders = {m.user_id for m in await rows(bot, MemberRow) if m.id in held}
    messages = fake.channel_messages(guild.channel("rota"))
    assert len(messages) >= 2 and all(len(m["content"]) <= 2000 for m in messages)
    notified = [user for m in messages for user in pinged(m)["users"]]
    assert sorted(notified) == sorted(holders) and len(holders) > 100
    assert not any(pinged(m)["roles"] or pinged(m)["everyone"] for m in messages)


async def test_an_unsolvable_task_list_gets_a_clear_message(world: World, fake, start_bot, db_url) -> None:
    settings = bot_settings(fake, db_url, scheduler_enabled=False, solver_time_limit=1)
    bot, _ = await start_at(start_bot, settings, MONDAY.replace(hour=10))
    org_id = await make_org(bot, world.a)
    await fill(bot, org_id, [world.alice, world.bob], [("Dishes", 2, 2, 1)])
    async with bot.db.transaction() as session:
        session.add(TaskRow(organization_id=org_id, name="Fly the plane", hours=2, qualification="pilot"))
    text = await publish_by_hand(fake, world.a, world.mod_a)
    assert "I can't build the rota" in text and "'Fly the plane' needs qualification 'pilot'" in text
    assert "/mod member qualify" in text
    assert await rows(bot, Rota) == [] and rota_messages(world, world.a) == []
