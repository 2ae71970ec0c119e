"""The organization's shift granularity: the setting, the tasks it refuses, and the solves that use it
(the weekly rota, the preview, the merge's dry run and the merged organization)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from sqlmodel import select

from bot.app import organizations, tasks
from bot.app.merges import MergeVotes
from bot.app.outbox import Dispatcher
from bot.app.publication import Publication
from bot.domain.errors import BadInput
from bot.domain.organizations import TaskFields
from bot.domain.rota import solve_week
from storage import orgs
from storage.db import Database
from storage.models import Assignment, AuditEntry, MemberRow, Organization, TaskRow
from tests.app.conftest import GUILD, make_org
from tests.app.fakes import Clock, FakeJobs, FakeRotaEffects, FakeVoteEffects, InlineRunner

MOD = 9000
WEEK = "2026-W49"


async def org_row(db: Database, guild_id: int = GUILD) -> Organization:
    async with db.session() as session:
        org = await orgs.org_for_guild(session, guild_id)
    assert org is not None
    return org


async def audit(db: Database) -> list[str]:
    async with db.session() as session:
        return [f"{e.action} {e.detail}" for e in (await session.execute(select(AuditEntry))).scalars()]


async def test_the_granularity_setting_is_checked_audited_and_shown(db) -> None:
    await make_org(db, ["ana"], [])
    assert (await org_row(db)).granularity == 0.25  # the default: a quarter hour
    shown = await organizations.change_settings(db, GUILD, MOD, granularity=0.5)
    assert shown.changed and shown.org.granularity == 0.5
    assert await audit(db) == ["org.settings granularity=0.5"]
    assert [e.action for e in shown.recent] == ["org.settings"]

    for bad in (0.333, 0.01, 5, "a quarter"):
        with pytest.raises(BadInput, match=r"The granularity must be (between|a number)"):
            await organizations.change_settings(db, GUILD, MOD, granularity=bad, quorum=70)
    org = await org_row(db)
    assert (org.granularity, org.quorum_pct) == (0.5, 50)  # nothing changed, not even the quorum
    assert len(await audit(db)) == 1


async def test_a_granularity_a_splittable_task_does_not_fit_is_refused_naming_it(db) -> None:
    await make_org(db, ["ana"], [])
    await tasks.add_task(db, GUILD, MOD, TaskFields("Garden", 2.25, splittable=True, min_shift=1))
    await tasks.add_task(db, GUILD, MOD, TaskFields("Night watch", 7.5))  # one piece: fits any step
    with pytest.raises(BadInput) as refused:
        await organizations.change_settings(db, GUILD, MOD, granularity=0.5, default_hours=4)
    assert "does not fit 1 splittable task(s): `Garden` (2.25 h)" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    org = await org_row(db)
    assert (org.granularity, org.default_hours) == (0.25, 10)
    # Once the task fits (or is archived), the setting goes through.
    await tasks.edit_task(db, GUILD, MOD, "Garden", tasks.TaskEdit(hours=2.5))
    assert (await organizations.change_settings(db, GUILD, MOD, granularity=0.5)).org.granularity == 0.5
    await tasks.remove_task(db, GUILD, MOD, "Garden")
    assert (await organizations.change_settings(db, GUILD, MOD, granularity=4)).org.granularity == 4


async def test_tasks_off_the_grid_are_refused_on_add_edit_and_import(db) -> None:
    await make_org(db, ["ana"], [])
    await organizations.change_settings(db, GUILD, MOD, granularity=0.5)
    with pytest.raises(
        BadInput, match=r"`Dishes` is splittable into steps of 0\.5 h .* make its hours a multiple of 0\.5"
    ):
        await tasks.add_task(db, GUILD, MOD, TaskFields("Dishes", 1.25, splittable=True, min_shift=0.5))
    added = await tasks.add_task(db, GUILD, MOD, TaskFields("Dishes", 1.25))  # indivisible: one piece of 1.25 h
    assert tasks.describe(added.task) == "1.25 h"
    with pytest.raises(BadInput, match="make it not splittable"):
        await tasks.edit_task(db, GUILD, MOD, "Dishes", tasks.TaskEdit(splittable=True, min_shift=0.5))
    edited = await tasks.edit_task(db, GUILD, MOD, "Dishes", tasks.TaskEdit(hours=1.5, splittable=True, min_shift=0.5))
    assert tasks.describe(edited.task) == "1.5 h, splittable into shifts of ≥ 0.5 h"
    with pytest.raises(BadInput, match=r"multiple of 0\.5"):
        await tasks.edit_task(db, GUILD, MOD, "Dishes", tasks.TaskEdit(hours=1.75))

    csv = "task,hours,slots,splittable,min_shift\nBaking,4,1,true,1\nSweeping,0.75,1,true,0.25\n"
    with pytest.raises(BadInput) as refused:
        await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", csv)
    message = str(refused.value)
    assert "Nothing was imported" in message and "line 3" in message and "`Sweeping`" in message
    assert "multiple of 0.5 (e.g. 0.5 or 1)" in message
    async with db.session() as session:
        names = set((await session.execute(select(TaskRow.name))).scalars())
    assert names == {"Dishes"}
    assert (await tasks.import_tasks(db, GUILD, MOD, "tasks.csv", csv.replace("0.75", "1"))).summary() == "2 added"


def exact(hours: float) -> Fraction:
    return Fraction(str(hours))


async def test_the_rota_and_the_preview_are_cut_at_the_organizations_granularity(db, publication: Publication) -> None:
    org = await make_org(db, ["ana", "ben", "cleo"], [("Dishes", 4.5, 2, 1), ("Baking", 6, 7, 6)])
    async with db.transaction() as session:
        for task in (await session.execute(select(TaskRow))).scalars():
            task.splittable, task.min_shift = True, 0.5
    await organizations.change_settings(db, GUILD, MOD, granularity=1.5)
    published = await publication.publish(org.id, WEEK)
    async with db.session() as session:
        pieces = list(
            (await session.execute(select(Assignment).where(Assignment.rota_id == published.rota.id))).scalars()
        )
    preview = await publication.preview(GUILD)
    for held in (pieces, [h.assignment for h in preview.held]):
        total: dict[int, Fraction] = defaultdict(Fraction)
        for piece in held:
            assert exact(piece.hours) % Fraction(3, 2) == 0, piece  # whole steps of 1.5 h, above the 0.5 h min_shift
            total[piece.task_id] += exact(piece.hours)
        assert total == {org.tasks["Dishes"]: Fraction(9, 2), org.tasks["Baking"]: 6}


async def test_a_task_that_does_not_fit_is_named_when_the_week_is_solved(db, publication: Publication) -> None:
    org = await make_org(db, ["ana", "ben"], [("Dishes", 3, 2, 1)])
    async with db.transaction() as session:  # written before the rule existed, bypassing the checks
        session.add(TaskRow(organization_id=org.id, name="Legacy", hours=1.1, splittable=True, min_shift=0.5))
    with pytest.raises(BadInput) as refused:
        await publication.publish(org.id, WEEK)
    message = str(refused.value)
    assert "I can't build the rota" in message and "'Legacy'" in message and "multiple of 0.25" in message


class RecordingRunner(InlineRunner):
    """Solves inline and remembers each solve's granularity."""

    def __init__(self) -> None:
        super().__init__()
        self.granularities: list[Decimal] = []

    async def run(self, function: Any, *args: Any, timeout: float = 300.0, owner: object = None) -> Any:
        if function is solve_week:
            self.granularities.append(args[6])
        return await super().run(function, *args, timeout=timeout)


