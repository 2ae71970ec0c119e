"""`parecon-rota health`: is the bot working? For a container's health check, a service monitor or
a person. The running bot records a heartbeat in the database (`bot_state`, key `health:gateway`)
every `HEARTBEAT_SECONDS` while its gateway connection is open, with the next scheduled
publication, and a last one saying it stopped when it closes; `health` reads it, so it works from
another process or container without a port to open.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.runtime.redact import redact

log = logging.getLogger("bot")

HEARTBEAT_KEY = "health:gateway"


def heartbeat_key(shard_ids: list[int] | None) -> str:
    """Where a process records its gateway heartbeat: one key per group of shards, so that each bot
    process's health check reads its own (one process: the key it always had)."""
    return HEARTBEAT_KEY if shard_ids is None else f"{HEARTBEAT_KEY}:shards={','.join(map(str, shard_ids))}"


HEARTBEAT_SECONDS = 30.0
MAX_HEARTBEAT_AGE = 180.0  # seconds: six missed heartbeats


@dataclass(frozen=True)
class Heartbeat:
    at: datetime
    connected: bool
    latency_ms: int | None = None
    servers: int = 0
    next_run: datetime | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "at": self.at.isoformat(timespec="seconds"),
                "connected": self.connected,
                "latency_ms": self.latency_ms,
                "servers": self.servers,
                "next_run": self.next_run.isoformat(timespec="seconds") if self.next_run else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Heartbeat:
        data = json.loads(text)
        return cls(
            at=datetime.fromisoformat(data["at"]),
            connected=bool(data["connected"]),
            latency_ms=data.get("latency_ms"),
            servers=int(data.get("servers") or 0),
            next_run=datetime.fromisoformat(data["next_run"]) if data.get("next_run") else None,
        )


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {redact(self.what)}"


def judge_heartbeat(text: str | None, now: datetime, max_age: float) -> list[Check]:
    """What a recorded heartbeat says about the gateway connection and the next publication."""
    if text is None:
        return [Check(False, "gateway: no heartbeat recorded yet (the bot has not connected since it was installed)")]
    try:
        beat = Heartbeat.from_json(text)
    except (ValueError, KeyError, TypeError):
        return [Check(False, f"gateway: the recorded heartbeat is unreadable ({text[:60]!r})")]
    age = (now - beat.at).total_seconds()
    when = f"{age:.0f} s ago" if age < 120 else f"{age / 60:.0f} min ago"
    if not beat.connected:
        return [Check(False, f"gateway: the bot stopped {when} ({beat.at:%Y-%m-%d %H:%M} UTC)")]
    if age > max_age:
        return [Check(False, f"gateway: last heartbeat {when}: the bot is not running or has lost Discord")]
    latency = f"latency {beat.latency_ms} ms, " if beat.latency_ms is not None else ""
    checks = [Check(True, f"gateway: connected, last heartbeat {when} ({latency}{beat.servers} servers)")]
    if beat.next_run is not None:
        checks.append(Check(True, f"next scheduled publication: {beat.next_run.astimezone(UTC):%Y-%m-%d %H:%M} UTC"))
    else:
        checks.append(Check(True, "next scheduled publication: none (no schedule, or SCHEDULER_ENABLED=false)"))
    return checks


async def read_state(url: str, key: str = HEARTBEAT_KEY) -> tuple[str | None, str | None, str]:
    """The recorded heartbeat, the database's schema revision and the code's latest revision."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from storage import state
    from storage.db import Database, alembic_config

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head() or "none"
    db = Database(url)
    try:
        async with db.session() as session:
            try:
                revision = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
            except Exception:
                return None, None, head
            return await state.get_value(session, key), revision, head
    finally:
        await db.dispose()


async def record(db, beat: Heartbeat, key: str = HEARTBEAT_KEY) -> None:
    from storage import state

    async with db.transaction() as session:
        await state.set_value(session, key, beat.to_json())


def now() -> datetime:
    return datetime.now(UTC)


async def service_checks(url: str, key: str, at: datetime, max_age: float = MAX_HEARTBEAT_AGE) -> list[Check]:
    """What `parecon-rota health` checks once the settings are read (the web server's `/healthz`):
    the database reachable with its schema up to date, and the gateway's heartbeat recent."""
    try:
        heartbeat, revision, head = await read_state(url, key)
    except Exception as error:
        return [Check(False, f"database: unreachable ({type(error).__name__})")]
    if revision is None:
        return [Check(False, "database: reachable, but without the bot's tables (run `parecon-rota migrate`)")]
    if revision != head:
        return [Check(False, f"database: reachable, schema at {revision}, not {head} (run `parecon-rota migrate`)")]
    return [
        Check(True, f"database: reachable, schema up to date ({revision})"),
        *judge_heartbeat(heartbeat, at, max_age),
    ]
