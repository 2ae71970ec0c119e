"""Where the settings come from, how relative paths are anchored, and how a bad value is told."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.runtime.redact import RedactingFilter, redact
from bot.runtime.settings import ConfigError, env_file_candidates, find_env_file, hide_password, load_settings


def test_the_search_order_is_named_file_then_variable_then_current_folder_then_user_then_system(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert env_file_candidates(environ, tmp_path / "cwd") == [
        tmp_path / "cwd" / ".env",
        tmp_path / "xdg" / "parecon-rota" / "parecon-rota.env",
        Path("/etc/parecon-rota/parecon-rota.env"),
    ]
    user = tmp_path / "xdg" / "parecon-rota" / "parecon-rota.env"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert find_env_file(None, environ, tmp_path / "cwd") == user
    (tmp_path / "cwd").mkdir()
    (tmp_path / "cwd" / ".env").write_text("")
    assert find_env_file(None, environ, tmp_path / "cwd") == tmp_path / "cwd" / ".env"
    named = tmp_path / "named.env"
    named.write_text("")
    assert find_env_file(None, environ | {"PARECON_ROTA_ENV_FILE": str(named)}, tmp_path / "cwd") == named
    explicit = tmp_path / "explicit.env"
    explicit.write_text("")
    assert find_env_file(str(explicit), environ | {"PARECON_ROTA_ENV_FILE": str(named)}, tmp_path) == explicit


def test_a_named_file_that_is_missing_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^The settings file .*gone\.env \(--env-file\) does not exist\."):
        find_env_file(str(tmp_path / "gone.env"), {}, tmp_path)


def test_relative_paths_are_anchored_at_the_settings_files_folder(tmp_path: Path, monkeypatch) -> None:
    for key in ("DATABASE_URL", "DATA_DIR", "DISCORD_TOKEN", "PARECON_ROTA_ENV_FILE", "REPORT_DIR"):
        monkeypatch.delenv(key, raising=False)
    settings_file = tmp_path / "etc" / "bot.env"
    settings_file.parent.mkdir()
    settings_file.write_text("DATA_DIR=var\nREPORT_DIR=www/report\n")
    loaded = load_settings(str(settings_file), cwd=tmp_path / "somewhere")
    assert loaded.settings.data_dir == tmp_path / "etc" / "var"
    assert loaded.settings.report_dir == tmp_path / "etc" / "www" / "report"
    assert loaded.settings.sqlite_path == tmp_path / "etc" / "var" / "parecon-rota.db"
    assert loaded.describe() == f"settings: {settings_file}; database: SQLite {tmp_path / 'etc/var/parecon-rota.db'}"

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings_file.write_text("DATA_DIR=~/rota\n")
    assert load_settings(str(settings_file)).settings.data_dir == tmp_path / "home" / "rota"

    settings_file.write_text("DATABASE_URL=sqlite:///./db/rota.db\n")
    loaded = load_settings(str(settings_file), cwd=tmp_path / "somewhere")
    assert loaded.settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'etc' / 'db' / 'rota.db'}"

    settings_file.write_text("DATABASE_URL=postgres://rota:pw@db:5432/rota\n")
    loaded = load_settings(str(settings_file))
    assert loaded.settings.database_url == "postgresql+asyncpg://rota:pw@db:5432/rota"
    assert loaded.settings.database_label() == "postgresql+asyncpg://rota:***@db:5432/rota"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("SOLVER_TIME_LIMIT=10s", "SOLVER_TIME_LIMIT=10s is not valid: Input should be a valid number"),
        ("CONNECT_TIMEOUT=0", "CONNECT_TIMEOUT=0 is not valid: Input should be greater than 0"),
        ("LOG_LEVEL=loud", "LOG_LEVEL=loud is not valid: must be DEBUG, INFO, WARNING or ERROR"),
        ("DATABASE_URL=mysql://x@y/z", "DATABASE_URL=mysql://x@y/z is not valid: must start with sqlite:/// or"),
        ("SCHEDULER_ENABLED=perhaps", "SCHEDULER_ENABLED=perhaps is not valid: Input should be a valid boolean"),
    ],
)
def test_a_bad_value_names_the_setting_the_value_and_the_file(tmp_path: Path, monkeypatch, line, message) -> None:
    monkeypatch.delenv(line.split("=")[0], raising=False)
    settings_file = tmp_path / "bot.env"
    settings_file.write_text(line + "\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(str(settings_file))
    assert str(raised.value).startswith(message)
    assert str(raised.value).endswith(f"(set in {settings_file}; .env.example describes each setting).")


def test_hide_password() -> None:
    assert hide_password("postgresql+asyncpg://u:p%40ss@h:5432/d") == "postgresql+asyncpg://u:***@h:5432/d"
    assert hide_password("postgresql+asyncpg://u@h/d") == "postgresql+asyncpg://u@h/d"
    assert hide_password("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgress://rota:S3cretPW@db:5432/rota", "postgress://rota:***@db:5432/rota"),
        ("redis://:S3cretPW@redis:6379/0", "redis://:***@redis:6379/0"),
        ("rediss://default:S3c@ret@redis/0", "rediss://default:***@redis/0"),
        (
            "postgresql://rota@db/rota?sslmode=require&password=S3cretPW",
            "postgresql://rota@db/rota?sslmode=require&password=***",
        ),
        ("redis://redis/0?password=S3cretPW", "redis://redis/0?password=***"),
        ("host=db user=rota password=S3cretPW dbname=rota", "host=db user=rota password=*** dbname=rota"),
        ("sqlite+aiosqlite:///data/parecon-rota.db", "sqlite+aiosqlite:///data/parecon-rota.db"),
    ],
)
def test_every_form_of_password_in_a_url_is_masked(url: str, masked: str) -> None:
    assert hide_password(url) == masked
    assert redact(f"could not reach {url}: refused") == f"could not reach {masked}: refused"
    assert redact(redact(url)) == masked


@pytest.mark.parametrize(
    ("line", "setting"),
    [
        ("DATABASE_URL=postgress://rota:S3cretPW@db:5432/rota", "DATABASE_URL=postgress://rota:***@db:5432/rota"),
        ("REDIS_URL=http://:S3cretPW@redis:6379/0", "REDIS_URL=http://:***@redis:6379/0"),
        ("REDIS_URL=redis:/redis?password=S3cretPW", "REDIS_URL=redis:/redis?password=***"),
    ],
)
def test_a_malformed_url_is_refused_without_its_password(tmp_path: Path, monkeypatch, line: str, setting: str) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "PARECON_ROTA_ENV_FILE"):
        monkeypatch.delenv(key, raising=False)
    settings_file = tmp_path / "bot.env"
    settings_file.write_text(line + "\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(str(settings_file))
    assert "S3cretPW" not in str(refused.value)
    assert str(refused.value).startswith(f"{setting} is not valid: ")


def test_the_log_masks_passwords_whoever_logs_them(caplog) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    try:
        logger.warning("connecting to %s", "postgresql://rota:S3cretPW@db/rota")
        try:
            raise OSError("refused: redis://:S3cretPW@redis/0?password=S3cretPW")
        except OSError:
            logger.exception("lost the queue")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "connecting to postgresql://rota:***@db/rota" in written
    assert "OSError: refused: redis://:***@redis/0?password=***" in written
    assert "S3cretPW" not in written
