"""What every cog needs: the database, this server's organization, the `/mod` root group, replies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.client import answer_error
from bot.errors import NotSetUp
from storage import orgs
from storage.models import Organization

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.client import RotaBot
    from storage.db import Database

RATING_HELP = (
    "desirability = how pleasant the work is (1 = dreadful, 10 = delightful); "
    "empowerment = how much it builds skills, information, confidence and say over decisions "
    "(1 = none, 10 = a great deal)"
)


def db(interaction: discord.Interaction) -> Database:
    return interaction.client.db


async def require_org(session: AsyncSession, interaction: discord.Interaction) -> Organization:
    org = await orgs.org_for_guild(session, interaction.guild_id)
    if org is None:
        raise NotSetUp()
    return org


class ModeratorGroup(app_commands.Group):
    """`/mod` and its subgroups: hidden from non-moderators by default, and checked again when run,
    since server admins can re-grant a command's visibility to anyone. (discord.py runs only the
    immediate parent group's check, so every group under `/mod` is one of these.)"""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True


def add_to_mod(bot: RotaBot, *commands: app_commands.Command | app_commands.Group) -> None:
    """Put commands under this bot's `/mod` group and (re-)register the group.

    Each bot gets its own `/mod` (extension modules are re-executed per bot, their groups with them).
    """
    root = getattr(bot, "_mod_group", None)
    if root is None:
        root = ModeratorGroup(
            name="mod",
            description="Moderator commands: organization, tasks, members, schedule",
            default_permissions=discord.Permissions(manage_guild=True),
            guild_only=True,
        )
        bot._mod_group = root
    for command in commands:
        root.add_command(command, override=True)
    bot.tree.add_command(root, override=True)


class RotaView(discord.ui.View):
    """A view whose errors reach the user like a command's do (see `answer_error`)."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, _item) -> None:
        await answer_error(interaction, error)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
