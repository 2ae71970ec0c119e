"""Moderators' actions on the whole organization: in the audit log with the server they came from,
and, in a federation (where Manage Server on any one server changes every side), told in the rota
channel of each other server through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import orgs
from storage.db import Session

from .effects import Effect, queue


@dataclass(frozen=True)
class TellOtherServer(Effect):
    """A moderator's change, told in another server's rota channel (carried out by
    `bot.app.audit_effects`; the audit entry is read at delivery)."""

    kind = "mod.notice"
    audit_id: int
    guild_id: int
    channel_id: int

    def key(self) -> str:
        return f"audit:{self.audit_id}:{self.guild_id}"

    def subject(self) -> str:
        return f"audit:{self.audit_id}"


async def record(
    session: Session,
    org_id: int,
    actor_id: int,
    action: str,
    detail: str,
    *,
    guild_id: int | None,
    now: datetime | None = None,
) -> None:
    entry = orgs.audit(session, org_id, actor_id, action, detail, guild_id=guild_id)
    others = [s for s in await orgs.servers_of(session, org_id) if s.guild_id != guild_id]
    if guild_id is None or not others:
        return
    await session.flush()  # the entry's id keys its notices
    assert entry.id is not None
    for server in others:
        await queue(session, TellOtherServer(entry.id, server.guild_id, server.channel_id), org_id=org_id, now=now)
