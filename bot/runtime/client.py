"""The bot process: the `commands.Bot` subclass, its command tree, and where it connects."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.runtime.workers import Workers
from cogs import host
from cogs.options import check_options, leaf_options
from cogs.replies import answer_error
from cogs.translator import CatalogTranslator

if TYPE_CHECKING:
    from bot.runtime.taskqueue import QueueRunner
from storage import state
from storage.db import Database

log = logging.getLogger(__name__)

EXTENSIONS = (
    "cogs.org",
    "cogs.tasks",
    "cogs.members",
    "cogs.ratings",
    "cogs.rota",
    "cogs.merge",
    "cogs.decisions",
    "cogs.ledger",
    "cogs.report",
    "cogs.help",
    "cogs.calendar",
    "cogs.my_language",
)

# What the bot does in a server: post the rota (text, embed, the chart), find its earlier posts, move
# the rota role. The invite link asks for exactly these.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    manage_roles=True,
)


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with its permissions and its slash commands."""
    return discord.utils.oauth_url(application_id, permissions=BOT_PERMISSIONS, scopes=("bot", "applications.commands"))


DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Aim discord.py at a Discord-compatible server (the tests' fake) or back at Discord.

    discord.py keeps these as class attributes, so this affects every client in the process.
    """
    discord.http.Route.BASE = (api_base or DISCORD_API_BASE).rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url or DISCORD_GATEWAY)


class RotaTree(app_commands.CommandTree["RotaBot"]):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # Every command acts on a server's organization. `guild_only` only hides commands in
        # Discord's client, so a stale client can still send one from a DM: refuse it here.
        if interaction.guild_id is None:
            if interaction.type is discord.InteractionType.autocomplete:
                return False
            if interaction.type is discord.InteractionType.application_command:
                raise app_commands.NoPrivateMessage()
        command = interaction.command
        if interaction.type is discord.InteractionType.application_command and isinstance(
            command, app_commands.Command
        ):
            check_options(command.parameters, leaf_options(cast(dict, interaction.data or {})))
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await answer_error(interaction, original)

    async def fingerprint(self, guild: discord.abc.Snowflake | None) -> str:
        """A hash of the command definitions as Discord would receive them (their translations too)."""
        translator, commands = self.translator, self.get_commands(guild=guild)
        if translator is None:
            payload = [command.to_dict(self) for command in commands]
        else:
            payload = [await command.get_translated_payload(self, translator) for command in commands]
        payload.sort(key=lambda item: (item.get("type", 1), item["name"]))
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class RotaBot(host.RotaBot):
    settings: Settings  # all of them; the cogs see the few they read (`cogs.host.CogSettings`)

    def __init__(self, settings: Settings, db: Database, *, sync_on_start: bool = True, **options) -> None:
        # Only the guilds intent: the bot learns about members from interactions, so it needs
        # no privileged intent (no members, presences or message content).
        intents = discord.Intents.none()
        intents.guilds = True
        point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=RotaTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=True),
            **options,
        )
        self.settings = settings
        self.db = db
        self.sync_on_start = sync_on_start
        self.workers: Workers | QueueRunner = make_runner(settings)
        # What time it is, for schedules and weeks; tests replace it to move through weeks.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.clock_offset = timedelta(0)  # how far `clock` runs ahead of real time (the scheduler's jobs follow)
        # Views waiting for clicks; stopped on close so that no timeout outlives the bot.
        self.views: weakref.WeakSet[discord.ui.View] = weakref.WeakSet()
        self._services: Services | None = None
        self._shutdown: asyncio.Future[None] | None = None

    def now(self) -> datetime:
        return self.clock()

    @property
    def services(self) -> Services:
        """The scheduler and the use-case services, built in `setup_hook`."""
        if self._services is None:
            raise RuntimeError("the bot's services exist from setup_hook on")
        return self._services

    async def setup_hook(self) -> None:
        self._services = Services.create(self, self.settings, self.workers)
        await self.tree.set_translator(CatalogTranslator())
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self._services.start()
        if self.sync_on_start and self.settings.syncs_commands:
            await self.sync_commands()
        elif self.sync_on_start:
            log.info("slash commands are synced by the process holding shard 0; not here")

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the slash commands with Discord if they changed since the last sync (or if forced).

        Syncing is rate limited and slow to propagate globally, so unchanged definitions are not re-sent.
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild else "global"
        key = f"command_hash:{self.application_id}:{scope}"
        fingerprint = await cast(RotaTree, self.tree).fingerprint(guild)
        async with self.db.transaction() as session:
            if not force and await state.get_value(session, key) == fingerprint:
                log.info("slash commands unchanged since the last sync (%s); not syncing", scope)
                return False
            synced = await self.tree.sync(guild=guild)
            await state.set_value(session, key, fingerprint)
        log.info("synced %d slash commands (%s)", len(synced), scope)
        return True

    async def on_ready(self) -> None:
        if self.shard_count is not None and self.settings.sharded:
            shards = ",".join(map(str, self.settings.shard_ids or range(self.shard_count)))
            log.info(
                "connected as %s to %d servers (shards %s of %d)", self.user, len(self.guilds), shards, self.shard_count
            )
        else:
            log.info("connected as %s to %d server(s)", self.user, len(self.guilds))
        if not self.guilds and self.application_id is not None:
            log.info("the bot is in no server yet: invite it with %s", invite_url(self.application_id))

    def gateway_open(self) -> bool:
        """Whether the gateway connection (every shard of this process, when sharded) is open."""
        return self.ws is not None and self.ws.open

    def holds_guild(self, guild_id: int) -> bool:
        """Whether this process receives the server's events (its shard is one of ours)."""
        if not self.settings.sharded or self.shard_count is None:
            return True
        return (guild_id >> 22) % self.shard_count in (self.settings.shard_ids or range(self.shard_count))

    async def close(self) -> None:
        """Stop everything the bot runs, once however often it is called (a signal handler and the
        `async with` exit both call it); every caller waits for the whole shutdown, so that nothing
        is still closing (a database connection, say) when the event loop ends."""
        if self._shutdown is None:
            self._shutdown = asyncio.ensure_future(self._close_everything())
        await asyncio.shield(self._shutdown)

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _close_everything(self) -> None:
        for view in list(self.views):
            view.stop()
        if self._services is not None:
            await self._services.stop()
        await super().close()
        self.workers.shutdown()
        await self.db.dispose()
        log.info("closed cleanly")


class ShardedRotaBot(RotaBot, commands.AutoShardedBot):
    """The bot holding some of the gateway's shards (`SHARD_COUNT`, `SHARD_IDS`): several processes,
    each with its own shards, share one bot. Discord sends each process only its servers' events and
    interactions; REST (posting a rota anywhere) works from any process."""

    def gateway_open(self) -> bool:
        return bool(self.shards) and all(not shard.is_closed() for shard in self.shards.values())


def make_bot(settings: Settings, db: Database, **options: Any) -> RotaBot:
    """The bot for these settings: one gateway connection, or the shards SHARD_COUNT/SHARD_IDS name."""
    if settings.shard_count is None:
        return RotaBot(settings, db, **options)
    return ShardedRotaBot(settings, db, shard_count=settings.shard_count, shard_ids=settings.shard_ids, **options)


TEST_CLOCK_OFFSET = "PARECON_ROTA_TEST_CLOCK_OFFSET"


def shift_clock_for_tests(bot: RotaBot, environ: dict[str, str]) -> None:
    """Tests only: PARECON_ROTA_TEST_CLOCK_OFFSET=SECONDS runs the bot's clock (weeks, schedules,
    the scheduler's jobs) that far ahead of real time, so that a test can start `python -m bot` a few
    seconds before a publication is due. Never set it for a real bot."""
    value = environ.get(TEST_CLOCK_OFFSET, "").strip()
    if not value:
        return
    offset = timedelta(seconds=float(value))
    bot.clock_offset = offset
    bot.clock = lambda: datetime.now(UTC) + offset
    log.warning("%s is set: this bot's clock runs %s ahead of real time (tests only)", TEST_CLOCK_OFFSET, offset)


def make_runner(settings: Settings) -> Workers | QueueRunner:
    """Where solves run: the task queue when REDIS_URL is set, else this process's worker pool."""
    if not settings.redis_url:
        return Workers()
    from bot.runtime.taskqueue import Queue, QueueRunner, where

    log.info("solves go to the task queue at %s (`parecon-rota worker` runs them)", where(settings.redis_url))
    queue = Queue(settings.redis_url, requeue_after=settings.queue_requeue_after)
    return QueueRunner(queue, Workers(), queue_wait=settings.solve_queue_wait)
