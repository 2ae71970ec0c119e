"""Start-up as a service manager sees it: `python -m bot` failing in one or two lines with an exit
status per kind of failure (docs/self-hosting.md), and saying which settings file and database it uses."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import WSMsgType, web

from tests.e2e.fake_discord import FakeDiscord

pytestmark = pytest.mark.slow

SETTINGS = ("DISCORD_TOKEN", "DATABASE_URL", "DATA_DIR", "DEV_GUILD_ID", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL")
SETTINGS += ("SOLVER_TIME_LIMIT", "CONNECT_TIMEOUT", "LOG_LEVEL", "SCHEDULER_ENABLED", "PARECON_ROTA_ENV_FILE")


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    """The test's environment without any bot setting, and no settings file a developer may have."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    return env | {"XDG_CONFIG_HOME": str(tmp_path / "config"), "SCHEDULER_ENABLED": "false"} | values


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_bot(tmp_path: Path, env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd or tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def run_bot_async(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def last_lines(err: str, count: int = 2) -> list[str]:
    assert "Traceback" not in err, err
    return err.strip().splitlines()[-count:]


def test_a_bad_setting_is_one_line_naming_it_and_where_it_is_set(tmp_path: Path) -> None:
    settings = tmp_path / "bot.env"
    settings.write_text("DISCORD_TOKEN=x\nSOLVER_TIME_LIMIT=10s\n")
    result = run_bot(tmp_path, clean_env(tmp_path), "--env-file", str(settings), "run")
    assert result.returncode == 2
    assert last_lines(result.stderr, 1) == [
        "SOLVER_TIME_LIMIT=10s is not valid: Input should be a valid number, unable to parse string as a number "
        f"(set in {settings}; .env.example describes each setting)."
    ]


def test_a_settings_file_that_does_not_exist_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_bot(tmp_path, clean_env(tmp_path, PARECON_ROTA_ENV_FILE=str(tmp_path / "nope.env")), "migrate")
    assert result.returncode == 2
    assert last_lines(result.stderr, 1) == [
        f"The settings file {tmp_path / 'nope.env'} (PARECON_ROTA_ENV_FILE) does not exist. "
        "Create it from .env.example."
    ]


def test_the_database_down_retries_with_progress_lines_then_exits_3(tmp_path: Path) -> None:
    url = f"postgresql://rota:secret@127.0.0.1:{closed_port()}/rota"
    started = time.monotonic()
    result = run_bot(tmp_path, clean_env(tmp_path, DISCORD_TOKEN="x", DATABASE_URL=url, CONNECT_TIMEOUT="3"))
    assert result.returncode == 3
    assert time.monotonic() - started < 30
    label = url.replace("postgresql://rota:secret", "postgresql+asyncpg://rota:***")
    assert f"cannot reach the database ({label}) yet (connection refused); trying again" in result.stderr
    assert "secret" not in result.stderr
    assert last_lines(result.stderr) == [
        f"Cannot reach the database ({label}): connection refused, for 3 s.",
        "Check that the database server is running and that DATABASE_URL points at it.",
    ]


@pytest.mark.postgres
def test_a_database_that_refuses_is_told_at_once(tmp_path: Path) -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    missing = url.rsplit("/", 1)[0] + "/no_such_database_for_parecon"
    result = run_bot(tmp_path, clean_env(tmp_path, DISCORD_TOKEN="x", DATABASE_URL=missing, CONNECT_TIMEOUT="20"))
    assert result.returncode == 3
    assert "trying again" not in result.stderr
    assert last_lines(result.stderr) == [
        f'The database ({missing}) refused: database "no_such_database_for_parecon" does not exist.',
        "Check DATABASE_URL (user, password, database name).",
    ]


def discord_env(tmp_path: Path, fake: FakeDiscord, **values: str) -> dict[str, str]:
    return (
        clean_env(
            tmp_path,
            DISCORD_TOKEN=fake.token,
            DATA_DIR=str(tmp_path / "data"),
            DISCORD_API_BASE=fake.api_base,
            DISCORD_GATEWAY_URL=fake.gateway_url,
            CONNECT_TIMEOUT="3",
        )
        | values
    )


async def test_discord_refusing_connections_exits_4_after_progress_lines(tmp_path: Path, fake: FakeDiscord) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake, DISCORD_API_BASE=api))
    assert code == 4
    assert f"cannot reach Discord at {api} yet (connection refused); trying again" in err
    assert last_lines(err) == [
        f"Cannot reach Discord at {api}: connection refused, for 3 s.",
        "Check this machine's network, DNS and firewall (outgoing HTTPS and WebSocket to discord.com and "
        "gateway.discord.gg), then start again.",
    ]


