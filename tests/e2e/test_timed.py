"""Work at set times end to end: tasks' `when:`, members' availability, the week's shifts shown with
Discord timestamps, the one rule for taking a piece, calendars and the reminder before a shift."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import pytest
from sqlmodel import select

from bot.app.shift_reminders import timer_key as shift_timer
from bot.domain.holdings import inside, overlap
from bot.domain.solver.timed import parse_windows
from storage import orgs
from storage.models import Assignment, MemberRow, TaskRow
from tests.e2e.builders import Clock, create_org, publish_by_hand, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import FakeGuild, FakeUser, message_buttons

pytestmark = pytest.mark.slow


class Session:
    def __init__(self, world: World, bot) -> None:
        self.world, self.fake, self.bot = world, world.fake, bot

    async def say(self, guild: FakeGuild | None, user: FakeUser, command: str, **options) -> str:
        record = await self.fake.invoke(guild, user, command, **options)
        text = await record.text()
        assert await record.is_ephemeral(), f"/{command} answered publicly: {text}"
        return text

    async def reply(self, guild: FakeGuild | None, user: FakeUser, command: str, **options) -> dict:
        record = await self.fake.invoke(guild, user, command, **options)
        message = await record.wait_reply()
        assert await record.is_ephemeral(), f"/{command} answered publicly"
        return message

    async def rows(self, model, *where):
        async with self.bot.db.session() as session:
            return list((await session.execute(select(model).where(*where))).scalars())

    async def org(self, guild: FakeGuild):
        async with self.bot.db.session() as session:
            return await orgs.org_for_guild(session, guild.id)


@pytest.fixture
async def s(world: World, start_bot) -> Session:
    return Session(world, await start_bot())


async def test_tasks_at_set_times_are_added_shown_edited_exported_and_imported(s: Session) -> None:
    w = s.world
    await s.say(w.a, w.mod_a, "mod org setup", channel=w.a.channel("rota"), timezone="Europe/Berlin")
    text = await s.say(w.a, w.mod_a, "mod task add", name="Stall", hours=4, when="sat 09:00")
    assert "Added **Stall**" in text and "Saturdays 09:00–13:00" in text
    await s.say(w.a, w.mod_a, "mod task add", name="Phones", hours=2, when="mon-fri 14:00")
    await s.say(w.a, w.mod_a, "mod task add", name="Choir", hours=1.5, when="tue,thu 18:30")
    await s.say(w.a, w.mod_a, "mod task add", name="Bookkeeping", hours=2)
    refused = await s.say(w.a, w.mod_a, "mod task add", name="Bad", hours=2, when="someday 9")
    assert "I can't read `when:someday 9`" in refused and "`when:sat 09:00`" in refused
    assert [t.name for t in await s.rows(TaskRow, TaskRow.name == "Bad")] == []

    listing = await s.reply(w.a, w.alice, "tasks")
    fields = {f["name"]: f["value"] for f in listing["embeds"][0]["fields"]}
    assert "Saturdays 09:00–13:00" in fields["Stall"]
    assert "Mondays to Fridays 14:00–16:00" in fields["Phones"]
    assert "Tuesdays and Thursdays 18:30–20:00" in fields["Choir"]
    assert "any time in the week" in fields["Bookkeeping"]
    assert "Europe/Berlin" in listing["embeds"][0]["description"]

    text = await s.say(w.a, w.mod_a, "mod task edit", task="Choir", when="-")
    assert "Tuesdays" not in text
    (choir,) = await s.rows(TaskRow, TaskRow.name == "Choir")
    assert choir.day is None and choir.start is None
    await s.say(w.a, w.mod_a, "mod task edit", task="Choir", when="thu 19:00")

    exported = s.fake.attachment_bytes((await s.reply(w.a, w.mod_a, "mod task export"))["attachments"][0]).decode()
    rows = {r["task"]: r for r in csv.DictReader(io.StringIO(exported))}
    assert (rows["Stall"]["day"], rows["Stall"]["start"]) == ("sat", "09:00")
    assert (rows["Phones"]["day"], rows["Phones"]["start"]) == ("mon-fri", "14:00")
    assert (rows["Bookkeeping"]["day"], rows["Bookkeeping"]["start"]) == ("", "")
    again = await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", exported.encode()))
    assert "no changes" in again

    # A file with the columns sets the times; an older file without them leaves them as they are.
    moved = b"task,hours,day,start\nStall,4,sun,10:00\nBookkeeping,2,,\n"
    assert "1 updated" in await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", moved))
    older = b"task,hours,slots\nStall,5,1\n"
    assert "1 updated" in await s.say(w.a, w.mod_a, "mod task import", file=("tasks.csv", older))
    (stall,) = await s.rows(TaskRow, TaskRow.name == "Stall")
    assert (stall.day, stall.start, stall.hours) == ("sun", 600, 5)


async def test_availability_is_set_shown_refused_cleared_and_set_by_a_moderator(s: Session) -> None:
    w = s.world
    await s.say(w.a, w.mod_a, "mod org setup", channel=w.a.channel("rota"), timezone="Europe/Berlin")
    await s.say(w.a, w.alice, "join", hours=10)
    for bad in ("mon-fri 18-22", "someday", "mon 25:00-26:00"):
        text = await s.say(w.a, w.alice, "availability set", windows=bad)
        assert "I can't read those times" in text and "`windows:mon-fri 18:00-22:00; sat-sun`" in text, text
    (alice,) = await s.rows(MemberRow, MemberRow.user_id == w.alice.id)
    assert alice.windows is None  # nothing changed

    text = await s.say(w.a, w.alice, "availability set", windows="mon-fri 18:00-22:00; sat-sun")
    assert "**Mondays to Fridays 18:00–22:00; Saturdays and Sundays (all day)**" in text, text
    assert "Europe/Berlin" in text
    stamps = re.findall(r"<t:(\d+):f>–<t:(\d+):t>", text)
    assert len(stamps) == 6  # five evenings and the weekend as one stretch
    first_start, first_end = (datetime.fromtimestamp(int(x), UTC) for x in stamps[0])
    assert first_start.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %H:%M") == "Mon 18:00"
    assert first_end - first_start == timedelta(hours=4)
    (alice,) = await s.rows(MemberRow, MemberRow.user_id == w.alice.id)
    assert alice.windows == "mon-fri 18:00-22:00; sat,sun"
    assert "Mondays to Fridays 18:00–22:00" in await s.say(w.a, w.alice, "availability show")

    assert "any time" in await s.say(w.a, w.alice, "availability clear")
    (alice,) = await s.rows(MemberRow, MemberRow.user_id == w.alice.id)
    assert alice.windows is None

    text = await s.say(w.a, w.mod_a, "mod member availability", member=w.alice, windows="sat 08:00-14:00")
    assert f"<@{w.alice.id}>'s times" in text and "Saturdays 08:00–14:00" in text
    assert "not in the rota" in await s.say(w.a, w.bob, "availability set", windows="sat")


MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # week 2026-W49
FLEXIBLE = [("Dishes", 3, 2, 1), ("Baking", 3, 7, 6)]


WINDOWS = {"alice": "sat 08:00-14:00", "bob": "mon-fri 13:00-17:00", "carol": "sun"}


async def timed_world(world: World, start_bot, db_url: str, windows=WINDOWS, **settings):
    """Bakery (UTC) with a Saturday stall, weekday phones and flexible work; alice is free Saturday
    mornings, bob weekday afternoons, carol only on Sundays. Week 2026-W49 published."""
    clock = Clock(MONDAY)
    config = bot_settings(world.fake, db_url, solver_time_limit=1, **settings)
    bot = await start_bot(settings=config, before_start=lambda b: setattr(b, "clock", clock))
    s = Session(world, bot)
    org_id = await create_org(bot, world.a)
    await seed(bot, org_id, [world.alice, world.bob, world.carol], FLEXIBLE)
    await s.say(world.a, world.mod_a, "mod task add", name="Stall", hours=4, when="sat 09:00")
    await s.say(world.a, world.mod_a, "mod task add", name="Phones", hours=2, when="mon-fri 14:00")
    for user in (world.alice, world.bob, world.carol):
        assert "Saved" in await s.say(world.a, user, "availability set", windows=windows[user.name])
    await s.say(world.a, world.bob, "notify", setting="on", about="weekly jobs")
    await bot.services.publication.publish(org_id, "2026-W49")
    s.clock = clock
    return s, clock, org_id


def stamps(text: str) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromtimestamp(int(a), UTC), datetime.fromtimestamp(int(b), UTC))
        for a, b in re.findall(r"<t:(\d+):f>–<t:(\d+):t>", text)
    ]


async def test_the_week_shows_shifts_as_timestamps_within_windows_and_never_two_at_once(
    world: World, start_bot, db_url
) -> None:
    s, _, _ = await timed_world(world, start_bot, db_url)
    w = s.world
    post = await s.fake.wait_for_message(w.a.channel("rota"), lambda m: bool(m.get("embeds")), timeout=30)
    fields = {f["value"].split(">:")[0] + ">": f["value"] for e in post["embeds"] for f in e.get("fields", [])}
    bob_line = fields[f"<@{w.bob.id}>"]
    assert stamps(bob_line) == [
        (datetime(2026, 11, 30 + d, 14, tzinfo=UTC) if d == 0 else datetime(2026, 12, d, 14, tzinfo=UTC),
         (datetime(2026, 11, 30 + d, 16, tzinfo=UTC) if d == 0 else datetime(2026, 12, d, 16, tzinfo=UTC)))
        for d in range(5)
    ]  # fmt: skip
    assert stamps(fields[f"<@{w.alice.id}>"]) == [
        (datetime(2026, 12, 5, 9, tzinfo=UTC), datetime(2026, 12, 5, 13, tzinfo=UTC))
    ]
    assert "this week, any time: Baking (3 h), Dishes (3 h)" in fields[f"<@{w.carol.id}>"]

    held = await s.rows(Assignment)
    people = {m.id: m for m in await s.rows(MemberRow)}
    for piece in held:
        if piece.day is None:
            continue
        windows = parse_windows(people[piece.member_id].windows or "")
        span = (piece.day * 1440 + piece.start, piece.day * 1440 + piece.end)
        assert inside(windows, span), (people[piece.member_id].display_name, span)
        for other in held:
            if other.id != piece.id and other.member_id == piece.member_id and other.day is not None:
                assert not overlap(span, (other.day * 1440 + other.start, other.day * 1440 + other.end))

    jobs = await s.say(w.a, w.bob, "myjobs")
    times = stamps(jobs)
    assert len(times) == 5 and times == sorted(times)
    carol_jobs = await s.say(w.a, w.carol, "myjobs")  # only flexible work, in a week with shifts: as the post
    assert "**Baking**: 3 h, this week, any time" in carol_jobs and "**Dishes**: 3 h, this week, any time" in carol_jobs
    await s.fake.wait_until(lambda: any("Your jobs" in m["content"] for m in s.fake.dm_messages(w.bob)), 15)
    [weekly] = [m for m in s.fake.dm_messages(w.bob) if "Your jobs" in m["content"]]
    assert stamps(weekly["content"]) == times  # the weekly DM: the same shifts, in time order
    csv_file = next(a for a in post["attachments"] if a["filename"].endswith(".csv"))
    table = list(csv.DictReader(io.StringIO(s.fake.attachment_bytes(csv_file).decode())))
    assert {(r["task"], r["day"], r["start"], r["end"]) for r in table if r["task"] == "Stall"} == {
        ("Stall", "sat", "09:00", "13:00")
    }
    assert all(r["day"] == "" for r in table if r["task"] in ("Dishes", "Baking"))


async def test_a_swap_to_someone_unavailable_is_refused_naming_why(world: World, start_bot, db_url) -> None:
    s, _, _ = await timed_world(world, start_bot, db_url)
    w = s.world
    text = await s.say(w.a, w.alice, "swap", task="Stall", member=w.carol)
    why = "they are not available on Saturday 09:00–13:00 (UTC): their times are Sundays (all day)"
    assert f"<@{w.carol.id}> can't take **Stall**: {why}" in text
    text = await s.say(w.a, w.alice, "swap", task="Stall", member=w.bob)
    assert "can't take **Stall**" in text  # bob: weekday afternoons only (or his hours are full)
    (stall,) = [p for p in await s.rows(Assignment) if p.day == 5]
    assert stall.member_id == stall.assigned_member_id  # nothing changed


def events(content: bytes) -> dict[str, icalendar.Event]:
    """The calendar's events by summary (it must parse)."""
    parsed = icalendar.Calendar.from_ical(content)
    return {str(e["summary"]): e for e in parsed.walk("VEVENT")}


