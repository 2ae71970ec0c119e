"""`/tasks` and `/mod task …`: the organization's recurring work."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import organizations as rules
from bot.errors import BadInput
from bot.planner import TASK_COLUMNS, PlanInputError, parse_tasks
from bot.ratings import social_rating
from cogs.common import RATING_HELP, ModeratorGroup, RotaView, bot_of, clip, db, org_here, register
from storage import members as member_queries
from storage import orgs, ratings, tasks
from storage.models import TaskRow, utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.client import RotaBot

MAX_IMPORT_BYTES = 512 * 1024
PAGE_SIZE = 10
CLEAR = {"-", "none"}

task_group = ModeratorGroup(name="task", description="Manage the organization's tasks")


async def task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Active tasks whose name contains what was typed, anywhere in it."""
    if interaction.guild_id is None:
        return []
    async with db(interaction).session() as session:
        org = await orgs.org_for_guild(session, interaction.guild_id)
        found = await tasks.search_tasks(session, org.id, current.strip()) if org else []
    return [app_commands.Choice(name=t.name, value=t.name) for t in found]


async def require_task(session: AsyncSession, org_id: int, name: str) -> TaskRow:
    row = await tasks.task_named(session, org_id, name.strip())
    if row is None:
        raise BadInput(f"There is no task called `{clip(name, 100)}`. Pick one from the list as you type.")
    if row.archived_at is not None:
        raise BadInput(f"`{row.name}` was removed. A moderator can bring it back with `/mod task add`.")
    return row


def describe(task: TaskRow) -> str:
    parts = [f"{task.hours:g} h" + (f" × {task.slots} people" if task.slots > 1 else "")]
    if task.splittable:
        parts.append(f"splittable into shifts of ≥ {task.min_shift:g} h")
    if task.qualification:
        parts.append(f"needs {task.qualification}")
    if task.role_id:
        parts.append(f"role <@&{task.role_id}>")
    if task.origin:
        parts.append(f"from {task.origin}")
    return ", ".join(parts)


# -- /tasks -----------------------------------------------------------------------------------------


class TaskPages(RotaView):
    """Previous / next through the task list; only for the member who asked."""

    def __init__(self, bot: RotaBot, pages: list[discord.Embed], owner_id: int) -> None:
        super().__init__(bot, timeout=600)
        self.pages, self.owner_id, self.index = pages, owner_id, 0
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        self.index -= 1
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        self.index += 1
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)


@app_commands.command(name="tasks", description="The task list with social ratings and your own (private)")
@app_commands.guild_only()
async def tasks_command(interaction: discord.Interaction) -> None:
    async with db(interaction).session() as session:
        org = await org_here(session, interaction)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
        member = await member_queries.member_for(session, org.id, interaction.user.id)
        mine = await ratings.own_ratings(session, member.id) if member else {}
    if not rows:
        await interaction.response.send_message(
            "No tasks yet. A moderator can add them with `/mod task add` or `/mod task import`.",
            ephemeral=True,
        )
        return
    pages = []
    total = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    for start in range(0, len(rows), PAGE_SIZE):
        embed = discord.Embed(title=f"{org.name}: tasks", colour=discord.Colour.dark_green())
        embed.description = clip(f"Ratings are 1–10: {RATING_HELP}. Only totals are shown; your own is yours.", 4096)
        for task in rows[start : start + PAGE_SIZE]:
            social = social_rating(by_task.get(task.id, []))
            shown = (
                f"desirability **{social.desirability:g}**, empowerment **{social.empowerment:g}**"
                f" ({social.count} rating{'s' if social.count != 1 else ''})"
            )
            if social.flagged:
                shown = f"not enough ratings yet ({social.count}): counted as neutral 5.5"
            own = mine.get(task.id)
            yours = f"yours: {own.desirability}/{own.empowerment}" if own else "you have not rated it (`/rate`)"
            embed.add_field(
                name=clip(task.name, 256),
                value=clip(f"{describe(task)}\n{shown}\n{yours}", 1024),
                inline=False,
            )
        embed.set_footer(text=f"Page {start // PAGE_SIZE + 1} of {total} · {len(rows)} tasks")
        pages.append(embed)
    view = TaskPages(bot_of(interaction), pages, interaction.user.id) if len(pages) > 1 else discord.utils.MISSING
    await interaction.response.send_message(embed=pages[0], view=view, ephemeral=True)


