"""The publication's Discord effects (`bot.app.ports.RotaEffects`) with discord.py; Discord's
refusals become `DeliveryError`s for the outbox."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.app.ports import Channel, RoleMove, RotaPostContent
from cogs.delivery import delivery_errors, find_own, with_marker

from .render import jobs_dm, rota_csv, rota_embeds

if TYPE_CHECKING:
    from bot.client import RotaBot
    from storage.models import Organization
    from storage.rotas import Holding

log = logging.getLogger(__name__)


class DiscordRotaEffects:
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    def _channel(self, channel: Channel) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)

    async def find_post(self, channel: Channel, marker: str) -> int | None:
        return await find_own(self.bot, self._channel(channel), marker, f"reading channel {channel.channel_id}")

    async def send_post(self, channel: Channel, content: RotaPostContent) -> int:
        rota = content.rota
        files = [
            discord.File(io.BytesIO(content.chart), "balance.png"),
            discord.File(io.BytesIO(rota_csv(rota, content.held)), f"rota-{rota.week}.csv"),
        ]
        embeds = rota_embeds(content.org, rota.week, content.report, content.held, content.notes, content.marker)
        with delivery_errors(f"posting the rota in channel {channel.channel_id}"):
            message = await self._channel(channel).send(embeds=embeds, files=files)
        return message.id

    async def delete_post(self, channel: Channel, message_id: int) -> None:
        where = f"deleting the old rota post in channel {channel.channel_id}"
        with delivery_errors(where), contextlib.suppress(discord.NotFound):  # gone already is fine
            await self._channel(channel).get_partial_message(message_id).delete()

    def has_role(self, guild_id: int, role_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        if guild is None:  # a server another process's shard holds: Discord answers the move itself
            return not self.bot.holds_guild(guild_id)
        return guild.get_role(role_id) is not None

    async def move_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool, reason: str) -> RoleMove:
        with delivery_errors(f"moving role {role_id}"):
            try:
                if add:
                    await self.bot.http.add_role(guild_id, user_id, role_id, reason=reason)
                else:
                    await self.bot.http.remove_role(guild_id, user_id, role_id, reason=reason)
            except discord.Forbidden:
                return RoleMove.FORBIDDEN
            except discord.NotFound:
                return RoleMove.GONE
        return RoleMove.MOVED

    async def _dm_channel(self, user_id: int) -> discord.DMChannel:
        with delivery_errors(f"opening a DM with {user_id}"):
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            return user.dm_channel or await user.create_dm()

    async def find_dm(self, user_id: int, marker: str) -> int | None:
        return await find_own(self.bot, await self._dm_channel(user_id), marker, f"reading the DMs with {user_id}")

    async def send_jobs(self, user_id: int, org: Organization, week: str, held: Sequence[Holding], marker: str) -> int:
        channel = await self._dm_channel(user_id)
        with delivery_errors(f"sending member {user_id} their jobs (DMs closed?)"):
            message = await channel.send(with_marker(jobs_dm(org, week, held), marker))
        return message.id
