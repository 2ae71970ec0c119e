"""The merge votes' Discord effects (`bot.app.ports.VoteEffects`) with discord.py."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.app.merges import VoteEnd
from bot.app.ports import Channel, VotePostContent

from .render import end_text, vote_embed
from .views import vote_view

if TYPE_CHECKING:
    from bot.client import RotaBot

log = logging.getLogger(__name__)


class DiscordVoteEffects:
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    async def post_vote(self, channel: Channel, content: VotePostContent) -> int:
        assert content.proposal.id is not None
        target = self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)
        message = await target.send(embed=vote_embed(content), view=vote_view(content.proposal.id))
        return message.id

    async def announce(self, channel: Channel, message_id: int | None, end: VoteEnd) -> None:
        target = self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)
        try:
            if message_id:
                await target.get_partial_message(message_id).edit(view=None)
            await target.send(end_text(end))
        except discord.HTTPException:
            log.warning("could not announce the end of a merge vote in channel %s", channel.channel_id, exc_info=True)
