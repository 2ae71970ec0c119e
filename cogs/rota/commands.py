"""Members' commands on the weekly rota: `/rota`, `/myjobs`, `/done`, `/swap`, `/notify`."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from bot.app import swaps
from bot.app.done import mark_done
from bot.app.publication import marker
from bot.app.week import my_task_names, published_rota, set_notify
from bot.domain.solver.model import hours_in
from bot.i18n import channel_language, gettext
from cogs.common import answer_early, bot_of, db, reply, services
from cogs.languages import answer_language, answer_language_here

from .render import rota_embeds
from .views import done_text, given_back_text, show_my_jobs, swap_view


async def my_task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The tasks you hold this week whose name contains what you typed."""
    bot = bot_of(interaction)
    names = await my_task_names(bot.db, bot.now, interaction.guild_id, interaction.user.id, current)
    return [app_commands.Choice(name=n, value=n) for n in names]


@app_commands.command(name="rota", description="This week's rota (or another week's), privately")
@app_commands.describe(week="An ISO week like 2026-W48 (default: this week)")
@app_commands.guild_only()
async def rota(interaction: discord.Interaction, week: str | None = None) -> None:
    found = await published_rota(db(interaction), bot_of(interaction).now, interaction.guild_id, week)
    language = answer_language(interaction, found.org.language)
    embeds = rota_embeds(
        found.org, found.rota.week, found.report, found.held, [], marker(found.rota), language=language
    )
    await interaction.response.send_message(embeds=embeds[:10], ephemeral=True)


@app_commands.command(name="myjobs", description="Your job complex this week, and why")
@app_commands.guild_only()
async def myjobs(interaction: discord.Interaction) -> None:
    await show_my_jobs(interaction)


@app_commands.command(name="done", description="Mark one of your tasks this week as done")
@app_commands.describe(task="Your task")
@app_commands.autocomplete(task=my_task_choices)
@app_commands.guild_only()
async def done(interaction: discord.Interaction, task: str) -> None:
    bot = bot_of(interaction)
    name = await mark_done(bot.db, bot.now, interaction.guild_id, interaction.user.id, task)
    language = await answer_language_here(interaction)
    await interaction.response.send_message(done_text(name, language), ephemeral=True)


@app_commands.command(
    name="giveback", description="Give back one of your tasks this week: offered to those who can take it"
)
@app_commands.describe(task="Your task (it stays yours until someone claims it)")
@app_commands.autocomplete(task=my_task_choices)
@app_commands.guild_only()
async def giveback(interaction: discord.Interaction, task: str) -> None:
    await answer_early(interaction)
    given = await services(interaction).claims.give_back(interaction.guild_id, interaction.user.id, task)
    await reply(interaction, given_back_text(given, await answer_language_here(interaction)))


@app_commands.command(name="swap", description="Offer one of your tasks this week to another member")
@app_commands.describe(task="Your task", member="Who you offer it to")
@app_commands.autocomplete(task=my_task_choices)
@app_commands.guild_only()
async def swap(interaction: discord.Interaction, task: str, member: discord.Member) -> None:
    offered = await swaps.offer(
        db(interaction), bot_of(interaction).now, interaction.guild_id, interaction.user.id, task, member.id
    )
    language = channel_language(offered.language)  # a post in the channel: the organization's language
    await interaction.response.send_message(
        gettext(
            language,
            "{member}, <@{giver}> offers you **{task}** ({hours} h) this week. Accept?",
            member=member.mention,
            giver=interaction.user.id,
            task=offered.task,
            hours=hours_in(offered.hours, language),
        ),
        view=swap_view(offered.offer_id, language),
        allowed_mentions=discord.AllowedMentions(users=[member]),
    )


def notify_answer(setting: str, about: str, language: str) -> str:
    """What `/notify` turned on or off, in the reader's language."""
    on = setting == "on"
    if about == "everything":
        return (
            gettext(language, "You will get your jobs by DM each week, and a mid-week reminder of work not yet done.")
            if on
            else gettext(
                language, "No more DMs from the rota: neither your weekly jobs nor reminders (before shifts too)."
            )
        )
    if about == "weekly jobs":
        return (
            gettext(language, "You will get your jobs by DM each week.")
            if on
            else gettext(language, "No more weekly DMs of your jobs (reminders are set apart: `about:reminders`).")
        )
    if about == "reminders":
        return (
            gettext(language, "You will get a mid-week reminder of work not yet done.")
            if on
            else gettext(language, "No more mid-week reminders.")
        )
    return (
        gettext(language, "You will get a DM before each of your shifts at a set time.")
        if on
        else gettext(language, "No more DMs before your shifts.")
    )


@app_commands.command(name="notify", description="Get your weekly jobs and reminders by direct message, or stop")
@app_commands.describe(
    setting="on or off",
    about="What to turn on or off: everything (default), weekly jobs, mid-week reminders, or before each shift",
)
@app_commands.guild_only()
async def notify(
    interaction: discord.Interaction,
    setting: Literal["on", "off"],
    about: Literal["everything", "weekly jobs", "reminders", "shifts"] = "everything",
) -> None:
    await set_notify(db(interaction), interaction.guild_id, interaction.user.id, setting == "on", about)
    language = await answer_language_here(interaction)
    await interaction.response.send_message(notify_answer(setting, about, language), ephemeral=True)


COMMANDS: list[app_commands.Command[Any, ..., None]] = [rota, myjobs, done, giveback, swap, notify]
