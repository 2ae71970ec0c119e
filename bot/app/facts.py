"""The plain values the ports carry (`bot.app.ports`), made from the stored rows: the cogs render
them and never see a row."""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import MergeProposal, Organization, Rota
from storage.rotas import Holding

from .ports import Held, MemberFacts, OrgFacts, PieceFacts, ProposalFacts, RotaFacts, TaskFacts


def org_facts(org: Organization) -> OrgFacts:
    assert org.id is not None
    return OrgFacts(org.id, org.name, org.timezone, org.ping_holders)


def rota_facts(rota: Rota) -> RotaFacts:
    assert rota.id is not None
    return RotaFacts(rota.id, rota.week)


def held_facts(held: Iterable[Holding]) -> list[Held]:
    return [
        Held(
            PieceFacts(h.assignment.task_id, h.assignment.member_id, h.assignment.hours, h.assignment.done_at),
            TaskFacts(h.task.id, h.task.name, h.task.description),
            MemberFacts(h.member.id, h.member.user_id, h.member.display_name, h.member.hours),
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
