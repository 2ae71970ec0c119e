"""The buttons of a proposal's post (one per choice), and the proposer's confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.app.decisions import Draft, choice_word
from bot.domain.errors import BadInput
from bot.i18n import gettext
from cogs.common import RotaView, services
from cogs.languages import answer_language_here
from cogs.replies import answer_error

from .render import cast_text, servers_text

if TYPE_CHECKING:
    from cogs.host import RotaBot

CHOICE_ID = r"proposal:(?P<proposal>\d+):(?P<position>\d)"
STYLES = {"yes": discord.ButtonStyle.success, "no": discord.ButtonStyle.danger}


class ProposalButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CHOICE_ID):
    """One choice on a proposal's post; works across restarts (state in the id and the database)."""

    def __init__(
        self, proposal_id: int, position: int, label: str = "", *, disabled: bool = False, language: str = "en"
    ) -> None:
        style = STYLES.get(
            label.lower(), discord.ButtonStyle.secondary if label == "abstain" else discord.ButtonStyle.primary
        )
        super().__init__(
            discord.ui.Button(
                label=(choice_word(label, language) or str(position))[:80],
                style=style,
                custom_id=f"proposal:{proposal_id}:{position}",
                disabled=disabled,
            )
        )
        self.proposal_id, self.position = proposal_id, position

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> ProposalButton:
        return cls(int(match["proposal"]), int(match["position"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            decisions = services(interaction).decisions
            choices = await decisions.choices(interaction.guild_id, self.proposal_id)
            if not 0 <= self.position < len(choices):
                raise ValueError(f"proposal {self.proposal_id} has no choice {self.position}")
            cast = await decisions.vote(
                interaction.guild_id, interaction.user.id, self.proposal_id, choices[self.position]
            )
            await interaction.followup.send(cast_text(cast, await answer_language_here(interaction)), ephemeral=True)
        except Exception as error:
            await answer_error(interaction, error)


def proposal_view(
    proposal_id: int, choices: Sequence[str], *, disabled: bool = False, language: str = "en"
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for position, label in enumerate(choices):
        view.add_item(ProposalButton(proposal_id, position, label, disabled=disabled, language=language))
    return view


class ConfirmProposal(RotaView):
    """Open / Cancel under the preview; only for the proposer, for ten minutes."""

    def __init__(self, bot: RotaBot, draft: Draft, owner_id: int, language: str = "en") -> None:
        super().__init__(bot, timeout=600)
        self.draft, self.owner_id, self.language = draft, owner_id, language
        self.confirm.label = gettext(language, "Open the proposal")
        self.cancel.label = gettext(language, "Cancel")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            gettext(
                await answer_language_here(interaction),
                "Only the member who wrote this proposal can open or cancel it; `/propose` opens your own.",
            ),
            ephemeral=True,
        )
        return False

    @discord.ui.button(label="Open the proposal", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmProposal]) -> None:
        language = self.language
        await interaction.response.edit_message(content=gettext(language, "Opening…"), view=None)
        self.stop()
        try:
            opened = await services(interaction).decisions.propose(
                interaction.guild_id, interaction.user.id, self.draft
            )
        except BadInput as refused:  # e.g. the limit reached meanwhile: say so where the question was
            await interaction.edit_original_response(
                content=gettext(language, "Not opened: {why}", why=refused.text(language)), embed=None
            )
            return
        proposal = opened.proposal
        await interaction.edit_original_response(
            content=gettext(
                language,
                "Proposal #{id} is open until {when}: {summary}. It is posted on {servers}.",
                id=proposal.id,
                when=discord.utils.format_dt(proposal.closes_at, "F"),
                summary=opened.preview.electorate.summary(language),
                servers=servers_text(opened.preview.servers, language),
            ),
            embed=None,
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[ConfirmProposal]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=gettext(self.language, "Not opened: nothing changed."), embed=None, view=None
        )
