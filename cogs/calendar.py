"""`/calendar show` and `/calendar reset`: a member's shifts as an `.ics` file and a secret
subscription link (with the web server on); a moderator's organization-wide calendar."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app.calendars import WEEKS_SHOWN, CalendarFile
from cogs.common import answer_early, register, reply, services

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


def link_lines(made: CalendarFile, *, everyone: bool) -> list[str]:
    whose = "everyone's shifts" if everyone else "your shifts"
    if made.link is not None:
        return [
            f"Subscribe to {whose} with this private link (it follows swaps and claims; keep it to yourself):",
            f"<{made.link}>",
            "Shown only now: `/calendar reset` revokes it and gives a new one.",
        ]
    if made.link_since is not None:
        return [
            f"Your subscription link to {whose} was made {discord.utils.format_dt(made.link_since, 'D')}. "
            "Lost it? `/calendar reset` revokes it and gives a new one."
        ]
    return []


@calendar_group.command(name="show", description="Your shifts this week and next as a calendar file (private)")
@app_commands.describe(everyone=EVERYONE_HELP)
async def calendar_show(interaction: discord.Interaction, everyone: bool = False) -> None:
    check_everyone(interaction, everyone)
    await answer_early(interaction)
    made = await calendars_of(interaction).show(interaction.guild_id, interaction.user.id, everyone=everyone)
    weeks = " and ".join(made.weeks[:WEEKS_SHOWN])
    lines = [
        f"{made.shifts} item(s) for {weeks}: open the file to add them to your calendar. Shifts are at their set "
        "times; flexible work is one all-day item on the week's Monday.",
        *link_lines(made, everyone=everyone),
    ]
    file = discord.File(io.BytesIO(made.content), made.filename)
    await reply(interaction, "\n".join(lines), file=file)


@calendar_group.command(name="reset", description="Revoke your calendar link and get a new one (private)")
@app_commands.describe(everyone=EVERYONE_HELP)
async def calendar_reset(interaction: discord.Interaction, everyone: bool = False) -> None:
    check_everyone(interaction, everyone)
    await answer_early(interaction)
    revoked, link = await calendars_of(interaction).reset(interaction.guild_id, interaction.user.id, everyone=everyone)
    old = "Your old link no longer works." if revoked else "You had no link yet."
    if link is None:
        await reply(
            interaction, f"{old} This bot has no web server for calendar links; `/calendar show` gives the file."
        )
        return
    await reply(interaction, f"{old} Your new private link (shown only now):\n<{link}>")


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[calendar_group])
