"""Process settings, read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/parecon-rota.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    dev_guild_id: int | None = None
    discord_api_base: str | None = Field(
        default=None, description="REST base, e.g. http://127.0.0.1:8080/api/v10 (default: Discord's)"
    )
    discord_gateway_url: str | None = Field(default=None, description="Gateway URL (default: Discord's)")
    scheduler_enabled: bool = True
    solver_time_limit: float = Field(default=10.0, gt=0, le=600, description="seconds per weekly solve")
    log_level: str = "INFO"

    @field_validator("dev_guild_id", "discord_api_base", "discord_gateway_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `.env.example` leaves optional keys empty; an empty string means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # Accept the URLs people paste from hosting dashboards and pick the async drivers.
        if value.startswith("postgres://"):
            value = "postgresql://" + value.removeprefix("postgres://")
        if value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        return value

    def ensure_data_dir(self) -> None:
        """Create the directory of a file-based SQLite database, so the default works out of the box."""
        prefix = "sqlite+aiosqlite:///"
        if self.database_url.startswith(prefix):
            path = self.database_url.removeprefix(prefix)
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
