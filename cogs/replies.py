"""Answering an interaction privately, and turning errors into what the user should read."""

from __future__ import annotations

import logging
import uuid

import discord
from discord import app_commands

from bot.domain.errors import UserFacingError
from bot.i18n import gettext, lazy_gettext, render
from cogs.languages import answer_language, answer_language_here
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
    try:
        language = await answer_language_here(interaction)
    except Exception:  # the answer must go out even when the database does not answer
        log.warning("could not look up the organization's language", exc_info=True)
        language = answer_language(interaction)
    message = _user_message(error, language)
    if message is not None:
        log.info("refused %s: %s", where, error if isinstance(error, UserFacingError) else message)
        await reply_ephemeral(interaction, message)
        return
    error_id = uuid.uuid4().hex[:8]
    log.error("error %s in %s", error_id, where, exc_info=error)
    text = gettext(
        language,
        "Sorry, something went wrong on our side (error id `{error_id}`). Nothing was changed. "
        "Please try again; if it keeps happening, tell the bot's host this id.",
        error_id=error_id,
    )
    await reply_ephemeral(interaction, text)


def _user_message(error: BaseException, language: str) -> str | None:
    """The ephemeral text for errors the user can act on, in `language`; None for our own bugs."""
    if isinstance(error, UserFacingError):
        return error.text(language)
    if isinstance(error, OptionRefused):
        return error.text(language)
    if isinstance(error, app_commands.NoPrivateMessage):
        return gettext(language, "This command works inside a server, not in direct messages.")
    if isinstance(error, app_commands.MissingPermissions):
        return gettext(
            language,
            "You need the **{permission}** permission on this server to do that.",
            permission=_permission_names(error.missing_permissions, language),
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        return gettext(
            language,
            "I need the **{permission}** permission on this server to do that; ask an admin to grant it.",
            permission=_permission_names(error.missing_permissions, language),
        )
    if isinstance(error, app_commands.CommandOnCooldown):
        return gettext(language, "Slow down a little: try again in {seconds:.0f} s.", seconds=error.retry_after)
    if isinstance(error, app_commands.TransformerError):
        return gettext(language, "`{value}` is not a valid value for that option.", value=error.value)
    if isinstance(error, app_commands.CheckFailure):
        return gettext(language, "You can't use this command here.")
    return None


# discord.py's permission names, as Discord's own settings screens call them.
PERMISSION_LABELS = {"manage_guild": lazy_gettext("Manage Server"), "manage_roles": lazy_gettext("Manage Roles")}


def _permission_names(names: list[str], language: str) -> str:
    return ", ".join(render(PERMISSION_LABELS.get(n, n.replace("_", " ").title()), language) for n in names)


def _describe(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        what = f"/{interaction.command.qualified_name}"
    else:
        data: dict[str, object] = dict(interaction.data or {})
        what = f"component {data.get('custom_id', '?')}"
    return f"{what} (guild={interaction.guild_id} user={interaction.user.id if interaction.user else '?'})"
