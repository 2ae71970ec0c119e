"""What the Discord effects share: Discord's errors as the outbox's `DeliveryError`, and finding a
message the bot sent before a crash by the marker it carries."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence

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


MESSAGE_LIMIT = 2000  # characters of a message's text
MENTIONS_PER_MESSAGE = 90  # allowed_mentions lists at most 100 users; 90 mentions fit in 2,000 characters


def mention_chunks(head: str, user_ids: Sequence[int], *, reserve: int = 100) -> list[tuple[str, list[int]]]:
    """`head` followed by a mention of each user, split into messages within Discord's limits (the
    text, less `reserve` for a marker line, and the users one message may notify): (text, users)."""
    chunks: list[tuple[str, list[int]]] = []
    text, users = head, list[int]()
    for user_id in user_ids:
        mention = f"<@{user_id}>"
        if len(text) + 1 + len(mention) > MESSAGE_LIMIT - reserve or len(users) >= MENTIONS_PER_MESSAGE:
            chunks.append((text, users))
            text, users = "", []
        text = f"{text} {mention}" if text and not text.endswith("\n") else text + mention
        users.append(user_id)
    chunks.append((text, users))
    return chunks


def only_users(user_ids: Sequence[int], *, ping: bool = True, role_id: int | None = None) -> discord.AllowedMentions:
    """Notify exactly these users (and the role, when meant): never @everyone, @here or other roles."""
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(u) for u in user_ids] if ping else False,
        roles=[discord.Object(role_id)] if role_id else False,
        replied_user=False,
    )


async def send_chunks(
    bot: discord.Client,
    channel: discord.abc.Messageable,
    chunks: Sequence[tuple[str, list[int]]],
    marker: str,
    *,
    tried_before: bool,
    ping: bool = True,
    first: int = 1,
    view: Callable[[], discord.ui.View] | None = None,
    what: str = "sending a message",
) -> int | None:
    """Send each chunk as a message carrying `marker · n` (n from `first`; the first one carries the
    marker alone when `first` is 1), pinging only its own users. With `tried_before`, a chunk found
    by its marker is not sent again. Returns the first chunk's message id."""
    ids = []
    for n, (text, users) in enumerate(chunks, start=first):
        mark = marker if n == 1 else f"{marker} · {n}"
        found = await find_own(bot, channel, mark, what) if tried_before else None
        if found is None:
            with delivery_errors(what):
                message = await channel.send(
                    with_marker(text, mark),
                    allowed_mentions=only_users(users, ping=ping),
                    view=view() if view else discord.utils.MISSING,
                )
            found = message.id
        ids.append(found)
    return ids[0] if ids else None
