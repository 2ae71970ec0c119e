"""End to end: one server's side leaves a three-server federation by vote; the hours ledger and the
public report through their commands (and the report rewritten after a publication)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from storage.models import MemberRow, Organization, Rota
from tests.e2e.builders import Clock, rows
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import message_buttons, message_text
from tests.e2e.test_merge import announcements, make_org, press, say

pytestmark = pytest.mark.slow


def leave_vote(world: World, guild) -> dict | None:
    found = [
        m
        for m in world.fake.channel_messages(guild.channel("rota"))
        if m.get("embeds") and "should" in (m["embeds"][0].get("title") or "")
    ]
    return found[-1] if found else None


async def test_one_server_leaves_a_federation_of_three_and_the_other_two_stay(world: World, start_bot, fake, db_url):
    w = world
    clock = Clock()
    bot = await start_bot(
        settings=bot_settings(fake, db_url, solver_time_limit=1), before_start=lambda b: setattr(b, "clock", clock)
    )
    await make_org(bot, w.a, [w.alice, w.bob, w.carol], [("Dishes", 3, 2, 1)], ["Bread for the neighbourhood"])
    b = await make_org(bot, w.b, [w.dave, w.carol], [("Repairs", 4, 6, 8)], ["Bikes for all"])
    c = fake.add_guild("Garden Club")
    gardener, gardens_mod = fake.add_user("gardener"), fake.add_user("gardens_mod")
    fake.add_member(c, gardener)
    fake.add_member(c, gardens_mod, "Moderator")
    await make_org(bot, c, [gardener], [("Weeding", 2, 3, 2)], ["Green city"])
    clock.now = datetime.now(UTC)
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Federation")
    for guild, users in ((w.a, (w.alice, w.bob, w.carol)), (w.b, (w.dave, w.carol))):
        for user in users:
            await say(w, guild, user, "vote", proposal=1, choice="yes")
    await w.fake.wait_until(lambda: announcements(w, w.a), timeout=30, what="the first merge")
    [federation] = await rows(bot, Organization, Organization.archived_at.is_(None), Organization.id != 3)
    await say(w, c, gardens_mod, "mod merge propose", code=federation.merge_code, name="Big Federation")
    for guild, user in ((c, gardener), (w.a, w.alice), (w.a, w.bob), (w.a, w.carol), (w.b, w.dave)):
        await say(w, guild, user, "vote", proposal=2, choice="yes")
    await w.fake.wait_until(lambda: announcements(w, c), timeout=30, what="the second merge")

    assert "is not a federation" not in (text := await say(w, w.b, w.mod_b, "mod merge leave", vote_hours=24))
    assert "Vote #3 is open among the 2 members who came from **Bike Co-op**" in text
    on_b = leave_vote(w, w.b)
    assert on_b is not None and leave_vote(w, w.a) is None and leave_vote(w, c) is None  # B's side votes
    shown = message_text(on_b)
    assert "should Bike Co-op leave Big Federation?" in shown and "Bikes for all" in shown and "4 h of tasks" in shown
    assert "50% of its 2 members must vote" in shown
    assert "only they decide" in await say(w, w.a, w.alice, "vote", proposal=3, choice="yes")
    assert "**yes**" in await press(w, w.b, w.dave, on_b, "yes")
    assert "**yes**" in await say(w, w.a, w.carol, "vote", proposal=3, choice="yes")  # in both: votes too
    for guild in (w.a, w.b, c):  # everyone voted: it closes early, and every server is told
        await w.fake.wait_until(
            lambda g=guild: any("on leaving is closed" in t for t in announcements(w, g)), timeout=30, what="the result"
        )
    result = next(t for t in announcements(w, c) if "on leaving" in t)
    assert "**Bike Co-op** has left **Big Federation**" in result and "2 yes, 0 no, 0 abstain of 2" in result
    await w.fake.wait_until(lambda: message_buttons(leave_vote(w, w.b)) == [], 30, "the buttons retired")
    assert "Bike Co-op" in await say(w, w.b, w.dave, "org")
    assert "**#3** Bike Co-op leaving Big Federation: **passed**" in await say(w, w.b, w.dave, "merge status")
    assert "Big Federation" in await say(w, w.a, w.alice, "org") and "Big Federation" in await say(
        w, c, gardener, "org"
    )
    [left] = await rows(bot, Organization, Organization.left_from_id.is_not(None))
    carol = {m.organization_id for m in await rows(bot, MemberRow, MemberRow.user_id == w.carol.id, MemberRow.active)}
    assert carol == {left.id, left.left_from_id}  # a member of both keeps both memberships
    assert "Repairs" in await say(w, w.b, w.dave, "tasks") and "Repairs" not in await say(w, w.a, w.alice, "tasks")


async def test_the_ledger_and_the_public_report_through_their_commands(world: World, start_bot, fake, db_url, tmp_path):
    w = world
    site = tmp_path / "site"
    bot = await start_bot(settings=bot_settings(fake, db_url, solver_time_limit=1, report_dir=site))
    await make_org(
        bot,
        w.a,
        [w.alice, w.bob, w.carol],
        [("Dishes", 3, 2, 1), ("Baking", 4, 7, 5), ("Sweeping", 3, 3, 2)],
        ["Bread"],
    )
    assert "**Bakery Collective**'s fairness report will be public" in await say(
        w, w.a, w.mod_a, "mod org publish-report", state="on"
    )
    assert "Your name will appear" in await say(w, w.a, w.alice, "report show-me", state="on")
    question = await (await w.fake.invoke(w.a, w.mod_a, "mod rota publish")).wait_reply()
    go = next(b["custom_id"] for b in message_buttons(question) if b["label"] == "Publish")
    await w.fake.click(w.a, w.mod_a, question, go)
    await w.fake.wait_until(lambda: "Published" in (question.get("content") or ""), timeout=30, what="publish")

    def written() -> str:  # turning it on wrote the page already (no week yet): wait for the week's
        pages = list(site.glob("*/index.html"))
        text = pages[0].read_text() if pages else ""
        return text if "The latest week" in text else ""

    await w.fake.wait_until(written, 30, "the report with the published week")
    page = next(site.glob("*/index.html"))
    html = written()
    assert "alice" in html and "bob" not in html and "carol" not in html and "Member B" in html

    [published] = await rows(bot, Rota)
    week = published.week
    assert "your own ledger" in await say(w, w.a, w.alice, "ledger", member=w.bob)
    assert "ISO week like 2026-W48" in await say(w, w.a, w.alice, "ledger", to="next week")
    text = await say(
        w, w.a, w.mod_a, "mod ledger correct", member=w.bob, week=week, hours=1.5, reason="=covered the late shift"
    )
    assert f"Corrected <@{w.bob.id}>'s ledger for {week} by +1.5 h" in text
    assert "ledger.correct" in await say(w, w.a, w.mod_a, "mod audit")
    mine = await say(w, w.a, w.bob, "ledger", **{"from": week, "to": week})
    assert "corrections: =covered the late shift (+1.5 h)" in mine and "count for pay" in mine
    assert "Saved" in await say(w, w.a, w.mod_a, "mod org settings", hourly_rate=20, currency="EUR")
    record = await w.fake.invoke(w.a, w.mod_a, "mod ledger export", **{"from": week, "to": week})
    message = await record.wait_reply(timeout=30)
    files = {a["filename"]: w.fake.attachment_bytes(a).decode() for a in message["attachments"]}
    pay = {r["member"]: r for r in csv.DictReader(io.StringIO(files[f"pay_{week}_{week}.csv"]))}
    assert pay["bob"]["corrections"] == "1.5" and pay["bob"]["currency"] == "EUR"
    assert pay["bob"]["pay"] == "30.00"  # nothing marked done yet: the correction alone is paid
    weekly = list(csv.DictReader(io.StringIO(files[f"ledger_{week}_{week}.csv"])))
    assert any(r["reasons"] == "'=covered the late shift (+1.5 h)" for r in weekly)  # spreadsheet-safe

    assert "no longer published" in await say(w, w.a, w.mod_a, "mod org publish-report", state="off")
    await w.fake.wait_until(lambda: not page.exists(), 30, "the page taken down")
    assert "Bakery Collective" not in (site / "index.html").read_text()
