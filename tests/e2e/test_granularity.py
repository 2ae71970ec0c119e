"""A real-shaped organization set up through Discord, with its own shift granularity: the published
rota's pieces are whole steps and add up exactly (the same rule as the solver's tests)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from bot.domain.solver.family import organization, write_tasks
from storage.models import Organization
from tests.e2e.builders import Clock, publish_by_hand, rows
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import FakeGuild, FakeUser

pytestmark = pytest.mark.slow

MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # week 2026-W49
STEP = Fraction(1, 2)


async def say(world: World, guild: FakeGuild, user: FakeUser, command: str, **options) -> str:
    record = await world.fake.invoke(guild, user, command, **options)
    text = await record.text(timeout=30)
    assert await record.is_ephemeral(), f"/{command} answered publicly: {text}"
    return text


async def test_a_real_shaped_organization_gets_whole_steps_that_add_up_exactly(
    world: World, start_bot, fake, db_url, tmp_path: Path
) -> None:
    family = organization(12, 40, seed=2)
    people = [m for m in family.members if m.active]
    users = []
    for i, member in enumerate(people):
        user = fake.add_user(f"member{i:02d}")
        fake.add_member(world.a, user)
        users.append((user, member))
    clock = Clock(MONDAY)
    settings = bot_settings(fake, db_url, scheduler_enabled=False, solver_time_limit=1)
    bot = await start_bot(settings=settings, before_start=lambda started: setattr(started, "clock", clock))
    a, mod = world.a, world.mod_a

    assert "created" in await say(world, a, mod, "mod org setup", channel=a.channel("rota"))
    for user, member in users:
        await say(world, a, user, "join", hours=member.hours)
        for qualification in sorted(member.qualifications):
            await say(world, a, mod, "mod member qualify", member=user, qualification=qualification)
    write_tasks(tmp_path / "tasks.csv", family.tasks)
    text = await say(world, a, mod, "mod task import", file=("tasks.csv", (tmp_path / "tasks.csv").read_bytes()))
    assert f"{len(family.tasks)} added" in text

    # Whole hours would not fit the splittable tasks of x.5 hours: refused, naming them.
    off_grid = [t for t in family.tasks if t.splittable and Fraction(str(t.hours)) % 1]
    assert off_grid
    text = await say(world, a, mod, "mod org settings", granularity=1)
    assert f"does not fit {len(off_grid)} splittable task(s)" in text and f"`{off_grid[0].name}`" in text
    text = await say(world, a, mod, "mod org settings", granularity=0.5)
    assert "Saved" in text and "0.5 h: splittable tasks are cut into whole multiples of it" in text
    [org] = await rows(bot, Organization)
    assert org.granularity == 0.5

    assert "Published the rota for **week 49, Mon 30 Nov – Sun 6 Dec**" in await publish_by_hand(fake, a, mod)
    [post] = [m for m in fake.channel_messages(a.channel("rota")) if m.get("embeds")]
    files = {f["filename"]: fake.attachment_bytes(f) for f in post["attachments"]}
    table = list(csv.DictReader(io.StringIO(files["rota-2026-W49.csv"].decode())))
    assert table and set(table[0]) == {"task", "member", "hours", "week", "day", "start", "end"}

    tasks = {t.name: t for t in family.tasks}
    held: dict[str, list[Fraction]] = defaultdict(list)
    by_member: dict[str, Fraction] = defaultdict(Fraction)
    for row in table:
        hours = Fraction(row["hours"])  # exact decimal text: "1.5", never "1.4999"
        held[row["task"]].append(hours)
        by_member[row["member"]] += hours
    assert set(held) == set(tasks)
    for name, pieces in held.items():
        task = tasks[name]
        hours = Fraction(str(task.hours))
        assert sum(pieces) == hours * task.slots, name
        if task.splittable:
            for piece in pieces:
                assert piece % STEP == 0 and Fraction(str(task.min_shift)) <= piece <= hours, (name, piece)
        else:
            assert pieces == [hours] * task.slots, name
    # The post's per-member totals are the exact sums too.
    totals = {
        field["name"].rsplit(" — ", 1)[0]: Fraction(field["name"].rsplit(" — ", 1)[1].split(" h")[0])  # "30 h · fair"
        for embed in post["embeds"]
        for field in embed.get("fields", [])
        if " — " in field["name"]
    }
    assert totals == dict(by_member)
