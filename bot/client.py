"""The bot process: the `commands.Bot` subclass, its command tree, and where it connects."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.options import check_options, leaf_options
from bot.replies import answer_error
from bot.services import Services
from bot.settings import Settings
from bot.workers import Workers
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
    "cogs.ledger",
    "cogs.report",
)

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

    def fingerprint(self, guild: discord.abc.Snowflake | None) -> str:
        """A hash of the command definitions as Discord would receive them."""
        payload = [command.to_dict(self) for command in self.get_commands(guild=guild)]
        payload.sort(key=lambda item: (item.get("type", 1), item["name"]))
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class RotaBot(commands.Bot):
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
        self.workers = Workers()
        # What time it is, for schedules and weeks; tests replace it to move through weeks.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
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
        self._services = Services.create(self)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self._services.start()
        if self.sync_on_start:
            await self.sync_commands()

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the slash commands with Discord if they changed since the last sync (or if forced).

        Syncing is rate limited and slow to propagate globally, so unchanged definitions are not re-sent.
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild else "global"
        key = f"command_hash:{self.application_id}:{scope}"
        fingerprint = cast(RotaTree, self.tree).fingerprint(guild)
        async with self.db.transaction() as session:
            if not force and await state.get_value(session, key) == fingerprint:
                log.info("slash commands unchanged since the last sync (%s); not syncing", scope)
                return False
            synced = await self.tree.sync(guild=guild)
            await state.set_value(session, key, fingerprint)
        log.info("synced %d slash commands (%s)", len(synced), scope)
        return True

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

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
