"""Tasks that are not weekly: in the rota, the balance and the rotation only in the weeks they happen."""

from __future__ import annotations

import pytest

from bot.app import tasks
from bot.app.publication import Publication
from bot.domain.errors import BadInput
from bot.domain.organizations import TaskFields
from bot.domain.rota import solver_inputs
from bot.domain.solver_ids import task_key
from storage import rotas
from tests.app.conftest import GUILD, make_org

WEEKLY = [("Dishes", 3, 3, 3), ("Cooking", 4, 7, 6)]
MOD = 99


async def held_tasks(db, publication: Publication, org_id: int, week: str) -> set[str]:
    published = await publication.publish(org_id, week)
    async with db.session() as session:
        return {h.task.name for h in await rotas.holdings(session, published.rota.id)}


async def test_a_task_every_two_weeks_is_in_alternate_rotas_and_its_past_still_counts(db, publication, clock) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], WEEKLY)
    when = tasks.When(every_weeks=2, first_week="2026-W49")
    added = await tasks.add_task(db, GUILD, MOD, TaskFields("Gutters", 2), when, clock)
    assert "every 2 weeks from 2026-W49" in tasks.describe(added.task)
    once = tasks.When(once_in_week="2026-W50")
    await tasks.add_task(db, GUILD, MOD, TaskFields("Summer party", 5), once, clock)

    weeks = {week: await held_tasks(db, publication, org.id, week) for week in ("2026-W49", "2026-W50", "2026-W51")}
    assert weeks == {
        "2026-W49": {"Dishes", "Cooking", "Gutters"},
        "2026-W50": {"Dishes", "Cooking", "Summer party"},
        "2026-W51": {"Dishes", "Cooking", "Gutters"},
    }
    async with db.session() as session:
        inputs = await rotas.week_inputs(session, org.id, "2026-W51")
    week = solver_inputs("2026-W51", inputs.tasks, inputs.members, inputs.history)
    assert task_key(added.task.id) in {t.name for t in week.tasks}
    # The weeks before are valued with every task, so W49's gutters and W50's party count in the debts.
    assert week.carry.ignored_rows == 0
    total = {key: round(load[0], 2) for key, load in week.carry.past_load.items()}
    assert sum(total.values()) == 3 + 4 + 2 + 3 + 4 + 5  # W49 and W50's hours, weekly or not

    listing = await tasks.task_list(db, GUILD, 1, clock)  # the clock is in week 2026-W49
    when_of = {item.task.name: item.when for item in listing.tasks}
    assert when_of == {
        "Cooking": "every week",
        "Dishes": "every week",
        "Gutters": "every 2 weeks, this week and next in week 2026-W51",
        "Summer party": "once, in week 2026-W50",
    }


async def test_an_export_with_the_when_columns_imports_back_unchanged_and_old_files_keep_it(db, clock) -> None:
    await make_org(db, ["ana"], WEEKLY)
    await tasks.add_task(db, GUILD, MOD, TaskFields("Gutters", 2), tasks.When(every_weeks=4), clock)
    csv = "task,hours,slots,qualification,splittable,min_shift,every_weeks,first_week\n"
    for task, _ in await tasks.export_tasks(db, GUILD):
        every, first = tasks.recurrence(task).csv_cells()
        csv += f"{task.name},{task.hours:g},{task.slots},,false,1,{every},{first}\n"
    assert "Gutters,2,1,,false,1,4,2026-W50" in csv  # from the week after the clock's
    assert (await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", csv)).summary() == "no changes"
    old = "task,hours\nGutters,2\n"  # a file from before the columns: when stays as it is
    assert (await tasks.import_tasks(db, GUILD, MOD, "old.csv", old)).summary() == "no changes"
    [gutters] = [t for t, _ in await tasks.export_tasks(db, GUILD) if t.name == "Gutters"]
    assert (gutters.every_weeks, gutters.first_week) == (4, "2026-W50")
    moved = "task,hours,every_weeks,first_week\nGutters,2,once,2026-W52\n"
    assert (await tasks.import_tasks(db, GUILD, MOD, "moved.csv", moved)).summary() == "1 updated"


async def test_editing_when_a_task_happens(db, clock) -> None:
    await make_org(db, ["ana"], WEEKLY)
    edit = tasks.edit_task
    moved = await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(when=tasks.When(once_in_week="2026-W51")), clock)
    assert (moved.task.every_weeks, moved.task.first_week) == (0, "2026-W51")
    every = await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(when=tasks.When(every_weeks=3)), clock)
    assert (every.task.every_weeks, every.task.first_week) == (3, "2026-W50")  # from next week
    later = await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(when=tasks.When(first_week="2027-W02")), clock)
    assert (later.task.every_weeks, later.task.first_week) == (3, "2027-W02")
    weekly = await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(when=tasks.When(every_weeks=1)), clock)
    assert (weekly.task.every_weeks, weekly.task.first_week) == (1, None)
    with pytest.raises(BadInput, match="`first_week` goes with `every_weeks`"):
        await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(when=tasks.When(first_week="2027-W02")), clock)
    unchanged = await edit(db, GUILD, MOD, "Dishes", tasks.TaskEdit(hours=4), clock)
    assert (unchanged.task.every_weeks, unchanged.task.hours) == (1, 4)
