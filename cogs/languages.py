"""Which language a cog answers in (the rule itself is `bot.i18n`'s)."""

from __future__ import annotations

import discord

from bot.i18n import private_language


def answer_language(interaction: discord.Interaction) -> str:
    """The language of a private answer: the user's Discord client's, when the bot has a catalog for it.

    (The organization's `language` setting, the fallback for the other client languages, is not stored yet.)
    """
    return private_language(str(interaction.locale) if interaction.locale else None)
