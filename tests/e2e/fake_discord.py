"""A local Discord-compatible server (REST + gateway over loopback) for end-to-end tests.

The real discord.py client connects to it exactly as it would to Discord. It keeps guilds, channels,
roles, members, synced commands, interactions and messages in memory, enforces the Discord rules the
bot must respect (3 s to answer an interaction and only once, message and embed limits, permissions
for role changes), and offers user-side helpers: run a slash command as a member, autocomplete,
click a button, pick from a select, submit a modal, wait for a channel message.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Permission bits used by the tests and the bot.
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
MANAGE_ROLES = 1 << 28
EVERYONE_DEFAULT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
ALL_PERMISSIONS = (1 << 50) - 1

GUILD_MEMBERS_INTENT = 1 << 1

RESPONSE_DEADLINE_S = 3.0
TOKEN_LIFETIME_S = 15 * 60

# Option types of application commands.
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)

_snowflakes = itertools.count(1_250_000_000_000_000_000)  # real-sized 64-bit IDs, beyond 32 bits


def snowflake() -> int:
    return next(_snowflakes)


# Guild ids step by 2**22 (a snowflake's timestamp part), so that Discord's shard formula
# `(guild_id >> 22) % shard_count` spreads consecutive guilds over the shards as real ids do.
_guild_snowflakes = itertools.count(1_300_000_000_000_000_000, 1 << 22)


def shard_of(guild_id: int, shard_count: int) -> int:
    """Which shard receives a guild's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class DiscordError(Exception):
    """A REST error answered the way Discord answers it."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return _json(body, status=self.status)


class CommandRefused(Exception):
    """The Discord client would not let the user send this (hidden command, missing/invalid option)."""


def _json(body: Any, status: int = 200) -> web.Response:
    # discord.py only parses bodies as JSON when Content-Type is exactly application/json.
    return web.Response(status=status, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


# --------------------------------------------------------------------------------------------------
# The world: users, guilds, channels, roles, members


@dataclass(eq=False)
class FakeUser:
    id: int
    name: str
    bot: bool = False
    locale: str = "en-US"  # the language of the user's Discord client, sent with each interaction

    def payload(self) -> dict:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(eq=False)
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 1
    managed: bool = False

    def payload(self) -> dict:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(eq=False)
class FakeChannel:
    id: int
    name: str
    guild_id: int | None
    type: int = 0  # 0 text, 1 DM
    recipient: FakeUser | None = None
    messages: dict[int, dict] = field(default_factory=dict)

    def payload(self) -> dict:
        if self.type == 1:
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.recipient.payload()],
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "guild_id": str(self.guild_id),
            "position": 0,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": None,
            "nsfw": False,
            "rate_limit_per_user": 0,
            "last_message_id": None,
        }

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass(eq=False)
class FakeMember:
    user: FakeUser
    guild: FakeGuild
    roles: set[int] = field(default_factory=set)
    joined_at: str = field(default_factory=now_iso)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def permissions(self) -> int:
        guild = self.guild
        if self.user.id == guild.owner_id:
            return ALL_PERMISSIONS
        value = guild.roles[guild.id].permissions
        for role_id in self.roles:
            value |= guild.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def payload(self, *, with_permissions: bool = False) -> dict:
        data = {
            "user": self.user.payload(),
            "roles": [str(r) for r in sorted(self.roles)],
            "nick": None,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions())
        return data


@dataclass(eq=False)
class FakeGuild:
    id: int
    name: str
    owner_id: int
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    def channel(self, name: str) -> FakeChannel:
        return next(c for c in self.channels.values() if c.name == name)

    def role(self, name: str) -> FakeRole:
        return next(r for r in self.roles.values() if r.name == name)

    def member(self, user: FakeUser | int) -> FakeMember:
        return self.members[user if isinstance(user, int) else user.id]

    def payload(self) -> dict:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": now_iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.payload() for m in self.members.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


# --------------------------------------------------------------------------------------------------
# Interactions as the user sees them


@dataclass(eq=False)
class InteractionRecord:
    """One interaction the fake sent to the bot, and everything the bot answered to it."""

    fake: FakeDiscord
    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user: FakeUser
    created: float = field(default_factory=time.monotonic)
    answered: float | None = None  # when the bot's first answer arrived (in time or not)
    replied: float | None = None  # when the visible reply arrived (after a defer: its follow-up)
    source_message: dict | None = None  # for component interactions
    response_type: int | None = None
    original: dict | None = None
    followups: list[dict] = field(default_factory=list)
    choices: list[dict] | None = None
    modal: dict | None = None

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    async def wait_response(self, timeout: float = 5.0) -> InteractionRecord:
        """Wait for the first answer (message, defer, autocomplete choices, modal or update)."""
        await self.fake.wait_until(lambda: self.response_type is not None, timeout, f"a response to {self}")
        return self

    async def wait_reply(self, timeout: float = 5.0) -> dict:
        """Wait for the visible reply: the original message with content, or the first follow-up."""

        def ready() -> dict | None:
            if self.response_type == 7 and self.source_message is not None:
                return self.source_message
            if self.original is not None and not self.original["flags"] & LOADING:
                return self.original
            return self.followups[0] if self.followups else None

        await self.fake.wait_until(lambda: ready() is not None, timeout, f"a reply to {self}")
        return ready()

    async def text(self, timeout: float = 5.0) -> str:
        """The reply's content and embed text, flattened, for assertions."""
        return message_text(await self.wait_reply(timeout))

    async def is_ephemeral(self, timeout: float = 5.0) -> bool:
        return bool((await self.wait_reply(timeout))["flags"] & EPHEMERAL)

    def __repr__(self) -> str:
        return f"<interaction {self.id} type={self.type}>"


