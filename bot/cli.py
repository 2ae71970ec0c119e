"""The `parecon-rota` command: run, migrate, sync, health, backup, restore (and plan)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.startup import ExitStatus, StartupError

if TYPE_CHECKING:
    from bot.settings import Loaded, Settings

# discord.py, the database and the settings load only for the commands that use them, so that the
# offline planner starts fast (its time limit counts start-up).

log = logging.getLogger("bot")

NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot log in.

  1. Create an application at https://discord.com/developers/applications
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put it in the settings file as DISCORD_TOKEN=your-token (start from .env.example): {where}
     or export DISCORD_TOKEN in the environment.

Then run the command again. The README explains how to invite the bot to your server.
"""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("parecon-rota")
    except PackageNotFoundError:
        return "unknown"


def _load(args: argparse.Namespace) -> Loaded:
    """Settings, logging and the data directory; logs which settings file and database are used."""
    import discord

    from bot.settings import ConfigError, load_settings

    try:
        loaded = load_settings(getattr(args, "env_file", None))
    except ConfigError as error:
        raise StartupError(ExitStatus.CONFIG, str(error)) from None
    settings = loaded.settings
    discord.utils.setup_logging(level=logging.getLevelNamesMapping().get(settings.log_level, logging.INFO))
    try:
        settings.ensure_data_dir()
    except OSError as error:
        raise StartupError(
            ExitStatus.CONFIG,
            f"Cannot create the data directory {settings.data_dir}: {error.strerror}.\n"
            "Set DATA_DIR to a folder this user may write to.",
        ) from None
    log.info("parecon-rota %s; %s", version(), loaded.describe())
    return loaded


def _settings(args: argparse.Namespace) -> Settings:
    return _load(args).settings


def _require_token(loaded: Loaded) -> str:
    token = loaded.settings.discord_token
    if token is None or not token.get_secret_value().strip():
        from bot.settings import env_file_candidates

        where = str(loaded.env_file) if loaded.env_file else f"one of {', '.join(map(str, env_file_candidates()))}"
        raise StartupError(ExitStatus.CONFIG, NO_TOKEN.format(where=where).rstrip())
    return token.get_secret_value().strip()


def _prepare_database(settings: Settings) -> None:
    """Reach the database (retrying for CONNECT_TIMEOUT) and bring its schema up to date."""
    from bot.startup import check_database
    from storage.db import migrate

    label = settings.database_label()
    if settings.sqlite_path is not None and not settings.sqlite_path.exists():
        log.warning("no database at %s yet: starting a new, empty one", settings.sqlite_path.resolve())
    asyncio.run(check_database(settings.database_url, label, settings.connect_timeout))
    try:
        migrate(settings.database_url)
    except Exception as error:
        log.debug("migration failed", exc_info=True)
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise StartupError(
            ExitStatus.DATABASE,
            f"Could not bring the database schema up to date ({label}): {first}\n"
            "Restore the last backup or run with LOG_LEVEL=DEBUG for the details.",
        ) from None