async def test_calendar_file_and_feed_show_the_shifts_and_a_reset_link_is_gone(world: World, start_bot, db_url) -> None:
    s, _, org_id = await timed_world(world, start_bot, db_url, web_port=0)
    w = s.world
    message = await s.reply(w.a, w.alice, "calendar show")
    [attachment] = message["attachments"]
    shown = events(s.fake.attachment_bytes(attachment))
    people = {m.id: m for m in await s.rows(MemberRow)}
    tasks = {t.id: t for t in await s.rows(TaskRow)}
    alices = [p for p in await s.rows(Assignment) if people[p.member_id].user_id == w.alice.id]
    expected = {
        tasks[p.task_id].name if p.day is not None else f"{tasks[p.task_id].name}, {p.hours:g} h this week"
        for p in alices
    }
    assert set(shown) == expected and "Stall" in shown
    stall = shown["Stall"]
    assert stall.decoded("dtstart") == datetime(2026, 12, 5, 9, tzinfo=ZoneInfo("UTC"))
    assert stall.decoded("dtend") - stall.decoded("dtstart") == timedelta(hours=4)
    for summary, event in shown.items():
        if summary != "Stall":  # flexible work: all day on the week's Monday
            assert event.decoded("dtstart") == date(2026, 11, 30)

    link = re.search(r"<(http://[^>]+/calendar/[A-Za-z0-9_-]+\.ics)>", message["content"]).group(1)
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
            assert set(events(await response.read())) == expected
        again = await s.say(w.a, w.alice, "calendar show")  # the link is shown once
        assert "/calendar/" not in again and "/calendar reset" in again

        text = await s.say(w.a, w.alice, "calendar reset")
        assert "old link no longer works" in text
        new_link = re.search(r"<(http://[^>]+\.ics)>", text).group(1)
        async with http.get(link) as response:
            assert response.status == 404
        async with http.get(new_link) as response:
            assert response.status == 200 and set(events(await response.read())) == expected
        async with http.get(link.rsplit("/", 1)[0] + "/" + "x" * 43 + ".ics") as response:
            assert response.status == 404  # never existed: the same answer

        # A moderator's organization-wide feed; the shifts keep their UIDs across a re-publication.
        refused = await s.say(w.a, w.alice, "calendar show", everyone=True)
        assert "Manage Server" in refused
        everyone = await s.reply(w.a, w.mod_a, "calendar show", everyone=True)
        org_link = re.search(r"<(http://[^>]+\.ics)>", everyone["content"]).group(1)

        async def timed_uids() -> set[str]:
            async with http.get(org_link) as response:
                parsed = icalendar.Calendar.from_ical(await response.read())
            return {str(e["uid"]) for e in parsed.walk("VEVENT") if isinstance(e.decoded("dtstart"), datetime)}

        before = await timed_uids()
        assert len(before) == 6  # the stall and five afternoons of phones
        await s.bot.services.publication.publish(org_id, "2026-W49", replace=True)
        assert await timed_uids() == before

        health_url = link.split("/calendar/")[0] + "/healthz"
        async with http.get(health_url) as response:
            body = await response.text()
            assert response.status in (200, 503) and "database: reachable, schema up to date" in body
            assert "gateway" in body


