"""Queries for merge votes, and the merge itself: one transaction that pools two organizations."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import delete, func, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.domain.organizations import check_granularity, merged_granularity, merged_task_names, pooled_hours
from bot.domain.votes import in_electorate
from storage.models import (
    Assignment,
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
from storage.orgs import audit
from storage.rotas import lineage


async def open_proposal_involving(session: AsyncSession, org_id: int) -> MergeProposal | None:
    result = await session.execute(
        select(MergeProposal).where(
            MergeProposal.status == "open",
            or_(col(MergeProposal.proposer_org_id) == org_id, col(MergeProposal.other_org_id) == org_id),
        )
    )
    return result.scalars().first()


async def open_proposals(session: AsyncSession) -> list[MergeProposal]:
    return list((await session.execute(select(MergeProposal).where(MergeProposal.status == "open"))).scalars())


async def recent_proposals(session: AsyncSession, org_ids: list[int], limit: int = 5) -> list[MergeProposal]:
    result = await session.execute(
        select(MergeProposal)
        .where(
            or_(
                col(MergeProposal.proposer_org_id).in_(org_ids),
                col(MergeProposal.other_org_id).in_(org_ids),
                col(MergeProposal.merged_org_id).in_(org_ids),  # a side that left still sees the vote it left by
            )
        )
        .order_by(col(MergeProposal.id).desc())
        .limit(limit)
    )
    return list(result.scalars())


async def proposed_since(session: AsyncSession, org_id: int, since: datetime) -> list[datetime]:
    """When the organization proposed merges since `since` (whatever became of them)."""
    result = await session.execute(
        select(MergeProposal.created_at).where(
            MergeProposal.proposer_org_id == org_id, MergeProposal.kind == "merge", MergeProposal.created_at > since
        )
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
    """The votes per side. While the vote is open only the electorate's count (`in_electorate`):
    a member who left or was removed since voting no longer weighs on turnout or an early close."""
    proposal = await session.get_one(MergeProposal, proposal_id)
    result = await session.execute(
        select(MergeVote.organization_id, MergeVote.choice, MemberRow.active, MemberRow.joined_at)
        .join(MemberRow, col(MemberRow.id) == col(MergeVote.member_id))
        .where(MergeVote.proposal_id == proposal_id)
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for org_id, choice, active, since in result:
        if proposal.status != "open" or in_electorate(active, since, proposal.created_at):
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
    if first is None or second is None:
        raise LookupError(f"merge #{proposal.id}: an organization of the proposal is gone")
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
    for org in old:  # each side's servers, members, tasks and goals remember it: a side can leave again
        for model in (OrgServer, MemberRow, TaskRow, Goal):
            await session.execute(
                update(model)
                .where(col(model.organization_id) == org.id)
                .values(origin_org_id=func.coalesce(col(model.origin_org_id), org.id))
            )
    await session.execute(
        update(OrgServer).where(col(OrgServer.organization_id).in_(old_ids)).values(organization_id=merged.id)
    )
    for org in old:
        await session.execute(
            update(Goal)
            .where(col(Goal.organization_id) == org.id)
            .values(organization_id=merged.id, origin=func.coalesce(col(Goal.origin), org.name))
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
    audit(session, merged.id, proposal.proposed_by, "merge", f"{first.name} + {second.name} by vote #{proposal.id}")
    return merged


async def _pool_members(session: AsyncSession, first_id: int, second_id: int, merged_id: int) -> None:
    rows = list(
        (
            await session.execute(select(MemberRow).where(col(MemberRow.organization_id).in_([first_id, second_id])))
        ).scalars()
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
        if not keep.active:  # their membership goes on through the other side: its period, not removed
            keep.joined_at, keep.removed_at = other.joined_at, None
        keep.hours = pooled_hours(keep.hours if keep.active else 0.0, other.hours)
        keep.active = True
    keep.notify = keep.notify or other.notify
    keep.reminders = keep.reminders and other.reminders
    keep.shift_reminders = keep.shift_reminders and other.shift_reminders
    keep.windows = keep.windows or other.windows  # one person's times: either side's, when only one had them
    for model, column in (
        (Rating, col(Rating.member_id)),
        (Away, col(Away.member_id)),
        (Assignment, col(Assignment.member_id)),
        (Assignment, col(Assignment.assigned_member_id)),
        (SwapOffer, col(SwapOffer.from_member_id)),
        (SwapOffer, col(SwapOffer.to_member_id)),
        (TaskClaim, col(TaskClaim.from_member_id)),
        (TaskClaim, col(TaskClaim.taker_member_id)),
    ):
        await session.execute(update(model).where(column == other.id).values({column: keep.id}))
    held = set((await session.execute(select(Qualification.name).where(Qualification.member_id == keep.id))).scalars())
    for qualification in (
        await session.execute(select(Qualification).where(Qualification.member_id == other.id))
    ).scalars():
        if qualification.name not in held:
            session.add(Qualification(member_id=keep.id, name=qualification.name))
        await session.delete(qualification)
    other.active = False


# -- leaving a federation ----------------------------------------------------------------------------


async def side_users(session: AsyncSession, federation_id: int, side_id: int) -> set[int]:
    """The Discord users of one side of a federation: members whose row came from it, and people in
    both organizations whose own membership of that side was folded into the federation's at the merge
    (it stays behind, inactive, in the archived organization)."""
    came = await session.execute(
        select(MemberRow.user_id).where(MemberRow.organization_id == federation_id, MemberRow.origin_org_id == side_id)
    )
    users = set(came.scalars())
    archived = [o for o in await lineage(session, federation_id) if o != federation_id]
    folded = await session.execute(
        select(MemberRow.user_id).where(
            col(MemberRow.organization_id).in_(archived),
            or_(col(MemberRow.origin_org_id) == side_id, (col(MemberRow.organization_id) == side_id)),
        )
    )
    staying = await session.execute(select(MemberRow.user_id).where(MemberRow.organization_id == federation_id))
    return users | (set(folded.scalars()) & set(staying.scalars()))


async def side_electorate(session: AsyncSession, federation_id: int, side_id: int, at: datetime) -> int:
    """How many of the side's members may vote on leaving (`in_electorate`, as for a merge)."""
    users = await side_users(session, federation_id, side_id)
    result = await session.execute(
        select(MemberRow.user_id, MemberRow.active, MemberRow.joined_at).where(
            MemberRow.organization_id == federation_id
        )
    )
    return sum(1 for user, active, joined_at in result if user in users and in_electorate(active, joined_at, at))


