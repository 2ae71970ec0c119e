"""Files that hold members' data are owner-only from the moment they exist (the database with its
-wal and -shm, backups, the report), and the report writer touches only the files it wrote."""

from __future__ import annotations

import asyncio
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.render import site
from bot.render.public_report import build
from bot.runtime.backup import backup
from bot.runtime.settings import Settings
from storage.db import Database, migrate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def generous_umask():
    previous = os.umask(0o022)  # the usual default: files 0644, folders 0755 unless the code says otherwise
    yield
    os.umask(previous)


def test_the_database_its_wal_and_shm_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url="").anchored(tmp_path)
    settings.ensure_data_dir()
    path = settings.sqlite_path
    assert path is not None
    migrate(settings.database_url)

    async def write_while_open() -> None:
        db = Database(settings.database_url)
        async with db.transaction() as session:
            await session.execute(text("CREATE TABLE notes (body TEXT)"))
            await session.execute(text("INSERT INTO notes VALUES ('x')"))
        async with db.session() as session:
            await session.execute(text("SELECT * FROM notes"))
            for name in ("", "-wal", "-shm"):
                assert mode(path.with_name(path.name + name)) == 0o600, name
        await db.dispose()

    asyncio.run(write_while_open())
    assert mode(path) == 0o600
    assert mode(settings.data_dir) == 0o700


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    Database(f"sqlite+aiosqlite:///{path}")
    assert mode(path) == 0o600


def test_a_backup_is_owner_only_in_an_owner_only_folder(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    migrate(f"sqlite+aiosqlite:///{live}")
    target = tmp_path / "backups" / "parecon-rota-20261207-060000.db"
    backup(live, target)
    assert mode(target) == 0o600 and mode(target.parent) == 0o700


def report(name: str):
    return build(name, [], [], {}, [], date(2026, 11, 30))


def test_the_report_writer_removes_only_pages_it_wrote_and_writes_them_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "www"
    (out / "blog-2024").mkdir(parents=True)
    (out / "blog-2024" / "index.html").write_text("my blog")  # not ours, though it looks like org 2024's
    (out / "notes-7").mkdir()
    (out / "notes-7" / "index.html").write_text("not ours either")

    site.write_site(out, [(7, report("Bakery")), (2024, report("Choir"))], [(7, "Bakery"), (2024, "Choir")])
    assert (out / "bakery-7" / "index.html").is_file() and (out / "choir-2024" / "index.html").is_file()
    assert mode(out / "bakery-7" / "index.html") == 0o600 and mode(out / "bakery-7") == 0o700
    assert mode(out / "index.html") == 0o600

    # Renamed, then withdrawn: the bot's own old pages go; the look-alikes stay.
    site.write_site(out, [(7, report("Bread Co"))], [(7, "Bread Co")], withdrawn=[2024])
    assert (out / "bread-co-7" / "index.html").is_file()
    assert not (out / "bakery-7").exists() and not (out / "choir-2024").exists()
    assert (out / "blog-2024" / "index.html").read_text() == "my blog"
    assert (out / "notes-7" / "index.html").read_text() == "not ours either"


def test_a_web_server_as_another_user_can_be_given_read_access(tmp_path: Path) -> None:
    out = tmp_path / "www"
    site.write_site(out, [(7, report("Bakery"))], [(7, "Bakery")], mode=0o644)
    assert mode(out / "bakery-7" / "index.html") == 0o644 and mode(out / "bakery-7") == 0o755
    assert Settings(report_file_mode="640").report_file_mode == 0o640
    with pytest.raises(ValueError, match="octal file mode"):
        Settings(report_file_mode="999")
