"""The plain values the ports carry (`bot.app.ports`), made from the stored rows: the cogs render
them and never see a row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from bot.domain.shifts import shift_moments
from storage.models import Assignment, MergeProposal, Organization, Rota
from storage.rotas import Holding

from .ports import Held, MemberFacts, OrgFacts, PieceFacts, ProposalFacts, RotaFacts, TaskFacts


def piece_moments(week: str, tz_name: str, piece: Assignment) -> tuple[datetime | None, datetime | None]:
    """When a piece of a timed task starts and ends (UTC); (None, None) for flexible work."""
    if piece.day is None or piece.start is None or piece.end is None:
        return None, None
    return shift_moments(week, piece.day, piece.start, piece.end, tz_name)


def in_time_order(items: Sequence[Held]) -> list[Held]:
    """Shifts first, in the order they happen, then flexible work by task name."""
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda i: (i.assignment.starts is None, i.assignment.starts or never, i.task.name.lower()))


def org_facts(org: Organization) -> OrgFacts:
    assert org.id is not None
    return OrgFacts(org.id, org.name, org.timezone, org.ping_holders, org.language)


def rota_facts(rota: Rota) -> RotaFacts:
    assert rota.id is not None
    return RotaFacts(rota.id, rota.week)


def piece_facts(piece: Assignment, week: str, tz_name: str) -> PieceFacts:
    """A stored (or previewed) piece as the ports carry it: with its shift's moments, if timed."""
    starts, ends = piece_moments(week, tz_name, piece)
    return PieceFacts(
        piece.task_id,
        piece.member_id,
        piece.hours,
        piece.done_at,
        piece.day if starts else None,
        piece.start if starts else None,
        piece.end if starts else None,
        starts,
        ends,
    )


def held_facts(held: Iterable[Holding], week: str, tz_name: str) -> list[Held]:
    """The pieces of `week` (ISO) with their tasks and members; shifts' times in `tz_name` (the
    organization's)."""
    return [
        Held(
            piece_facts(h.assignment, week, tz_name),
            TaskFacts(h.task.id, h.task.name, h.task.description),
            MemberFacts(h.member.id, h.member.user_id, h.member.display_name, h.member.hours, h.member.language),
        )
        for h in held
    ]


def proposal_facts(proposal: MergeProposal) -> ProposalFacts:
    assert proposal.id is not None
    return ProposalFacts(
        proposal.id,
        proposal.kind,
        proposal.name,
        proposal.proposer_org_id,
        proposal.other_org_id,
        proposal.proposer_quorum,
        proposal.proposer_threshold,
        proposal.proposer_electorate,
        proposal.other_quorum,
        proposal.other_threshold,
        proposal.other_electorate,
        proposal.closes_at,
        proposal.dry_run,
        proposal.merged_org_id,
    )
