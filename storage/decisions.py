"""Queries for proposals, their electorates and ballots, delegations and the decisions log."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.decisions import Delegation, Elector, Rule
from storage.models import (
    Assignment,
    DecisionEntry,
    DelegationRow,
    MemberRow,
    Proposal,
    ProposalBallot,
    ProposalChoice,
    ProposalElector,
    Qualification,
    Rota,
    utcnow,
)


def rule_of(proposal: Proposal) -> Rule:
    basis = proposal.basis if proposal.basis in ("everyone", "affected", "weighted") else "everyone"
    return Rule(
        basis,  # type: ignore[arg-type]
        tuple(json.loads(proposal.task_ids)),
        proposal.qualification,
        proposal.role_id,
        proposal.weeks,
    )


def weight_of(value: float) -> Fraction:
    """A stored weight as the exact number it was (hours are short decimals)."""
    return Fraction(str(round(value, 4)))


async def members_with_qualifications(session: AsyncSession, org_id: int) -> list[tuple[MemberRow, set[str]]]:
    rows = list((await session.execute(select(MemberRow).where(MemberRow.organization_id == org_id))).scalars())
    held: dict[int, set[str]] = defaultdict(set)
    result = await session.execute(
        select(Qualification.member_id, Qualification.name).where(
            col(Qualification.member_id).in_([m.id for m in rows])
        )
    )
    for member_id, name in result:
        held[member_id].add(name)
    return [(m, held[m.id]) for m in rows]


async def task_hours(
    session: AsyncSession, org_ids: list[int], task_ids: list[int], since_week: str
) -> dict[int, Fraction]:
    """Each member's hours on these tasks in the published rotas from `since_week` on (whoever did the
    piece: after a swap, the one who took it)."""
    if not task_ids:
        return {}
    result = await session.execute(
        select(Assignment.member_id, Assignment.hours)
        .join(Rota, col(Rota.id) == Assignment.rota_id)
        .where(
            col(Rota.organization_id).in_(org_ids),
            col(Rota.published_at).is_not(None),
            Rota.week >= since_week,
            col(Assignment.task_id).in_(task_ids),
        )
    )
    hours: dict[int, Fraction] = defaultdict(Fraction)
    for member_id, piece in result:
        hours[member_id] += weight_of(piece)
    return dict(hours)


async def open_count(session: AsyncSession, org_id: int, user_id: int) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(Proposal)
        .where(Proposal.organization_id == org_id, Proposal.proposed_by == user_id, Proposal.status == "open")
    )
    return int(result.scalar_one())


async def locked(session: AsyncSession, proposal_id: int) -> Proposal | None:
    """The proposal, locked for this transaction (PostgreSQL row lock; SQLite serialises writers)."""
    result = await session.execute(select(Proposal).where(Proposal.id == proposal_id).with_for_update())
    return result.scalar_one_or_none()


async def open_proposals(session: AsyncSession, org_id: int | None = None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.status == "open").order_by(col(Proposal.id))
    if org_id is not None:
        query = query.where(Proposal.organization_id == org_id)
    return list((await session.execute(query)).scalars())


async def choices(session: AsyncSession, proposal_id: int) -> list[str]:
    result = await session.execute(
        select(ProposalChoice.label)
        .where(ProposalChoice.proposal_id == proposal_id)
        .order_by(col(ProposalChoice.position))
    )
    return list(result.scalars())


async def electors(session: AsyncSession, proposal_id: int) -> list[Elector]:
    """The electorate fixed at opening, heaviest first."""
    result = await session.execute(
        select(ProposalElector, MemberRow.display_name)
        .join(MemberRow, col(MemberRow.id) == ProposalElector.member_id)
        .where(ProposalElector.proposal_id == proposal_id)
    )
    found = [Elector(e.member_id, e.user_id, name, weight_of(e.weight)) for e, name in result]
    return sorted(found, key=lambda e: (-e.weight, e.name.lower(), e.member_id))


async def ballots(session: AsyncSession, proposal_id: int) -> dict[int, str]:
    result = await session.execute(
        select(ProposalBallot.member_id, ProposalBallot.choice).where(ProposalBallot.proposal_id == proposal_id)
    )
    return dict(result.all())


async def cast(session: AsyncSession, proposal_id: int, member_id: int, choice: str) -> str | None:
    """Record or replace a member's own vote; returns their previous choice."""
    ballot = await session.get(ProposalBallot, (proposal_id, member_id))
    if ballot is None:
        session.add(ProposalBallot(proposal_id=proposal_id, member_id=member_id, choice=choice))
        return None
    previous, ballot.choice, ballot.updated_at = ballot.choice, choice, utcnow()
    return previous


def delegation_of(row: DelegationRow) -> Delegation:
    scope = row.scope if row.scope in ("all", "task", "qualification") else "all"
    return Delegation(row.delegator_id, row.delegate_id, scope, row.scope_value, row.until)  # type: ignore[arg-type]


async def delegations(session: AsyncSession, org_id: int, at: datetime) -> list[DelegationRow]:
    """The organization's delegations in force at `at` (not ended, not past their `until`)."""
    result = await session.execute(
        select(DelegationRow)
        .where(
            DelegationRow.organization_id == org_id,
            col(DelegationRow.ended_at).is_(None),
            or_(col(DelegationRow.until).is_(None), col(DelegationRow.until) > at),
        )
        .order_by(col(DelegationRow.id))
    )
    return list(result.scalars())


async def search_log(
    session: AsyncSession, org_ids: list[int], text: str | None, limit: int = 15
) -> list[DecisionEntry]:
    query = select(DecisionEntry).where(col(DecisionEntry.organization_id).in_(org_ids))
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.join(Proposal, col(Proposal.id) == DecisionEntry.proposal_id).where(
            or_(
                func.lower(DecisionEntry.title).like(pattern, escape="\\"),
                func.lower(DecisionEntry.outcome).like(pattern, escape="\\"),
                func.lower(Proposal.text).like(pattern, escape="\\"),
            )
        )
    result = await session.execute(query.order_by(col(DecisionEntry.decided_at).desc()).limit(limit))
    return list(result.scalars())


async def recent_for(session: AsyncSession, org_ids: list[int], limit: int = 10) -> list[Proposal]:
    result = await session.execute(
        select(Proposal)
        .where(col(Proposal.organization_id).in_(org_ids))
        .order_by(col(Proposal.id).desc())
        .limit(limit)
    )
    return list(result.scalars())
