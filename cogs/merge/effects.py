"""The merge votes' Discord effects (`bot.app.ports.VoteEffects`) with discord.py; Discord's
refusals become `DeliveryError`s for the outbox."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.app.ports import Channel, VoteEnd, VotePostContent, VoteReminder
from cogs.delivery import delivery_errors, find_own, mention_chunks, only_users, send_chunks, with_marker

from .render import end_text, vote_embed, vote_reminder_text
from .views import vote_view

if TYPE_CHECKING:
    from cogs.host import RotaBot

log = logging.getLogger(__name__)


class DiscordVoteEffects:
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    def _channel(self, channel: Channel) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)

    async def find_message(self, channel: Channel, marker: str) -> int | None:
        return await find_own(self.bot, self._channel(channel), marker, f"reading channel {channel.channel_id}")

    async def post_vote(self, channel: Channel, content: VotePostContent) -> int:
        assert content.proposal.id is not None
        with delivery_errors(f"posting the merge vote in channel {channel.channel_id}"):
            message = await self._channel(channel).send(
                embed=vote_embed(content),
                view=vote_view(content.proposal.id, content.here.org.language),
                allowed_mentions=only_users((), ping=False),
            )
        return message.id

    async def announce(self, channel: Channel, end: VoteEnd, marker: str) -> int:
        with delivery_errors(f"announcing the end of a merge vote in channel {channel.channel_id}"):
            # The end pings nobody: a name in it holding `<@id>` must not notify that person.
            message = await self._channel(channel).send(
                with_marker(end_text(end, end.language), marker), allowed_mentions=only_users((), ping=False)
            )
        return message.id

    async def remind(self, channel: Channel, content: VoteReminder, marker: str, tried_before: bool) -> int:
        text = vote_reminder_text(content, content.language)
        chunks = mention_chunks(text, content.mentions.user_ids)
        where = f"reminding members to vote in channel {channel.channel_id}"
        target = self._channel(channel)
        found = await send_chunks(self.bot, target, chunks, marker, tried_before=tried_before, what=where)
        assert found is not None
        return found

    async def retire(self, channel: Channel, message_id: int) -> None:
        where = f"retiring the vote buttons in channel {channel.channel_id}"
        with delivery_errors(where), contextlib.suppress(discord.NotFound):  # a deleted message has no buttons
            await self._channel(channel).get_partial_message(message_id).edit(view=None)
