"""Answering an interaction privately, and turning errors into what the user should read."""

from __future__ import annotations

import logging
import uuid

import discord
from discord import app_commands

from bot.domain.errors import UserFacingError
from cogs.options import OptionRefused

log = logging.getLogger(__name__)


async def reply_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Answer privately, whether or not the interaction was already answered or deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id, exc_info=True)


async def answer_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user what went wrong, privately: what to do for their mistakes, an apology with an
    error id (also logged, with the traceback) for ours. Used by commands, buttons and selects."""
    where = _describe(interaction)
    message = _user_message(error)
    if message is not None:
        log.info("refused %s: %s", where, message)
        await reply_ephemeral(interaction, message)
        return
    error_id = uuid.uuid4().hex[:8]
    log.error("error %s in %s", error_id, where, exc_info=error)
    await reply_ephemeral(
        interaction,
        f"Sorry, something went wrong on our side (error id `{error_id}`). Nothing was changed. "
        "Please try again; if it keeps happening, tell the bot's host this id.",
    )


def _user_message(error: BaseException) -> str | None:
    """The ephemeral text for errors the user can act on; None for our own bugs."""
    if isinstance(error, UserFacingError | OptionRefused):
        return str(error)
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works inside a server, not in direct messages."
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the **{_permission_names(error.missing_permissions)}** permission on this server to do that."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = _permission_names(error.missing_permissions)
        return f"I need the **{needed}** permission on this server to do that; ask an admin to grant it."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.TransformerError):
        return f"`{error.value}` is not a valid value for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    return None


# discord.py's permission names, as Discord's own settings screens call them.
PERMISSION_LABELS = {"manage_guild": "Manage Server", "manage_roles": "Manage Roles"}


def _permission_names(names: list[str]) -> str:
    return ", ".join(PERMISSION_LABELS.get(n, n.replace("_", " ").title()) for n in names)


def _describe(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        what = f"/{interaction.command.qualified_name}"
    else:
        data: dict[str, object] = dict(interaction.data or {})
        what = f"component {data.get('custom_id', '?')}"
    return f"{what} (guild={interaction.guild_id} user={interaction.user.id if interaction.user else '?'})"