# -- /mod task ----------------------------------------------------------------------------------------


def _text_or_clear(value: str | None, current: str | None) -> str | None:
    if value is None:
        return current
    return None if value.strip().lower() in CLEAR else value


@task_group.command(name="add", description="Add a weekly task")
@app_commands.describe(
    name="Short unique name, e.g. Clean kitchen",
    hours="Hours per week for each person doing it",
    slots="How many different people it needs (default 1)",
    splittable="Can it be split into shifts among several people? (default no)",
    min_shift="Shortest shift in hours when splittable (default 1)",
    qualification="A qualification needed to do it, e.g. driver",
    role="A Discord role the week's holders get, e.g. Facilitator",
    description="What the task involves",
)
async def task_add(
    interaction: discord.Interaction,
    name: app_commands.Range[str, 1, 100],
    hours: app_commands.Range[float, 0.25, 168.0],
    slots: app_commands.Range[int, 1, 100] = 1,
    splittable: bool = False,
    min_shift: app_commands.Range[float, 0.25, 168.0] = 1.0,
    qualification: app_commands.Range[str, 1, 50] | None = None,
    role: discord.Role | None = None,
    description: app_commands.Range[str, 1, 300] | None = None,
) -> None:
    fields = rules.check_task(
        rules.TaskFields(
            name, hours, slots, splittable, min_shift, qualification, role.id if role else None, description
        )
    )
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        existing = await tasks.task_named(session, org.id, fields.name)
        if existing is not None and existing.archived_at is None:
            raise BadInput(f"There is already a task called `{existing.name}`; change it with `/mod task edit`.")
        restored = existing is not None
        row = existing or TaskRow(organization_id=org.id, name=fields.name, hours=fields.hours)
        _apply(row, fields)
        row.archived_at = None
        session.add(row)
        orgs.audit(
            session,
            org.id,
            interaction.user.id,
            "task.restore" if restored else "task.add",
            f"{row.name}: {describe(row)}",
        )
    await interaction.response.send_message(
        f"{'Restored' if restored else 'Added'} **{row.name}**: {describe(row)}.", ephemeral=True
    )


def _apply(row: TaskRow, fields: rules.TaskFields) -> None:
    row.name, row.hours, row.slots = fields.name, fields.hours, fields.slots
    row.splittable, row.min_shift = fields.splittable, fields.min_shift
    row.qualification, row.role_id, row.description = fields.qualification, fields.role_id, fields.description


@task_group.command(name="edit", description="Change a task (only the options you give change)")
@app_commands.describe(
    task="The task to change",
    name="A new name",
    hours="Hours per week for each person doing it",
    slots="How many different people it needs",
    splittable="Can it be split into shifts among several people?",
    min_shift="Shortest shift in hours when splittable",
    qualification="A qualification needed to do it (- for none)",
    role="A Discord role the week's holders get",
    clear_role="Stop giving a role for this task",
    description="What the task involves (- for none)",
)
@app_commands.autocomplete(task=task_choices)
async def task_edit(
    interaction: discord.Interaction,
    task: str,
    name: app_commands.Range[str, 1, 100] | None = None,
    hours: app_commands.Range[float, 0.25, 168.0] | None = None,
    slots: app_commands.Range[int, 1, 100] | None = None,
    splittable: bool | None = None,
    min_shift: app_commands.Range[float, 0.25, 168.0] | None = None,
    qualification: app_commands.Range[str, 1, 50] | None = None,
    role: discord.Role | None = None,
    clear_role: bool = False,
    description: app_commands.Range[str, 1, 300] | None = None,
) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_task(session, org.id, task)
        before = describe(row)
        fields = rules.check_task(
            rules.TaskFields(
                name=row.name if name is None else name,
                hours=row.hours if hours is None else hours,
                slots=row.slots if slots is None else slots,
                splittable=row.splittable if splittable is None else splittable,
                min_shift=row.min_shift if min_shift is None else min_shift,
                qualification=_text_or_clear(qualification, row.qualification),
                role_id=None if clear_role else (role.id if role else row.role_id),
                description=_text_or_clear(description, row.description),
            )
        )
        if fields.name.lower() != row.name.lower():
            clash = await tasks.task_named(session, org.id, fields.name)
            if clash is not None:
                raise BadInput(f"Another task is already called `{clash.name}`.")
        old_name = row.name
        _apply(row, fields)
        orgs.audit(
            session,
            org.id,
            interaction.user.id,
            "task.edit",
            f"{old_name}: {before} -> {row.name}: {describe(row)}",
        )
    await interaction.response.send_message(f"Updated **{row.name}**: {describe(row)}.", ephemeral=True)


