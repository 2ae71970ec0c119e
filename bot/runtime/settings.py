"""Process settings, read once from the environment and one settings file.

Which file (the first that exists; environment variables override what it says):

1. `--env-file PATH` on the command line (it must exist),
2. the file named by the `PARECON_ROTA_ENV_FILE` environment variable (it must exist),
3. `.env` in the current folder,
4. `$XDG_CONFIG_HOME/parecon-rota/parecon-rota.env` (default `~/.config/parecon-rota/…`),
5. `/etc/parecon-rota/parecon-rota.env`.

Relative paths (`DATA_DIR`, a SQLite file in `DATABASE_URL`) are taken from the settings file's
folder, or from the current folder when there is no file, so a service started elsewhere finds the
same data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.files import make_dirs
from bot.runtime.redact import redact

ENV_FILE_VARIABLE = "PARECON_ROTA_ENV_FILE"
ENV_FILE_NAME = "parecon-rota.env"
DATABASE_FILE = "parecon-rota.db"
SQLITE_PREFIX = "sqlite+aiosqlite:///"
DEFAULT_DATABASE_URL = f"{SQLITE_PREFIX}./data/{DATABASE_FILE}"
SECRET_SETTINGS = {"DISCORD_TOKEN"}  # a refusal names them, never shows their value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    data_dir: Path = Field(default=Path("data"), description="where the SQLite database and backups live")
    database_url: str = Field(default="", description="default: a SQLite file in DATA_DIR")
    dev_guild_id: int | None = None
    discord_api_base: str | None = Field(
        default=None, description="REST base, e.g. http://127.0.0.1:8080/api/v10 (default: Discord's)"
    )
    discord_gateway_url: str | None = Field(default=None, description="Gateway URL (default: Discord's)")
    scheduler_enabled: bool = True
    solver_time_limit: float = Field(default=10.0, gt=0, le=600, description="seconds per weekly solve")
    connect_timeout: float = Field(
        default=30.0, gt=0, le=3600, description="seconds to keep trying the database and Discord at start"
    )
    log_level: str = "INFO"
    report_dir: Path | None = Field(
        default=None, description="where the public fairness report is written after each publication (unset: not)"
    )
    report_file_mode: int = Field(
        default=0o600,
        description="the report's files' mode, octal (600: owner-only; 644 for a web server as another user)",
    )
    # Limits per request (docs/self-hosting.md: Limits): one member or one server cannot hold up the others.
    import_max_rows: int = Field(default=2000, ge=1, le=20000, description="task rows per `/mod task import`")
    chart_cooldown: float = Field(default=10.0, ge=0, le=3600, description="seconds between one member's charts")
    preview_cooldown: float = Field(default=60.0, ge=0, le=3600, description="seconds between one's previews")
    solve_queue_wait: float = Field(
        default=900.0, gt=0, le=86400, description="seconds a solve may wait for a worker before it is given up"
    )
    # Beyond one machine (docs/scale.md): the task queue, shards, the elected scheduler, bursts of publications.
    redis_url: str | None = Field(default=None, description="solve on `parecon-rota worker` processes through Redis")
    queue_requeue_after: float = Field(
        default=15.0, ge=2, le=600, description="seconds of silence after which a worker's solves go to another"
    )
    shard_count: int | None = Field(default=None, ge=1, le=10_000, description="gateway shards across all processes")
    shard_ids: Annotated[list[int] | None, NoDecode] = Field(default=None, description="this process's shards: 0,1")
    publish_concurrency: int = Field(default=4, ge=1, le=256, description="publications under way at once")
    leader_retry: float = Field(default=5.0, gt=0, le=30, description="seconds between a standby's tries to lead")
    # The optional web server (README: Calendars and the web server): calendar feeds, /healthz, the report.
    web_port: int | None = Field(default=None, ge=0, le=65535, description="serve HTTP on this port (unset: off)")
    web_host: str = Field(default="127.0.0.1", description="the address it listens on (0.0.0.0: every interface)")
    web_base_url: str | None = Field(
        default=None, description="the public address in the links it gives, e.g. https://rota.example.org"
    )

    @field_validator(
        "dev_guild_id",
        "discord_api_base",
        "discord_gateway_url",
        "redis_url",
        "shard_count",
        "report_dir",
        "web_port",
        "web_base_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` leaves optional keys empty; an empty string means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("web_base_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().startswith(("http://", "https://")):
            raise ValueError("must start with https:// (e.g. https://rota.example.org) or be empty")
        return value.strip().rstrip("/") if value else None

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// (e.g. redis://127.0.0.1:6379/0) or be empty")
        return value.strip() if value else None

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return sorted({int(part) for part in value.replace(" ", "").split(",") if part})
            except ValueError:
                raise ValueError("must be shard numbers separated by commas, e.g. 0,1") from None
        return value

    @field_validator("data_dir", mode="before")
    @classmethod
    def _blank_is_default(cls, value: object) -> object:
        return "data" if isinstance(value, str) and not value.strip() else value

    @field_validator("report_file_mode", mode="before")
    @classmethod
    def _octal_mode(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip().removeprefix("0o") or "600"
            if not re.fullmatch(r"0?[0-7]{3}", text) or int(text, 8) & 0o400 == 0:
                raise ValueError("must be an octal file mode the owner can read, e.g. 600, 640 or 644")
            return int(text, 8)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.strip().upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.strip().upper()

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the URLs people paste from hosting dashboards and pick the async drivers.
        value = value.strip()
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite:///"):
            value = SQLITE_PREFIX + value.removeprefix("sqlite:///")
        if value and not value.startswith((SQLITE_PREFIX, "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite:/// or postgresql:// (see .env.example)")
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT (the number of shards across all processes)")
            outside = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if outside or not self.shard_ids:
                raise ValueError(
                    f"SHARD_IDS must be numbers from 0 to {self.shard_count - 1} (SHARD_COUNT={self.shard_count}); "
                    f"got {','.join(map(str, self.shard_ids)) or 'none'}"
                )
        return self

    @property
    def sharded(self) -> bool:
        """Whether this process holds shards of a sharded bot (SHARD_COUNT set)."""
        return self.shard_count is not None

    @property
    def syncs_commands(self) -> bool:
        """One process registers the slash commands: the one holding shard 0 (or the only one)."""
        return self.shard_ids is None or 0 in self.shard_ids

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"{SQLITE_PREFIX}{self.data_dir / DATABASE_FILE}"
        return self

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database's file, or None for PostgreSQL and in-memory databases."""
        if not self.database_url.startswith(SQLITE_PREFIX):
            return None
        path = self.database_url.removeprefix(SQLITE_PREFIX).split("?", 1)[0]
        return None if not path or path == ":memory:" else Path(path)

    def anchored(self, base: Path) -> Settings:
        """These settings with relative paths taken from `base` (the settings file's folder)."""
        data_dir = self.data_dir.expanduser()
        data_dir = data_dir if data_dir.is_absolute() else base / data_dir
        url = self.database_url
        path = self.sqlite_path
        if path is not None and not path.is_absolute():
            url = SQLITE_PREFIX + str((base / path).resolve()) + url.partition("?")[1] + url.partition("?")[2]
        report_dir = self.report_dir.expanduser() if self.report_dir is not None else None
        if report_dir is not None and not report_dir.is_absolute():
            report_dir = (base / report_dir).resolve()
        return self.model_copy(update={"data_dir": data_dir.resolve(), "database_url": url, "report_dir": report_dir})

    def ensure_data_dir(self) -> None:
        """Create the data directory and the SQLite database's folder, so the default works out of the box."""
        make_dirs(self.data_dir)  # owner-only: it holds the database and its backups
        if self.sqlite_path is not None:
            make_dirs(self.sqlite_path.parent)

    def database_label(self) -> str:
        """The database for a log line: a SQLite file's full path, or a URL without its password."""
        if self.sqlite_path is not None:
            return f"SQLite {self.sqlite_path.resolve()}"
        return hide_password(self.database_url)


