"""What a modified client or a hostile name could do, refused or defused: option values outside what
Discord allows, and CSV cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pytest

from cogs.common import spreadsheet_safe
from storage.models import MemberRow
from tests.e2e.builders import create_org, rows, seed
from tests.e2e.conftest import World

pytestmark = pytest.mark.slow

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTabbed", "\rReturn", "Dishes"]


def test_a_cell_that_starts_like_a_formula_is_kept_as_text() -> None:
    assert [spreadsheet_safe(name) for name in HOSTILE] == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tTabbed",
        "'\rReturn",
        "Dishes",
    ]
    assert spreadsheet_safe(2.5) == "2.5" and spreadsheet_safe("a=b") == "a=b"


async def test_the_task_export_is_safe_to_open_in_a_spreadsheet(world: World, start_bot) -> None:
    bot = await start_bot()
    org_id = await create_org(bot, world.a)
    await seed(bot, org_id, [world.alice], [(name, 2, 5, 5) for name in HOSTILE])
    record = await world.fake.invoke(world.a, world.mod_a, "mod task export")
    message = await record.wait_reply()
    exported = world.fake.attachment_bytes(message["attachments"][0]).decode()
    names = sorted(r["task"] for r in csv.DictReader(io.StringIO(exported, newline="")))
    assert names == sorted(spreadsheet_safe(name) for name in HOSTILE)
    assert not [n for n in names if n.startswith(("=", "+", "-", "@", "\t", "\r"))]


async def test_option_values_discord_would_not_send_get_a_clear_refusal(world: World, start_bot) -> None:
    bot = await start_bot()
    org_id = await create_org(bot, world.a)
    await seed(bot, org_id, [world.alice], [("Dishes", 2, 5, 5)])

    async def say(user, command: str, **options) -> str:
        record = await world.fake.invoke(world.a, user, command, validate=False, **options)  # a modified client
        return await record.text(timeout=10)

    for count in (0, -1, 101):
        assert await say(world.mod_a, "mod audit", count=count) == "`count` must be from 1 to 100."
    assert "none yet" in await say(world.mod_a, "mod audit", count=1)  # in range: answered
    huge = await say(world.alice, "vote", proposal=2**63, choice="yes")
    assert huge == "`proposal` must be a whole number from -9007199254740992 to 9007199254740992."
    beyond = await say(world.mod_a, "mod audit", count=2**63)
    assert beyond == "`count` must be a whole number from 1 to 100."
    assert await say(world.alice, "notify", setting="yes please") == "`setting` must be one of `on`, `off`."
    [alice] = await rows(bot, MemberRow)
    assert not alice.notify  # refused, not taken as "off" (or anything else)
    assert "by DM each week" in await say(world.alice, "notify", setting="on")
