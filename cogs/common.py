"""What every cog needs: the bot's services, the one way to register commands, the `/mod` root group,
views whose errors reach the user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.app.lookups import clip
from bot.i18n import lazy_gettext
from cogs.replies import answer_error

if TYPE_CHECKING:
    from cogs.host import AppServices, RotaBot
    from storage.db import Database

__all__ = [
    "RATING_HELP",
    "ModeratorGroup",
    "RotaView",
    "answer_early",
    "clip",
    "literal",
    "register",
    "reply",
    "services",
    "spreadsheet_safe",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula


async def answer_early(interaction: discord.Interaction) -> None:
    """Acknowledge at once, privately ("thinking…"), where the work may queue under a burst (the
    database, the event loop): Discord wants an answer within 3 s. Then answer with `reply`."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed = discord.utils.MISSING,
    embeds: Sequence[discord.Embed] = discord.utils.MISSING,
    view: discord.ui.View = discord.utils.MISSING,
    file: discord.File = discord.utils.MISSING,
) -> None:
    """A private answer, as the response or (after `answer_early`) as the follow-up."""
    if interaction.response.is_done():
        text = discord.utils.MISSING if content is None else content
        await interaction.followup.send(text, embed=embed, embeds=embeds, view=view, file=file, ephemeral=True)
    else:
        await interaction.response.send_message(
            content, embed=embed, embeds=embeds, view=view, file=file, ephemeral=True
        )


def literal(text: str) -> str:
    """A member's, task's or organization's name shown as typed inside our own formatting: its `**`,
    `_` or `[link](…)` cannot restyle the message, and `@everyone` or `<@id>` in it mentions nobody."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def spreadsheet_safe(cell: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading `'`
    (a task named `=HYPERLINK(…)` must not run when a moderator opens the export)."""
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


RATING_HELP = lazy_gettext(  # `str()` is the English; `render(RATING_HELP, language)` another language
    "desirability = how pleasant the work is (1 = dreadful, 10 = delightful); "
    "empowerment = how much it builds skills, information, confidence and say over decisions "
    "(1 = none, 10 = a great deal)"
)

Registrable = app_commands.Command[Any, ..., Any] | app_commands.Group


def bot_of(interaction: discord.Interaction) -> RotaBot:
    return cast("RotaBot", interaction.client)


def services(interaction: discord.Interaction) -> AppServices:
    """The bot's services (scheduler, publication, merge votes…), typed."""
    return bot_of(interaction).services


def db(interaction: discord.Interaction) -> Database:
    """The unit of work the use cases take."""
    return bot_of(interaction).db


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


def register(
    bot: RotaBot,
    *,
    commands: Sequence[Registrable] = (),
    moderator: Sequence[Registrable] = (),
    items: Sequence[type[discord.ui.DynamicItem[Any]]] = (),
) -> None:
    """The one way a cog adds its slash commands (`moderator` ones under `/mod`) and its buttons
    that outlive a restart (dynamic items) to the bot.

    Each bot gets its own `/mod` (extension modules are re-executed per bot, their groups with them).
    """
    if moderator:
        root = bot.tree.get_command("mod")
        if not isinstance(root, ModeratorGroup):
            root = ModeratorGroup(
                name="mod",
                description="Moderator commands: organization, tasks, members, schedule",
                default_permissions=discord.Permissions(manage_guild=True),
                guild_only=True,
            )
        for command in moderator:
            root.add_command(command, override=True)
        bot.tree.add_command(root, override=True)
    for command in commands:
        bot.tree.add_command(command, override=True)
    if items:
        bot.add_dynamic_items(*items)


class RotaView(discord.ui.View):
    """A view whose errors reach the user like a command's do (see `answer_error`), and which the
    bot stops when it closes (no timeout left running)."""

    def __init__(self, bot: RotaBot, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        bot.views.add(self)

    async def on_error(self, interaction: discord.Interaction, error: Exception, _item: Any) -> None:
        await answer_error(interaction, error)
