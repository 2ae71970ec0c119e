"""The `parecon-rota` command: run, migrate, sync (and plan)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

# discord.py, the database and the settings load only for the commands that use them, so that the
# offline planner starts fast (its time limit counts start-up).

log = logging.getLogger("bot")

NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot log in.

  1. Create an application at https://discord.com/developers/applications
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put it in a file named .env next to README.md:   DISCORD_TOKEN=your-token
     (start from .env.example), or export DISCORD_TOKEN in your shell.

Then run the command again. The README explains how to invite the bot to your server.
"""


def _settings() -> Settings:
    from bot.logs import setup_logging
    from bot.settings import Settings

    settings = Settings()
    setup_logging(settings.log_level)
    settings.ensure_data_dir()
    return settings


def _require_token(settings: Settings) -> str | None:
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return None
    return settings.discord_token.get_secret_value()


async def _run_bot(settings: Settings, token: str) -> None:
    from bot.client import RotaBot
    from storage.db import Database

    bot = RotaBot(settings, Database(settings.database_url))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Close cleanly on a service manager's stop: the gateway session ends and the database is released.
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)


async def _sync(settings: Settings, token: str) -> None:
    from bot.client import RotaBot
    from storage.db import Database

    bot = RotaBot(settings, Database(settings.database_url), sync_on_start=False)
    async with bot:
        await bot.login(token)
        await bot.sync_commands(force=True)


def cmd_run(_args: argparse.Namespace) -> int:
    import discord

    from storage.db import migrate

    settings = _settings()
    token = _require_token(settings)
    if token is None:
        return 2
    migrate(settings.database_url)
    try:
        asyncio.run(_run_bot(settings, token))
    except discord.LoginFailure:
        print(
            "Discord refused DISCORD_TOKEN: reset it in the developer portal and update .env.",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from storage.db import migrate

    settings = _settings()
    migrate(settings.database_url)
    log.info("database is up to date")
    return 0


def cmd_sync(_args: argparse.Namespace) -> int:
    from storage.db import migrate

    settings = _settings()
    token = _require_token(settings)
    if token is None:
        return 2
    migrate(settings.database_url)
    asyncio.run(_sync(settings, token))
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.planner import PlanInputError, run_plan

    logging.basicConfig(level=logging.WARNING)
    try:
        return run_plan(args)
    except PlanInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parecon-rota", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (the default)").set_defaults(handler=cmd_run)
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(handler=cmd_migrate)
    sub.add_parser("sync", help="register the slash commands with Discord now").set_defaults(handler=cmd_sync)
    plan = sub.add_parser(
        "plan",
        help="divide work into balanced job complexes from CSV files, offline",
        description="Divide the tasks in TASKS among the members in MEMBERS as balanced job complexes.",
    )
    plan.add_argument(
        "--tasks",
        required=True,
        help="task,hours,slots,qualification,splittable,min_shift,desirability,empowerment",
    )
    plan.add_argument("--members", required=True, help="member,hours,qualifications,away")
    plan.add_argument("--ratings", help="member,task,desirability,empowerment (individual ratings)")
    plan.add_argument("--history", help="week,task,member,hours (earlier weeks, for rotation)")
    plan.add_argument(
        "--time-limit",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="for the whole command, reading and writing files included (default 5)",
    )
    plan.add_argument(
        "--granularity",
        default="0.25",
        metavar="HOURS",
        help="splittable tasks are cut into whole multiples of this (default 0.25: a quarter hour)",
    )
    plan.add_argument("--seed", type=int, default=0, help="same input and seed, same plan (default 0)")
    plan.add_argument("--out", required=True, help="where to write assignments.csv (task,member,hours)")
    plan.add_argument("--report", help="where to write the balance report (JSON)")
    plan.set_defaults(handler=cmd_plan)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", cmd_run)
    return handler(args)