@task_group.command(name="remove", description="Remove a task from future rotas (history keeps it)")
@app_commands.describe(task="The task to remove")
@app_commands.autocomplete(task=task_choices)
async def task_remove(interaction: discord.Interaction, task: str) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_task(session, org.id, task)
        row.archived_at = utcnow()
        orgs.audit(session, org.id, interaction.user.id, "task.remove", row.name)
    await interaction.response.send_message(
        f"Removed **{row.name}** from future rotas. Past rotas keep it; `/mod task add` brings it back.",
        ephemeral=True,
    )


@task_group.command(name="import", description="Add or update tasks from a CSV file (all rows or none)")
@app_commands.describe(file="CSV with columns task,hours,slots,qualification,splittable,min_shift (as exported)")
async def task_import(interaction: discord.Interaction, file: discord.Attachment) -> None:
    if file.size > MAX_IMPORT_BYTES:
        raise BadInput(f"`{file.filename}` is {file.size // 1024} KB; the limit is {MAX_IMPORT_BYTES // 1024} KB.")
    await interaction.response.defer(ephemeral=True, thinking=True)
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"`{file.filename}` is not UTF-8 text. Save it as CSV (UTF-8) and try again.") from None
    try:
        parsed, rows = parse_tasks(text, source=file.filename)
        checked = []
        for task, row in zip(parsed, rows, strict=True):
            try:
                checked.append(
                    rules.check_task(
                        rules.TaskFields(
                            task.name,
                            task.hours,
                            task.slots,
                            task.splittable,
                            task.min_shift,
                            task.qualification,
                        )
                    )
                )
            except BadInput as error:
                raise row.fail(str(error)) from None
    except PlanInputError as error:
        raise BadInput(f"Nothing was imported. {error}") from None
    if not checked:
        raise BadInput(f"`{file.filename}` has no task rows. Nothing was imported.")
    counts = {"added": 0, "updated": 0, "restored": 0}
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        for fields in checked:
            row = await tasks.task_named(session, org.id, fields.name)
            if row is None:
                row = TaskRow(organization_id=org.id, name=fields.name, hours=fields.hours)
                counts["added"] += 1
            else:
                counts["restored" if row.archived_at else "updated"] += 1
                fields = replace(fields, role_id=row.role_id, description=row.description)
            _apply(row, fields)
            row.archived_at = None
            session.add(row)
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        orgs.audit(session, org.id, interaction.user.id, "task.import", f"{file.filename}: {summary}")
    await interaction.followup.send(
        f"Imported `{file.filename}`: {summary}. Ratings come from members (`/rate`), so the file's "
        "desirability and empowerment columns, if any, are not used.",
        ephemeral=True,
    )


@task_group.command(name="export", description="Download the task list as CSV (the planner's tasks.csv format)")
async def task_export(interaction: discord.Interaction) -> None:
    async with db(interaction).session() as session:
        org = await org_here(session, interaction)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TASK_COLUMNS)
    for task in rows:
        social = social_rating(by_task.get(task.id, []))
        writer.writerow(
            (
                task.name,
                f"{task.hours:g}",
                task.slots,
                task.qualification or "",
                "true" if task.splittable else "false",
                f"{task.min_shift:g}",
                f"{social.desirability:g}",
                f"{social.empowerment:g}",
            )
        )
    file = discord.File(io.BytesIO(out.getvalue().encode()), filename="tasks.csv")
    await interaction.response.send_message(
        f"{len(rows)} tasks. Desirability and empowerment are the social ratings (median of members' ratings).",
        file=file,
        ephemeral=True,
    )


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[tasks_command], moderator=[task_group])
