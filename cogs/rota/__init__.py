"""The weekly rota in Discord: members' commands (`commands`), `/mod rota` (`mod`), the buttons
(`views`), how it all looks (`render`), and what a publication does in Discord (`effects`). The
rules and the publication itself live in `bot.app.publication`, `bot.app.week` and `bot.app.swaps`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.common import register

from .commands import COMMANDS
from .mod import rota_group
from .views import ClaimButton, PostButton, SwapButton

if TYPE_CHECKING:
    from cogs.host import RotaBot


async def setup(bot: RotaBot) -> None:
    register(bot, commands=COMMANDS, moderator=[rota_group], items=[SwapButton, PostButton, ClaimButton])
