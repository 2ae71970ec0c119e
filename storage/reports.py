"""Queries for the public fairness report: who publishes, their published weeks, who may be named."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from storage.models import Assignment, MemberRow, MergeProposal, Organization, Rota


async def publishing(session: AsyncSession) -> list[Organization]:
    """Live organizations that publish their report."""
    result = await session.execute(
        select(Organization)
        .where(Organization.publish_report, col(Organization.archived_at).is_(None))
        .order_by(Organization.name, col(Organization.id))
    )
    return list(result.scalars())


async def not_publishing(session: AsyncSession) -> list[int]:
    """Every other organization (turned off, never on, or archived by a merge): their pages go."""
    result = await session.execute(
        select(Organization.id).where(
            or_(~col(Organization.publish_report), col(Organization.archived_at).is_not(None))
        )
    )
    return list(result.scalars())


async def published_rotas(session: AsyncSession, org_id: int) -> list[Rota]:
    result = await session.execute(
        select(Rota).where(Rota.organization_id == org_id, col(Rota.published_at).is_not(None)).order_by(Rota.week)
    )
    return list(result.scalars())


async def held(session: AsyncSession, rota_ids: list[int]) -> dict[int, dict[int, float]]:
    """Per rota: the hours each member holds now (after swaps and claims)."""
    found: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    if rota_ids:
        result = await session.execute(
            select(col(Assignment.rota_id), col(Assignment.member_id), col(Assignment.hours)).where(
                col(Assignment.rota_id).in_(rota_ids)
            )
        )
        for rota_id, member_id, hours in result:
            found[rota_id][member_id] += hours
    return found


async def shown_names(session: AsyncSession, member_ids: list[int]) -> dict[int, str | None]:
    """Member id -> display name for those who chose to be named, None for everyone else."""
    if not member_ids:
        return {}
    result = await session.execute(
        select(col(MemberRow.id), col(MemberRow.display_name), col(MemberRow.show_in_report)).where(
            col(MemberRow.id).in_(member_ids)
        )
    )
    return {member_id: (name if shown else None) for member_id, name, shown in result}


async def passed_votes(session: AsyncSession, org_ids: list[int]) -> list[MergeProposal]:
    """Merges and departures that passed, involving any of these organizations."""
    result = await session.execute(
        select(MergeProposal)
        .where(
            MergeProposal.status == "passed",
            or_(
                col(MergeProposal.proposer_org_id).in_(org_ids),
                col(MergeProposal.other_org_id).in_(org_ids),
                col(MergeProposal.merged_org_id).in_(org_ids),
            ),
        )
        .order_by(col(MergeProposal.id))
    )
    return list(result.scalars())
