"""Queries for merge votes, and the merge itself: one transaction that pools two organizations."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.organizations import check_granularity, merged_granularity, merged_task_names, pooled_hours
from bot.votes import in_electorate
from storage.models import (
    Assignment,
    AuditEntry,
    Away,
    Goal,
    MemberRow,
    MergePost,
    MergeProposal,
    MergeVote,
    Organization,
    OrgServer,
    Qualification,
    Rating,
    SwapOffer,
    TaskClaim,
    TaskRow,
    utcnow,
)


async def open_proposal_involving(session: AsyncSession, org_id: int) -> MergeProposal | None:
    result = await session.execute(
        select(MergeProposal).where(
            MergeProposal.status == "open",
            or_(MergeProposal.proposer_org_id == org_id, MergeProposal.other_org_id == org_id),
        )
    )
    return result.scalars().first()


async def open_proposals(session: AsyncSession) -> list[MergeProposal]:
    return list((await session.execute(select(MergeProposal).where(MergeProposal.status == "open"))).scalars())


async def recent_proposals(session: AsyncSession, org_ids: list[int], limit: int = 5) -> list[MergeProposal]:
    result = await session.execute(
        select(MergeProposal)
        .where(or_(MergeProposal.proposer_org_id.in_(org_ids), MergeProposal.other_org_id.in_(org_ids)))
        .order_by(MergeProposal.id.desc())
        .limit(limit)
    )
    return list(result.scalars())


async def locked(session: AsyncSession, proposal_id: int) -> MergeProposal | None:
    """The proposal, locked for this transaction (PostgreSQL row lock; SQLite serialises writers)."""
    result = await session.execute(select(MergeProposal).where(MergeProposal.id == proposal_id).with_for_update())
    return result.scalar_one_or_none()


async def electorate(session: AsyncSession, org_id: int, at: datetime) -> int:
    """How many of the organization's members may vote on a vote opening at `at` (`in_electorate`)."""
    result = await session.execute(
        select(MemberRow.active, MemberRow.joined_at).where(MemberRow.organization_id == org_id)
    )
    return sum(1 for active, joined_at in result if in_electorate(active, joined_at, at))


