"""Queries for the small key/value `bot_state` table."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotState, utcnow


async def get_value(session: AsyncSession, key: str) -> str | None:
    row = await session.get(BotState, key)
    return None if row is None else row.value


async def set_value(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(BotState, key)
    if row is None:
        session.add(BotState(key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
