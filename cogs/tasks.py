"""`/tasks` and `/mod task …`: the organization's recurring work."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app import tasks
from bot.app.tasks import describe
from bot.domain import organizations as rules
from bot.domain.errors import BadInput
from bot.domain.organizations import MAX_HOURS
from bot.domain.planner import TASK_COLUMNS, TASK_OPTIONAL_COLUMNS, TASK_TIME_COLUMNS
from bot.domain.solver.model import hours_text
from bot.domain.solver.timed import format_clock
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext, ngettext, render
from bot.i18n.formatting import number
from cogs.common import (
    RATING_HELP,
    ModeratorGroup,
    RotaView,
    answer_early,
    bot_of,
    clip,
    db,
    register,
    reply,
    spreadsheet_safe,
)
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot

MAX_IMPORT_BYTES = 512 * 1024
PAGE_SIZE = 10
Hours = app_commands.Range[float, 0.25, MAX_HOURS]

task_group = ModeratorGroup(name="task", description="Manage the organization's tasks")


async def task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Active tasks whose name contains what was typed, anywhere in it."""
    names = await tasks.task_names(db(interaction), interaction.guild_id, current)
    return [app_commands.Choice(name=n, value=n) for n in names]


# -- /tasks -----------------------------------------------------------------------------------------


class TaskPages(RotaView):
    """Previous / next through the task list; only for the member who asked."""

    def __init__(self, bot: RotaBot, pages: list[discord.Embed], owner_id: int, language: str) -> None:
        super().__init__(bot, timeout=600)
        self.pages, self.owner_id, self.index = pages, owner_id, 0
        self.previous.label = gettext(language, "Previous")
        self.next.label = gettext(language, "Next")
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _button: discord.ui.Button[TaskPages]) -> None:
        self.index -= 1
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _button: discord.ui.Button[TaskPages]) -> None:
        self.index += 1
        self._sync()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)