async def no_schedule(_org_id: int) -> None:
    return None


async def test_the_merge_dry_run_and_the_merged_organization_use_the_step_both_sides_fit(db) -> None:
    A, B = 111, 333
    await make_org(db, ["ana", "ben"], [("Dishes", 3, 2, 1)], guild_id=A, code="AAAA2345")
    await make_org(db, ["dave"], [("Repairs", 2, 6, 8)], guild_id=B, code="BBBB2345", first_user=10)
    await organizations.change_settings(db, A, MOD, granularity=0.5)
    await organizations.change_settings(db, B, MOD, granularity=1)
    runner, clock = RecordingRunner(), Clock()
    outbox = Dispatcher(db, FakeRotaEffects(), FakeVoteEffects(), InlineRunner(), clock)
    votes = MergeVotes(db, outbox, runner, clock, jobs=FakeJobs(), schedule_changed=no_schedule)
    clock.now += timedelta(seconds=1)
    proposal = await votes.propose(A, 1, "BBBB2345", "Together", 1)
    # One solve of everyone (at the finer step), then each side alone at its own.
    assert runner.granularities == [Decimal("0.5"), Decimal("0.5"), Decimal(1)]
    for guild, user in ((A, 1), (A, 2), (B, 10)):
        await votes.vote(guild, user, proposal.id, "yes")
    clock.now += timedelta(hours=2)
    closed = await votes.close(proposal.id)
    assert closed is not None and closed.merged_name == "Together"
    async with db.session() as session:
        merged = (await session.execute(select(Organization).where(Organization.name == "Together"))).scalar_one()
        members = (await session.execute(select(MemberRow).where(MemberRow.organization_id == merged.id))).all()
    assert merged.granularity == 0.5 and len(members) == 3