def _handled(command):
    """Turn start-up failures into their lines on standard error and their exit status."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except StartupError as error:
            print(error, file=sys.stderr)
            return int(error.status)

    run.__doc__ = command.__doc__
    return run


async def _login(bot, token: str, api_base: str, timeout: float, where: str) -> None:
    import aiohttp
    import discord

    from bot.startup import TOKEN_REFUSED, check_discord_rest, unreachable

    await check_discord_rest(api_base, timeout)
    try:
        await asyncio.wait_for(bot.login(token), timeout)
    except discord.LoginFailure:
        raise StartupError(ExitStatus.TOKEN_REFUSED, TOKEN_REFUSED.format(where=where)) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise StartupError(ExitStatus.DISCORD_UNREACHABLE, unreachable(api_base, error, timeout)) from None


async def _connect(bot, gateway: str, timeout: float) -> None:
    """Open the gateway; give up with a clear line when it is not open within `timeout` (later drops
    are discord.py's to reconnect)."""
    from bot.startup import check_discord_gateway, reason

    await check_discord_gateway(gateway, timeout)
    connect = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        await connect
        return
    ready.cancel()
    error = connect.exception() if connect in done else None
    if connect in done and error is None:
        return  # stopped (a signal) before it was ready
    problem = reason(error) if error is not None else "no answer"
    await bot.close()
    if not connect.done():
        connect.cancel()
    raise StartupError(
        ExitStatus.DISCORD_UNREACHABLE,
        f"Logged in to Discord, but its gateway at {gateway} did not let the bot connect: {problem}, "
        f"for {timeout:.0f} s.\nCheck that outgoing WebSocket connections (wss://gateway.discord.gg) are allowed.",
    )


def _token_source(loaded: Loaded) -> str:
    import os

    return "the environment" if "DISCORD_TOKEN" in os.environ else str(loaded.env_file)


async def _run_bot(loaded: Loaded, token: str) -> None:
    from bot.client import DISCORD_API_BASE, DISCORD_GATEWAY, RotaBot
    from storage.db import Database

    settings = loaded.settings
    bot = RotaBot(settings, Database(settings.database_url))
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Future] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Close cleanly on a service manager's stop: the gateway session ends and the database is released.
        loop.add_signal_handler(sig, lambda: closing.append(asyncio.ensure_future(bot.close())))
    try:
        async with bot:
            api_base = settings.discord_api_base or DISCORD_API_BASE
            await _login(bot, token, api_base, settings.connect_timeout, _token_source(loaded))
            await _connect(bot, settings.discord_gateway_url or DISCORD_GATEWAY, settings.connect_timeout)
    finally:
        await asyncio.gather(*closing)  # a stop that arrived while it ran finishes before the loop ends


async def _sync(loaded: Loaded, token: str) -> None:
    from bot.client import DISCORD_API_BASE, RotaBot
    from storage.db import Database

    settings = loaded.settings
    bot = RotaBot(settings, Database(settings.database_url), sync_on_start=False)
    async with bot:
        api_base = settings.discord_api_base or DISCORD_API_BASE
        await _login(bot, token, api_base, settings.connect_timeout, _token_source(loaded))
        await bot.sync_commands(force=True)


@_handled
def cmd_run(args: argparse.Namespace) -> int:
    loaded = _load(args)
    token = _require_token(loaded)
    _prepare_database(loaded.settings)
    asyncio.run(_run_bot(loaded, token))
    return 0


@_handled
def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _prepare_database(settings)
    log.info("database is up to date")
    return 0


@_handled
def cmd_sync(args: argparse.Namespace) -> int:
    loaded = _load(args)
    token = _require_token(loaded)
    _prepare_database(loaded.settings)
    asyncio.run(_sync(loaded, token))
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
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--env-file",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the settings file (default: the first of ./.env, ~/.config/parecon-rota/parecon-rota.env, "
        "/etc/parecon-rota/parecon-rota.env; or $PARECON_ROTA_ENV_FILE)",
    )
    parser = argparse.ArgumentParser(
        prog="parecon-rota",
        description=__doc__,
        parents=[common],
        epilog="exit status: 0 done, 1 unexpected error, 2 configuration, 3 database, 4 Discord unreachable, "
        "5 token refused (README: Self-hosting)",
    )
    parser.add_argument("--version", action="version", version=f"parecon-rota {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="run the bot (the default)").set_defaults(handler=cmd_run)
    sub.add_parser("migrate", parents=[common], help="bring the database schema up to date").set_defaults(
        handler=cmd_migrate
    )
    sub.add_parser("sync", parents=[common], help="register the slash commands with Discord now").set_defaults(
        handler=cmd_sync
    )
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
    plan.add_argument(
        "--week",
        metavar="YYYY-Www",
        help="the ISO week planned, for members' days away (default: next week, e.g. 2026-W49)",
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