async def test_no_dns_for_discord_is_told_as_such(tmp_path: Path, fake: FakeDiscord) -> None:
    api = "https://discord.invalid/api/v10"  # `.invalid` never resolves
    code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake, DISCORD_API_BASE=api))
    assert code == 4
    assert (
        last_lines(err)[0] == f"Cannot reach Discord at {api}: the name does not resolve: no network or DNS, for 3 s."
    )


async def test_discord_that_never_answers_is_given_up_on_within_the_timeout(tmp_path: Path, fake: FakeDiscord) -> None:
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(_reader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    api = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v10"
    try:
        started = time.monotonic()
        code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake, DISCORD_API_BASE=api))
        elapsed = time.monotonic() - started
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
    assert code == 4
    assert elapsed < 30
    assert held, "the bot never connected to the silent server"
    assert last_lines(err)[0] == f"Cannot reach Discord at {api}: no answer, for 3 s."


async def test_a_refused_token_exits_5_in_one_line(tmp_path: Path, fake: FakeDiscord) -> None:
    code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake, DISCORD_TOKEN="not-the-token"))
    assert code == 5
    assert last_lines(err, 1) == [
        "Discord refused DISCORD_TOKEN: reset it in the developer portal (Bot → Reset Token) and update the "
        "environment."
    ]


async def test_a_gateway_unreachable_after_logging_in_exits_4(tmp_path: Path, fake: FakeDiscord) -> None:
    gateway = f"ws://127.0.0.1:{closed_port()}/gateway"
    code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake, DISCORD_GATEWAY_URL=gateway))
    assert code == 4
    assert f"cannot reach Discord's gateway at {gateway} yet (connection refused); trying again" in err
    assert last_lines(err) == [
        f"Logged in to Discord, but cannot reach its gateway at {gateway}: connection refused, for 3 s.",
        "Check that outgoing WebSocket connections (wss://gateway.discord.gg) are allowed, then start again.",
    ]
    assert fake.identifies == 0


def test_run_from_another_folder_uses_the_settings_files_folder_and_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    settings = home / "bot.env"
    settings.write_text("DATA_DIR=state\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_bot(tmp_path, clean_env(tmp_path), "--env-file", str(settings), "migrate", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    database = home / "state" / "parecon-rota.db"
    assert f"settings: {settings}; database: SQLite {database}" in result.stderr
    assert f"no database at {database} yet: starting a new, empty one" in result.stderr
    assert database.exists()
    assert not (elsewhere / "data").exists()
    again = run_bot(tmp_path, clean_env(tmp_path), "--env-file", str(settings), "migrate", cwd=elsewhere)
    assert again.returncode == 0 and "starting a new, empty one" not in again.stderr


async def test_health_sees_the_running_bot_connected_and_then_stopped(tmp_path: Path, fake: FakeDiscord) -> None:
    env = discord_env(tmp_path, fake)
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_until(lambda: fake.identifies > 0, timeout=60, what="the bot to connect")
        database = tmp_path / "data" / "parecon-rota.db"

        def beating() -> bool:
            result = subprocess.run(
                [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                 "print(c.execute(\"SELECT count(*) FROM bot_state WHERE key = 'health:gateway'\").fetchone()[0])",
                 str(database)],
                capture_output=True, text=True,
            )  # fmt: skip
            return result.stdout.strip() == "1"

        deadline = time.monotonic() + 30
        while not beating():
            assert time.monotonic() < deadline, "no heartbeat recorded"
            await asyncio.sleep(0.2)
        code, out, _ = await run_bot_async(tmp_path, env, "health")
        assert code == 0, out
        assert out.splitlines()[2].startswith("ok   gateway: connected, last heartbeat ")
        assert out.splitlines()[3] == "ok   next scheduled publication: none (no schedule, or SCHEDULER_ENABLED=false)"
    finally:
        if bot.returncode is None:
            bot.terminate()
        _, err = await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0, err.decode()
    code, out, _ = await run_bot_async(tmp_path, env, "health")
    assert code == 1
    assert out.splitlines()[2].startswith("FAIL gateway: the bot stopped ")


async def test_a_stop_while_waiting_for_discord_ends_at_once_and_cleanly(tmp_path: Path, fake: FakeDiscord) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    env = discord_env(tmp_path, fake, DISCORD_API_BASE=api, CONNECT_TIMEOUT="120")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    assert bot.stderr is not None
    seen = b""
    while b"trying again" not in seen:
        line = await asyncio.wait_for(bot.stderr.readline(), 60)
        assert line, seen.decode()
        seen += line
    stopped = time.monotonic()
    bot.terminate()
    rest = await asyncio.wait_for(bot.stderr.read(), 30)
    await bot.wait()
    assert bot.returncode == 0, rest.decode()
    assert time.monotonic() - stopped < 10
    assert b"stopped while starting" in rest and b"Traceback" not in rest


class GatewayRefusesTheToken(FakeDiscord):
    """REST takes the token, the gateway does not (a token reset between the two)."""

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        async for message in ws:
            if message.type == WSMsgType.TEXT and json.loads(message.data)["op"] == 2:
                await ws.close(code=4004, message=b"Authentication failed.")
        return ws


async def test_a_token_the_gateway_refuses_exits_5(tmp_path: Path) -> None:
    fake = await GatewayRefusesTheToken().start()
    try:
        code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake))
    finally:
        await fake.stop()
    assert code == 5
    assert last_lines(err, 1) == [
        "Discord's gateway refused DISCORD_TOKEN (it was reset or revoked): copy the new token from the developer "
        "portal (Bot → Reset Token) into the settings, then start again."
    ]


