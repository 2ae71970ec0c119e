"""The week as members live it, through Discord: the post pings its holders (users only), its
buttons (My jobs, Done…, Can't do…) work after a restart, a task given back is claimed once, an
unclaimed one tells the moderators once, the mid-week reminder arrives once, and pings can be off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.app.claims import timer_key
from bot.runtime.scheduler import reminder_job_id
from storage.models import Assignment, MemberRow, TaskClaim
from tests.e2e.builders import Clock, create_org, rows, seed
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import message_buttons, pinged

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # week 2026-W49
TASKS = [("Dishes", 3, 2, 1), ("Baking", 3, 7, 6), ("Sweep", 2, 3, 2), ("Accounts", 2, 4, 8)]


@pytest.fixture
def scheduled(fake, db_url):
    return bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1)


async def start_at(start_bot, settings, now: datetime):
    clock = Clock(now)
    bot = await start_bot(settings=settings, before_start=lambda b: setattr(b, "clock", clock))
    return bot, clock


def channel_messages(world: World, predicate) -> list[dict]:
    return [m for m in world.fake.channel_messages(world.a.channel("rota")) if predicate(m)]


def button(message: dict, label: str) -> str:
    return next(b["custom_id"] for b in message_buttons(message) if b["label"] == label)


async def pick(world: World, user, record, choice: str | None = None) -> str:
    """Answer the select menu of an ephemeral reply (the first option unless told); the edited text."""
    reply = await record.wait_reply(timeout=10)
    [select_menu] = [c for row in reply["components"] for c in row["components"] if c["type"] == 3]
    value = choice or select_menu["options"][0]["value"]
    picked = await world.fake.select(world.a, user, reply, select_menu["custom_id"], [value])
    await picked.wait_response()
    await world.fake.wait_until(lambda: not (reply.get("content") or "").endswith("…"), timeout=15, what="the pick")
    return reply["content"]


async def holder_of(bot, task_id: int) -> int:
    async with bot.db.session() as session:
        piece = (await session.execute(select(Assignment).where(Assignment.task_id == task_id))).scalar_one()
        return (await session.get_one(MemberRow, piece.member_id)).user_id


async def test_the_post_pings_its_holders_and_a_task_given_back_is_claimed_once_across_a_restart(
    world: World, start_bot, scheduled
) -> None:
    fake, w = world.fake, world
    bot, _ = await start_at(start_bot, scheduled, MONDAY)
    org_id = await create_org(bot, w.a)
    ids = await seed(bot, org_id, [w.alice, w.bob, w.carol], TASKS)
    await bot.services.publication.publish(org_id, "2026-W49")
    [post] = channel_messages(w, lambda m: m.get("embeds"))
    holders = {await holder_of(bot, task_id) for task_id in ids.values()}
    assert "the rota for **week 49, Mon 30 Nov – Sun 6 Dec 2026** is out" in post["content"]
    assert pinged(post) == {"users": holders, "roles": set(), "everyone": False}
    assert [b["label"] for b in message_buttons(post)] == ["My jobs", "Done…", "Can't do…"]

    dishes = await holder_of(bot, ids["Dishes"])
    giver = next(u for u in (w.alice, w.bob, w.carol) if u.id == dishes)
    mine = await fake.click(w.a, giver, post, button(post, "My jobs"))
    assert "Your jobs, week 2026-W49" in await mine.text(timeout=10) and await mine.is_ephemeral()
    assert "Dishes" in await mine.text()

    # Can't do… → pick Dishes: it is offered, in the channel, to those who can take it.
    cant = await fake.click(w.a, giver, post, button(post, "Can't do…"))
    answer = await pick(w, giver, cant, "Dishes")
    assert "**Dishes** (3 h) is offered to the 2 member(s) who can take it" in answer
    [offer] = channel_messages(w, lambda m: "gives it back" in (m.get("content") or ""))
    others = {u.id for u in (w.alice, w.bob, w.carol)} - {giver.id}
    assert pinged(offer) == {"users": others, "roles": set(), "everyone": False}
    assert [b["label"] for b in message_buttons(offer)] == ["Claim"]

    # Restart: the post's buttons and the claim button still work.
    bot, _ = await start_at(start_bot, scheduled, MONDAY + timedelta(hours=1))
    own = await fake.click(w.a, giver, offer, button(offer, "Claim"))
    assert "someone else has to claim it" in await own.text(timeout=10) and await own.is_ephemeral()
    taker, late = [u for u in (w.alice, w.bob, w.carol) if u.id in others]
    took = await fake.click(w.a, taker, offer, button(offer, "Claim"))
    assert "**Dishes** (3 h) is yours in 2026-W49" in await took.text(timeout=10)
    await fake.wait_until(lambda: "took **Dishes**" in offer["content"], timeout=10, what="the offer closed")
    assert message_buttons(offer) == []
    assert late.id != taker.id
    refused = await fake.invoke(w.a, late, "giveback", task="Nonsense")
    assert "You hold no `Nonsense` this week" in await refused.text(timeout=10) and await refused.is_ephemeral()
    assert await holder_of(bot, ids["Dishes"]) == taker.id
    [claim] = await rows(bot, TaskClaim)
    assert claim.status == "taken"
    assert bot.services.scheduler.scheduler.get_job(timer_key(claim.id)) is None  # its deadline is gone

    # Done… after the restart: the taker marks it done; My jobs shows it.
    done = await fake.click(w.a, taker, post, button(post, "Done…"))
    assert "Marked **" in await pick(w, taker, done, "Dishes")
    assert "✓ done" in await (await fake.click(w.a, taker, post, button(post, "My jobs"))).text(timeout=10)

    # The swap's offerer hears the answer by DM.
    offered = await fake.invoke(w.a, taker, "swap", task="Dishes", member=giver)
    message = await offered.wait_reply()
    await (await fake.click(w.a, giver, message, button(message, "Decline"))).wait_response()
    await fake.wait_until(lambda: any("declined your offer" in m["content"] for m in fake.dm_messages(taker)), 10)

    # Pings off: a re-publication mentions nobody.
    assert "mentions nobody" in await (await fake.invoke(w.a, w.mod_a, "mod org settings", pings="off")).text()
    await bot.services.publication.publish(org_id, "2026-W49", replace=True)
    [again] = channel_messages(w, lambda m: m.get("embeds"))
    assert pinged(again) == {"users": set(), "roles": set(), "everyone": False}
    assert "<@" not in again["content"]


async def test_an_unclaimed_task_tells_the_moderator_role_once_even_across_restarts(
    world: World, start_bot, scheduled
) -> None:
    fake, w = world.fake, world
    bot, clock = await start_at(start_bot, scheduled, MONDAY)
    org_id = await create_org(bot, w.a)
    ids = await seed(bot, org_id, [w.alice, w.bob], TASKS[:2])
    role = w.a.role("Moderator")
    text = await (await fake.invoke(w.a, w.mod_a, "mod org settings", moderator_role=role, claim_hours=2)).text()
    assert f"<@&{role.id}> is told" in text and "open to claims for 2 h" in text
    await bot.services.publication.publish(org_id, "2026-W49")
    [post] = channel_messages(w, lambda m: m.get("embeds"))
    baking = await holder_of(bot, ids["Baking"])
    giver = next(u for u in (w.alice, w.bob) if u.id == baking)
    said = await pick(w, giver, await fake.click(w.a, giver, post, button(post, "Can't do…")), "Baking")
    assert "is posted for anyone" in said or "is offered" in said, said
    [claim] = await rows(bot, TaskClaim)
    assert claim.deadline == MONDAY + timedelta(hours=2)

    clock.now = MONDAY + timedelta(hours=1)  # checked before the deadline: nothing yet
    assert bot.services.scheduler.scheduler.get_job(timer_key(claim.id)) is not None
    assert not await bot.services.claims.expire(claim.id)
    assert channel_messages(w, lambda m: "Nobody claimed" in (m.get("content") or "")) == []

    # The bot is down over the deadline; it tells the moderators when it is back, once.
    for hour in (3, 4):
        bot, _ = await start_at(start_bot, scheduled, MONDAY + timedelta(hours=hour))
        await fake.wait_until(
            lambda: channel_messages(w, lambda m: "Nobody claimed" in (m.get("content") or "")), 15, "the notice"
        )
        await asyncio.sleep(0.3)
    [notice] = channel_messages(w, lambda m: "Nobody claimed" in (m.get("content") or ""))
    assert pinged(notice) == {"users": set(), "roles": {role.id}, "everyone": False}
    assert "**Baking**" in notice["content"]
    [offer] = channel_messages(w, lambda m: "This offer of **Baking**" in (m.get("content") or ""))
    assert message_buttons(offer) == [] and "nobody claimed it in time" in offer["content"]
    assert (await rows(bot, TaskClaim))[0].status == "expired"


async def test_the_mid_week_reminder_arrives_once_and_not_to_those_done_or_opted_out(
    world: World, start_bot, scheduled
) -> None:
    fake, w = world.fake, world
    bot, clock = await start_at(start_bot, scheduled, MONDAY)
    org_id = await create_org(bot, w.a)
    await seed(bot, org_id, [w.alice, w.bob, w.carol], TASKS)
    text = await (await fake.invoke(w.a, w.mod_a, "mod org settings", reminder_day="wed", reminder_time="19:30")).text()
    assert "Wednesday at 19:30 (UTC)" in text
    await bot.services.publication.publish(org_id, "2026-W49")
    assert (
        "No more mid-week reminders"
        in await (await fake.invoke(w.a, w.carol, "notify", setting="off", about="reminders")).text()
    )
    for task in [
        line.split("**")[1]
        for line in (await (await fake.invoke(w.a, w.bob, "myjobs")).text()).split("\n")
        if line.startswith("• **")
    ]:
        assert "Marked" in await (await fake.invoke(w.a, w.bob, "done", task=task)).text()

    scheduler = bot.services.scheduler
    job = scheduler.scheduler.get_job(reminder_job_id(org_id))
    assert job is not None and job.trigger.get_next_fire_time(None, MONDAY).astimezone(UTC) == datetime(
        2026, 12, 2, 19, 30, tzinfo=UTC
    )
    clock.now = datetime(2026, 12, 2, 19, 30, 30, tzinfo=UTC)
    for _ in range(2):  # fired twice: one DM
        scheduler.fire_key_now(reminder_job_id(org_id))
        await fake.wait_until(lambda: any("still to do" in m["content"] for m in fake.dm_messages(w.alice)), 15)
        await asyncio.sleep(0.3)
    [reminder] = [m for m in fake.dm_messages(w.alice) if "still to do" in m["content"]]
    assert "week 49, Mon 30 Nov – Sun 6 Dec" in reminder["content"] and "/notify" in reminder["content"]
    assert not [m for m in fake.dm_messages(w.bob) if "still to do" in m["content"]]  # all done
    assert not [m for m in fake.dm_messages(w.carol) if "still to do" in m["content"]]  # opted out
