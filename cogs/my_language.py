"""`/language set|show|clear`: a member's own language for what the bot sends them alone (DMs,
reminders); the organization's is `/mod org settings language:`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app import languages
from bot.app.languages import language_name
from bot.i18n import gettext
from cogs.common import db, register
from cogs.languages import LANGUAGE_CHOICES, answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot


language_group = app_commands.Group(
    name="language", description="The language the bot writes to you in (DMs and reminders)", guild_only=True
)


def _shown(language: str, choice: languages.LanguageChoice) -> str:
    if choice.own is None:
        return gettext(
            language,
            "Your DMs and reminders from **{org}** are in {name}, the organization's language. Discord shows "
            "commands and private answers in your app's language where the bot speaks it.",
            org=choice.org_name,
            name=language_name(choice.org_language),
        )
    return gettext(
        language,
        "Your DMs and reminders from **{org}** are in {name} (your choice; the organization's is {org_name}). "
        "`/language clear` goes back to the organization's.",
        org=choice.org_name,
        name=language_name(choice.own),
        org_name=language_name(choice.org_language),
    )


@language_group.command(name="set", description="Choose the language of your DMs and reminders")
@app_commands.describe(language="The language the bot writes to you in")
@app_commands.choices(language=LANGUAGE_CHOICES)
async def language_set(interaction: discord.Interaction, language: str) -> None:
    choice = await languages.set_my_language(db(interaction), interaction.guild_id, interaction.user.id, language)
    await interaction.response.send_message(_shown(await answer_language_here(interaction), choice), ephemeral=True)


@language_group.command(name="show", description="Which language the bot writes to you in")
async def language_show(interaction: discord.Interaction) -> None:
    choice = await languages.my_language(db(interaction), interaction.guild_id, interaction.user.id)
    await interaction.response.send_message(_shown(await answer_language_here(interaction), choice), ephemeral=True)


@language_group.command(name="clear", description="Go back to the organization's language for your DMs")
async def language_clear(interaction: discord.Interaction) -> None:
    choice = await languages.set_my_language(db(interaction), interaction.guild_id, interaction.user.id, None)
    await interaction.response.send_message(_shown(await answer_language_here(interaction), choice), ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[language_group])