class LoginHangs(FakeDiscord):
    """Answers the gateway probe, then never answers the login."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def _get_me(self, _request) -> dict:
        await self.release.wait()  # until the test ends
        return self.bot_user.payload()


async def test_a_login_that_never_answers_is_bounded(tmp_path: Path) -> None:
    fake = await LoginHangs().start()
    try:
        started = time.monotonic()
        code, _, err = await run_bot_async(tmp_path, discord_env(tmp_path, fake))
        elapsed = time.monotonic() - started
    finally:
        fake.release.set()
        await fake.stop()
    assert code == 4
    assert elapsed < 30
    assert last_lines(err)[0] == f"Cannot reach Discord at {fake.api_base}: no answer, for 3 s."


async def test_a_command_sync_waiting_out_a_rate_limit_is_not_a_failure(tmp_path: Path, fake: FakeDiscord) -> None:
    fake.rate_limit_next("/commands", retry_after=4)  # longer than CONNECT_TIMEOUT
    env = discord_env(tmp_path, fake, CONNECT_TIMEOUT="2")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    try:
        await fake.wait_until(lambda: fake.identifies > 0, timeout=60, what="the bot to connect")
        assert fake.command_syncs == ["global"]
    finally:
        if bot.returncode is None:
            bot.terminate()
        _, err = await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0, err.decode()


async def test_a_token_pasted_with_bot_first_is_used_and_a_bot_in_no_server_gives_its_invite_link(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    env = discord_env(tmp_path, fake, DISCORD_TOKEN=f"Bot {fake.token}")  # this fake has no server
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_until(lambda: fake.identifies > 0, timeout=60, what="the bot to connect")
        seen: list[str] = []
        while not seen or "invite it with" not in seen[-1]:
            seen.append((await asyncio.wait_for(bot.stderr.readline(), 30)).decode())
            assert seen[-1], "the bot ended without an invite link: " + "".join(seen)
    finally:
        bot.terminate()
        _, rest = await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0, rest.decode()
    log = "".join(seen)
    assert 'DISCORD_TOKEN starts with "Bot ", which is not part of the token' in log and "Reset Token" not in log
    assert "to 0 server(s)" in log
    invite = seen[-1].rsplit(" ", 1)[-1].strip()
    assert invite.startswith(f"https://discord.com/oauth2/authorize?client_id={fake.application_id}&")
    assert "scope=bot+applications.commands" in invite and "permissions=268553216" in invite
