"""`parecon-rota backup` and `restore` for SQLite, with SQLite's online backup API: a consistent copy
while the bot runs, checked before it is kept. PostgreSQL has its own tools (pg_dump, pg_restore:
docs/self-hosting.md, Backups)."""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.files import create_private, make_dirs


class BackupError(Exception):
    """Why a backup or restore did not happen, and what to do."""


class TargetExists(BackupError):
    pass


def default_backup_path(
    data_dir: Path, now: datetime | None = None, prefix: str = "parecon-rota", number: int = 1
) -> Path:
    """DATA_DIR/backups/PREFIX-DATE-TIME.db; the second backup of the same second ends in -2, and so on."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return data_dir / "backups" / f"{prefix}-{stamp}{'' if number == 1 else f'-{number}'}.db"


def new_backup(
    source: Path, data_dir: Path, now: datetime | None = None, prefix: str = "parecon-rota"
) -> tuple[Path, str]:
    """Back up under a default name nobody has taken (another backup may run in the same second);
    returns where and the schema revision."""
    now = now or datetime.now(UTC)
    for number in itertools.count(1):
        target = default_backup_path(data_dir, now, prefix, number)
        try:
            return target, backup(source, target)
        except TargetExists:
            continue
    raise AssertionError("unreachable")


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
        raise TargetExists(f"{target} already exists: give another file name.")
    make_dirs(target.parent)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")  # each process its own
    partial.unlink(missing_ok=True)
    create_private(partial)  # a backup holds what the database holds: owner-only from the start
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            revision = _check(copy, source)
        try:
            os.link(partial, target)  # unlike a rename, never replaces a backup made meanwhile
        except FileExistsError:
            raise TargetExists(f"{target} already exists: give another file name.") from None
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
        kept, _ = new_backup(live, keep_dir, now, prefix="before-restore")
    make_dirs(live.parent)
    create_private(live)
    with closing(sqlite3.connect(source)) as backup_db, closing(sqlite3.connect(live)) as live_db:
        backup_db.backup(live_db)
    return revision, kept


def prune(folder: Path, keep: int, prefix: str = "parecon-rota") -> list[Path]:
    """Remove all but the newest `keep` backups named by `default_backup_path` in `folder`."""
    named = re.compile(rf"{re.escape(prefix)}-(\d{{8}})-(\d{{6}})(?:-(\d+))?\.db")
    found = [(match, path) for path in folder.glob(f"{prefix}-*.db") if (match := named.fullmatch(path.name))]
    found.sort(key=lambda item: (item[0][1], item[0][2], int(item[0][3] or 1)))  # -2 after the first
    backups = [path for _, path in found]
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
