"""Merge votes in Discord: the commands (`commands`), the vote buttons (`views`), how votes and
results look (`render`), and what a vote does in Discord (`effects`). The vote itself (dry run,
electorate, close, the merge) lives in `bot.app.merges`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.common import register

from .commands import merge_group, status_group, vote
from .views import MergeVoteButton

if TYPE_CHECKING:
    from cogs.host import RotaBot


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[vote, status_group], moderator=[merge_group], items=[MergeVoteButton])
