"""`parecon-rota backup` and `restore` for SQLite, with SQLite's online backup API: a consistent copy
while the bot runs, checked before it is kept. PostgreSQL has its own tools (pg_dump, pg_restore:
README, Backups)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.files import create_private, make_dirs


class BackupError(Exception):
    """Why a backup or restore did not happen, and what to do."""


def default_backup_path(data_dir: Path, now: datetime | None = None, prefix: str = "parecon-rota") -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return data_dir / "backups" / f"{prefix}-{stamp}.db"


def _check(connection: sqlite3.Connection, path: Path) -> str:
    """The schema revision of a parecon-rota database; BackupError if it is not one or is damaged."""
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"{path} is damaged (SQLite integrity check: {result})")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a parecon-rota database ({error})") from None
    if revision is None:
        raise BackupError(f"{path} is not a parecon-rota database (no schema revision)")
    return str(revision[0])


def backup(source: Path, target: Path) -> str:
    """Copy the live database at `source` to `target` (which must not exist); returns its schema revision."""
    if not source.is_file():
        raise BackupError(f"There is no database at {source}: nothing to back up. Check DATA_DIR / DATABASE_URL.")
    if target.exists():
        raise BackupError(f"{target} already exists: give another file name.")
    make_dirs(target.parent)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    create_private(partial)  # a backup holds what the database holds: owner-only from the start
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            revision = _check(copy, source)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return revision


def restore(source: Path, live: Path, keep_dir: Path, now: datetime | None = None) -> tuple[str, Path | None]:
    """Replace the database at `live` with the backup at `source`, after keeping a copy of the current
    one in `keep_dir`. Returns the restored schema revision and the kept copy's path."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_db:
        revision = _check(backup_db, source)
    kept = None
    if live.is_file():
        kept = default_backup_path(keep_dir, now, prefix="before-restore")
        backup(live, kept)
    make_dirs(live.parent)
    create_private(live)
    with closing(sqlite3.connect(source)) as backup_db, closing(sqlite3.connect(live)) as live_db:
        backup_db.backup(live_db)
    return revision, kept


def prune(folder: Path, keep: int, prefix: str = "parecon-rota") -> list[Path]:
    """Remove all but the newest `keep` backups named by `default_backup_path` in `folder`."""
    backups = sorted(folder.glob(f"{prefix}-[0-9]*-[0-9]*.db"))
    old = backups[: max(0, len(backups) - max(keep, 1))]
    for path in old:
        path.unlink()
    return old


def heartbeat_of(live: Path, key: str) -> str | None:
    """The running bot's last heartbeat in a SQLite database, without SQLAlchemy."""
    if not live.is_file():
        return None
    try:
        with closing(sqlite3.connect(live)) as connection:
            row = connection.execute("SELECT value FROM bot_state WHERE key = ?", (key,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])
