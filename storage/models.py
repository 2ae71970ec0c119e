"""Database models. Discord IDs are 64-bit snowflakes: always `BigInteger` columns."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import BigInteger, Column, DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def snowflake(*, nullable: bool = False, unique: bool = False, index: bool = False) -> Column:
    return Column(BigInteger, nullable=nullable, unique=unique, index=index)


def timestamp(*, nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class BotState(SQLModel, table=True):
    """Small key/value facts the process keeps between starts (e.g. the last synced command hash)."""

    __tablename__ = "bot_state"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class Organization(SQLModel, table=True):
    """One organization; until a merge, one per Discord server."""

    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_column=snowflake(unique=True))
    name: str = Field(max_length=100)
    channel_id: int = Field(sa_column=snowflake())
    timezone: str = Field(default="UTC", max_length=64)
    publish_day: int = Field(default=0, description="0 = Monday … 6 = Sunday")
    publish_time: time = Field(default=time(9, 0))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
