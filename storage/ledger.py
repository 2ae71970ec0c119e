"""Queries for the hours ledger: the pieces members hold in published rotas, and corrections."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.ledger import Correction, Piece
from storage.models import Assignment, LedgerCorrection, MemberRow, Rota


async def members_of(session: AsyncSession, org_id: int) -> list[MemberRow]:
    """Everyone who is or was in the organization's rota, by name."""
    result = await session.execute(
        select(MemberRow).where(MemberRow.organization_id == org_id).order_by(MemberRow.display_name, col(MemberRow.id))
    )
    return list(result.scalars())


async def pieces(session: AsyncSession, member_ids: list[int], first: str, last: str) -> list[Piece]:
    """What these members hold now in published rotas of weeks `first`..`last` (whichever organization
    published them: a member who left a federation keeps the weeks held there)."""
    if not member_ids:
        return []
    result = await session.execute(
        select(Rota.week, Assignment.member_id, Assignment.hours, Assignment.done_at)
        .join(Rota, col(Rota.id) == col(Assignment.rota_id))
        .where(
            col(Assignment.member_id).in_(member_ids),
            col(Rota.published_at).is_not(None),
            Rota.week >= first,
            Rota.week <= last,
        )
    )
    return [Piece(week, member_id, hours, done_at is not None) for week, member_id, hours, done_at in result]


async def corrections(session: AsyncSession, member_ids: list[int], first: str, last: str) -> list[Correction]:
    if not member_ids:
        return []
    result = await session.execute(
        select(LedgerCorrection)
        .where(
            col(LedgerCorrection.member_id).in_(member_ids),
            LedgerCorrection.week >= first,
            LedgerCorrection.week <= last,
        )
        .order_by(col(LedgerCorrection.id))
    )
    return [Correction(c.week, c.member_id, c.hours, c.reason) for c in result.scalars()]
