"""Proposals' Discord effects (`bot.app.ports.DecisionEffects`) and the role lookup, with
discord.py; Discord's refusals become `DeliveryError`s for the outbox. Nothing here pings anyone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.app.ports import Channel, ProposalPost, ProposalReminder, ProposalResult
from bot.domain.errors import BadInput
from bot.i18n import lazy_gettext
from cogs.common import clip
from cogs.delivery import delivery_errors, find_own, only_users, with_marker

from .render import post_embed, reminder_text, result_text
from .views import proposal_view

if TYPE_CHECKING:
    from cogs.host import RotaBot

NOBODY = only_users((), ping=False)
LOOKUPS_AT_ONCE = 5  # members fetched at once when a proposal is decided by a role
MAX_ROLE_LOOKUPS = 500


class DiscordDecisionEffects:
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    def _channel(self, channel: Channel) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)

    async def find_message(self, channel: Channel, marker: str) -> int | None:
        return await find_own(self.bot, self._channel(channel), marker, f"reading channel {channel.channel_id}")

    async def post_proposal(self, channel: Channel, content: ProposalPost) -> int:
        with delivery_errors(f"posting proposal #{content.proposal_id} in channel {channel.channel_id}"):
            message = await self._channel(channel).send(
                embed=post_embed(content),
                view=proposal_view(content.proposal_id, content.choices, language=content.language),
                allowed_mentions=NOBODY,
            )
        return message.id

    async def announce(self, channel: Channel, result: ProposalResult, marker: str) -> int:
        with delivery_errors(f"posting the result of proposal #{result.proposal_id} in channel {channel.channel_id}"):
            message = await self._channel(channel).send(
                with_marker(clip(result_text(result), 1900), marker), allowed_mentions=NOBODY
            )
        return message.id

    async def retire(
        self, channel: Channel, message_id: int, proposal_id: int, choices: Sequence[str], language: str = "en"
    ) -> None:
        where = f"disabling the buttons of proposal #{proposal_id} in channel {channel.channel_id}"
        with delivery_errors(where), contextlib.suppress(discord.NotFound):  # a deleted post has no buttons
            await (
                self._channel(channel)
                .get_partial_message(message_id)
                .edit(view=proposal_view(proposal_id, choices, disabled=True, language=language))
            )

    async def _dm_channel(self, user_id: int) -> discord.DMChannel:
        with delivery_errors(f"opening a DM with {user_id}"):
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            return user.dm_channel or await user.create_dm()

    async def find_dm(self, user_id: int, marker: str) -> int | None:
        return await find_own(self.bot, await self._dm_channel(user_id), marker, f"reading the DMs with {user_id}")

    async def remind(self, user_id: int, content: ProposalReminder, marker: str) -> int:
        channel = await self._dm_channel(user_id)
        with delivery_errors(f"reminding member {user_id} to vote (DMs closed?)"):
            message = await channel.send(with_marker(reminder_text(content), marker), allowed_mentions=NOBODY)
        return message.id


class DiscordRoleLookup:
    """Who of the rota holds a role on a server: asked of Discord member by member (the bot has no
    member list intent), a few at a time."""

    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    async def holders(self, guild_id: int, role_id: int, user_ids: Sequence[int]) -> set[int]:
        if len(user_ids) > MAX_ROLE_LOOKUPS:
            raise BadInput(
                lazy_gettext(
                    "The rota is too large to look up a role (over {most}); name tasks instead.", most=MAX_ROLE_LOOKUPS
                )
            )
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise BadInput(lazy_gettext("I cannot see this server's roles right now; try again in a minute."))
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def has_role(user_id: int) -> int | None:
            async with gate:
                try:  # asked afresh: without the member intent a cached member's roles go stale
                    member = await guild.fetch_member(user_id)
                except discord.NotFound:
                    return None  # not on this server
            return user_id if any(r.id == role_id for r in member.roles) else None

        found = await asyncio.gather(*(has_role(u) for u in user_ids))
        return {u for u in found if u is not None}
