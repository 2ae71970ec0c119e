"""Which language a cog answers in (the rule itself is `bot.i18n`'s)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

from bot.app import languages
from bot.app.languages import LANGUAGE_NAMES
from bot.i18n import available_languages, language_of, private_language

if TYPE_CHECKING:
    from cogs.host import RotaBot

LANGUAGE_CHOICES = [app_commands.Choice(name=LANGUAGE_NAMES.get(c, c), value=c) for c in available_languages()]


def answer_language(interaction: discord.Interaction, org_language: str | None = None) -> str:
    """The language of a private answer: the user's Discord client's when the bot has a catalog for it,
    else `org_language` (the organization's), else English."""
    return private_language(str(interaction.locale) if interaction.locale else None, org_language)


async def answer_language_here(interaction: discord.Interaction) -> str:
    """`answer_language` with the organization's language looked up, only when the client's is not one
    the bot speaks (so most answers cost no query)."""
    if language_of(str(interaction.locale) if interaction.locale else None) is not None:
        return answer_language(interaction)
    return answer_language(
        interaction, await languages.org_language(cast("RotaBot", interaction.client).db, interaction.guild_id)
    )