def shift_dms(fake, user, task: str) -> list[dict]:
    return [m for m in fake.dm_messages(user) if m["content"].startswith("⏰") and f"**{task}**" in m["content"]]


async def test_the_reminder_before_a_shift_comes_once_to_its_holder_not_after_a_swap_moved_it(
    world: World, start_bot, db_url
) -> None:
    windows = WINDOWS | {"carol": "sat 08:00-14:00; sun"}
    s, clock, _ = await timed_world(world, start_bot, db_url, windows, scheduler_enabled=True)
    w, fake, bot = s.world, s.fake, s.bot
    people = {m.id: m for m in await s.rows(MemberRow)}
    users = {u.id: u for u in (w.alice, w.bob, w.carol)}
    # Monday's phones start at 14:00: 12 h before was 02:00, so its reminder went out with the rota.
    await fake.wait_until(lambda: shift_dms(fake, w.bob, "Phones"), 15, "the reminder of Monday's phones")
    [monday] = shift_dms(fake, w.bob, "Phones")
    assert stamps(monday["content"]) == [
        (datetime(2026, 11, 30, 14, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))
    ]
    assert "/notify setting:off about:shifts" in monday["content"]

    (stall,) = [p for p in await s.rows(Assignment) if p.day == 5]
    holder = users[people[stall.member_id].user_id]
    other = w.carol if holder is w.alice else w.alice
    job = bot.services.scheduler.scheduler.get_job(shift_timer(stall.id))
    assert job is not None  # Friday 21:00, 12 h before the stall

    # The holder swaps the stall away before the reminder is due.
    offered = await fake.invoke(w.a, holder, "swap", task="Stall", member=other)
    message = await offered.wait_reply()
    accept = next(b["custom_id"] for b in message_buttons(message) if b["label"] == "Accept")
    await (await fake.click(w.a, other, message, accept)).wait_response()

    async def moved() -> bool:
        (piece,) = await s.rows(Assignment, Assignment.id == stall.id)
        return people[piece.member_id].user_id == other.id

    assert await moved()

    clock.now = datetime(2026, 12, 4, 21, 0, 30, tzinfo=UTC)
    bot.services.scheduler.fire_key_now(shift_timer(stall.id))
    await fake.wait_until(lambda: shift_dms(fake, other, "Stall"), 15, "the reminder of the stall")
    assert await bot.services.shift_reminders.fire(stall.id) is False  # fired again: still one DM
    bot = await start_bot(  # a restart before the shift: the timers come back, the DM does not
        settings=bot_settings(fake, db_url, solver_time_limit=1, scheduler_enabled=True),
        before_start=lambda b: setattr(b, "clock", clock),
    )
    assert await bot.services.shift_reminders.fire(stall.id) is False
    await bot.services.shift_reminders.fire_overdue(await bot.services.shift_reminders.rebuild())  # as at start
    await bot.services.outbox.deliver_due()  # whatever is pending goes out now: nothing more to the holders
    assert len(shift_dms(fake, other, "Stall")) == 1
    assert shift_dms(fake, holder, "Stall") == []  # swapped away: never told
    assert len(shift_dms(fake, w.bob, "Phones")) == 1  # and Monday's once, across the restart

    # Opted out: no reminder; a piece done: none either.
    assert "No more DMs before your shifts" in await s.say(w.a, w.bob, "notify", setting="off", about="shifts")
    (tuesday,) = [p for p in await s.rows(Assignment) if p.day == 1]
    clock.now = datetime(2026, 12, 1, 2, 0, 30, tzinfo=UTC)
    assert await bot.services.shift_reminders.fire(tuesday.id) is False


