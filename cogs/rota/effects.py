"""The publication's Discord effects (`bot.app.ports.RotaEffects`) with discord.py."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.app.ports import Channel, RoleMove, RotaPostContent

from .render import jobs_dm, rota_csv, rota_embeds

if TYPE_CHECKING:
    from bot.client import RotaBot
    from storage.models import Organization
    from storage.rotas import Holding

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 50  # recent messages searched for a post sent just before a crash


class DiscordRotaEffects:
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    def _channel(self, channel: Channel) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel.channel_id, guild_id=channel.guild_id)

    async def find_post(self, channel: Channel, marker: str) -> int | None:
        me = self.bot.user
        try:
            async for message in self._channel(channel).history(limit=HISTORY_LOOKBACK):
                if (
                    me is not None
                    and message.author.id == me.id
                    and any((e.footer.text or "") == marker for e in message.embeds)
                ):
                    return message.id
        except discord.HTTPException:
            log.warning("could not read the history of channel %s", channel.channel_id, exc_info=True)
        return None

    async def send_post(self, channel: Channel, content: RotaPostContent) -> int:
        rota = content.rota
        files = [
            discord.File(io.BytesIO(content.chart), "balance.png"),
            discord.File(io.BytesIO(rota_csv(rota, content.held)), f"rota-{rota.week}.csv"),
        ]
        embeds = rota_embeds(content.org, rota.week, content.report, content.held, content.notes, content.marker)
        message = await self._channel(channel).send(embeds=embeds, files=files)
        return message.id

    async def delete_post(self, channel: Channel, message_id: int) -> None:
        with contextlib.suppress(discord.NotFound):
            await self._channel(channel).get_partial_message(message_id).delete()

    def has_role(self, guild_id: int, role_id: int) -> bool:
        guild = self.bot.get_guild(guild_id)
        return guild is not None and guild.get_role(role_id) is not None

    async def move_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool, reason: str) -> RoleMove:
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

    async def send_jobs(self, user_id: int, org: Organization, week: str, held: Sequence[Holding]) -> bool:
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(jobs_dm(org, week, held))
        except discord.HTTPException:
            return False
        return True
