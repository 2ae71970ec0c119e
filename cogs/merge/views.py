"""The Yes / No / Abstain buttons of a vote message."""

from __future__ import annotations

from typing import Any

import discord

from bot.app.decisions import choice_word
from bot.i18n import SOURCE_LANGUAGE
from cogs.common import services
from cogs.languages import answer_language_here
from cogs.replies import answer_error

from .render import vote_cast_text

CHOICE_ID = r"merge:(?P<proposal>\d+):(?P<choice>yes|no|abstain)"


class MergeVoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CHOICE_ID):
    """Yes / No / Abstain on a vote message; works across restarts (state in the id and database)."""

    STYLES = {
        "yes": discord.ButtonStyle.success,
        "no": discord.ButtonStyle.danger,
        "abstain": discord.ButtonStyle.secondary,
    }

    def __init__(self, proposal_id: int, choice: str, language: str = SOURCE_LANGUAGE) -> None:
        word = choice_word(choice, language)
        label = word[:1].upper() + word[1:]  # Yes / Sí / Ja
        super().__init__(
            discord.ui.Button(label=label, style=self.STYLES[choice], custom_id=f"merge:{proposal_id}:{choice}")
        )
        self.proposal_id, self.choice = proposal_id, choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> MergeVoteButton:
        return cls(int(match["proposal"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs a dynamic item's errors: answer them like a command's.
        try:
            cast = await services(interaction).merges.vote(
                interaction.guild_id, interaction.user.id, self.proposal_id, self.choice
            )
            text = vote_cast_text(cast, await answer_language_here(interaction))
            await interaction.response.send_message(text, ephemeral=True)
        except Exception as error:
            await answer_error(interaction, error)


def vote_view(proposal_id: int, language: str = SOURCE_LANGUAGE) -> discord.ui.View:
    """The buttons, labelled in the language of the vote message they sit under."""
    view = discord.ui.View(timeout=None)
    for choice in ("yes", "no", "abstain"):
        view.add_item(MergeVoteButton(proposal_id, choice, language))
    return view