@app_commands.command(name="tasks", description="The task list with social ratings and your own (private)")
@app_commands.guild_only()
async def tasks_command(interaction: discord.Interaction) -> None:
    await answer_early(interaction)
    bot = bot_of(interaction)
    language = await answer_language_here(interaction)
    listing = await tasks.task_list(bot.db, interaction.guild_id, interaction.user.id, bot.now, language)
    org, rows = listing.org, listing.tasks
    if not rows:
        await reply(
            interaction,
            gettext(language, "No tasks yet. A moderator can add them with `/mod task add` or `/mod task import`."),
        )
        return
    pages = []
    total = (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE
    timed = any(i.task.day for i in rows)
    for start in range(0, len(rows), PAGE_SIZE):
        embed = discord.Embed(title=gettext(language, "{org}: tasks", org=org.name), colour=discord.Colour.dark_green())
        help_text = render(RATING_HELP, language)
        embed.description = clip(
            gettext(
                language,
                "Ratings are 1–10: {help}. Only totals are shown; your own is yours. Times are in the "
                "organization's timezone, {timezone}.",
                help=help_text,
                timezone=org.timezone,
            )
            if timed
            else gettext(
                language, "Ratings are 1–10: {help}. Only totals are shown; your own is yours.", help=help_text
            ),
            4096,
        )
        for item in rows[start : start + PAGE_SIZE]:
            task, social, own = item.task, item.social, item.own
            shown = ngettext(
                language,
                "desirability **{desirability}**, empowerment **{empowerment}** ({count} rating)",
                "desirability **{desirability}**, empowerment **{empowerment}** ({count} ratings)",
                social.count,
                count=social.count,
                desirability=_score(social.desirability, language),
                empowerment=_score(social.empowerment, language),
            )
            if social.flagged:
                shown = gettext(
                    language,
                    "not enough ratings yet ({count}): counted as neutral {neutral}",
                    count=social.count,
                    neutral=_score(5.5, language),
                )
            yours = (
                gettext(
                    language,
                    "yours: {desirability}/{empowerment}",
                    desirability=own.desirability,
                    empowerment=own.empowerment,
                )
                if own
                else gettext(language, "you have not rated it (`/rate`)")
            )
            about = f"\n*{task.description}*" if task.description else ""
            any_time = f", {item.at}" if timed and not task.day else ""
            described = describe(task, when=False, language=language)
            embed.add_field(
                name=clip(task.name, 256),
                value=clip(f"{described}, {when_text(item.when, language)}{any_time}{about}\n{shown}\n{yours}", 1024),
                inline=False,
            )
        footer = ngettext(
            language,
            "Page {page} of {pages} · {count} task",
            "Page {page} of {pages} · {count} tasks",
            len(rows),
            count=len(rows),
            page=start // PAGE_SIZE + 1,
            pages=total,
        )
        embed.set_footer(text=footer)
        pages.append(embed)
    view = (
        TaskPages(bot_of(interaction), pages, interaction.user.id, language)
        if len(pages) > 1
        else discord.utils.MISSING
    )
    await reply(interaction, embed=pages[0], view=view)


def _score(value: float, language: str) -> str:
    """A social rating as `/tasks` shows it: `5.5`, `7` (`5,5` in German)."""
    return f"{value:g}" if language == SOURCE_LANGUAGE else number(value, language)


def when_text(when: str, language: str = SOURCE_LANGUAGE) -> str:
    """How often, as `/tasks` shows it: weekly plainly, anything else in bold so it stands out."""
    return gettext(language, "weekly") if when == gettext(language, "every week") else f"**{when}**"


# -- /mod task ----------------------------------------------------------------------------------------


WHEN_HELP = {
    "every_weeks": "Every how many weeks it happens (default 1 = every week), e.g. 4 for monthly",
    "first_week": "With every_weeks: the first week it happens, e.g. 2026-W50 (default: next week)",
    "once_in_week": "A one-off: the only week it happens, e.g. 2026-W50",
    "when": "At a set time: days and start, e.g. sat 09:00, mon-fri 14:00, tue,thu 18:30 (- for any time)",
}
When = app_commands.Range[str, 1, 60]
EveryWeeks = app_commands.Range[int, 1, 52]
Week = app_commands.Range[str, 7, 10]


@task_group.command(name="add", description="Add a task (weekly, every few weeks, or once)")
@app_commands.describe(
    name="Short unique name, e.g. Clean kitchen",
    hours="Hours per week for each person doing it",
    slots="How many different people it needs (default 1)",
    splittable="Can it be split into shifts among several people? (default no)",
    min_shift="Shortest shift in hours when splittable (default 1)",
    qualification="A qualification needed to do it, e.g. driver",
    role="A Discord role the week's holders get, e.g. Facilitator",
    description="What the task involves",
    **WHEN_HELP,
)
async def task_add(
    interaction: discord.Interaction,
    name: app_commands.Range[str, 1, 100],
    hours: Hours,
    slots: app_commands.Range[int, 1, 100] = 1,
    splittable: bool = False,
    min_shift: Hours = 1.0,
    qualification: app_commands.Range[str, 1, 50] | None = None,
    role: discord.Role | None = None,
    description: app_commands.Range[str, 1, 300] | None = None,
    every_weeks: EveryWeeks | None = None,
    first_week: Week | None = None,
    once_in_week: Week | None = None,
    when: When | None = None,
) -> None:
    fields = rules.TaskFields(
        name, hours, slots, splittable, min_shift, qualification, role.id if role else None, description
    )
    often = tasks.When(every_weeks, first_week, once_in_week)
    bot = bot_of(interaction)
    added = await tasks.add_task(bot.db, interaction.guild_id, interaction.user.id, fields, often, bot.now, when)
    row = added.task
    language = await answer_language_here(interaction)
    facts = {"task": row.name, "details": describe(row, language=language)}
    text = (
        gettext(language, "Restored **{task}**: {details}.", **facts)
        if added.restored
        else gettext(language, "Added **{task}**: {details}.", **facts)
    )
    await interaction.response.send_message(text, ephemeral=True)


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
    **WHEN_HELP,
)
@app_commands.autocomplete(task=task_choices)
async def task_edit(
    interaction: discord.Interaction,
    task: str,
    name: app_commands.Range[str, 1, 100] | None = None,
    hours: Hours | None = None,
    slots: app_commands.Range[int, 1, 100] | None = None,
    splittable: bool | None = None,
    min_shift: Hours | None = None,
    qualification: app_commands.Range[str, 1, 50] | None = None,
    role: discord.Role | None = None,
    clear_role: bool = False,
    description: app_commands.Range[str, 1, 300] | None = None,
    every_weeks: EveryWeeks | None = None,
    first_week: Week | None = None,
    once_in_week: Week | None = None,
    when: When | None = None,
) -> None:
    edit = tasks.TaskEdit(
        name,
        hours,
        slots,
        splittable,
        min_shift,
        qualification,
        role.id if role else None,
        clear_role,
        description,
        tasks.When(every_weeks, first_week, once_in_week),
        when,
    )
    bot = bot_of(interaction)
    row = (await tasks.edit_task(bot.db, interaction.guild_id, interaction.user.id, task, edit, bot.now)).task
    language = await answer_language_here(interaction)
    text = gettext(language, "Updated **{task}**: {details}.", task=row.name, details=describe(row, language=language))
    await interaction.response.send_message(text, ephemeral=True)