def message_text(message: dict) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name", ""), f.get("value", "")]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def pinged(message: dict) -> dict[str, Any]:
    """Who Discord notified when the message was sent: the users and roles mentioned in its text that
    its `allowed_mentions` let through, and whether @everyone/@here went off (edits notify nobody)."""
    found = message.get("_pinged") or {}
    return {
        "users": set(found.get("users", [])),
        "roles": set(found.get("roles", [])),
        "everyone": bool(found.get("everyone")),
    }


def _notified(data: dict) -> dict[str, Any]:
    content = data.get("content") or ""
    allowed = data.get("allowed_mentions")
    parse = set(allowed.get("parse", [])) if allowed is not None else {"users", "roles", "everyone"}

    def through(kind: str, found: set[int]) -> set[int]:
        listed = (allowed or {}).get(kind)
        if listed:
            return found & {int(i) for i in listed}
        return found if kind in parse else set()

    users = {int(u) for u in re.findall(r"<@!?(\d+)>", content)}
    roles = {int(r) for r in re.findall(r"<@&(\d+)>", content)}
    everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
    return {"users": sorted(through("users", users)), "roles": sorted(through("roles", roles)), "everyone": everyone}


def message_buttons(message: dict) -> list[dict]:
    return [c for row in message.get("components") or [] for c in row.get("components", []) if c["type"] == 2]


# --------------------------------------------------------------------------------------------------
# Gateway sessions


@dataclass(eq=False)
class GatewaySession:
    id: str
    intents: int
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: list[dict] = field(default_factory=list)
    shard: tuple[int, int] = (0, 1)  # [shard_id, shard_count] from IDENTIFY

    def holds(self, guild_id: int | None) -> bool:
        """Whether this session receives the events of this guild (DMs: shard 0)."""
        shard_id, count = self.shard
        return shard_id == (0 if guild_id is None else shard_of(guild_id, count))


# --------------------------------------------------------------------------------------------------
# Validation of what the bot sends


