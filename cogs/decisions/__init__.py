"""Proposals in Discord: the commands (`commands`), the post's buttons and the proposer's confirmation
(`views`), how proposals and results look (`render`), and what a proposal does in Discord (`effects`).
The rules live in `bot.domain.decisions`, the use cases in `bot.app.decisions`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.common import register

from .commands import decisions, delegate_group, propose, settings_group, withdraw
from .views import ProposalButton

if TYPE_CHECKING:
    from cogs.host import RotaBot


async def setup(bot: RotaBot) -> None:
    register(
        bot,
        commands=[propose, withdraw, delegate_group, decisions],
        moderator=[settings_group],
        items=[ProposalButton],
    )