@task_group.command(name="remove", description="Remove a task from future rotas (history keeps it)")
@app_commands.describe(task="The task to remove")
@app_commands.autocomplete(task=task_choices)
async def task_remove(interaction: discord.Interaction, task: str) -> None:
    row = (await tasks.remove_task(db(interaction), interaction.guild_id, interaction.user.id, task)).task
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "Removed **{task}** from future rotas. Past rotas keep it; `/mod task add` brings it back.",
        task=row.name,
    )
    await interaction.response.send_message(text, ephemeral=True)


@task_group.command(name="import", description="Add or update tasks from a CSV file (all rows or none)")
@app_commands.describe(
    file="CSV: task,hours,slots,qualification,splittable,min_shift (optional every_weeks,first_week,day,start)"
)
async def task_import(interaction: discord.Interaction, file: discord.Attachment) -> None:
    if file.size > MAX_IMPORT_BYTES:
        raise BadInput(
            lazy_gettext(
                "`{file}` is {size} KB; the limit is {limit} KB.",
                file=file.filename,
                size=file.size // 1024,
                limit=MAX_IMPORT_BYTES // 1024,
            )
        )
    await interaction.response.defer(ephemeral=True, thinking=True)
    raw = await file.read()
    bot = bot_of(interaction)
    imported = await tasks.import_tasks(
        bot.db, interaction.guild_id, interaction.user.id, file.filename, raw, max_rows=bot.settings.import_max_rows
    )
    language = await answer_language_here(interaction)
    summary = imported.summary(language)
    text = gettext(
        language,
        "Imported `{file}`: {summary}. Ratings come from members (`/rate`), so the file's desirability and "
        "empowerment columns, if any, are not used.",
        file=file.filename,
        summary=summary,
    )
    await interaction.followup.send(text, ephemeral=True)


@task_group.command(name="export", description="Download the task list as CSV (the planner's tasks.csv format)")
async def task_export(interaction: discord.Interaction) -> None:
    rows = await tasks.export_tasks(db(interaction), interaction.guild_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; a CR in a cell gets quoted too
    writer.writerow(TASK_COLUMNS + TASK_OPTIONAL_COLUMNS + TASK_TIME_COLUMNS)
    for task, social in rows:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                task.name,
                hours_text(task.hours),
                task.slots,
                task.qualification or "",
                "true" if task.splittable else "false",
                hours_text(task.min_shift),
                f"{social.desirability:g}",
                f"{social.empowerment:g}",
                *tasks.recurrence(task).csv_cells(),
                task.day or "",
                format_clock(task.start) if task.day and task.start is not None else "",
            )
        )
    file = discord.File(io.BytesIO(out.getvalue().encode()), filename="tasks.csv")
    language = await answer_language_here(interaction)
    text = ngettext(
        language,
        "{count} task. Desirability and empowerment are the social ratings (median of members' ratings).",
        "{count} tasks. Desirability and empowerment are the social ratings (median of members' ratings).",
        len(rows),
        count=len(rows),
    )
    await interaction.response.send_message(text, file=file, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[tasks_command], moderator=[task_group])