async def test_a_shift_nobody_is_free_for_is_refused_naming_the_task_and_the_people(
    world: World, start_bot, db_url
) -> None:
    windows = {"alice": "mon", "bob": "tue 09:00-12:00", "carol": "sun"}
    clock = Clock(MONDAY)
    bot = await start_bot(
        settings=bot_settings(world.fake, db_url, solver_time_limit=1),
        before_start=lambda b: setattr(b, "clock", clock),
    )
    s = Session(world, bot)
    org_id = await create_org(bot, world.a)
    await seed(bot, org_id, [world.alice, world.bob, world.carol], FLEXIBLE)
    await s.say(world.a, world.mod_a, "mod task add", name="Stall", hours=4, when="sat 09:00")
    for user in (world.alice, world.bob, world.carol):
        await s.say(world.a, user, "availability set", windows=windows[user.name])
    text = await publish_by_hand(world.fake, world.a, world.mod_a, week="this")
    assert "I can't build the rota" in text and "'Stall'" in text and "sat 09:00–13:00" in text
    assert "alice is available mon" in text and not re.search(r"'t\d+'|\bm\d+\b", text)
    assert "/mod member availability" in text


async def test_a_shift_given_back_is_offered_only_to_those_free_then_and_names_its_time(
    world: World, start_bot, db_url
) -> None:
    windows = WINDOWS | {"carol": "sat 08:00-14:00; sun"}
    s, _, _ = await timed_world(world, start_bot, db_url, windows)
    w, fake = s.world, s.fake
    people = {m.id: m for m in await s.rows(MemberRow)}
    (stall,) = [p for p in await s.rows(Assignment) if p.day == 5]
    holder = next(u for u in (w.alice, w.carol) if u.id == people[stall.member_id].user_id)
    other = w.carol if holder is w.alice else w.alice
    text = await s.say(w.a, holder, "giveback", task="Stall")
    assert "Stall" in text
    offer = await fake.wait_for_message(w.a.channel("rota"), lambda m: "gives it back" in (m.get("content") or ""))
    assert stamps(offer["content"]) == [(datetime(2026, 12, 5, 9, tzinfo=UTC), datetime(2026, 12, 5, 13, tzinfo=UTC))]
    assert f"<@{other.id}>" in offer["content"] and f"<@{w.bob.id}>" not in offer["content"]  # bob: weekdays only


