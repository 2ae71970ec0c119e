"""The deployment kit: backup and restore as people run them, and the container image, compose files
and systemd unit checked against the program they start, by reading them (`make container-test`
builds and runs the image)."""

from __future__ import annotations

import asyncio
import configparser
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tomllib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.runtime.cli import build_parser, cmd_health, cmd_run, cmd_worker
from bot.runtime.health import Heartbeat, judge_heartbeat
from bot.runtime.settings import Settings
from bot.runtime.startup import ExitStatus
from storage.db import Database, migrate
from storage.orgs import create_org

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {name.upper() for name in Settings.model_fields}


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS | {"PARECON_ROTA_ENV_FILE"}}
    return env | {"XDG_CONFIG_HOME": str(tmp_path / "config")} | values


def parecon_rota(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean_env(tmp_path, DATA_DIR=str(tmp_path / "data"), **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def state(database: Path, key: str) -> str | None:
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT value FROM bot_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else row[0]


def set_state(database: Path, key: str, value: str) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "parecon-rota.db"
    path.parent.mkdir()
    migrate(f"sqlite+aiosqlite:///{path}")
    set_state(path, "greeting", "before")
    return path


def test_backup_then_restore_brings_the_data_back_and_keeps_what_it_replaced(tmp_path: Path, database: Path) -> None:
    target = tmp_path / "saved.db"
    result = parecon_rota(tmp_path, "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"backed up {re.escape(str(database))} to {re.escape(str(target))} \(schema \w+\)\n", result.stdout
    )
    set_state(database, "greeting", "after")
    set_state(database, "added later", "x")

    result = parecon_rota(tmp_path, "restore", str(target))
    assert result.returncode == 0, result.stderr
    assert (state(database, "greeting"), state(database, "added later")) == ("before", None)
    kept = Path(re.search(r"kept the database it replaced as (\S+)", result.stdout).group(1))
    assert kept.parent == tmp_path / "data" / "backups" and kept.name.startswith("before-restore-")
    assert (state(kept, "greeting"), state(kept, "added later")) == ("after", "x")


def test_backup_names_and_prunes_dated_copies_in_the_data_directory(tmp_path: Path, database: Path) -> None:
    backups = tmp_path / "data" / "backups"
    backups.mkdir()
    for day in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (backups / f"parecon-rota-{day}.db").write_bytes(b"old")
    result = parecon_rota(tmp_path, "backup", "--keep", "2")
    assert result.returncode == 0, result.stderr
    remaining = sorted(p.name for p in backups.iterdir())
    assert len(remaining) == 2 and remaining[0] == "parecon-rota-20260103-000000.db"
    assert state(backups / remaining[1], "greeting") == "before"
    assert "removed the older backup" in result.stdout


def test_restore_refuses_while_the_bot_is_running_and_refuses_what_is_not_a_backup(
    tmp_path: Path, database: Path
) -> None:
    saved = tmp_path / "saved.db"
    assert parecon_rota(tmp_path, "backup", str(saved)).returncode == 0
    set_state(database, "health:gateway", Heartbeat(datetime.now(UTC), True, 40, 2).to_json())
    result = parecon_rota(tmp_path, "restore", str(saved))
    assert result.returncode == ExitStatus.CONFIG
    assert result.stderr.strip().splitlines()[-1] == (
        "The bot is running on this database (its heartbeat is recent): stop it first, or pass --force if it "
        "is not running."
    )
    assert parecon_rota(tmp_path, "restore", "--force", str(saved)).returncode == 0

    junk = tmp_path / "notes.db"
    junk.write_text("not a database")
    result = parecon_rota(tmp_path, "restore", str(junk))
    assert result.returncode == ExitStatus.DATABASE
    assert result.stderr.strip().splitlines()[-1].startswith(f"{junk} is not a parecon-rota database")
    assert state(database, "greeting") == "before"


def test_backup_of_postgresql_says_to_use_its_tools(tmp_path: Path) -> None:
    result = parecon_rota(tmp_path, "backup", DATABASE_URL="postgresql://rota:secret@db:5432/rota")
    assert result.returncode == ExitStatus.CONFIG
    assert result.stderr.strip().splitlines()[-3:] == [
        "`parecon-rota backup` is for SQLite; PostgreSQL has its own tools (README: Backups):",
        "  pg_dump --format=custom --file=parecon-rota.dump 'postgresql://rota:***@db:5432/rota'",
        "  pg_restore --clean --if-exists --no-owner --dbname='postgresql://rota:***@db:5432/rota' parecon-rota.dump",
    ]


def test_health_without_a_running_bot_is_unhealthy_and_says_why(tmp_path: Path, database: Path) -> None:
    result = parecon_rota(tmp_path, "health")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[1].startswith("ok   database: reachable, schema up to date (")
    assert lines[2] == ("FAIL gateway: no heartbeat recorded yet (the bot has not connected since it was installed)")
    assert parecon_rota(tmp_path, "health", "--database-only").returncode == 0
    result = parecon_rota(tmp_path, "health", SOLVER_TIME_LIMIT="soon")
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL settings: SOLVER_TIME_LIMIT=soon is not valid")


def test_a_heartbeat_is_judged_by_its_age_and_says_the_next_publication() -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    beat = Heartbeat(now - timedelta(seconds=40), True, 52, 3, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert [c.line() for c in judge_heartbeat(beat.to_json(), now, 180)] == [
        "ok   gateway: connected, last heartbeat 40 s ago (latency 52 ms, 3 servers)",
        "ok   next scheduled publication: 2026-11-30 09:00 UTC",
    ]
    assert [c.line() for c in judge_heartbeat(beat.to_json(), now + timedelta(minutes=10), 180)] == [
        "FAIL gateway: last heartbeat 11 min ago: the bot is not running or has lost Discord"
    ]


# The container image, the compose files and the service unit.


def dockerfile_stages() -> list[list[str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def instruction(stage: list[str], name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in stage if line.split(None, 1)[0].upper() == name]


def test_the_image_is_two_stages_without_compilers_and_runs_as_a_non_root_user() -> None:
    build, final = dockerfile_stages()
    assert instruction(build, "FROM") == ["${BASE_IMAGE} AS build"] and instruction(final, "FROM") == ["${BASE_IMAGE}"]
    assert "ARG BASE_IMAGE=python:3.11-slim" in (ROOT / "Dockerfile").read_text().splitlines()  # builds anywhere
    everything = "\n".join(build + final)
    assert not re.search(r"apt-get|apk add|gcc|build-essential", everything)  # nothing compiles
    assert not re.search(r"(^|[ /])python ", everything)  # `python3`: Debian's own python3 has no `python`
    assert "--only-binary=:all:" in everything
    assert instruction(final, "USER") == ["rota"]
    assert "--uid 10001" in instruction(final, "RUN")[0]
    assert instruction(final, "COPY") == ["--from=build /opt/parecon-rota /opt/parecon-rota"]
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ".env" in ignored and "data/" in ignored  # secrets and local data stay out of the image


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    found = [re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line) for line in lines if line and not line.startswith("#")]
    assert all(found), [line for line, m in zip(lines, found, strict=False) if not m]
    return {canonicalize_name(m.group(1)): m.group(2) for m in found if m}


def test_the_image_installs_the_pinned_versions_which_satisfy_the_projects_ranges() -> None:
    build = dockerfile_stages()[0]
    runs = instruction(build, "RUN")
    assert "constraints.txt ./" in instruction(build, "COPY")[0]
    assert "--requirement constraints.txt" in runs[0] and "--constraint constraints.txt" in runs[1]
    pinned = pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["xlsx"]]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in constraints.txt: run `make constraints`"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} is outside {requirement}"


def test_the_images_entry_command_and_health_check_run(tmp_path: Path) -> None:
    final = dockerfile_stages()[1]
    command = json.loads(instruction(final, "ENTRYPOINT")[0]) + json.loads(instruction(final, "CMD")[0])
    health = json.loads(re.search(r"CMD (\[.*\])", instruction(final, "HEALTHCHECK")[0]).group(1))
    assert command[0] == health[0] == "parecon-rota"
    image_env = dict(re.findall(r"(\w+)=(\S+)", instruction(final, "ENV")[0]))
    assert image_env["DATA_DIR"] == "/data"
    env = {"DATA_DIR": str(tmp_path / "data"), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    run = subprocess.run(command, env=clean_env(tmp_path, **env), cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == ExitStatus.CONFIG  # no token given to this container
    assert "DISCORD_TOKEN is not set, so the bot cannot log in." in run.stderr
    check = subprocess.run(health, env=clean_env(tmp_path, **env), cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 1
    assert f"FAIL database: there is none at {tmp_path / 'data' / 'parecon-rota.db'}" in check.stdout


def compose(*files: str) -> dict:
    """The compose files merged as `docker compose -f a -f b` merges them: mappings key by key, the
    later file's other values replacing the earlier's."""

    def merge(base: dict, extra: dict) -> dict:
        merged = dict(base)
        for key, value in extra.items():
            both = isinstance(value, dict) and isinstance(base.get(key), dict)
            merged[key] = merge(base[key], value) if both else value
        return merged

    documents = [yaml.safe_load((ROOT / name).read_text()) for name in ("compose.yaml", *files)]
    merged: dict = {}
    for document in documents:
        merged = merge(merged, document)
    return merged


def scaled() -> dict:
    return compose("compose.scale.yaml")


def interpolate(value: str, variables: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name, rest = match.group(1), match.group(2) or ""
        if name in variables:
            return variables[name]
        if rest.startswith(":-"):
            return rest[2:]
        raise AssertionError(f"{name} is required: {rest}")

    return re.sub(r"\$\{(\w+)((?::[-?])[^}]*)?\}", one, value)


def settings_of(service: dict, secrets: dict[str, str], monkeypatch) -> Settings:
    assert set(service["environment"]) <= SETTINGS, set(service["environment"]) - SETTINGS
    for name, value in service["environment"].items():
        monkeypatch.setenv(name, interpolate(str(value), secrets))
    return Settings(_env_file=None)


def test_compose_alone_is_one_container_on_sqlite_in_its_volume_with_only_the_token_to_give(monkeypatch) -> None:
    document = compose()
    assert list(document["services"]) == ["bot"] and list(document["volumes"]) == ["botdata"]
    bot = document["services"]["bot"]
    settings = settings_of(bot, {"DISCORD_TOKEN": "t0ken"}, monkeypatch)
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "t0ken"
    assert settings.sqlite_path == Path("/data/parecon-rota.db") and settings.scheduler_enabled
    assert settings.redis_url is None  # solves in the bot's own worker process
    assert bot["volumes"] == ["botdata:/data"] and "depends_on" not in bot
    with pytest.raises(AssertionError, match="DISCORD_TOKEN is required"):
        interpolate(bot["environment"]["DISCORD_TOKEN"], {})


def test_compose_scale_puts_the_bot_on_postgresql_with_only_real_settings(monkeypatch) -> None:
    services = scaled()["services"]
    db, bot = services["db"], services["bot"]
    secrets = {"DISCORD_TOKEN": "t0ken", "POSTGRES_PASSWORD": "pw123"}
    settings = settings_of(bot, secrets, monkeypatch)
    assert settings.discord_token is not None and settings.discord_token.get_secret_value() == "t0ken"
    user, database = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"]
    assert settings.database_url == f"postgresql+asyncpg://{user}:pw123@db:5432/{database}"
    assert interpolate(db["environment"]["POSTGRES_PASSWORD"], secrets) == "pw123"
    assert settings.data_dir == Path("/data") and settings.scheduler_enabled  # compose.yaml's, kept
    assert bot["image"] == "parecon-rota:latest" and bot["build"] == "."


def test_compose_has_health_checks_volumes_restarts_and_log_rotation() -> None:
    for document in (compose(), scaled()):
        services = document["services"]
        bot = services["bot"]
        health = build_parser().parse_args(bot["healthcheck"]["test"][2:])
        assert bot["healthcheck"]["test"][:2] == ["CMD", "parecon-rota"] and health.handler is cmd_health
        named = set(document["volumes"])
        for service in services.values():
            assert service["restart"] == "unless-stopped"
            assert service["logging"]["driver"] == "json-file" and service["logging"]["options"]["max-size"] == "10m"
            assert {volume.split(":")[0] for volume in service.get("volumes", [])} <= named
        assert [v.split(":")[1] for v in bot["volumes"]] == [bot["environment"]["DATA_DIR"]]
    services = scaled()["services"]
    assert services["bot"]["depends_on"]["db"] == {"condition": "service_healthy"}
    assert services["db"]["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready --username=rota --dbname=rota"]


def test_compose_scale_adds_a_private_redis_and_a_scalable_worker_that_run_the_program(monkeypatch) -> None:
    document = scaled()
    services = document["services"]
    redis, bot, worker = services["redis"], services["bot"], services["worker"]
    # The worker runs `parecon-rota worker` from the bot's image, with real settings only.
    assert worker["image"] == bot["image"] and "build" not in worker
    assert build_parser().parse_args(worker["command"]).handler is cmd_worker
    settings = settings_of(worker, {}, monkeypatch)
    # Both reach the same queue, on the compose network's name for the Redis service.
    assert settings.redis_url == bot["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert settings.queue_requeue_after == 15
    # `--scale worker=N` needs no fixed name and no published port; Redis publishes none either.
    for service in (redis, worker):
        assert "container_name" not in service and "ports" not in service
    assert worker["depends_on"] == {"redis": {"condition": "service_healthy"}}
    assert bot["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert worker["healthcheck"] == {"disable": True}  # the image's check is the bot's heartbeat


def test_the_systemd_unit_starts_the_bot_with_its_settings_file_and_does_not_restart_on_hopeless_failures() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "parecon-rota.service")
    service = unit["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program == "/opt/parecon-rota/.venv/bin/parecon-rota"
    parsed = build_parser().parse_args(args)
    assert parsed.handler is cmd_run and parsed.env_file == "/etc/parecon-rota/parecon-rota.env"
    assert service["User"] != "root" and service["StateDirectory"] == "parecon-rota"
    assert service["Environment"] == "DATA_DIR=/var/lib/parecon-rota"
    assert service["Restart"] == "on-failure"
    assert {int(s) for s in service["RestartPreventExitStatus"].split()} == {
        ExitStatus.CONFIG,
        ExitStatus.TOKEN_REFUSED,
    }
    backup = configparser.ConfigParser(strict=False, interpolation=None)
    backup.read(ROOT / "deploy" / "parecon-rota-backup.service")
    assert shlex.split(backup["Service"]["ExecStart"])[1:] == [
        "--env-file", "/etc/parecon-rota/parecon-rota.env", "backup", "--keep", "14"
    ]  # fmt: skip


def test_the_worker_unit_runs_the_worker_command_and_restarts_unless_a_setting_is_wrong() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "parecon-rota-worker@.service")
    service = unit["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program == "/opt/parecon-rota/.venv/bin/parecon-rota"
    parsed = build_parser().parse_args(args)
    assert parsed.handler is cmd_worker and parsed.env_file == "/etc/parecon-rota/worker.env"
    assert service["User"] != "root" and service["Restart"] == "on-failure"
    assert {int(s) for s in service["RestartPreventExitStatus"].split()} == {ExitStatus.CONFIG}


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert re.fullmatch(r"parecon-rota \d+\.\d+\.\d+\S*\n", result.stdout)


def test_health_on_a_database_without_the_bots_tables_says_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "data" / "parecon-rota.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    result = parecon_rota(tmp_path, "health", "--database-only")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == (
        "FAIL database: reachable, but without the bot's tables (run `parecon-rota migrate`)"
    )


def test_report_writes_the_site_of_the_organizations_that_publish_it(tmp_path: Path, database: Path) -> None:
    async def organizations() -> None:  # through the models: whatever columns they have by now
        db = Database(f"sqlite+aiosqlite:///{database}")
        async with db.transaction() as session:
            for guild, name, publish in ((10, "Bakery <Collective>", True), (20, "Private Club", False)):
                org = await create_org(
                    session,
                    guild_id=guild,
                    channel_id=guild,
                    name=name,
                    timezone="UTC",
                    day=0,
                    at=time(9),
                    merge_code=f"CODE{guild}23",
                )
                org.publish_report = publish
        await db.dispose()

    asyncio.run(organizations())
    result = parecon_rota(tmp_path, "report", "--out", "site")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote 2 page(s) to site (Bakery <Collective>)"
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'href="bakery-collective-1/index.html"' in index and "Bakery &lt;Collective&gt;" in index
    assert "Private Club" not in index and not list((tmp_path / "site").glob("private-club*"))
    assert "No week has been published yet." in (tmp_path / "site" / "bakery-collective-1" / "index.html").read_text()
    refused = parecon_rota(tmp_path, "report", "--out", "site", "--org", "2")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: Private Club does not publish its report: a moderator turns it on with `/mod org publish-report on`."
    )


def test_health_and_start_up_never_show_a_password_of_a_malformed_or_unreachable_url(tmp_path: Path) -> None:
    for env in (
        {"DATABASE_URL": "postgress://rota:S3cretPW@db:5432/rota"},
        {"REDIS_URL": "http://:S3cretPW@redis:6379/0"},
        {"DATABASE_URL": "postgresql://rota:S3cretPW@127.0.0.1:9/rota?password=S3cretPW", "CONNECT_TIMEOUT": "1"},
    ):
        health = parecon_rota(tmp_path, "health", **env)
        started = parecon_rota(tmp_path, "run", DISCORD_TOKEN="x", **env)
        for result in (health, started):
            assert result.returncode != 0
            assert "S3cretPW" not in result.stdout + result.stderr
        assert "***@" in health.stdout
