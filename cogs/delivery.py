"""What the Discord effects share: Discord's errors as the outbox's `DeliveryError`, and finding a
message the bot sent before a crash by the marker it carries."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import discord

from bot.app.ports import DeliveryError

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 50  # recent messages searched for one sent just before a crash


@contextlib.contextmanager
def delivery_errors(what: str) -> Iterator[None]:
    """Discord's refusals as `DeliveryError`: 429 and 5xx may pass, other 4xx (a deleted channel,
    a missing permission, closed DMs) will not without someone changing something."""
    try:
        yield
    except discord.HTTPException as error:
        permanent = error.status < 500 and error.status != 429
        raise DeliveryError(f"{what}: {error.status} {error.text or error}"[:300], permanent=permanent) from error


def carries(message: discord.Message, marker: str) -> bool:
    return any((e.footer.text or "").endswith(marker) for e in message.embeds) or message.content.endswith(marker)


async def find_own(
    bot: discord.Client, channel: discord.abc.Messageable, marker: str, what: str = "reading the channel"
) -> int | None:
    """The id of the bot's message carrying `marker` among the channel's recent messages. When the
    history cannot be read (no Read Message History there), None: sending again is better than
    never delivering, and a send that cannot happen either says why."""
    me = bot.user
    try:
        async for message in channel.history(limit=HISTORY_LOOKBACK):
            if me is not None and message.author.id == me.id and carries(message, marker):
                return message.id
    except discord.HTTPException as error:
        log.warning("%s: %s %s; sending without looking", what, error.status, error.text or error)
    return None


def with_marker(text: str, marker: str) -> str:
    """A plain message with its marker as a small last line."""
    return f"{text}\n-# {marker}" if marker else text
