"""`/calendar show` and `/calendar reset`: a member's shifts as an `.ics` file and a secret
subscription link (with the web server on); a moderator's organization-wide calendar."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app.calendars import WEEKS_SHOWN, CalendarFile
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext
from bot.i18n.formatting import format_list
from cogs.common import answer_early, register, reply, services
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from bot.app.calendars import Calendars
    from cogs.host import RotaBot

calendar_group = app_commands.Group(
    name="calendar", description="Your shifts in your phone's calendar", guild_only=True
)
EVERYONE_HELP = "Moderators: the whole organization's shifts instead of yours"


def calendars_of(interaction: discord.Interaction) -> Calendars:
    return services(interaction).calendars


def check_everyone(interaction: discord.Interaction, everyone: bool) -> None:
    if everyone and not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])


def link_lines(made: CalendarFile, *, everyone: bool, language: str = SOURCE_LANGUAGE) -> list[str]:
    if made.link is not None:
        subscribe = (
            gettext(
                language,
                "Subscribe to everyone's shifts with this private link (it follows swaps and claims; keep it to "
                "yourself):",
            )
            if everyone
            else gettext(
                language,
                "Subscribe to your shifts with this private link (it follows swaps and claims; keep it to yourself):",
            )
        )
        return [
            subscribe,
            f"<{made.link}>",
            gettext(language, "Shown only now: `/calendar reset` revokes it and gives a new one."),
        ]
    if made.link_since is not None:
        since = discord.utils.format_dt(made.link_since, "D")
        return [
            gettext(
                language,
                "Your subscription link to everyone's shifts was made {since}. Lost it? `/calendar reset` revokes it "
                "and gives a new one.",
                since=since,
            )
            if everyone
            else gettext(
                language,
                "Your subscription link to your shifts was made {since}. Lost it? `/calendar reset` revokes it and "
                "gives a new one.",
                since=since,
            )
        ]
    return []


@calendar_group.command(name="show", description="Your shifts this week and next as a calendar file (private)")
@app_commands.describe(everyone=EVERYONE_HELP)
async def calendar_show(interaction: discord.Interaction, everyone: bool = False) -> None:
    check_everyone(interaction, everyone)
    await answer_early(interaction)
    made = await calendars_of(interaction).show(interaction.guild_id, interaction.user.id, everyone=everyone)
    language = await answer_language_here(interaction)
    weeks = made.weeks[:WEEKS_SHOWN]
    lines = [
        ngettext(
            language,
            "{count} item(s) for {weeks}: open the file to add them to your calendar. Shifts are at their set "
            "times; flexible work is one all-day item on the week's Monday.",
            "{count} item(s) for {weeks}: open the file to add them to your calendar. Shifts are at their set "
            "times; flexible work is one all-day item on the week's Monday.",
            made.shifts,
            count=made.shifts,
            weeks=" and ".join(weeks) if language == SOURCE_LANGUAGE else format_list(list(weeks), language),
        ),
        *link_lines(made, everyone=everyone, language=language),
    ]
    file = discord.File(io.BytesIO(made.content), made.filename)
    await reply(interaction, "\n".join(lines), file=file)


@calendar_group.command(name="reset", description="Revoke your calendar link and get a new one (private)")
@app_commands.describe(everyone=EVERYONE_HELP)
async def calendar_reset(interaction: discord.Interaction, everyone: bool = False) -> None:
    check_everyone(interaction, everyone)
    await answer_early(interaction)
    revoked, link = await calendars_of(interaction).reset(interaction.guild_id, interaction.user.id, everyone=everyone)
    language = await answer_language_here(interaction)
    if link is None:
        text = (
            gettext(
                language,
                "Your old link no longer works. This bot has no web server for calendar links; `/calendar show` "
                "gives the file.",
            )
            if revoked
            else gettext(
                language,
                "You had no link yet. This bot has no web server for calendar links; `/calendar show` gives the file.",
            )
        )
        await reply(interaction, text)
        return
    text = (
        gettext(language, "Your old link no longer works. Your new private link (shown only now):\n<{link}>", link=link)
        if revoked
        else gettext(language, "You had no link yet. Your new private link (shown only now):\n<{link}>", link=link)
    )
    await reply(interaction, text)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[calendar_group])