def _form_error(path: str, message: str) -> DiscordError:
    return DiscordError(
        400,
        50035,
        "Invalid Form Body",
        {path: {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": message}]}},
    )


def validate_message(data: dict, *, has_files: bool = False) -> None:
    content = data.get("content") or ""
    if len(content) > 2000:
        raise _form_error("content", "Must be 2000 or fewer in length.")
    embeds = data.get("embeds") or []
    if len(embeds) > 10:
        raise _form_error("embeds", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        limits = {"title": 256, "description": 4096}
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                raise _form_error(f"embeds.{i}.{key}", f"Must be {limit} or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _form_error(f"embeds.{i}.fields", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            if not f.get("name") or not f.get("value"):
                raise _form_error(f"embeds.{i}.fields.{j}", "This field is required")
            if len(f["name"]) > 256 or len(f["value"]) > 1024:
                raise _form_error(f"embeds.{i}.fields.{j}", "Field name ≤ 256, value ≤ 1024.")
            total += len(f["name"]) + len(f["value"])
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            value = (embed.get(key) or {}).get(sub) or ""
            total += len(value)
            if len(value) > limit:
                raise _form_error(f"embeds.{i}.{key}.{sub}", f"Must be {limit} or fewer in length.")
    if total > 6000:
        raise _form_error("embeds", "Embed size exceeds maximum size of 6000")
    rows = data.get("components") or []
    if len(rows) > 5:
        raise _form_error("components", "Must be 5 or fewer in length.")
    for row in rows:
        if len(row.get("components", [])) > 5:
            raise _form_error("components", "An action row holds at most 5 components.")
        for component in row.get("components", []):
            if len(component.get("custom_id") or "") > 100:
                raise _form_error("components", "custom_id must be 100 or fewer in length.")
            if len(component.get("options") or []) > 25:
                raise _form_error("components", "A select holds at most 25 options.")
    if not (content or embeds or has_files or rows or data.get("attachments") or data.get("poll")):
        raise DiscordError(400, 50006, "Cannot send an empty message")


# --------------------------------------------------------------------------------------------------
# The server


class FakeDiscord:
    def __init__(self, *, heartbeat_interval_ms: int = 41_250) -> None:
        self.token = "fake-" + secrets.token_hex(16)
        self.application_id = snowflake()
        self.bot_user = FakeUser(self.application_id, "parecon-rota", bot=True)
        self.owner = FakeUser(snowflake(), "host")
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user}
        self.guilds: dict[int, FakeGuild] = {}
        self.dm_channels: dict[int, FakeChannel] = {}
        self.global_commands: list[dict] = []
        self.guild_commands: dict[int, list[dict]] = {}
        self.command_syncs: list[str] = []  # "global" or the guild id, per PUT
        self.interactions: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.files: dict[int, tuple[str, bytes]] = {}
        self.sessions: dict[str, GatewaySession] = {}
        self.identifies = 0
        self.identified_shards: list[tuple[int, int]] = []  # [shard_id, shard_count] per IDENTIFY
        self.recommended_shards = 1  # GET /gateway/bot's "shards"
        self.resumes = 0
        self.heartbeats = 0
        self.requests: list[tuple[str, str]] = []
        self.unknown_requests: list[tuple[str, str]] = []
        self.rejected: list[tuple[str, DiscordError]] = []
        self._rate_limits: list[tuple[str, float]] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "a condition"):
        async def waiter():
            async with self._changed:
                while not (value := predicate()):
                    # Woken by the fake's own changes; the short timeout also catches the bot's side.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.05)
                return value

        try:
            return await asyncio.wait_for(waiter(), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None

    # -- building the world ----------------------------------------------------------------------

    def add_user(self, name: str) -> FakeUser:
        user = FakeUser(snowflake(), name)
        self.users[user.id] = user
        return user

    def add_guild(
        self,
        name: str,
        *,
        channels: Iterable[str] = ("general", "rota"),
        roles: dict[str, int] | None = None,
        bot_permissions: int = EVERYONE_DEFAULT | MANAGE_ROLES,
    ) -> FakeGuild:
        guild = FakeGuild(next(_guild_snowflakes), name, owner_id=self.owner.id)
        guild.roles[guild.id] = FakeRole(guild.id, "@everyone", EVERYONE_DEFAULT, position=0)
        bot_role = FakeRole(snowflake(), "parecon-rota", bot_permissions, position=10, managed=True)
        guild.roles[bot_role.id] = bot_role
        for position, (role_name, perms) in enumerate((roles or {"Moderator": MANAGE_GUILD}).items(), start=1):
            role = FakeRole(snowflake(), role_name, perms, position=position)
            guild.roles[role.id] = role
        for channel_name in channels:
            channel = FakeChannel(snowflake(), channel_name, guild.id)
            guild.channels[channel.id] = channel
        guild.members[self.owner.id] = FakeMember(self.owner, guild)
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, guild, roles={bot_role.id})
        self.guilds[guild.id] = guild
        return guild

    def add_member(self, guild: FakeGuild, user: FakeUser, *roles: str) -> FakeMember:
        member = FakeMember(user, guild, roles={guild.role(r).id for r in roles})
        guild.members[user.id] = member
        return member

    async def member_joins(self, guild: FakeGuild, user: FakeUser, *roles: str) -> FakeMember:
        member = self.add_member(guild, user, *roles)
        await self.dispatch("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(guild.id)}, GUILD_MEMBERS_INTENT)
        return member

    async def member_leaves(self, guild: FakeGuild, user: FakeUser) -> None:
        guild.members.pop(user.id, None)
        await self.dispatch(
            "GUILD_MEMBER_REMOVE", {"user": user.payload(), "guild_id": str(guild.id)}, GUILD_MEMBERS_INTENT
        )

    def channel_messages(self, channel: FakeChannel | int) -> list[dict]:
        channel = channel if isinstance(channel, FakeChannel) else self._channel(channel)
        return list(channel.messages.values())

    def dm_messages(self, user: FakeUser) -> list[dict]:
        return [m for c in self.dm_channels.values() if c.recipient is user for m in c.messages.values()]

    async def wait_for_message(
        self, channel: FakeChannel, predicate: Callable[[dict], bool] = lambda m: True, timeout: float = 5.0
    ) -> dict:
        def find():
            return next((m for m in channel.messages.values() if predicate(m)), None)

        return await self.wait_until(find, timeout, f"a message in #{channel.name}")

    def attachment_bytes(self, attachment: dict) -> bytes:
        return self.files[int(attachment["id"])][1]

    def upload(self, filename: str, content: bytes, content_type: str = "text/csv") -> dict:
        """Store a file as a user's upload and return its attachment object."""
        attachment_id = snowflake()
        self.files[attachment_id] = (filename, content)
        url = f"{self.base_url}/attachments/{attachment_id}/{filename}"
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(content),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def rate_limit_next(self, path_fragment: str, retry_after: float = 0.2) -> None:
        """Answer the next request whose path contains `path_fragment` with a 429."""
        self._rate_limits.append((path_fragment, retry_after))

    # -- gateway ---------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict, intent: int | None = None) -> None:
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        for session in list(self.sessions.values()):
            if intent is not None and not session.intents & intent:
                continue  # Discord sends an event only to sessions that asked for its intent
            if not session.holds(guild_id):
                continue  # a guild's events go to the shard holding it; DMs to shard 0
            session.seq += 1
            payload = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.buffer.append(payload)
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(json.dumps(payload))

    async def request_reconnect(self) -> None:
        """Op 7: ask every connected client to reconnect and resume."""
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.send_str(json.dumps({"op": 7, "d": None}))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        session: GatewaySession | None = None
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            op, data = payload["op"], payload.get("d")
            if op == 1:
                self.heartbeats += 1
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                if data.get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                session = await self._identify(ws, data)
                if session is None:
                    break
            elif op == 6:
                session = await self._resume(ws, data)
                if session is None:
                    continue
            await self._notify()
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> GatewaySession | None:
        self.identifies += 1
        shard_id, shard_count = (int(n) for n in data.get("shard") or (0, 1))
        if not 0 <= shard_id < shard_count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        self.identified_shards.append((shard_id, shard_count))
        # A new identify replaces sessions nobody holds any more (a stopped or restarted bot).
        self.sessions = {k: s for k, s in self.sessions.items() if s.ws is not None and not s.ws.closed}
        session = GatewaySession(
            secrets.token_hex(16), int(data.get("intents", 0)), ws=ws, shard=(shard_id, shard_count)
        )
        self.sessions[session.id] = session
        held = [g for g in self.guilds.values() if session.holds(g.id)]
        ready = {
            "v": 10,
            "user": self.bot_user.payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in held],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        await self.dispatch_to(session, "READY", ready)
        for guild in held:
            await self.dispatch_to(session, "GUILD_CREATE", guild.payload())
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: dict) -> GatewaySession | None:
        session = self.sessions.get(data.get("session_id"))
        if session is None or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        self.resumes += 1
        session.ws = ws
        for payload in session.buffer:
            if payload["s"] > int(data.get("seq") or 0):
                await ws.send_str(json.dumps(payload))
        await self.dispatch_to(session, "RESUMED", {})
        return session

    async def dispatch_to(self, session: GatewaySession, event: str, data: dict) -> None:
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.buffer.append(payload)
        await session.ws.send_str(json.dumps(payload))

    # -- REST ------------------------------------------------------------------------------------

    async def _attachment(self, request: web.Request) -> web.Response:
        entry = self.files.get(int(request.match_info["id"]))
        if entry is None:
            return web.Response(status=404)
        return web.Response(body=entry[1])

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        self.requests.append((request.method, path))
        for i, (fragment, retry_after) in enumerate(self._rate_limits):
            if fragment in path:
                del self._rate_limits[i]
                return web.Response(
                    status=429,
                    body=json.dumps(
                        {
                            "message": "You are being rate limited.",
                            "retry_after": retry_after,
                            "global": False,
                        }
                    ).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Retry-After": str(retry_after),
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
        if request.headers.get("Authorization") != f"Bot {self.token}" and not path.startswith(
            ("/interactions/", "/webhooks/")
        ):
            return DiscordError(401, 0, "401: Unauthorized").response()
        try:
            for method, pattern, handler in self._routes():
                if method != request.method:
                    continue
                match = _match(pattern, path)
                if match is not None:
                    result = await handler(request, *match)
                    await self._notify()
                    if result is None:
                        return web.Response(status=204)
                    return result if isinstance(result, web.Response) else _json(result)
        except DiscordError as error:
            self.rejected.append((path, error))
            await self._notify()
            return error.response()
        self.unknown_requests.append((request.method, path))
        return DiscordError(404, 0, "404: Not Found").response()

    def _routes(self):
        app = str(self.application_id)
        return [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/users/{}", self._get_user),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", f"/applications/{app}/commands", self._get_commands),
            ("PUT", f"/applications/{app}/commands", self._put_commands),
            ("GET", f"/applications/{app}/guilds/{{}}/commands", self._get_commands),
            ("PUT", f"/applications/{app}/guilds/{{}}/commands", self._put_commands),
            ("POST", "/interactions/{}/{}/callback", self._callback),
            ("GET", f"/webhooks/{app}/{{}}/messages/{{}}", self._get_webhook_message),
            ("PATCH", f"/webhooks/{app}/{{}}/messages/{{}}", self._edit_webhook_message),
            ("DELETE", f"/webhooks/{app}/{{}}/messages/{{}}", self._delete_webhook_message),
            ("POST", f"/webhooks/{app}/{{}}", self._followup),
            ("POST", "/users/@me/channels", self._create_dm),
            ("POST", "/channels/{}/messages", self._post_message),
            ("GET", "/channels/{}/messages/{}", self._get_message),
            ("GET", "/channels/{}/messages", self._history),
            ("PATCH", "/channels/{}/messages/{}", self._edit_message),
            ("DELETE", "/channels/{}/messages/{}", self._delete_message),
            ("GET", "/channels/{}", self._get_channel),
            ("GET", "/guilds/{}/members/{}", self._get_member),
            ("PUT", "/guilds/{}/members/{}/roles/{}", self._add_role),
            ("DELETE", "/guilds/{}/members/{}/roles/{}", self._remove_role),
            ("GET", "/guilds/{}/roles", self._get_roles),
        ]

    async def _get_me(self, _request) -> dict:
        return self.bot_user.payload()

    async def _get_user(self, _request, user_id: str) -> dict:
        user = self.users.get(int(user_id))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return user.payload()

    async def _get_application(self, _request) -> dict:
        return {
            "id": str(self.application_id),
            "name": "parecon-rota",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "interactions_endpoint_url": None,
        }

    async def _get_gateway(self, _request) -> dict:
        return {"url": self.gateway_url}

    async def _get_gateway_bot(self, _request) -> dict:
        return {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }

    def _command_list(self, guild_id: str | None) -> list[dict]:
        return self.global_commands if guild_id is None else self.guild_commands.setdefault(int(guild_id), [])

    async def _get_commands(self, _request, guild_id: str | None = None) -> list[dict]:
        return self._command_list(guild_id)

    async def _put_commands(self, request, guild_id: str | None = None) -> list[dict]:
        body = await request.json()
        for command in body:
            _check_command_names(command)
        stored = []
        for command in body:
            stored.append(
                {
                    "id": str(snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(snowflake()),
                    "type": 1,
                    "default_member_permissions": None,
                    "nsfw": False,
                    "options": [],
                    "description": "",
                    **({"guild_id": guild_id} if guild_id else {}),
                    **command,
                }
            )
        for command in stored:  # Discord answers with permissions as a string, whatever was sent
            if command.get("default_member_permissions") is not None:
                command["default_member_permissions"] = str(command["default_member_permissions"])
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[int(guild_id)] = stored
        self.command_syncs.append(guild_id or "global")
        return stored

    def _record(self, interaction_id: str, token: str) -> InteractionRecord:
        record = self.interactions.get(int(interaction_id))
        if record is None or record.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        return record

    def _record_by_token(self, token: str) -> InteractionRecord:
        record = self.by_token.get(token)
        if record is None or time.monotonic() - record.created > TOKEN_LIFETIME_S:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return record

    async def _callback(self, request, interaction_id: str, token: str):
        record = self._record(interaction_id, token)
        if record.answered is None:
            record.answered = time.monotonic()
        if time.monotonic() - record.created > RESPONSE_DEADLINE_S:
            raise DiscordError(404, 10062, "Unknown interaction")
        if record.response_type is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        body, files = await _read_body(request)
        kind, data = body["type"], body.get("data") or {}
        message = None
        if kind == 4:
            validate_message(data, has_files=bool(files))
            message = self._new_message(record.channel_id, data, files, interaction=record)
            record.original = message
        elif kind == 5:
            message = self._new_message(
                record.channel_id,
                {"flags": (data.get("flags") or 0) | LOADING},
                [],
                interaction=record,
                allow_empty=True,
            )
            record.original = message
        elif kind == 7:
            validate_message(data, has_files=bool(files))
            if record.source_message is None:
                raise DiscordError(400, 50035, "Invalid Form Body: no message to update")
            self._apply_edit(record.source_message, data, files)
            message = record.source_message
        elif kind == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise _form_error("data.choices", "Must be 25 or fewer in length.")
            record.choices = choices
        elif kind == 9:
            record.modal = data
        record.response_type = kind
        if kind != 5 and record.replied is None:
            record.replied = time.monotonic()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return None
        flags = (message or {}).get("flags", 0)
        result: dict = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": bool(flags & LOADING),
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            result["resource"]["message"] = message
        return result

    def _new_message(
        self,
        channel_id: int,
        data: dict,
        files: list[tuple[str, bytes, str]],
        *,
        interaction: InteractionRecord | None = None,
        allow_empty: bool = False,
    ) -> dict:
        if not allow_empty:
            validate_message(data, has_files=bool(files))
        channel = self._channel(channel_id)
        message = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            "author": self.bot_user.payload(),
            "content": "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0 if interaction is None or interaction.type != 2 else 20,
            "flags": 0,
        }
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
        if interaction is not None:
            message["application_id"] = str(self.application_id)
            message["webhook_id"] = str(self.application_id)
            message["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.payload(),
                "authorizing_integration_owners": {},
            }
        self._apply_edit(message, data, files)
        message["edited_timestamp"] = None
        message["_pinged"] = _notified(data)
        if not message["flags"] & EPHEMERAL:
            channel.messages[int(message["id"])] = message
        return message

    def _apply_edit(self, message: dict, data: dict, files: list[tuple[str, bytes, str]]) -> None:
        for key in ("content", "embeds", "components"):
            if key in data and data[key] is not None:
                message[key] = data[key]
        if "flags" in data and data["flags"] is not None:
            message["flags"] = (message["flags"] & EPHEMERAL) | int(data["flags"])
        kept = {str(a.get("id")) for a in data.get("attachments") or []} if "attachments" in data else None
        if kept is not None:
            message["attachments"] = [a for a in message["attachments"] if a["id"] in kept]
        for filename, content, content_type in files:
            message["attachments"].append(self.upload(filename, content, content_type))
        message["edited_timestamp"] = now_iso()

    async def _get_webhook_message(self, _request, token: str, message_id: str) -> dict:
        return self._webhook_message(self._record_by_token(token), message_id)

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> dict:
        if message_id == "@original":
            if record.original is None:
                raise DiscordError(404, 10008, "Unknown Message")
            return record.original
        for message in [record.original, *record.followups]:
            if message is not None and message["id"] == message_id:
                return message
        raise DiscordError(404, 10008, "Unknown Message")

    async def _edit_webhook_message(self, request, token: str, message_id: str) -> dict:
        record = self._record_by_token(token)
        if message_id == "@original" and record.original is None and record.source_message is not None:
            # A component interaction answered by deferring or updating: @original is its message.
            message = record.source_message
        else:
            message = self._webhook_message(record, message_id)
        body, files = await _read_body(request)
        merged = {**message, **{k: v for k, v in body.items() if v is not None}}
        validate_message(merged, has_files=bool(files) or bool(message["attachments"]))
        self._apply_edit(message, body, files)
        message["flags"] &= ~LOADING
        return message

    async def _delete_webhook_message(self, _request, token: str, message_id: str) -> None:
        record = self._record_by_token(token)
        message = self._webhook_message(record, message_id)
        self._channel(int(message["channel_id"])).messages.pop(int(message["id"]), None)
        message["deleted"] = True

    async def _followup(self, request, token: str) -> dict:
        record = self._record_by_token(token)
        if record.response_type is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        if record.replied is None:
            record.replied = time.monotonic()
        body, files = await _read_body(request)
        validate_message(body, has_files=bool(files))
        original = record.original
        if original is not None and original["flags"] & LOADING and not record.followups:
            # The first follow-up after a "thinking" defer replaces the loading message.
            self._apply_edit(original, body, [(f, c, t) for f, c, t in files])
            original["flags"] &= ~LOADING
            record.followups.append(original)
            return original
        message = self._new_message(record.channel_id, body, files, interaction=record)
        record.followups.append(message)
        return message

    def _channel(self, channel_id: int | str) -> FakeChannel:
        channel_id = int(channel_id)
        if channel_id in self.dm_channels:
            return self.dm_channels[channel_id]
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        raise DiscordError(404, 10003, "Unknown Channel")

    def _guild(self, guild_id: str) -> FakeGuild:
        guild = self.guilds.get(int(guild_id))
        if guild is None:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    async def _create_dm(self, request) -> dict:
        body = await request.json()
        user = self.users.get(int(body["recipient_id"]))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        channel = next((c for c in self.dm_channels.values() if c.recipient is user), None)
        if channel is None:
            channel = FakeChannel(snowflake(), f"dm-{user.name}", None, type=1, recipient=user)
            self.dm_channels[channel.id] = channel
        return channel.payload()

    def _require_bot_permission(self, guild: FakeGuild, permission: int) -> None:
        if not guild.member(self.bot_user).permissions() & permission:
            raise DiscordError(403, 50013, "Missing Permissions")

    async def _post_message(self, request, channel_id: str) -> dict:
        channel = self._channel(channel_id)
        if channel.guild_id is not None:
            self._require_bot_permission(self.guilds[channel.guild_id], SEND_MESSAGES)
        body, files = await _read_body(request)
        return self._new_message(channel.id, body, files)

    async def _get_message(self, _request, channel_id: str, message_id: str) -> dict:
        message = self._channel(channel_id).messages.get(int(message_id))
        if message is None:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _history(self, request, channel_id: str) -> list[dict]:
        """Newest first, like Discord, with `limit` and `before`."""
        messages = sorted(self._channel(channel_id).messages.values(), key=lambda m: int(m["id"]), reverse=True)
        if "before" in request.query:
            messages = [m for m in messages if int(m["id"]) < int(request.query["before"])]
        return messages[: int(request.query.get("limit", 50))]

    async def _edit_message(self, request, channel_id: str, message_id: str) -> dict:
        message = await self._get_message(request, channel_id, message_id)
        body, files = await _read_body(request)
        validate_message({**message, **body}, has_files=bool(files) or bool(message["attachments"]))
        self._apply_edit(message, body, files)
        return message

    async def _delete_message(self, _request, channel_id: str, message_id: str) -> None:
        if self._channel(channel_id).messages.pop(int(message_id), None) is None:
            raise DiscordError(404, 10008, "Unknown Message")

    async def _get_channel(self, _request, channel_id: str) -> dict:
        return self._channel(channel_id).payload()

    async def _get_member(self, _request, guild_id: str, user_id: str) -> dict:
        member = self._guild(guild_id).members.get(int(user_id))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return member.payload()

    async def _get_roles(self, _request, guild_id: str) -> list[dict]:
        return [r.payload() for r in self._guild(guild_id).roles.values()]

    def _role_change(self, guild_id: str, user_id: str, role_id: str) -> tuple[FakeMember, int]:
        guild = self._guild(guild_id)
        member = guild.members.get(int(user_id))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        role = guild.roles.get(int(role_id))
        if role is None:
            raise DiscordError(404, 10011, "Unknown Role")
        self._require_bot_permission(guild, MANAGE_ROLES)
        top = max(guild.roles[r].position for r in guild.member(self.bot_user).roles)
        if role.position >= top:
            raise DiscordError(403, 50013, "Missing Permissions")  # role hierarchy
        return member, role.id

    async def _add_role(self, _request, guild_id: str, user_id: str, role_id: str) -> None:
        member, role = self._role_change(guild_id, user_id, role_id)
        member.roles.add(role)

    async def _remove_role(self, _request, guild_id: str, user_id: str, role_id: str) -> None:
        member, role = self._role_change(guild_id, user_id, role_id)
        member.roles.discard(role)

    # -- the user's side -------------------------------------------------------------------------

    def find_command(self, guild: FakeGuild | None, name: str) -> dict:
        scoped = self.guild_commands.get(guild.id, []) if guild else []
        for command in [*scoped, *self.global_commands]:
            if command["name"] == name:
                return command
        raise CommandRefused(
            f"/{name} is not registered (synced commands: {[c['name'] for c in [*scoped, *self.global_commands]]})"
        )

    async def invoke(
        self,
        guild: FakeGuild | None,
        user: FakeUser,
        command: str,
        *,
        in_channel: FakeChannel | None = None,
        visible: bool | None = None,
        validate: bool = True,
        **options: Any,
    ) -> InteractionRecord:
        """Run `/command` (e.g. "mod org setup") as `user` in `guild` (None: in a DM with the bot).

        Like Discord's client, refuses commands hidden by `default_member_permissions` (unless
        `visible=True`, as if an admin re-granted them) and options that break the definition
        (unless `validate=False`). `in_channel` is where the user types it (default: the first channel).
        """
        data, resolved = self._command_data(guild, user, command, options, validate=validate, visible=visible)
        return await self._interact(2, guild, user, in_channel, data | {"resolved": resolved})

    async def autocomplete(
        self,
        guild: FakeGuild | None,
        user: FakeUser,
        command: str,
        focused: str,
        value: str = "",
        **options: Any,
    ) -> list[dict]:
        """Type `value` into option `focused`; returns the choices the bot offers."""
        data, _ = self._command_data(guild, user, command, options, validate=False, visible=True)
        leaf = data
        while leaf.get("options") and leaf["options"][0]["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            leaf = leaf["options"][0]
        definition = self._leaf_definition(self.find_command(guild, data["name"]), command.split()[1:])
        option_def = next(o for o in definition.get("options", []) if o["name"] == focused)
        leaf.setdefault("options", []).append(
            {"name": focused, "type": option_def["type"], "value": value, "focused": True}
        )
        record = await self._interact(4, guild, user, None, data)
        await record.wait_response()
        return record.choices or []

    async def click(self, guild: FakeGuild | None, user: FakeUser, message: dict, custom_id: str) -> InteractionRecord:
        button = next((b for b in message_buttons(message) if b.get("custom_id") == custom_id), None)
        if button is None:
            raise CommandRefused(f"no button {custom_id!r} on message {message['id']}")
        if button.get("disabled"):
            raise CommandRefused(f"button {custom_id!r} is disabled")
        return await self._interact(
            3, guild, user, None, {"custom_id": custom_id, "component_type": 2}, message=message
        )

    async def select(
        self, guild: FakeGuild | None, user: FakeUser, message: dict, custom_id: str, values: list[str]
    ) -> InteractionRecord:
        component = next(
            (
                c
                for row in message.get("components") or []
                for c in row["components"]
                if c.get("custom_id") == custom_id
            ),
            None,
        )
        if component is None:
            raise CommandRefused(f"no select {custom_id!r} on message {message['id']}")
        return await self._interact(
            3,
            guild,
            user,
            None,
            {"custom_id": custom_id, "component_type": component["type"], "values": values},
            message=message,
        )

    async def submit_modal(
        self, guild: FakeGuild | None, user: FakeUser, opened_by: InteractionRecord, values: dict[str, str]
    ) -> InteractionRecord:
        modal = opened_by.modal
        if modal is None:
            raise CommandRefused("that interaction opened no modal")
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()]
        return await self._interact(5, guild, user, None, {"custom_id": modal["custom_id"], "components": rows})

    def _leaf_definition(self, command: dict, path: list[str]) -> dict:
        node = command
        for part in path:
            node = next(
                (
                    o
                    for o in node.get("options", [])
                    if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
                ),
                None,
            )
            if node is None:
                raise CommandRefused(f"/{command['name']} has no subcommand {part!r}")
        return node

    def _command_data(
        self, guild, user, command: str, options: dict, *, validate: bool, visible: bool | None
    ) -> tuple[dict, dict]:
        top, *path = command.split()
        definition = self.find_command(guild, top)
        guild_only = definition.get("contexts") == [0] or definition.get("dm_permission") is False
        if guild is None and guild_only and validate:
            raise CommandRefused(f"/{top} is not available in DMs")
        required = definition.get("default_member_permissions")
        if guild is not None and required and not visible:
            member = guild.member(user)
            if int(required) and member.permissions() & int(required) != int(required):
                raise CommandRefused(f"/{top} is hidden from {user.name} (needs permissions {required})")
        leaf = self._leaf_definition(definition, path)
        resolved: dict[str, dict] = {}
        built = []
        known = {o["name"]: o for o in leaf.get("options", [])}
        for name in options:
            if name not in known:
                raise CommandRefused(f"/{command} has no option {name!r} (has {sorted(known)})")
        for option in leaf.get("options", []):
            name = option["name"]
            if name not in options or options[name] is None:
                if option.get("required") and validate:
                    raise CommandRefused(f"/{command} needs option {name!r}")
                continue
            value = self._option_value(guild, option, options[name], resolved, validate=validate)
            built.append({"name": name, "type": option["type"], "value": value})
        data: dict = {"id": definition["id"], "name": top, "type": 1}
        node_options = built
        for part in reversed(path):
            kind = SUB_COMMAND if part == path[-1] else SUB_COMMAND_GROUP
            node_options = [{"name": part, "type": kind, "options": node_options}]
        data["options"] = node_options
        if guild is not None:
            data["guild_id"] = str(guild.id)
        return data, resolved

    def _option_value(self, guild, option: dict, value: Any, resolved: dict, *, validate: bool) -> Any:
        kind = option["type"]
        if kind in (USER, MENTIONABLE) and isinstance(value, FakeUser | FakeMember):
            user = value.user if isinstance(value, FakeMember) else value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            if guild is not None and user.id in guild.members:
                member = guild.members[user.id].payload(with_permissions=True)
                member.pop("user")
                resolved.setdefault("members", {})[str(user.id)] = member
            return str(user.id)
        if kind in (ROLE, MENTIONABLE) and isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return str(value.id)
        if kind == CHANNEL and isinstance(value, FakeChannel):
            types = option.get("channel_types")
            if validate and types and value.type not in types:
                raise CommandRefused(f"option {option['name']!r} takes channel types {types}")
            resolved.setdefault("channels", {})[str(value.id)] = {
                **value.payload(),
                "permissions": str(ALL_PERMISSIONS),
            }
            return str(value.id)
        if kind == ATTACHMENT:
            filename, content = value
            attachment = self.upload(filename, content)
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        if validate:
            self._check_scalar(option, value)
        return value

    @staticmethod
    def _check_scalar(option: dict, value: Any) -> None:
        name, kind = option["name"], option["type"]
        expected = {STRING: str, INTEGER: int, NUMBER: (int, float), BOOLEAN: bool}.get(kind)
        if expected is not None and (not isinstance(value, expected) or (kind != BOOLEAN and isinstance(value, bool))):
            raise CommandRefused(f"option {name!r} takes {expected}, not {value!r}")
        if option.get("choices") and value not in [c["value"] for c in option["choices"]]:
            raise CommandRefused(f"option {name!r} must be one of its choices")
        if kind in (INTEGER, NUMBER):
            if "min_value" in option and value < option["min_value"]:
                raise CommandRefused(f"option {name!r} must be ≥ {option['min_value']}")
            if "max_value" in option and value > option["max_value"]:
                raise CommandRefused(f"option {name!r} must be ≤ {option['max_value']}")
        if kind == STRING:
            if "min_length" in option and len(value) < option["min_length"]:
                raise CommandRefused(f"option {name!r} needs ≥ {option['min_length']} characters")
            if "max_length" in option and len(value) > option["max_length"]:
                raise CommandRefused(f"option {name!r} takes ≤ {option['max_length']} characters")

    async def _interact(
        self,
        kind: int,
        guild: FakeGuild | None,
        user: FakeUser,
        channel: FakeChannel | None,
        data: dict,
        *,
        message: dict | None = None,
    ) -> InteractionRecord:
        if channel is None and message is not None:
            channel = self._channel(message["channel_id"])
        if channel is None:
            channel = next(iter(guild.channels.values())) if guild is not None else self._dm_with(user)
        record = InteractionRecord(
            self,
            snowflake(),
            secrets.token_urlsafe(32),
            kind,
            guild.id if guild else None,
            channel.id,
            user,
            source_message=message,
        )
        self.interactions[record.id] = record
        self.by_token[record.token] = record
        payload: dict = {
            "id": str(record.id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": record.token,
            "version": 1,
            "locale": user.locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
        }
        if guild is not None:
            if user.id not in guild.members:
                raise CommandRefused(f"{user.name} is not a member of {guild.name}")
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": guild.member(user).payload(with_permissions=True),
                "app_permissions": str(guild.member(self.bot_user).permissions()),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        else:
            payload |= {
                "user": user.payload(),
                "app_permissions": str(EVERYONE_DEFAULT),
                "authorizing_integration_owners": {"0": str(user.id)},
                "context": 1,
            }
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return record

    def _dm_with(self, user: FakeUser) -> FakeChannel:
        channel = next((c for c in self.dm_channels.values() if c.recipient is user), None)
        if channel is None:
            channel = FakeChannel(snowflake(), f"dm-{user.name}", None, type=1, recipient=user)
            self.dm_channels[channel.id] = channel
        return channel


def _match(pattern: str, path: str) -> tuple[str, ...] | None:
    pattern_parts, path_parts = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(pattern_parts) != len(path_parts):
        return None
    captured = []
    for expected, actual in zip(pattern_parts, path_parts, strict=True):
        if expected == "{}":
            captured.append(actual)
        elif expected != actual:
            return None
    return tuple(captured)


async def _read_body(request: web.Request) -> tuple[dict, list[tuple[str, bytes, str]]]:
    """JSON body, or multipart with `payload_json` and `files[n]` parts (how discord.py uploads)."""
    if not request.body_exists:
        return {}, []
    if not request.content_type.startswith("multipart/"):
        return await request.json(), []
    body: dict = {}
    files = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif part.name and part.name.startswith("files["):
            files.append(
                (
                    part.filename or "file",
                    bytes(await part.read()),
                    part.headers.get("Content-Type", "application/octet-stream"),
                )
            )
    return body, files


COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")  # Discord's rule, less its Devanagari and Thai marks


def _check_command_names(definition: dict) -> None:
    """Refuse the whole sync, as Discord does, when a command's or option's name (in any language) is not
    lower case, has other characters than letters, digits, - and _, or is longer than 32 characters."""
    names = [definition["name"], *(definition.get("name_localizations") or {}).values()]
    for name in names:
        if not COMMAND_NAME.match(name) or name != name.lower():
            raise DiscordError(400, 50035, f"Invalid Form Body: {name!r} is not a valid command name")
    for option in definition.get("options") or []:  # subcommands and options (choices are free text)
        _check_command_names(option)
