"""What the cogs need from the running bot, declared on their side: the process (`bot.runtime.client`)
subclasses `RotaBot` and loads the cogs, so the cogs never import the process that wires them."""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from bot.app.calendars import Calendars
    from bot.app.claims import Claims
    from bot.app.decisions import Decisions
    from bot.app.merges import MergeVotes
    from bot.app.outbox import Dispatcher
    from bot.app.ports import Runner
    from bot.app.publication import Publication
    from bot.app.shift_reminders import ShiftReminders
    from storage.db import Database


class CogSettings(Protocol):
    """The settings a command reads (limits and cooldowns)."""

    @property
    def import_max_rows(self) -> int: ...
    @property
    def chart_cooldown(self) -> float: ...
    @property
    def preview_cooldown(self) -> float: ...


class AppServices(Protocol):
    """The use-case services the commands call, built once the bot starts."""

    @property
    def publication(self) -> Publication: ...
    @property
    def merges(self) -> MergeVotes: ...
    @property
    def claims(self) -> Claims: ...
    @property
    def decisions(self) -> Decisions: ...
    @property
    def outbox(self) -> Dispatcher: ...
    @property
    def calendars(self) -> Calendars: ...
    @property
    def shift_reminders(self) -> ShiftReminders: ...
    @property
    def workers(self) -> Runner: ...
    def now(self) -> datetime: ...
    async def schedule_changed(self, org_id: int) -> None: ...
    def rewrite_report(self, org_id: int) -> None: ...


class RotaBot(commands.Bot):
    """The bot as the cogs see it; `bot.runtime.client.RotaBot` is the one that runs."""

    db: Database
    settings: CogSettings
    views: weakref.WeakSet[discord.ui.View]  # open views, stopped when the bot closes

    @property
    def services(self) -> AppServices:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    def holds_guild(self, guild_id: int) -> bool:
        raise NotImplementedError