async def test_the_reminder_before_shifts_is_a_setting_of_the_organization(s: Session) -> None:
    w = s.world
    await s.say(w.a, w.mod_a, "mod org setup", channel=w.a.channel("rota"))
    record = await s.fake.invoke(w.a, w.mod_a, "mod org settings")
    fields = {f["name"]: f["value"] for f in (await record.wait_reply())["embeds"][0]["fields"]}
    assert fields["Before each shift"] == "a DM 12 h before it starts"  # the default
    refused = await s.say(w.a, w.mod_a, "mod org settings", shift_reminders="soon")
    assert "give whole hours from 1 to 168 (e.g. 12), or `off`" in refused
    record = await s.fake.invoke(w.a, w.mod_a, "mod org settings", shift_reminders="off")
    fields = {f["name"]: f["value"] for f in (await record.wait_reply())["embeds"][0]["fields"]}
    assert fields["Before each shift"] == "no reminder (off)"
    assert (await s.org(w.a)).shift_reminder_hours is None
    await s.say(w.a, w.mod_a, "mod org settings", shift_reminders="24")
    assert (await s.org(w.a)).shift_reminder_hours == 24


async def test_the_mid_week_reminder_tells_shifts_still_to_come_from_those_over(s_timed) -> None:
    s, clock, org_id = s_timed
    w = s.world
    clock.now = datetime(2026, 12, 3, 18, 0, 30, tzinfo=UTC)  # Thursday 18:00: the reminder's default
    assert await s.bot.services.reminders.remind_due(org_id) == 3

    def reminder() -> list[dict]:
        return [m for m in s.fake.dm_messages(w.bob) if "still to do in" in m["content"]]

    await s.fake.wait_until(reminder, 15, "bob's mid-week reminder")
    ahead, over = reminder()[0]["content"].split("Over, but not marked done yet:")
    assert stamps(ahead) == [(datetime(2026, 12, 4, 14, tzinfo=UTC), datetime(2026, 12, 4, 16, tzinfo=UTC))]
    assert [start.day for start, _ in stamps(over)] == [30, 1, 2, 3]  # Monday to Thursday, in time order


@pytest.fixture
async def s_timed(world: World, start_bot, db_url):
    return await timed_world(world, start_bot, db_url)