async def side_facts(session: AsyncSession, federation_id: int, side_id: int) -> tuple[int, list[TaskRow], list[str]]:
    """What a leaving side would take: its active members, current tasks and goals."""
    users = await side_users(session, federation_id, side_id)
    active = await session.execute(
        select(MemberRow.user_id).where(MemberRow.organization_id == federation_id, MemberRow.active)
    )
    tasks = await session.execute(
        select(TaskRow).where(
            col(TaskRow.organization_id) == federation_id,
            col(TaskRow.origin_org_id) == side_id,
            col(TaskRow.archived_at).is_(None),
        )
    )
    goals = await session.execute(
        select(col(Goal.text))
        .where(col(Goal.organization_id) == federation_id, col(Goal.origin_org_id) == side_id)
        .order_by(col(Goal.id))
    )
    return len(set(active.scalars()) & users), list(tasks.scalars()), list(goals.scalars())


async def leave(session: AsyncSession, proposal: MergeProposal, merge_code: str) -> Organization:
    """One side (`proposal.other_org_id`, the organization its servers set up) leaves the federation
    (`proposal.proposer_org_id`) into a new organization of its own. Call inside one transaction.

    It takes its servers, the tasks and goals that came from it, its members with their ratings of
    those tasks, qualifications and days away; a person in both keeps both memberships (a new one on
    the leaving side, with the hours they gave that side). Past rotas stay where they are, readable by
    both (and count for the leaving side's rotation). The rest of the federation is left as it was.
    """
    federation = await session.get_one(Organization, proposal.proposer_org_id)
    side = await session.get_one(Organization, proposal.other_org_id)
    users = await side_users(session, federation.id, side.id)
    left = Organization(
        name=side.name,
        timezone=federation.timezone,
        publish_day=federation.publish_day,
        publish_time=federation.publish_time,
        default_hours=side.default_hours,
        granularity=federation.granularity,  # the tasks it takes fit the federation's step
        quorum_pct=side.quorum_pct,
        threshold_pct=side.threshold_pct,
        vote_hours=side.vote_hours,
        merge_code=merge_code,
        left_from_id=federation.id,
        hourly_rate=federation.hourly_rate,
        currency=federation.currency,
        schedule_since=utcnow(),
    )
    session.add(left)
    await session.flush()
    for model in (OrgServer, TaskRow, Goal):
        await session.execute(
            update(model)
            .where(col(model.organization_id) == federation.id, col(model.origin_org_id) == side.id)
            .values(organization_id=left.id, origin_org_id=None)
        )
    moved = list((await session.execute(select(TaskRow).where(TaskRow.organization_id == left.id))).scalars())
    taken = {t.name.lower() for t in moved}
    suffix = f" ({side.name})"
    for task in moved:  # "Dishes (North)", named so at the merge, is North's "Dishes" again
        plain = task.name.removesuffix(suffix)
        if plain != task.name and plain.lower() not in taken:
            taken.add(plain.lower())
            task.name = plain
    moving_tasks = {t.id for t in moved}
    staying_tasks = set(
        (await session.execute(select(TaskRow.id).where(TaskRow.organization_id == federation.id))).scalars()
    )
    rows = (await session.execute(select(MemberRow).where(MemberRow.organization_id == federation.id))).scalars()
    archived = [o for o in await lineage(session, federation.id) if o != federation.id]
    for row in list(rows):
        if row.user_id not in users:
            await _drop_ratings(session, row.id, moving_tasks)  # their ratings of the tasks that left
            continue
        if row.origin_org_id == side.id and not await _also_elsewhere(session, row, side.id, archived):
            row.organization_id, row.origin_org_id = left.id, None  # moves, with everything of theirs
            await _drop_ratings(session, row.id, staying_tasks)
            continue
        await _second_membership(session, row, left.id, side.id, archived, moving_tasks)
    proposal.merged_org_id = left.id
    audit(
        session,
        federation.id,
        proposal.proposed_by,
        "merge.leave",
        f"{side.name} left {federation.name} by vote #{proposal.id}",
    )
    audit(session, left.id, proposal.proposed_by, "merge.leave", f"left {federation.name} by vote #{proposal.id}")
    return left


