"""Organizations, members, tasks and ratings through their use cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import members, organizations, ratings, tasks
from bot.domain.errors import BadInput, NotSetUp
from bot.domain.organizations import TaskFields
from storage import orgs
from storage.db import Database

GUILD, MOD = 555, 9000
CSV = "task,hours,slots,qualification,splittable,min_shift\nDishes,2,1,,false,1\nDriving,3,2,driver,true,1\n"


async def new_org(db: Database) -> int:
    done = await organizations.set_up(
        db, GUILD, "Bakery", MOD, organizations.Schedule(channel_id=1, timezone="Europe/Berlin", day="wed", at="18:30")
    )
    assert done.created and done.org.name == "Bakery" and done.org.publish_day == 2
    return done.org.id


async def test_setup_then_update_and_settings_are_audited(db) -> None:
    with pytest.raises(NotSetUp):
        await organizations.org_info(db, GUILD)
    await new_org(db)
    again = await organizations.set_up(db, GUILD, "Bakery", MOD, organizations.Schedule(channel_id=2, name="Bread Co"))
    assert not again.created and again.org.name == "Bread Co" and again.org.timezone == "Europe/Berlin"
    info = await organizations.org_info(db, GUILD)
    assert info.channel_id == 2 and info.members == 0
    with pytest.raises(BadInput, match="percentage"):
        await organizations.change_settings(db, GUILD, MOD, quorum=0)
    shown = await organizations.change_settings(db, GUILD, MOD, quorum=60, default_hours=8)
    assert shown.changed and shown.org.quorum_pct == 60 and shown.org.default_hours == 8
    assert [e.action for e in shown.recent] == ["org.settings", "org.update", "org.create"]


async def test_a_schedule_takes_effect_when_it_is_set_and_a_rename_keeps_it(db) -> None:
    created_at = datetime(2026, 11, 30, 14, tzinfo=UTC)
    schedule = organizations.Schedule(channel_id=1, day="sun", at="14:00")
    done = await organizations.set_up(db, GUILD, "Bakery", MOD, schedule, created_at)
    assert done.org.schedule_since == created_at
    renamed = await organizations.set_up(
        db, GUILD, "Bakery", MOD, organizations.Schedule(channel_id=1, name="Bread Co"), created_at + timedelta(days=1)
    )
    assert renamed.org.schedule_since == created_at  # same schedule: its past runs stay its own
    moved_at = created_at + timedelta(days=2)
    moved = await organizations.set_up(
        db, GUILD, "Bakery", MOD, organizations.Schedule(channel_id=1, day="mon"), moved_at
    )
    assert moved.org.schedule_since == moved_at
    async with db.session() as session:
        [schedule_now] = await orgs.schedules(session)
    assert schedule_now.since == moved_at


async def test_members_join_leave_and_moderators_change_them(db) -> None:
    await new_org(db)
    joined = await members.join(db, GUILD, 1, "ana", None)
    assert (joined.org_name, joined.hours) == ("Bakery", 10)
    with pytest.raises(BadInput, match="already in the rota"):
        await members.join(db, GUILD, 1, "ana", 5)
    assert await members.set_hours(db, GUILD, 1, 12) == 12
    with pytest.raises(BadInput, match="at most 168"):
        await members.set_hours(db, GUILD, 1, 200)
    assert await members.add_away(db, GUILD, 1, "2026-12-24", "2026-12-26", date(2026, 12, 1)) == (
        date(2026, 12, 24),
        date(2026, 12, 26),
    )
    assert await members.qualify(db, GUILD, MOD, 1, " Driver ") == "driver"
    with pytest.raises(BadInput, match="already has `driver`"):
        await members.qualify(db, GUILD, MOD, 1, "driver")
    with pytest.raises(BadInput, match=r"they have: driver"):
        await members.unqualify(db, GUILD, MOD, 1, "pilot")
    with pytest.raises(BadInput, match="<@2> is not in the rota"):
        await members.set_member_hours(db, GUILD, MOD, 2, 5)
    assert await members.leave(db, GUILD, 1) == "Bakery"
    assert (await members.join(db, GUILD, 1, "ana", 4)).hours == 4  # back, with history kept


async def test_tasks_add_edit_remove_restore_and_rate(db) -> None:
    await new_org(db)
    await members.join(db, GUILD, 1, "ana", None)
    added = await tasks.add_task(db, GUILD, MOD, TaskFields("Dishes", 2, slots=2))
    assert not added.restored and tasks.describe(added.task) == "2 h × 2 people"
    with pytest.raises(BadInput, match="already a task called"):
        await tasks.add_task(db, GUILD, MOD, TaskFields("dishes", 1))
    edited = await tasks.edit_task(db, GUILD, MOD, "dishes", tasks.TaskEdit(hours=3, qualification="hygiene"))
    assert (edited.task.hours, edited.task.qualification, edited.task.slots) == (3, "hygiene", 2)
    cleared = await tasks.edit_task(db, GUILD, MOD, "Dishes", tasks.TaskEdit(qualification="-"))
    assert cleared.task.qualification is None

    saved = await ratings.rate(db, GUILD, 1, "Dishes", 2, 3)
    assert not saved.replaced and (await ratings.rate(db, GUILD, 1, "dishes", 3, 3)).replaced
    listed = await tasks.task_list(db, GUILD, 1)
    [item] = listed.tasks
    assert item.own is not None and item.own.desirability == 3 and item.social.flagged  # one rating only
    assert await ratings.unrated(db, GUILD, 1) == []

    await tasks.remove_task(db, GUILD, MOD, "Dishes")
    with pytest.raises(BadInput, match="was removed"):
        await ratings.rate(db, GUILD, 1, "Dishes", 5, 5)
    assert await tasks.task_names(db, GUILD, "dis") == []
    assert (await tasks.add_task(db, GUILD, MOD, TaskFields("Dishes", 1))).restored
    async with db.session() as session:
        org = await orgs.org_for_guild(session, GUILD)
        assert org is not None
        actions = [e.action for e in await orgs.recent_audit(session, org.id)]
    assert actions[:3] == ["task.restore", "task.remove", "task.edit"]


async def test_an_import_is_all_rows_or_none(db) -> None:
    await new_org(db)
    with pytest.raises(BadInput, match="Nothing was imported"):
        await tasks.import_tasks(db, GUILD, MOD, "bad.csv", CSV + "Cooking,-1,1,,false,1\n")
    assert await tasks.export_tasks(db, GUILD) == []
    imported = await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", CSV)
    assert imported.summary() == "2 added"
    again = await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", CSV)
    assert again.summary() == "no changes"  # the same file again changes nothing, and says so
    changed = await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", CSV.replace("Dishes,2", "Dishes,2.5"))
    assert changed.summary() == "1 updated (1 unchanged)"
    exported = {task.name: (task.slots, task.qualification) for task, _ in await tasks.export_tasks(db, GUILD)}
    assert exported == {"Dishes": (1, None), "Driving": (2, "driver")}


async def test_an_import_reads_the_files_spreadsheets_save(db) -> None:
    await new_org(db)
    legacy = "task;hours;slots\nKüche putzen;1,5;1\n".encode("cp1252")  # European Excel: ; and 1,5
    assert (await tasks.import_tasks(db, GUILD, MOD, "aufgaben.csv", legacy)).summary() == "1 added"
    with pytest.raises(BadInput, match=r"aufgaben\.xlsx.*save it as CSV"):
        await tasks.import_tasks(db, GUILD, MOD, "aufgaben.xlsx", b"PK\x03\x04workbook")
    [(task, _)] = await tasks.export_tasks(db, GUILD)
    assert (task.name, task.hours) == ("Küche putzen", 1.5)


async def test_goals(db) -> None:
    await new_org(db)
    assert await organizations.add_goal(db, GUILD, MOD, "  Bread   for all ") == "Bread for all"
    [goal] = await organizations.goals_here(db, GUILD)
    with pytest.raises(BadInput, match="can't find that goal"):
        await organizations.remove_goal(db, GUILD, MOD, "nope")
    assert await organizations.remove_goal(db, GUILD, MOD, str(goal.id)) == "Bread for all"
    assert await organizations.goals_here(db, None) == []
