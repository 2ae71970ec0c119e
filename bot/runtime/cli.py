"""The `parecon-rota` command: run, worker, migrate, sync, health, backup, restore, report (and plan)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.runtime.redact import install as install_redaction
from bot.runtime.redact import redact
from bot.runtime.startup import ExitStatus, StartupError

if TYPE_CHECKING:
    from bot.runtime.settings import Loaded, Settings

# discord.py, the database and the settings load only for the commands that use them, so that the
# offline planner starts fast (its time limit counts start-up).

log = logging.getLogger("bot")

NO_TOKEN = """\
DISCORD_TOKEN is not set, so the bot cannot log in.

  1. Create an application at https://discord.com/developers/applications
  2. Under "Bot", press "Reset Token" and copy the token.
  3. Put DISCORD_TOKEN=your-token in the settings file {where} (start from
     .env.example), or export DISCORD_TOKEN in the environment.{looked}

Then run the command again. The README explains how to invite the bot to your server.
"""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("parecon-rota")
    except PackageNotFoundError:
        return "unknown"


def _load(args: argparse.Namespace, *, quiet: bool = False) -> Loaded:
    """Settings, logging and the data directory; logs which settings file and database are used.

    `quiet`: a command whose output is its one line of result logs warnings only, unless -v."""
    import discord

    from bot.runtime.logs import setup_logging
    from bot.runtime.settings import ConfigError, load_settings

    try:
        loaded = load_settings(getattr(args, "env_file", None))
    except ConfigError as error:
        raise StartupError(ExitStatus.CONFIG, str(error)) from None
    settings = loaded.settings
    level = logging.getLevelNamesMapping().get(settings.log_level, logging.INFO)
    if quiet and not getattr(args, "verbose", False):
        level = max(level, logging.WARNING)
    setup_logging(level)  # discord.py's format; colour only on a terminal
    # Lines that say nothing to someone running the bot: it has no voice, and Alembic lists its plugins.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, logging.WARNING))
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


def _settings(args: argparse.Namespace, *, quiet: bool = False) -> Settings:
    return _load(args, quiet=quiet).settings


def _require_token(loaded: Loaded) -> str:
    token = loaded.settings.discord_token
    if token is None or not token.get_secret_value().strip():
        from bot.runtime.settings import env_file_candidates

        where, looked = str(loaded.env_file), ""
        if loaded.env_file is None:
            candidates = [str(path) for path in env_file_candidates()]
            where = candidates[0]
            looked = f"\n     No settings file was found; the bot looks for, in order: {', '.join(candidates)}."
        raise StartupError(ExitStatus.CONFIG, NO_TOKEN.format(where=where, looked=looked).rstrip())
    return without_bot_prefix(token.get_secret_value().strip(), _token_source(loaded))


def without_bot_prefix(token: str, where: str) -> str:
    """The token without a pasted `Bot ` (the prefix of Discord's Authorization header, not part of
    the token): Discord would refuse it, and the advice to reset a right token would mislead."""
    head, _, rest = token.partition(" ")
    if head.lower() == "bot" and rest.strip():
        log.warning(
            'DISCORD_TOKEN starts with "Bot ", which is not part of the token: using what follows it '
            "(remove the prefix in %s)",
            where,
        )
        return rest.strip()
    return token


def _prepare_database(settings: Settings) -> None:
    """Reach the database (retrying for CONNECT_TIMEOUT) and bring its schema up to date."""
    from bot.runtime.startup import check_database
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
            print(redact(str(error)), file=sys.stderr)
            return int(error.status)

    run.__doc__ = command.__doc__
    return run


async def _login(bot, token: str, api_base: str, timeout: float, where: str) -> None:
    import aiohttp
    import discord

    from bot.runtime.startup import TOKEN_REFUSED, check_discord_rest, unreachable

    await check_discord_rest(api_base, timeout)
    login = asyncio.create_task(bot.login(token))
    try:
        # The REST part of logging in is bounded; the setup hook after it (command sync) is not: it may
        # have to wait out a rate limit.
        async with asyncio.timeout(timeout):
            while not login.done() and bot.application is None:
                await asyncio.wait({login}, timeout=0.05)
        await login
    except discord.LoginFailure:
        raise StartupError(ExitStatus.TOKEN_REFUSED, TOKEN_REFUSED.format(where=where)) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        login.cancel()
        raise StartupError(ExitStatus.DISCORD_UNREACHABLE, unreachable(api_base, error, timeout)) from None


TOKEN_CLOSE_CODE = 4004  # the gateway's "authentication failed"
TOKEN_REVOKED = (
    "Discord's gateway refused DISCORD_TOKEN (it was reset or revoked): copy the new token from the developer "
    "portal (Bot → Reset Token) into the settings, then start again."
)


async def _connect(bot, gateway: str, timeout: float) -> None:
    """Open the gateway; give up with a clear line when it is not open within `timeout` (later drops
    are discord.py's to reconnect)."""
    import discord

    from bot.runtime.startup import check_discord_gateway, reason

    await check_discord_gateway(gateway, timeout)
    connect = asyncio.create_task(bot.connect(reconnect=True))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({connect, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        beating = asyncio.create_task(_heartbeat(bot))
        try:
            await connect
        except discord.ConnectionClosed as closed:
            if closed.code == TOKEN_CLOSE_CODE:
                raise StartupError(ExitStatus.TOKEN_REFUSED, TOKEN_REVOKED) from None
            raise
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
            await _record_stop(bot)
        return
    ready.cancel()
    error = connect.exception() if connect in done else None
    if connect in done and error is None:
        return  # stopped (a signal) before it was ready
    if isinstance(error, discord.ConnectionClosed) and error.code == TOKEN_CLOSE_CODE:
        raise StartupError(ExitStatus.TOKEN_REFUSED, TOKEN_REVOKED)
    if error is None:
        problem = "no answer"
    elif isinstance(error, AttributeError) and not bot.gateway_open():
        problem = "the first connection failed (the log above says why)"  # discord.py trips over its own retry
    else:
        problem = reason(error)
    await bot.close()
    if not connect.done():
        connect.cancel()
    raise StartupError(
        ExitStatus.DISCORD_UNREACHABLE,
        f"Logged in to Discord, but its gateway at {gateway} did not let the bot connect: {problem}, "
        f"for {timeout:.0f} s.\nCheck that outgoing WebSocket connections (wss://gateway.discord.gg) are allowed.",
    )


def _token_source(loaded: Loaded) -> str:
    return "the environment" if "DISCORD_TOKEN" in os.environ else str(loaded.env_file)


def _next_run(bot):
    try:
        scheduler = bot.services.scheduler
    except RuntimeError:  # not set up
        return None
    if scheduler is None:
        return None
    runs = [job.next_run_time for job in scheduler.scheduler.get_jobs() if job.next_run_time is not None]
    return min(runs, default=None)


async def _heartbeat(bot) -> None:
    """Record in the database, while the gateway is open, that it is (read by `parecon-rota health`)."""
    import math

    from bot.runtime.health import HEARTBEAT_SECONDS, Heartbeat, heartbeat_key, now, record

    while not bot.is_closed():
        if bot.is_ready() and bot.gateway_open():
            latency = bot.latency
            beat = Heartbeat(
                now(), True, None if math.isinf(latency) else round(latency * 1000), len(bot.guilds), _next_run(bot)
            )
            try:
                await record(bot.db, beat, heartbeat_key(bot.settings.shard_ids))
            except Exception:
                log.warning("could not record the heartbeat", exc_info=True)
        await asyncio.sleep(HEARTBEAT_SECONDS)


async def _record_stop(bot) -> None:
    from bot.runtime.health import Heartbeat, heartbeat_key, now, record

    try:
        await record(bot.db, Heartbeat(now(), False, servers=len(bot.guilds)), heartbeat_key(bot.settings.shard_ids))
    except Exception:
        log.warning("could not record that the bot stopped", exc_info=True)


async def _run_bot(loaded: Loaded, token: str) -> None:
    from bot.runtime.client import DISCORD_API_BASE, DISCORD_GATEWAY, make_bot, shift_clock_for_tests
    from storage.db import Database

    settings = loaded.settings
    bot = make_bot(settings, Database(settings.database_url))
    shift_clock_for_tests(bot, dict(os.environ))
    loop = asyncio.get_running_loop()
    starting = asyncio.current_task()
    closing: list[asyncio.Future] = []

    def stop() -> None:
        # A service manager's stop: close the gateway session and release the database; while still
        # starting (waiting for the database or Discord), stop waiting at once.
        if not bot.is_ready() and starting is not None:
            starting.cancel()
        closing.append(asyncio.ensure_future(bot.close()))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        async with bot:
            api_base = settings.discord_api_base or DISCORD_API_BASE
            await _login(bot, token, api_base, settings.connect_timeout, _token_source(loaded))
            await _connect(bot, settings.discord_gateway_url or DISCORD_GATEWAY, settings.connect_timeout)
    except asyncio.CancelledError:
        if not closing:
            raise
        log.info("stopped while starting")
    finally:
        await asyncio.gather(*closing)  # a stop that arrived while it ran finishes before the loop ends


async def _sync(loaded: Loaded, token: str) -> None:
    from bot.runtime.client import DISCORD_API_BASE, make_bot
    from storage.db import Database

    settings = loaded.settings
    bot = make_bot(settings, Database(settings.database_url), sync_on_start=False)
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
def cmd_worker(args: argparse.Namespace) -> int:
    """Solve weekly rotas from the task queue (REDIS_URL) until stopped; start as many as you like."""
    import time

    import redis

    from bot.runtime.taskqueue import run_worker, where

    settings = _settings(args)
    if not settings.redis_url:
        raise StartupError(
            ExitStatus.CONFIG,
            "REDIS_URL is not set, so there is no task queue to take solves from.\n"
            "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) here and in the bot's settings; without it the bot "
            "solves in its own process and needs no worker.",
        )
    deadline = time.monotonic() + settings.connect_timeout
    while True:
        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3).ping()
            break
        except (redis.RedisError, OSError) as error:
            if time.monotonic() >= deadline:
                raise StartupError(
                    ExitStatus.QUEUE_UNREACHABLE,
                    f"The task queue at {where(settings.redis_url)} does not answer ({error}) after "
                    f"{settings.connect_timeout:.0f} s.\nStart Redis, or check REDIS_URL and the network.",
                ) from None
            time.sleep(1)
    run_worker(settings.redis_url, requeue_after=settings.queue_requeue_after)
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


@_handled
def cmd_report(args: argparse.Namespace) -> int:
    """Write the public fairness report of the organizations that publish it (or of one)."""
    from pathlib import Path

    from bot.app.report import write
    from bot.domain.errors import BadInput
    from storage.db import Database
    from storage.models import utcnow

    settings = _settings(args, quiet=True)
    _prepare_database(settings)
    out = Path(args.out)

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            written = await write(db, out, utcnow(), args.org, settings.report_file_mode)
        except BadInput as error:
            print(f"error: {str(error).replace('**', '')}", file=sys.stderr)
            return 1
        finally:
            await db.dispose()
        names = ", ".join(written.organizations) or "no organization publishes its report yet"
        print(f"wrote {len(written.pages)} page(s) to {out} ({names})")
        return 0

    return asyncio.run(run())


def cmd_health(args: argparse.Namespace) -> int:
    """Settings valid, database reachable and up to date, gateway connected: exit 0, else 1."""
    from bot.runtime.health import MAX_HEARTBEAT_AGE, Check, heartbeat_key, judge_heartbeat, now, read_state
    from bot.runtime.settings import ConfigError, load_settings
    from bot.runtime.startup import check_database

    logging.basicConfig(level=logging.ERROR)
    install_redaction()
    checks: list[Check] = []
    try:
        try:
            loaded = load_settings(getattr(args, "env_file", None))
        except ConfigError as error:
            checks.append(Check(False, f"settings: {error}"))
            return 1
        settings = loaded.settings
        checks.append(Check(True, loaded.describe()))
        if settings.sqlite_path is not None and not settings.sqlite_path.exists():
            checks.append(Check(False, f"database: there is none at {settings.sqlite_path} (run the bot or `migrate`)"))
            return 1
        try:
            asyncio.run(check_database(settings.database_url, settings.database_label(), args.timeout))
        except StartupError as error:
            checks.append(Check(False, "database: " + str(error).splitlines()[0]))
            return 1
        heartbeat, revision, head = asyncio.run(read_state(settings.database_url, heartbeat_key(settings.shard_ids)))
        if revision is None:
            checks.append(
                Check(False, "database: reachable, but without the bot's tables (run `parecon-rota migrate`)")
            )
            return 1
        if revision != head:
            checks.append(
                Check(False, f"database: reachable, schema at {revision}, not {head} (run `parecon-rota migrate`)")
            )
            return 1
        checks.append(Check(True, f"database: reachable, schema up to date ({revision})"))
        if not args.database_only:
            checks += judge_heartbeat(heartbeat, now(), args.max_age or MAX_HEARTBEAT_AGE)
        return 0 if all(check.ok for check in checks) else 1
    finally:
        for check in checks:
            print(check.line())


def _sqlite_only(settings: Settings, what: str):
    from bot.runtime.settings import hide_password

    if settings.sqlite_path is None:
        url = hide_password(settings.database_url).replace("postgresql+asyncpg://", "postgresql://")
        raise StartupError(
            ExitStatus.CONFIG,
            f"{what} is for SQLite; PostgreSQL has its own tools (docs/self-hosting.md: Backups):\n"
            f"  pg_dump --format=custom --file=parecon-rota.dump '{url}'\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname='{url}' parecon-rota.dump",
        )
    return settings.sqlite_path


@_handled
def cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.runtime.backup import BackupError, backup, new_backup, prune

    settings = _settings(args, quiet=True)
    live = _sqlite_only(settings, "`parecon-rota backup`")
    try:
        if args.path:
            target = Path(args.path)
            revision = backup(live, target)
        else:
            target, revision = new_backup(live, settings.data_dir)
    except BackupError as error:
        raise StartupError(ExitStatus.DATABASE, str(error)) from None
    print(f"backed up {live} to {target} (schema {revision})")
    if args.keep is not None:
        for old in prune(target.parent, args.keep):
            print(f"removed the older backup {old}")
    return 0


@_handled
def cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.runtime.backup import BackupError, heartbeat_of, restore
    from bot.runtime.health import HEARTBEAT_KEY, MAX_HEARTBEAT_AGE, judge_heartbeat, now

    settings = _settings(args, quiet=True)
    live = _sqlite_only(settings, "`parecon-rota restore`")
    running = judge_heartbeat(heartbeat_of(live, HEARTBEAT_KEY), now(), MAX_HEARTBEAT_AGE)[0].ok
    if running and not args.force:
        raise StartupError(
            ExitStatus.CONFIG,
            "The bot is running on this database (its heartbeat is recent): stop it first, "
            "or pass --force if it is not running.",
        )
    try:
        revision, kept = restore(Path(args.path), live, settings.data_dir)
    except BackupError as error:
        raise StartupError(ExitStatus.DATABASE, str(error)) from None
    if kept is not None:
        print(f"kept the database it replaced as {kept}")
    _prepare_database(settings)  # an older backup is brought up to the code's schema
    print(f"restored {args.path} (schema {revision}) to {live}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.domain.planner import PlanInputError, run_plan
    from bot.i18n import SOURCE_LANGUAGE, gettext

    logging.basicConfig(level=logging.WARNING)
    language = getattr(args, "language", None) or SOURCE_LANGUAGE
    try:
        return run_plan(args)
    except PlanInputError as error:
        for line in error.text(language).splitlines():  # every problem of the file, one per line
            print(gettext(language, "error: {problem}", problem=line), file=sys.stderr)
        return 1


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The terminal's language as gettext reads it: the first of LC_ALL, LC_MESSAGES and LANG that is
    set (`es_ES.UTF-8` → es); English when that is none the bot has a catalog for (`C`, `fr_FR`)."""
    from bot.i18n import SOURCE_LANGUAGE, language_of

    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            return language_of(value.split(".")[0].split("@")[0]) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def asked_language(argv: list[str] | None) -> str:
    """The language `plan`'s help and output are in: `--language`, else the environment's (a wrong
    `--language` is refused by the full parser, which lists the choices)."""
    from bot.i18n import available_languages

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--language")
    known, _ = early.parse_known_args(sys.argv[1:] if argv is None else argv)
    return known.language if known.language in available_languages() else environment_language()


def build_parser(language: str | None = None) -> argparse.ArgumentParser:
    """The command line; `plan`'s help in `language` (default: the environment's)."""
    from bot.i18n import available_languages, gettext

    language = language or environment_language()

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="report, backup, restore: log what they do too (they print only their result otherwise)",
    )
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
        "5 token refused, 6 task queue unreachable (docs/self-hosting.md)",
    )
    parser.add_argument("--version", action="version", version=f"parecon-rota {version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    class Sub:  # each command's line in `--help` is also its own `COMMAND --help` description
        @staticmethod
        def add_parser(name: str, *, help: str, **options) -> argparse.ArgumentParser:
            options.setdefault("description", help[0].upper() + help[1:] + ".")
            return subparsers.add_parser(name, help=help, **options)

    sub = Sub()
    sub.add_parser("run", parents=[common], help="run the bot (the default)").set_defaults(handler=cmd_run)
    sub.add_parser(
        "worker", parents=[common], help="solve weekly rotas from the task queue (REDIS_URL), on any machine"
    ).set_defaults(handler=cmd_worker)
    sub.add_parser("migrate", parents=[common], help="bring the database schema up to date").set_defaults(
        handler=cmd_migrate
    )
    sub.add_parser("sync", parents=[common], help="register the slash commands with Discord now").set_defaults(
        handler=cmd_sync
    )
    health = sub.add_parser(
        "health",
        parents=[common],
        help="check settings, database and the gateway connection; exit 0 when healthy, 1 when not",
    )
    health.add_argument(
        "--database-only", action="store_true", help="check settings and database only (not the running bot)"
    )
    health.add_argument(
        "--max-age", type=float, metavar="SECONDS", help="oldest acceptable heartbeat of the bot (default 180)"
    )
    health.add_argument(
        "--timeout", type=float, default=5.0, metavar="SECONDS", help="for reaching the database (default 5)"
    )
    health.set_defaults(handler=cmd_health)
    backup = sub.add_parser(
        "backup", parents=[common], help="copy the SQLite database, safely while the bot runs (PostgreSQL: pg_dump)"
    )
    backup.add_argument("path", nargs="?", help="where to write it (default: DATA_DIR/backups/parecon-rota-DATE.db)")
    backup.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="then remove all but the newest N backups named parecon-rota-DATE.db there",
    )
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser(
        "restore", parents=[common], help="replace the SQLite database with a backup (the bot must be stopped)"
    )
    restore.add_argument("path", help="the backup to restore")
    restore.add_argument("--force", action="store_true", help="even if the bot's heartbeat looks recent")
    restore.set_defaults(handler=cmd_restore)
    report = sub.add_parser(
        "report",
        parents=[common],
        help="write the public fairness report (a static site) of the organizations that publish it",
    )
    report.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="the folder to write it to (index.html and one folder per organization)",
    )
    report.add_argument(
        "--org", type=int, metavar="ID", help="only this organization (its id, from the log or the database)"
    )
    report.set_defaults(handler=cmd_report)
    plan = sub.add_parser(
        "plan",
        help=gettext(language, "divide work into balanced job complexes from CSV files or .xlsx workbooks, offline"),
        description=gettext(
            language,
            "Divide the tasks in TASKS among the members in MEMBERS as balanced job complexes. Input files may be "
            "CSV (`,` `;` or tab separated, any common encoding) or .xlsx workbooks.",
        ),
    )
    plan.add_argument(  # the columns are the files' contract: the same in every language
        "--tasks",
        required=True,
        help="task,hours,slots,qualification,splittable,min_shift,desirability,empowerment",
    )
    plan.add_argument("--members", required=True, help="member,hours,qualifications,away")
    plan.add_argument(
        "--ratings",
        help=gettext(language, "{columns} (individual ratings)", columns="member,task,desirability,empowerment"),
    )
    plan.add_argument(
        "--history", help=gettext(language, "{columns} (earlier weeks, for rotation)", columns="week,task,member,hours")
    )
    plan.add_argument(
        "--time-limit",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help=gettext(
            language, "for the whole command, reading and writing files included (default {seconds})", seconds=5
        ),
    )
    plan.add_argument(
        "--granularity",
        default="0.25",
        metavar="HOURS",
        help=gettext(
            language,
            "splittable tasks are cut into whole multiples of this (default {step}: a quarter hour)",
            step="0.25",
        ),
    )
    plan.add_argument(
        "--week",
        metavar="YYYY-Www",
        help=gettext(
            language, "the ISO week planned, for members' days away (default: next week, e.g. {week})", week="2026-W49"
        ),
    )
    plan.add_argument(
        "--seed", type=int, default=0, help=gettext(language, "same input and seed, same plan (default {seed})", seed=0)
    )
    plan.add_argument(
        "--workers",
        type=int,
        choices=(1, 2),
        default=2,
        help=gettext(
            language,
            "processes the search uses: 2 (the default) runs two searches with two seeds on two cores and keeps "
            "the better plan; 1 leaves the other core free",
        ),
    )
    plan.add_argument(
        "--out",
        required=True,
        help=gettext(
            language, "where to write assignments.csv ({columns}), or an .xlsx workbook", columns="task,member,hours"
        ),
    )
    plan.add_argument("--report", help=gettext(language, "where to write the balance report (JSON)"))
    plan.add_argument(
        "--excel",
        action="store_true",
        help=gettext(
            language,
            "write the .csv for a European Excel: `;` between cells, decimal commas, UTF-8 with a byte-order mark",
        ),
    )
    plan.add_argument(
        "--language",
        choices=available_languages(),
        default=language,
        help=gettext(
            language,
            "the language of what the planner prints (default: the environment's, from LC_ALL, LC_MESSAGES or "
            "LANG; now {language}); the files it writes are the same in every language",
            language=language,
        ),
    )
    plan.set_defaults(handler=cmd_plan)
    return parser


BROKEN_PIPE = 141  # what a shell reports for a program its reader stopped reading (128 + SIGPIPE)


def main(argv: list[str] | None = None) -> int:
    args = build_parser(asked_language(argv)).parse_args(argv)
    handler = getattr(args, "handler", cmd_run)
    try:
        return handler(args)
    except BrokenPipeError:
        # `parecon-rota plan … | head`: the reader has what it wanted. No traceback, and none when
        # Python flushes standard output on exit either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE
