"""The README's run command, as a real process: `python -m bot` pointed at the fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from tests.e2e.conftest import World

pytestmark = pytest.mark.slow


def bot_env(fake, db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DEV_GUILD_ID", "DATABASE_URL"}}
    return env | {
        "DISCORD_TOKEN": fake.token,
        "DATABASE_URL": db_url,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "SCHEDULER_ENABLED": "false",
        "LOG_LEVEL": "INFO",
    }


async def run_until_answering(world: World, env: dict[str, str], cwd) -> tuple[int, str]:
    fake = world.fake
    identifies = fake.identifies
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_until(lambda: fake.identifies > identifies, timeout=60, what="the bot process to connect")
        reply = await fake.invoke(world.a, world.alice, "org")
        assert "no organization yet" in await reply.text(timeout=10)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, output.decode()


async def test_python_m_bot_connects_syncs_once_and_answers(world: World, tmp_path, db_url: str) -> None:
    env = bot_env(world.fake, db_url)
    code, output = await run_until_answering(world, env, tmp_path)
    assert code == 0, output
    assert "synced" in output
    assert world.fake.command_syncs == ["global"]

    code, output = await run_until_answering(world, env, tmp_path)
    assert code == 0, output
    assert "unchanged since the last sync" in output
    assert world.fake.command_syncs == ["global"]


async def test_a_stop_is_quiet_and_the_log_has_no_colour_codes(world: World, tmp_path, db_url: str) -> None:
    env = bot_env(world.fake, db_url) | {"SCHEDULER_ENABLED": "true"}  # with the scheduler and its worker
    code, output = await run_until_answering(world, env, tmp_path)  # stopped with SIGTERM, output piped
    assert code == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
    assert "\x1b[" not in output  # no terminal, no colour
    assert "closed cleanly" in output


async def test_without_a_token_it_says_what_to_do_and_exits_2(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert b"DISCORD_TOKEN" in err and b".env" in err


async def test_ctrl_c_stops_the_bot_and_its_solver_worker_quietly(world: World, tmp_path, db_url: str) -> None:
    fake, w = world.fake, world
    identifies = fake.identifies
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=bot_env(fake, db_url),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        await fake.wait_until(lambda: fake.identifies > identifies, timeout=60, what="the bot process to connect")
        steps = [
            (w.mod_a, "mod org setup", {"channel": w.a.channel("rota")}),
            (w.mod_a, "mod task add", {"name": "Dishes", "hours": 2}),
            (w.alice, "join", {}),
            (w.mod_a, "mod rota preview", {}),  # solved in the worker process
        ]
        answers = []
        for user, command, options in steps:
            reply = await fake.invoke(w.a, user, command, **options)
            answers.append((command, await reply.text(timeout=60)))
    finally:
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole group, the worker too
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    text = output.decode()
    # The bot's own log says why, should a step have failed.
    assert not [answer for answer in answers if "Sorry" in answer[1]], text
    assert process.returncode == 0, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text and "ERROR" not in text, text
    assert "closed cleanly" in text
