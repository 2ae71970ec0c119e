"""What proposals do in Discord, through the outbox: the post on each server of the organization (with
its buttons), the result there (buttons retired), and the reminder DMs a day before the close.

The contents are built at delivery from the database, so a post queued before a close says nothing
stale, and a reminder leaves out whoever voted meanwhile. Each effect kind is handled here and
registered with the dispatcher (`register`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from bot.domain.decisions import Elector, Tally, tally, weight_text
from storage import decisions as store
from storage import outbox as queue
from storage.db import Database
from storage.models import Organization, OutboxEffect, Proposal, TaskRow

from .ports import Channel, Clock

if TYPE_CHECKING:
    from .outbox import Dispatcher, Outcome

POST, END, RETIRE, REMIND = "decision.post", "decision.end", "decision.retire", "decision.remind"
TOP = 10  # electors named on the post and the preview


def subject(proposal_id: int) -> str:
    return f"proposal:{proposal_id}"


@dataclass(frozen=True)
class Electorate:
    """Who decides a proposal: how many, their total weight, the heaviest named."""

    rule_text: str
    count: int
    total: Fraction
    top: Sequence[tuple[str, Fraction]]  # (name, weight), heaviest first
    weighted: bool

    @classmethod
    def of(cls, rule_text: str, electors: Sequence[Elector], weighted: bool) -> Electorate:
        return cls(
            rule_text,
            len(electors),
            sum((e.weight for e in electors), Fraction(0)),
            [(e.name, e.weight) for e in electors[:TOP]],
            weighted,
        )

    def summary(self) -> str:
        who = "1 member decides" if self.count == 1 else f"{self.count} members decide"
        if not self.weighted:
            return f"{who}, one vote each"
        return f"{who}, {weight_text(self.total)} h of weight in all"


@dataclass(frozen=True)
class ProposalPost:
    proposal_id: int
    org_name: str
    title: str
    text: str
    proposer_id: int
    choices: Sequence[str]
    electorate: Electorate
    quorum_pct: int
    threshold_pct: int
    secret: bool
    closes_at: datetime
    marker: str = ""


@dataclass(frozen=True)
class ProposalResult:
    """How a proposal ended: decided (with the tally) or withdrawn (with the reason)."""

    proposal_id: int
    title: str
    status: str  # passed, failed, withdrawn
    decided: str | None = None
    totals: Sequence[tuple[str, Fraction]] = ()
    turnout: float = 0.0
    eligible: Fraction = Fraction(0)
    electors: int = 0
    voters: int = 0
    delegated: int = 0
    why_not: str = ""
    reason: str = ""
    weighted: bool = False
    ballots: Sequence[tuple[str, str, bool]] = ()  # open votes only: (name, choice, by delegation)


@dataclass(frozen=True)
class ProposalReminder:
    proposal_id: int
    org_name: str
    title: str
    closes_at: datetime


class DecisionEffects(Protocol):
    """What proposals do in Discord. Discord's refusals are `DeliveryError`s."""

    async def find_message(self, channel: Channel, marker: str) -> int | None: ...

    async def post_proposal(self, channel: Channel, content: ProposalPost) -> int:
        """The proposal with its buttons (pings nobody); returns the message id."""
        ...

    async def announce(self, channel: Channel, result: ProposalResult, marker: str) -> int: ...

    async def retire(self, channel: Channel, message_id: int, proposal_id: int, choices: Sequence[str]) -> None:
        """Disable the post's buttons (a deleted post is fine)."""
        ...

    async def find_dm(self, user_id: int, marker: str) -> int | None: ...

    async def remind(self, user_id: int, content: ProposalReminder, marker: str) -> int: ...


def result_of(proposal: Proposal, counted: Tally, names: dict[int, str], weighted: bool) -> ProposalResult:
    ballots: tuple[tuple[str, str, bool], ...] = ()
    if not proposal.secret:
        ballots = tuple(
            (names.get(member, "?"), choice, delegate is not None)
            for member, (choice, delegate) in sorted(counted.how.items(), key=lambda i: names.get(i[0], "").lower())
        )
    return ProposalResult(
        proposal.id,
        proposal.title,
        proposal.status,
        counted.decided(),
        tuple(counted.totals.items()),
        counted.turnout,
        counted.eligible,
        counted.electors,
        counted.voters,
        counted.delegated,
        counted.why_not(),
        weighted=weighted,
        ballots=ballots,
    )