async def _drop_ratings(session: AsyncSession, member_id: int, task_ids: set[int]) -> None:
    if task_ids:
        await session.execute(
            delete(Rating).where(col(Rating.member_id) == member_id, col(Rating.task_id).in_(task_ids))
        )


async def _also_elsewhere(session: AsyncSession, row: MemberRow, side_id: int, archived: list[int]) -> bool:
    """Whether this person also came from another side (a membership folded into this row)."""
    result = await session.execute(
        select(MemberRow.organization_id, MemberRow.origin_org_id).where(
            col(MemberRow.user_id) == row.user_id,
            col(MemberRow.organization_id).in_(archived),
            col(MemberRow.id) != row.id,
        )
    )
    return any((origin or org_id) != side_id for org_id, origin in result)


async def _second_membership(
    session: AsyncSession, row: MemberRow, left_id: int, side_id: int, archived: list[int], moving_tasks: set[int]
) -> None:
    """A person in both stays in the federation and gets a membership of the leaving side too: the
    hours they gave that side (its folded membership's, else their current ones), their qualifications
    and days away, and their ratings of the tasks that leave."""
    own = await session.execute(
        select(MemberRow).where(
            MemberRow.user_id == row.user_id,
            col(MemberRow.organization_id).in_(archived),
            or_(col(MemberRow.origin_org_id) == side_id, col(MemberRow.organization_id) == side_id),
        )
    )
    folded = own.scalars().first()
    hours = folded.hours if folded is not None and row.origin_org_id != side_id else row.hours
    copy = MemberRow(
        organization_id=left_id,
        user_id=row.user_id,
        display_name=row.display_name,
        hours=hours,
        active=row.active,
        notify=row.notify,
        joined_at=row.joined_at,
        removed_at=row.removed_at,  # a member the federation's moderators removed stays out on leaving
        show_in_report=row.show_in_report,
        windows=row.windows,
        shift_reminders=row.shift_reminders,
    )
    session.add(copy)
    await session.flush()
    for name in (await session.execute(select(Qualification.name).where(Qualification.member_id == row.id))).scalars():
        session.add(Qualification(member_id=copy.id, name=name))
    for away in (await session.execute(select(Away).where(Away.member_id == row.id))).scalars():
        session.add(Away(member_id=copy.id, start=away.start, end=away.end))
    if moving_tasks:
        await session.execute(
            update(Rating)
            .where(col(Rating.member_id) == row.id, col(Rating.task_id).in_(moving_tasks))
            .values(member_id=copy.id)
        )


async def non_voters(session: AsyncSession, proposal: MergeProposal, org_id: int) -> list[int]:
    """The user ids of one side's members who may vote on the proposal (`in_electorate`) and have not."""
    voted = set(
        (await session.execute(select(MergeVote.member_id).where(MergeVote.proposal_id == proposal.id))).scalars()
    )
    result = await session.execute(
        select(MemberRow).where(MemberRow.organization_id == org_id).order_by(MemberRow.display_name)
    )
    side = None  # a vote on leaving: only the leaving side's members vote
    if proposal.kind == "leave":
        side = await side_users(session, proposal.proposer_org_id, proposal.other_org_id)
    return [
        m.user_id
        for m in result.scalars()
        if m.id not in voted
        and in_electorate(m.active, m.joined_at, proposal.created_at)
        and (side is None or m.user_id in side)
    ]
