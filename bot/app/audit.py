"""Moderators' actions on the whole organization: in the audit log with the server they came from,
and, in a federation (where Manage Server on any one server changes every side), told in the rota
channel of each other server through the outbox."""

from __future__ import annotations

from datetime import datetime

from storage import orgs, outbox
from storage.db import Session


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
    for server in others:
        await outbox.add(
            session,
            org_id=org_id,
            kind="mod.notice",
            key=f"audit:{entry.id}:{server.guild_id}",
            subject=f"audit:{entry.id}",
            payload={"audit_id": entry.id, "guild_id": server.guild_id, "channel_id": server.channel_id},
            now=now,
        )