def stored_result(proposal: Proposal) -> ProposalResult:
    data = json.loads(proposal.result or "{}")
    if proposal.status == "withdrawn":
        return ProposalResult(proposal.id, proposal.title, "withdrawn", reason=proposal.withdrawn_reason or "")
    return ProposalResult(
        proposal.id,
        proposal.title,
        proposal.status,
        data.get("decided"),
        tuple((c, Fraction(w)) for c, w in data.get("totals", [])),
        data.get("turnout", 0.0),
        Fraction(data.get("eligible", "0")),
        data.get("electors", 0),
        data.get("voters", 0),
        data.get("delegated", 0),
        data.get("why_not", ""),
        weighted=proposal.basis == "weighted",
        ballots=tuple(tuple(b) for b in data.get("ballots", [])),
    )


def result_json(result: ProposalResult, by_delegation: dict[str, list[Any]]) -> str:
    """The result as stored at the close; `by_delegation`: member → (choice, delegate's user id),
    for each delegator to see how their vote was cast for them."""
    return json.dumps(
        {
            "by_delegation": by_delegation,
            "decided": result.decided,
            "totals": [[c, str(w)] for c, w in result.totals],
            "turnout": result.turnout,
            "eligible": str(result.eligible),
            "electors": result.electors,
            "voters": result.voters,
            "delegated": result.delegated,
            "why_not": result.why_not,
            "ballots": [list(b) for b in result.ballots],
        }
    )


async def current_tally(session: Any, proposal: Proposal, at: datetime) -> tuple[Tally, list[Elector]]:
    """The tally at `at` (while open, or at the close): the delegations in force then."""
    electors = await store.electors(session, proposal.id)
    rows = await store.delegations(session, proposal.organization_id, at)
    counted = tally(
        await store.choices(session, proposal.id),
        electors,
        await store.ballots(session, proposal.id),
        [store.delegation_of(r) for r in rows],
        store.rule_of(proposal),
        at,
        proposal.quorum_pct,
        proposal.threshold_pct,
    )
    return counted, electors


class DecisionDelivery:
    """Carries out the proposals' effects for the dispatcher."""

    def __init__(self, db: Database, effects: DecisionEffects, clock: Clock) -> None:
        self.db, self.effects, self.clock = db, effects, clock

    def register(self, dispatcher: Dispatcher) -> None:
        for kind in (POST, END, RETIRE, REMIND):
            dispatcher.register(kind, self.carry_out)

    async def carry_out(
        self, effect: OutboxEffect, payload: dict[str, Any], marker: str, tried_before: bool
    ) -> Outcome:
        from .outbox import Outcome  # the dispatcher imports nothing of ours: no cycle at import time

        async with self.db.session() as session:
            proposal = await session.get_one(Proposal, payload["proposal_id"])
            org = await session.get_one(Organization, proposal.organization_id)
        if effect.kind == REMIND:
            if proposal.status != "open":
                return Outcome()  # closed meanwhile: nothing to remind of
            async with self.db.session() as session:
                counted, _ = await current_tally(session, proposal, self.clock())
            if payload["member_id"] in counted.how:
                return Outcome()  # voted (or their delegate did) since it was queued
            user_id = payload["user_id"]
            found = await self.effects.find_dm(user_id, marker) if tried_before else None
            if found is not None:
                return Outcome(found)
            reminder = ProposalReminder(proposal.id, org.name, proposal.title, proposal.closes_at)
            return Outcome(await self.effects.remind(user_id, reminder, marker), True)
        channel = Channel(payload["guild_id"], payload["channel_id"])
        if effect.kind == RETIRE:
            async with self.db.session() as session:
                posts = await queue.of_subject(session, effect.subject, POST)
                choices = await store.choices(session, proposal.id)
            for post in posts:
                if post.message_id and json.loads(post.payload)["guild_id"] == channel.guild_id:
                    await self.effects.retire(channel, post.message_id, proposal.id, choices)
            return Outcome()
        found = await self.effects.find_message(channel, marker) if tried_before else None
        if found is not None:
            return Outcome(found)
        if effect.kind == POST:
            if proposal.status != "open":
                return Outcome()  # closed before its post went out: the result says it all
            content = await self.post_content(proposal, org, marker)
            return Outcome(await self.effects.post_proposal(channel, content), True)
        return Outcome(await self.effects.announce(channel, stored_result(proposal), marker), True)

    async def post_content(self, proposal: Proposal, org: Organization, marker: str) -> ProposalPost:
        async with self.db.session() as session:
            electors = await store.electors(session, proposal.id)
            choices = await store.choices(session, proposal.id)
            rule = store.rule_of(proposal)
            names = {t: (await session.get_one(TaskRow, t)).name for t in rule.task_ids}
        return ProposalPost(
            proposal.id,
            org.name,
            proposal.title,
            proposal.text,
            proposal.proposed_by,
            choices,
            Electorate.of(rule.describe(names), electors, rule.basis == "weighted"),
            proposal.quorum_pct,
            proposal.threshold_pct,
            proposal.secret,
            proposal.closes_at,
            marker,
        )
