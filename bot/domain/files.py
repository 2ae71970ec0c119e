"""Files that hold members' data (the SQLite database, its backups, the report) are created owner-only:
0600 files in 0700 folders, set at creation (not left to the umask, which is often 022)."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def folder_mode(file_mode: int) -> int:
    """The folder mode that lets the same people read files of `file_mode`: read implies list (x)."""
    mode = file_mode | 0o700
    for read, execute in ((0o040, 0o010), (0o004, 0o001)):
        if file_mode & read:
            mode |= execute
    return mode & 0o777


def make_dirs(path: Path, mode: int = PRIVATE_DIR) -> None:
    """Create `path` and its missing parents with `mode` (folders that exist keep theirs)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=mode)
        os.chmod(folder, mode)  # mkdir's mode is filtered by the umask


def create_private(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Create `path` empty with `mode` unless it exists (then leave it, mode included)."""
    make_dirs(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
        os.chmod(path, mode)


def private_sqlite(path: Path) -> None:
    """The SQLite database at `path` owner-only, created so if missing. SQLite gives its -wal and -shm
    files the database file's mode, so they follow. An existing readable-by-others file is tightened."""
    create_private(path)
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = file.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            try:
                os.chmod(file, PRIVATE_FILE)
                log.warning("%s was readable by others (mode %o): now owner-only (600)", file, mode)
            except PermissionError:
                log.warning("%s is readable by others (mode %o) and not ours to change: chmod 600 it", file, mode)
