"""Start-up checks: the database and Discord, each tried for a bounded time with a progress line per
retry, and every failure told in one or two lines (what is wrong, what to do) with an exit status
per kind of failure.

| status | meaning |
| --- | --- |
| 0 | stopped normally |
| 1 | an unexpected error (the traceback is in the log) |
| 2 | configuration: a missing or invalid setting, a missing settings file |
| 3 | the database: unreachable, refused the login, or its schema could not be brought up to date |
| 4 | Discord unreachable: no network, DNS, refused, no answer, or the gateway after logging in |
| 5 | Discord refused the token |
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from enum import IntEnum

from bot.runtime.redact import redact

log = logging.getLogger("bot")

RETRY_SECONDS = 2.0  # between attempts
ATTEMPT_SECONDS = 10.0  # at most, per attempt


class ExitStatus(IntEnum):
    OK = 0
    ERROR = 1
    CONFIG = 2
    DATABASE = 3
    DISCORD_UNREACHABLE = 4
    TOKEN_REFUSED = 5
    QUEUE_UNREACHABLE = 6


class StartupError(Exception):
    """A start-up failure: the message is for people (one or two lines), the status for the service manager."""

    def __init__(self, status: ExitStatus, message: str) -> None:
        super().__init__(redact(message))  # it goes to standard error and the service's log
        self.status = status


class Permanent(Exception):
    """An attempt failed in a way that another attempt will not fix (a wrong password, no such database)."""


def reason(error: BaseException) -> str:
    """A failed connection's cause in a few words."""
    import aiohttp

    cause = error
    if isinstance(error, aiohttp.ClientConnectorError):
        cause = error.os_error
    if isinstance(cause, socket.gaierror | aiohttp.ClientConnectorDNSError):
        return "the name does not resolve: no network or DNS"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, TimeoutError | asyncio.TimeoutError):
        return "no answer"
    if isinstance(cause, ssl.SSLError | aiohttp.ClientSSLError):
        return f"TLS failed ({cause})"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror[0].lower() + cause.strerror[1:]
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__


async def retry(
    what: str,
    attempt: Callable[[float], Awaitable[None]],
    timeout: float,
    *,
    transient: tuple[type[BaseException], ...],
) -> None:
    """Run `attempt(seconds)` until it succeeds or `timeout` passes, logging a progress line per failure.

    Raises the last error (or `Permanent`'s cause) once out of time.
    """
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            await asyncio.wait_for(attempt(min(ATTEMPT_SECONDS, max(left, 0.1))), min(ATTEMPT_SECONDS, max(left, 0.1)))
            return
        except transient as error:
            left = deadline - time.monotonic()
            if left <= RETRY_SECONDS:
                raise
            log.warning("cannot reach %s yet (%s); trying again, giving up in %.0f s", what, reason(error), left)
            await asyncio.sleep(RETRY_SECONDS)


async def check_database(url: str, label: str, timeout: float) -> None:
    """Connect and run `SELECT 1`, retrying while the server is unreachable (it may be starting)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from storage.db import make_engine

    async def attempt(seconds: float) -> None:
        engine = make_engine(url, **({"connect_args": {"timeout": seconds}} if "asyncpg" in url else {}))
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except DBAPIError as error:
            if "starting up" in str(error) or isinstance(error.orig, OSError):
                raise ConnectionError(str(error.orig)) from error
            raise Permanent(str(error.orig or error).strip().splitlines()[0]) from error
        finally:
            await engine.dispose()

    try:
        await retry(f"the database ({label})", attempt, timeout, transient=(OSError, TimeoutError))
    except Permanent as error:
        raise StartupError(
            ExitStatus.DATABASE,
            f"The database ({label}) refused: {error}.\nCheck DATABASE_URL (user, password, database name).",
        ) from None
    except (OSError, TimeoutError) as error:
        raise StartupError(
            ExitStatus.DATABASE,
            f"Cannot reach the database ({label}): {reason(error)}, for {timeout:.0f} s.\n"
            "Check that the database server is running and that DATABASE_URL points at it.",
        ) from None


async def check_discord_rest(api_base: str, timeout: float) -> None:
    """Reach Discord's REST API (no token needed), retrying while the network is not there."""
    import aiohttp

    url = api_base.rstrip("/") + "/gateway"

    async def attempt(seconds: float) -> None:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
            session.get(url) as response,
        ):
            if response.status >= 500:
                raise ConnectionError(f"HTTP {response.status}")

    try:
        await retry(f"Discord at {api_base}", attempt, timeout, transient=(aiohttp.ClientError, OSError, TimeoutError))
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise StartupError(ExitStatus.DISCORD_UNREACHABLE, unreachable(api_base, error, timeout)) from None


async def check_discord_gateway(gateway: str, timeout: float) -> None:
    """Open (and close) a WebSocket to the gateway, retrying while it cannot be reached."""
    import aiohttp
    import yarl

    url = yarl.URL(gateway).with_query(v=10, encoding="json")  # as discord.py asks for it

    async def attempt(seconds: float) -> None:
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
                session.ws_connect(url, autoping=False) as ws,
            ):
                await ws.close()
        except aiohttp.ClientResponseError:
            return  # it answered: reachable (what it says is discord.py's to handle)

    try:
        await retry(
            f"Discord's gateway at {gateway}", attempt, timeout, transient=(aiohttp.ClientError, OSError, TimeoutError)
        )
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        raise StartupError(
            ExitStatus.DISCORD_UNREACHABLE,
            f"Logged in to Discord, but cannot reach its gateway at {gateway}: {reason(error)}, for {timeout:.0f} s.\n"
            "Check that outgoing WebSocket connections (wss://gateway.discord.gg) are allowed, then start again.",
        ) from None


def unreachable(where: str, error: BaseException, timeout: float) -> str:
    return (
        f"Cannot reach Discord at {where}: {reason(error)}, for {timeout:.0f} s.\n"
        "Check this machine's network, DNS and firewall (outgoing HTTPS and WebSocket to discord.com and "
        "gateway.discord.gg), then start again."
    )


TOKEN_REFUSED = (
    "Discord refused DISCORD_TOKEN: reset it in the developer portal (Bot → Reset Token) and update {where}."
)
