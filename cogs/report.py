"""`/report show-me on|off`: a member's choice to be named in the public fairness report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot.app import report as app
from bot.i18n import gettext
from cogs.common import db, register
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot

report_group = app_commands.Group(name="report", description="The public fairness report", guild_only=True)


@report_group.command(name="show-me", description="Be named in the public fairness report (on), or not (off)")
@app_commands.describe(state="on: your name appears; off: you are an anonymous 'Member A', 'Member B'…")
async def show_me(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
    name = await app.show_me(db(interaction), interaction.guild_id, interaction.user.id, state == "on")
    language = await answer_language_here(interaction)
    text = (
        gettext(
            language,
            "Your name will appear in **{org}**'s public report (if it publishes one) from the next time it is "
            "written.",
            org=name,
        )
        if state == "on"
        else gettext(
            language,
            'You are an anonymous member ("Member A", "Member B"…) in **{org}**\'s public report from the next time '
            "it is written.",
            org=name,
        )
    )
    await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[report_group])
