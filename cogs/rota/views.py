"""Buttons of the weekly rota: answering a swap offer (works across restarts), confirming a
re-publication."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.app import swaps
from bot.errors import UserFacingError
from bot.replies import answer_error
from cogs.common import RotaView, db, services

from .render import swap_answer_text

if TYPE_CHECKING:
    from bot.client import RotaBot


class SwapButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"swap:(?P<offer>\d+):(?P<choice>accept|decline)"
):
    """Accept / Decline on a swap offer. Its state lives in the custom id and the database, so the
    buttons keep working after a restart."""

    def __init__(self, offer_id: int, choice: str) -> None:
        accept = choice == "accept"
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"swap:{offer_id}:{choice}",
            )
        )
        self.offer_id, self.choice = offer_id, choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> SwapButton:
        return cls(int(match["offer"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs a dynamic item's errors: answer them like a command's.
        try:
            answer = await swaps.answer(
                db(interaction), self.offer_id, interaction.user.id, accept=self.choice == "accept"
            )
            await interaction.response.edit_message(content=swap_answer_text(answer), view=None)
        except Exception as error:
            await answer_error(interaction, error)


def swap_view(offer_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SwapButton(offer_id, "accept"))
    view.add_item(SwapButton(offer_id, "decline"))
    return view


class PublishView(RotaView):
    """Confirms a first publication, naming the week and its dates on the button's message."""

    def __init__(self, bot: RotaBot, org_id: int, week: str, name: str, owner_id: int) -> None:
        super().__init__(bot, timeout=300)
        self.org_id, self.week, self.name, self.owner_id = org_id, week, name, owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Publish", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=f"Publishing the rota for **{self.name}**…", view=None)
        try:
            result = await services(interaction).publication.publish_now(self.org_id, self.week, interaction.user.id)
        except UserFacingError as error:  # e.g. the week cannot be solved: say why where the question was
            await interaction.edit_original_response(content=str(error))
            return
        done = "Published" if result.created else "It was already out:"
        await interaction.edit_original_response(
            content=f"{done} the rota for **{self.name}**. `/rota week:{self.week}` shows it."
        )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was published.", view=None)


class RepublishView(RotaView):
    def __init__(self, bot: RotaBot, org_id: int, week: str, name: str, owner_id: int) -> None:
        super().__init__(bot, timeout=300)
        self.org_id, self.week, self.name, self.owner_id = org_id, week, name, owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Re-publish (replaces it)", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="Re-publishing…", view=None)
        await services(interaction).publication.publish(self.org_id, self.week, replace=True)
        await interaction.edit_original_response(content=f"Re-published the rota for **{self.name}**.")
        self.stop()

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="Kept the published rota.", view=None)
        self.stop()