async def tally(session: AsyncSession, proposal_id: int) -> dict[int, Counter]:
    result = await session.execute(
        select(MergeVote.organization_id, MergeVote.choice).where(MergeVote.proposal_id == proposal_id)
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for org_id, choice in result:
        counts[org_id][choice] += 1
    return counts


async def cast(session: AsyncSession, proposal_id: int, member: MemberRow, choice: str) -> str | None:
    """Record or replace a member's vote; returns their previous choice."""
    vote = await session.get(MergeVote, (proposal_id, member.id))
    if vote is None:
        session.add(
            MergeVote(
                proposal_id=proposal_id, member_id=member.id, organization_id=member.organization_id, choice=choice
            )
        )
        return None
    previous, vote.choice, vote.updated_at = vote.choice, choice, utcnow()
    return previous


async def posts(session: AsyncSession, proposal_id: int) -> list[MergePost]:
    return list((await session.execute(select(MergePost).where(MergePost.proposal_id == proposal_id))).scalars())


async def merge(session: AsyncSession, proposal: MergeProposal, merge_code: str) -> Organization:
    """Pool the two organizations into a new one on equal terms. Call inside one transaction.

    Servers keep their own channels; tasks, goals, members, ratings and history carry over, each task
    and goal keeping its origin; a person in both keeps one membership with both commitments' hours.
    """
    first = await session.get(Organization, proposal.proposer_org_id)
    second = await session.get(Organization, proposal.other_org_id)
    merged = Organization(
        name=proposal.name,
        timezone=first.timezone,
        publish_day=first.publish_day,
        publish_time=first.publish_time,
        default_hours=first.default_hours,
        # The step both sides' splittable tasks fit (as in the vote's dry run), so no week of the
        # merged organization becomes unsolvable by the merge.
        granularity=float(
            merged_granularity(check_granularity(first.granularity), check_granularity(second.granularity))
        ),
        quorum_pct=first.quorum_pct,
        threshold_pct=first.threshold_pct,
        vote_hours=first.vote_hours,
        merge_code=merge_code,
    )
    session.add(merged)
    await session.flush()
    old = [first, second]
    old_ids = [o.id for o in old]
    await session.execute(
        update(OrgServer).where(OrgServer.organization_id.in_(old_ids)).values(organization_id=merged.id)
    )
    for org in old:
        await session.execute(
            update(Goal)
            .where(Goal.organization_id == org.id)
            .values(organization_id=merged.id, origin=func.coalesce(Goal.origin, org.name))
        )
    rows = [
        list((await session.execute(select(TaskRow).where(TaskRow.organization_id == org.id))).scalars()) for org in old
    ]
    # Two "Dishes": keep both, each with its origin ("Dishes (North)", "Dishes (South)"), as the dry run said.
    names = merged_task_names([(org.name, [t.name for t in tasks]) for org, tasks in zip(old, rows, strict=True)])
    for org, tasks, renamed in zip(old, rows, names, strict=True):
        for task in tasks:
            task.origin = task.origin or org.name
            task.name = renamed[task.name]
            task.organization_id = merged.id
    await _pool_members(session, first.id, second.id, merged.id)
    now = utcnow()
    for org in old:
        org.archived_at, org.merged_into_id = now, merged.id
    proposal.merged_org_id = merged.id
    session.add(
        AuditEntry(
            organization_id=merged.id,
            actor_id=proposal.proposed_by,
            action="merge",
            detail=f"{first.name} + {second.name} by vote #{proposal.id}",
        )
    )
    return merged


async def _pool_members(session: AsyncSession, first_id: int, second_id: int, merged_id: int) -> None:
    rows = list(
        (await session.execute(select(MemberRow).where(MemberRow.organization_id.in_([first_id, second_id])))).scalars()
    )
    by_user: dict[int, list[MemberRow]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    for pair in by_user.values():
        keep = next((r for r in pair if r.organization_id == first_id), pair[0])
        for other in (r for r in pair if r is not keep):
            await _fold_into(session, other, keep)
        keep.organization_id = merged_id


async def _fold_into(session: AsyncSession, other: MemberRow, keep: MemberRow) -> None:
    """One person, two memberships: everything of `other` moves to `keep`; `other` stays behind,
    inactive, in its archived organization (its votes keep pointing at it)."""
    if other.active:
        keep.hours = pooled_hours(keep.hours if keep.active else 0.0, other.hours)
        keep.active = True
    keep.notify = keep.notify or other.notify
    keep.reminders = keep.reminders and other.reminders
    for model, column in (
        (Rating, Rating.member_id),
        (Away, Away.member_id),
        (Assignment, Assignment.member_id),
        (Assignment, Assignment.assigned_member_id),
        (SwapOffer, SwapOffer.from_member_id),
        (SwapOffer, SwapOffer.to_member_id),
        (TaskClaim, TaskClaim.from_member_id),
        (TaskClaim, TaskClaim.taker_member_id),
    ):
        await session.execute(update(model).where(column == other.id).values({column.key: keep.id}))
    held = set((await session.execute(select(Qualification.name).where(Qualification.member_id == keep.id))).scalars())
    for qualification in (
        await session.execute(select(Qualification).where(Qualification.member_id == other.id))
    ).scalars():
        if qualification.name not in held:
            session.add(Qualification(member_id=keep.id, name=qualification.name))
        await session.delete(qualification)
    other.active = False


async def non_voters(session: AsyncSession, proposal: MergeProposal, org_id: int) -> list[int]:
    """The user ids of one side's members who may vote on the proposal (`in_electorate`) and have not."""
    voted = set(
        (await session.execute(select(MergeVote.member_id).where(MergeVote.proposal_id == proposal.id))).scalars()
    )
    result = await session.execute(
        select(MemberRow).where(MemberRow.organization_id == org_id).order_by(MemberRow.display_name)
    )
    return [
        m.user_id
        for m in result.scalars()
        if m.id not in voted and in_electorate(m.active, m.joined_at, proposal.created_at)
    ]
