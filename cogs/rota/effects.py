"""The publication's Discord effects (`bot.app.ports.RotaEffects`) with discord.py; Discord's
refusals become `DeliveryError`s for the outbox."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.app.ports import (
    Channel,
    ClaimNotice,
    Held,
    ModNotice,
    OrgFacts,
    Reminder,
    RoleMove,
    RotaPostContent,
    ShiftReminder,
    SwapDecided,
)
from bot.i18n import gettext
from cogs.delivery import delivery_errors, find_own, mention_chunks, only_users, send_chunks, with_marker

from .render import (
    claim_closed_text,
    claim_text,
    jobs_dm,
    mod_notice_text,
    post_head,
    reminder_text,
    role_notes,
    rota_csv,
    rota_embeds,
    shift_reminder_text,
    swap_decided_text,
)
from .views import claim_view, post_view

if TYPE_CHECKING:
    from bot.domain.fairness import Fairness
    from cogs.host import RotaBot

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
        files = [discord.File(io.BytesIO(rota_csv(rota, content.held)), f"rota-{rota.week}.csv")]
        if content.chart is not None:
            files.insert(0, discord.File(io.BytesIO(content.chart), "balance.png"))
        notes = role_notes(content.unmoved_roles, content.org.language)
        embeds = rota_embeds(
            content.org, rota.week, content.report, content.held, notes, content.marker,
            chart=content.chart is not None,
        )  # fmt: skip
        text, users = self._mention_chunks(content)[0]
        with delivery_errors(f"posting the rota in channel {channel.channel_id}"):
            message = await self._channel(channel).send(
                text,
                embeds=embeds,
                files=files,
                view=post_view(rota.id, content.org.language),
                allowed_mentions=only_users(users, ping=content.mentions.ping),
            )
        return message.id

    def _mention_chunks(self, content: RotaPostContent) -> list[tuple[str, list[int]]]:
        """The post's text: its first words and, unless pings are off, a mention of each holder
        (users only), split across messages when they do not fit in one."""
        head = post_head(content.org, content.rota.week)
        return mention_chunks(head, content.mentions.user_ids if content.mentions.ping else ())

    async def send_rest(self, channel: Channel, content: RotaPostContent, tried_before: bool) -> None:
        rest = self._mention_chunks(content)[1:]
        if rest:
            await send_chunks(
                self.bot,
                self._channel(channel),
                rest,
                content.marker,
                tried_before=tried_before,
                first=2,
                what=f"mentioning the rota's holders in channel {channel.channel_id}",
            )

    async def post_claim(self, channel: Channel, notice: ClaimNotice, marker: str, tried_before: bool) -> int:
        where = f"posting a task given back in channel {channel.channel_id}"
        if notice.state == "expired":  # tells the moderators: their role if the server set one, else nobody
            with delivery_errors(where):
                message = await self._channel(channel).send(
                    with_marker(claim_text(notice), marker),
                    allowed_mentions=only_users((), ping=False, role_id=notice.moderator_role_id),
                )
            return message.id
        chunks = mention_chunks(claim_text(notice), notice.mentions.user_ids)
        found = await send_chunks(
            self.bot,
            self._channel(channel),
            chunks,
            marker,
            tried_before=tried_before,
            view=lambda: claim_view(notice.claim_id, notice.language),
            what=where,
        )
        assert found is not None
        return found

    async def post_notice(self, channel: Channel, notice: ModNotice, marker: str) -> int:
        guild = self.bot.get_guild(notice.origin_guild_id)
        origin = guild.name if guild else gettext(notice.language, "server {id}", id=notice.origin_guild_id)
        text = mod_notice_text(notice, origin)
        with delivery_errors(f"telling channel {channel.channel_id} of a change on another server"):
            message = await self._channel(channel).send(
                with_marker(text, marker), allowed_mentions=only_users((), ping=False)
            )
        return message.id

    async def close_claim(self, channel: Channel, message_id: int, notice: ClaimNotice) -> None:
        where = f"closing a task's offer in channel {channel.channel_id}"
        with delivery_errors(where), contextlib.suppress(discord.NotFound):  # deleted: nothing to close
            await (
                self._channel(channel)
                .get_partial_message(message_id)
                .edit(content=claim_closed_text(notice), view=None, allowed_mentions=only_users((), ping=False))
            )

    async def send_dm(self, user_id: int, content: Reminder | SwapDecided | ShiftReminder, marker: str) -> int:
        channel = await self._dm_channel(user_id)
        if isinstance(content, ShiftReminder):
            text = shift_reminder_text(content)
        else:
            text = reminder_text(content) if isinstance(content, Reminder) else swap_decided_text(content)
        with delivery_errors(f"sending member {user_id} a DM (DMs closed?)"):
            message = await channel.send(with_marker(text, marker))
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

    async def send_jobs(
        self,
        user_id: int,
        org: OrgFacts,
        week: str,
        held: Sequence[Held],
        marker: str,
        fairness: Fairness | None = None,
        *,
        changed: bool = False,
    ) -> int:
        channel = await self._dm_channel(user_id)
        with delivery_errors(f"sending member {user_id} their jobs (DMs closed?)"):
            message = await channel.send(with_marker(jobs_dm(org, week, held, fairness, changed=changed), marker))
        return message.id