def hide_password(url: str) -> str:
    """A URL for a message or a log line: its password and secret query values masked."""
    return redact(url)


class ConfigError(Exception):
    """A setting or the settings file is wrong: the message says which and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))  # a malformed URL may still hold a password


def env_file_candidates(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> list[Path]:
    """Where a settings file is looked for when none is named (the module's docstring has the order)."""
    environ = os.environ if environ is None else environ
    config_home = Path(environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [
        (cwd or Path.cwd()) / ".env",
        config_home / "parecon-rota" / ENV_FILE_NAME,
        Path("/etc/parecon-rota") / ENV_FILE_NAME,
    ]


def find_env_file(
    explicit: str | None = None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    environ = os.environ if environ is None else environ
    named = explicit or environ.get(ENV_FILE_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            given = "--env-file" if explicit else ENV_FILE_VARIABLE
            raise ConfigError(f"The settings file {path} ({given}) does not exist. Create it from .env.example.")
        return path
    return next((path for path in env_file_candidates(environ, cwd) if path.is_file()), None)


@dataclass(frozen=True)
class Loaded:
    settings: Settings
    env_file: Path | None  # None: the environment only

    def describe(self) -> str:
        where = str(self.env_file.resolve()) if self.env_file else "no settings file (environment only)"
        return f"settings: {where}; database: {self.settings.database_label()}"


def load_settings(
    explicit: str | None = None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Loaded:
    """The settings, from the environment and the first settings file found; a bad value is a ConfigError
    naming the setting, the value and where it was set."""
    env_file = find_env_file(explicit, environ, cwd)
    try:
        settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as error:
        raise ConfigError(describe_errors(error, env_file, os.environ if environ is None else environ)) from None
    base = env_file.resolve().parent if env_file else (cwd or Path.cwd())
    return Loaded(settings.anchored(base), env_file)


def describe_errors(error: ValidationError, env_file: Path | None, environ: Mapping[str, str]) -> str:
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]).upper() if problem["loc"] else "a setting"
        where = "the environment" if name in environ or name.lower() in environ else str(env_file or "the environment")
        value = problem.get("input")
        secret = name in SECRET_SETTINGS
        shown = f"{name}={redact(str(value))}" if isinstance(value, str | int | float) and not secret else name
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not problem["loc"]:  # a rule across settings (SHARD_IDS with SHARD_COUNT): the message names them
            lines.append(f"{message} (.env.example describes each setting).")
            continue
        lines.append(f"{shown} is not valid: {message} (set in {where}; .env.example describes each setting).")
    return "\n".join(lines)
