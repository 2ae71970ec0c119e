"""Proposals on any question (`/propose`): the preview of who decides, opening, voting, withdrawing,
closing (at the deadline, early, or after a restart), reminding those who have not voted, delegated
votes, and the organization's log of decisions.

As for merge votes, each proposal's vote and close run under a per-proposal lock and a row lock, so a
close runs once however often it is triggered; its effects go through the outbox with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from bot.domain import decisions as rules
from bot.domain.decisions import Bounds, Candidate, Elector, Rule, Tally, tally
from bot.domain.errors import BadInput
from bot.domain.votes import electorate_gap, reminder_at, timestamp, why_not_in_electorate
from bot.domain.weeks import iso_week
from bot.i18n import SOURCE_LANGUAGE, Message, available_languages, gettext, lazy_gettext, pgettext, worded
from bot.i18n.formatting import percent
from storage import decisions as store
from storage import members, orgs, rotas
from storage import tasks as tasks_store
from storage.db import Session
from storage.models import (
    DecisionEntry,
    DelegationRow,
    MemberRow,
    MergeProposal,
    Organization,
    Proposal,
    ProposalChoice,
    TaskRow,
)
from storage.models import ProposalElector as ElectorRow

from . import audit
from .effects import Effect, queue
from .lookups import clip, require_member, require_org
from .ports import Clock, Electorate, Jobs, ProposalResult, RoleLookup

if TYPE_CHECKING:
    from storage.db import Database

    from .effects import Outbox

log = logging.getLogger(__name__)


def close_key(proposal_id: int) -> str:
    return f"close-proposal:{proposal_id}"


def remind_key(proposal_id: int) -> str:
    return f"remind-proposal:{proposal_id}"


def subject(proposal_id: int) -> str:
    """The outbox's name for a proposal's effects."""
    return f"proposal:{proposal_id}"


# -- what a proposal does in Discord (carried out by `bot.app.decisions_effects`) -----------------------


@dataclass(frozen=True)
class ProposalEffect(Effect):
    """On one server's rota channel; the contents are read at delivery."""

    proposal_id: int
    guild_id: int
    channel_id: int

    def key(self) -> str:
        return f"{subject(self.proposal_id)}:{self.kind.removeprefix('decision.')}:{self.guild_id}"

    def subject(self) -> str:
        return subject(self.proposal_id)


@dataclass(frozen=True)
class PostProposal(ProposalEffect):
    """The proposal with a button per choice (skipped if it closed before the post went out)."""

    kind = "decision.post"


@dataclass(frozen=True)
class AnnounceResult(ProposalEffect):
    """How it ended (the tally stored at the close, or the withdrawal), on the servers where the
    organization lives at the close."""

    kind = "decision.end"
    after = ("decision.post",)


@dataclass(frozen=True)
class RetireProposal(ProposalEffect):
    """The post's buttons disabled when the proposal ends (the posts are the prior effects)."""

    kind = "decision.retire"
    after = ("decision.post",)


@dataclass(frozen=True)
class RemindElector(Effect):
    """A day before the close, by DM: an elector whose vote is not counted yet (nor cast for them by
    a delegate; read again at delivery)."""

    kind = "decision.remind"
    after = ("decision.post",)
    proposal_id: int
    member_id: int
    user_id: int

    def key(self) -> str:
        return f"{subject(self.proposal_id)}:remind:{self.member_id}"

    def subject(self) -> str:
        return subject(self.proposal_id)


def result_of(proposal: Proposal, counted: Tally, names: dict[int, str], weighted: bool) -> ProposalResult:
    """The result as counted at the close (an open vote's ballots by name, a secret one's not)."""
    assert proposal.id is not None
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
        quorum_pct=proposal.quorum_pct,
        threshold_pct=proposal.threshold_pct,
    )


def stored_result(proposal: Proposal) -> ProposalResult:
    """The result as stored at the close (or the withdrawal)."""
    assert proposal.id is not None
    if proposal.status == "withdrawn":
        return ProposalResult(proposal.id, proposal.title, "withdrawn", reason=proposal.withdrawn_reason or "")
    data = json.loads(proposal.result or "{}")
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
        ballots=tuple((str(b[0]), str(b[1]), bool(b[2])) for b in data.get("ballots", [])),
        quorum_pct=proposal.quorum_pct,
        threshold_pct=proposal.threshold_pct,
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


async def current_tally(session: Session, proposal: Proposal, at: datetime) -> tuple[Tally, list[Elector]]:
    """The tally at `at` (while open, or at the close): the delegations in force then."""
    assert proposal.id is not None
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


Who = Literal["everyone", "affected", "weighted"]


@dataclass(frozen=True)
class Draft:
    """A proposal as `/propose` gives it."""

    title: str
    text: str = ""
    choices: str | None = None  # "Monday; Wednesday; Friday" (None: yes / no / abstain)
    hours: int | None = None  # until the deadline (None: the organization's `vote_hours`)
    who: Who = "everyone"
    tasks: str | None = None  # "Dishes, Cooking"
    qualification: str | None = None
    role_id: int | None = None
    weeks: int = rules.DEFAULT_WEEKS
    secret: bool = True
    quorum: int | None = None
    threshold: int | None = None


@dataclass(frozen=True)
class Preview:
    """What the proposer confirms: who decides and with what weight, and by which rules."""

    draft: Draft
    org_name: str
    choices: tuple[str, ...]
    electorate: Electorate
    quorum_pct: int
    threshold_pct: int
    closes_at: datetime
    servers: int
    rule: Rule | None = None  # to tell who decides again in the reader's language
    task_names: Mapping[int, str] = field(default_factory=dict)

    def who_decides(self, language: str) -> str:
        return self.rule.describe(self.task_names, language) if self.rule else self.electorate.rule_text


@dataclass(frozen=True)
class Opened:
    proposal: Proposal
    preview: Preview


@dataclass(frozen=True)
class BallotCast:
    proposal_id: int
    title: str
    choice: str
    previous: str | None
    closes_at: datetime
    secret: bool


@dataclass(frozen=True)
class Withdrawn:
    proposal_id: int
    title: str
    reason: str


@dataclass(frozen=True)
class Closed:
    proposal: Proposal
    outcome: str


@dataclass(frozen=True)
class DelegationLine:
    user_id: int  # the other member
    scope: Message  # "all proposals", "proposals on Dishes", … (rendered in the reader's language)
    until: datetime | None


@dataclass(frozen=True)
class CastForYou:
    proposal_id: int
    title: str
    choice: str
    delegate_user_id: int
    open: bool


@dataclass(frozen=True)
class Delegations:
    given: list[DelegationLine]
    received: list[DelegationLine]
    cast_for_you: list[CastForYou]


@dataclass(frozen=True)
class OpenProposal:
    proposal: Proposal
    voters: int
    electors: int
    mine: str | None


@dataclass(frozen=True)
class DecisionLog:
    open: list[OpenProposal]
    decided: list[DecisionEntry]
    # By proposal id, to tell each outcome again in the reader's language (the log's line is English):
    results: Mapping[int, ProposalResult] = field(default_factory=dict)
    by_moderator: frozenset[int] = frozenset()  # withdrawn by a moderator, not by the proposer


def choice_word(choice: str, language: str = SOURCE_LANGUAGE) -> str:
    """yes / no / abstain in `language`; an option as it was written."""
    if choice == "yes":
        return pgettext(language, "vote choice", "yes")
    if choice == "no":
        return pgettext(language, "vote choice", "no")
    if choice == "abstain":
        return pgettext(language, "vote choice", "abstain")
    return choice


def picked_choice(choices: Sequence[str], typed: str) -> str | None:
    """The choice a member typed: as it is written, or yes / no / abstain in any language the bot speaks
    (`sí`, `nein`, `Enthaltung`)."""
    wanted = typed.strip().lower()
    for choice in choices:
        if choice.lower() == wanted:
            return choice
    for choice in choices:
        if any(choice_word(choice, language).lower() == wanted for language in available_languages()):
            return choice
    return None


def choices_words(choices: Sequence[str], language: str = SOURCE_LANGUAGE) -> str:
    """A proposal's choices, in backticks, yes / no / abstain in `language`."""
    return ", ".join(f"`{choice_word(c, language)}`" for c in choices)


def why_not_told(
    result: ProposalResult, language: str = SOURCE_LANGUAGE, choices: tuple[str, ...] | None = None
) -> str:
    """Why a proposal did not pass, told again from its stored totals in `language` (`choices`: the
    proposal's, by default those its totals name)."""
    counted = Tally(
        choices if choices is not None else tuple(c for c, _ in result.totals),
        result.eligible,
        result.electors,
        dict(result.totals),
        result.voters,
        result.delegated,
        Fraction(0),
        Fraction(0),
        result.quorum_pct,
        result.threshold_pct,
    )
    return counted.why_not(language) or result.why_not


def totals_text(result: ProposalResult, language: str = SOURCE_LANGUAGE) -> str:
    """ "yes 7.5 h · no 2 h · abstain 0 h" (by hours) or "yes 2 · no 1 · abstain 0" (one vote each)."""

    def amount(weight: Fraction) -> str:
        text = rules.weight_text(weight, language)
        return gettext(language, "{hours} h", hours=text) if result.weighted else text

    return " · ".join(f"{choice_word(choice, language)} {amount(weight)}" for choice, weight in result.totals)


def outcome_line(result: ProposalResult, language: str = SOURCE_LANGUAGE, *, by_moderator: bool = False) -> str:
    """The line in `/decisions` (plain text): what was decided, the totals, the turnout; or who withdrew
    it and why. Stored in English at the close; told again in the reader's language by `/decisions`."""
    if result.status == "withdrawn":
        if by_moderator and result.reason:
            return gettext(language, "withdrawn by a moderator: {reason}", reason=result.reason)
        if by_moderator:
            return gettext(language, "withdrawn by a moderator")
        if result.reason:
            return gettext(language, "withdrawn by its proposer: {reason}", reason=result.reason)
        return gettext(language, "withdrawn by its proposer")
    params = {"totals": totals_text(result, language), "turnout": percent(result.turnout, language)}
    yes_no = tuple(c for c, _ in result.totals) == rules.YES_NO
    if result.status == "passed" and yes_no:
        return gettext(language, "passed ({totals}; turnout {turnout})", **params)
    if result.status == "passed":
        return gettext(language, "decided: {choice} ({totals}; turnout {turnout})", choice=result.decided, **params)
    why = result.why_not if language == SOURCE_LANGUAGE else why_not_told(result, language)
    return gettext(language, "did not pass: {why} ({totals}; turnout {turnout})", why=why, **params)


class Decisions:
    def __init__(
        self, db: Database, outbox: Outbox, clock: Clock, *, jobs: Jobs | None, roles: RoleLookup | None
    ) -> None:
        self.db, self.outbox, self.clock, self.jobs, self.roles = db, outbox, clock, jobs, roles
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.background: set[asyncio.Task[Any]] = set()

    # -- timers --------------------------------------------------------------------------------------

    async def open_ids(self) -> list[int]:
        """Schedule the close and the reminder of every open proposal; returns their ids."""
        async with self.db.session() as session:
            pending = await store.open_proposals(session)
        for proposal in pending:
            self._schedule(proposal)
        return [p.id for p in pending]

    async def close_overdue(self, ids: list[int]) -> None:
        """Close those whose deadline passed while the bot was down (the others wait for theirs)."""
        for proposal_id in ids:
            try:
                await self.close(proposal_id, "deadline passed while the bot was down")
            except Exception:
                log.exception("closing proposal %s failed", proposal_id)

    def _schedule(self, proposal: Proposal) -> None:
        if self.jobs is not None:
            self.jobs.once(close_key(proposal.id), proposal.closes_at, self.close, proposal.id)
            self.jobs.once(
                remind_key(proposal.id), reminder_at(proposal.created_at, proposal.closes_at), self.remind, proposal.id
            )

    def _unschedule(self, proposal_id: int) -> None:
        if self.jobs is not None:
            self.jobs.remove_key(close_key(proposal_id))
            self.jobs.remove_key(remind_key(proposal_id))

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    # -- opening -------------------------------------------------------------------------------------

    async def preview(self, guild_id: int | None, user_id: int, draft: Draft) -> Preview:
        """Check the draft and say who would decide; changes nothing."""
        holders = await self._role_holders(guild_id, draft)
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            built = await self._build(session, org, user_id, draft, holders, self.clock())
        return built[0]

    async def propose(self, guild_id: int | None, user_id: int, draft: Draft) -> Opened:
        """Open the proposal: its electorate and weights fixed now, posted on every server of the
        organization (in a federation, one electorate across them)."""
        holders = await self._role_holders(guild_id, draft)
        now = self.clock()
        async with self.db.transaction(self.outbox) as session:
            org = await require_org(session, guild_id)
            preview, rule, electors = await self._build(session, org, user_id, draft, holders, now)
            proposal = Proposal(
                organization_id=org.id,
                title=draft.title.strip(),
                text=draft.text.strip(),
                proposed_by=user_id,
                guild_id=guild_id,
                basis=rule.basis,
                task_ids=json.dumps(list(rule.task_ids)),
                qualification=rule.qualification,
                role_id=rule.role_id,
                weeks=rule.weeks,
                secret=draft.secret,
                quorum_pct=preview.quorum_pct,
                threshold_pct=preview.threshold_pct,
                created_at=now,
                closes_at=preview.closes_at,
            )
            session.add(proposal)
            await session.flush()
            for position, label in enumerate(preview.choices):
                session.add(ProposalChoice(proposal_id=proposal.id, position=position, label=label))
            for e in electors:
                session.add(
                    ElectorRow(
                        proposal_id=proposal.id, member_id=e.member_id, user_id=e.user_id, weight=float(e.weight)
                    )
                )
            for server in await orgs.servers_of(session, org.id):  # a federation: on each of its servers
                post = PostProposal(proposal.id, server.guild_id, server.channel_id)
                await queue(session, post, org_id=org.id, now=now)
        log.info(
            "proposal #%s opened in organization %s by %s: %d electors", proposal.id, org.id, user_id, len(electors)
        )
        self._schedule(proposal)
        return Opened(proposal, preview)

    async def _role_holders(self, guild_id: int | None, draft: Draft) -> set[int]:
        if draft.who != "affected" or draft.role_id is None or guild_id is None:
            return set()
        if self.roles is None:
            raise BadInput(
                lazy_gettext("I cannot look up who holds a role here; choose tasks or a qualification instead.")
            )
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            users = [m.user_id for m, _ in await store.members_with_qualifications(session, org.id) if m.active]
        return await self.roles.holders(guild_id, draft.role_id, users)

    async def _build(
        self, session: Session, org: Organization, user_id: int, draft: Draft, holders: set[int], now: datetime
    ) -> tuple[Preview, Rule, list[Elector]]:
        await require_member(session, org.id, user_id, you=True)
        hours = draft.hours if draft.hours is not None else org.vote_hours
        closes_at = now + timedelta(hours=hours)
        rules.check_proposal(draft.title, draft.text, now, closes_at)
        choices = rules.choices_of(rules.parse_options(draft.choices))
        if (opened := await store.open_count(session, org.id, user_id)) >= org.proposals_per_member:
            raise BadInput(
                lazy_gettext(
                    "You have {opened} proposals open, the most one member may have in **{org}** ({most}). Wait for "
                    "one to close, or withdraw one with `/decisions withdraw`.",
                    opened=opened,
                    org=org.name,
                    most=org.proposals_per_member,
                )
            )
        quorum = draft.quorum if draft.quorum is not None else org.quorum_pct
        threshold = draft.threshold if draft.threshold is not None else org.threshold_pct
        if draft.quorum is not None or draft.threshold is not None:
            Bounds(
                org.proposal_quorum_min, org.proposal_quorum_max, org.proposal_threshold_min, org.proposal_threshold_max
            ).check(quorum, threshold)
        task_rows = []
        for name in [n.strip() for n in (draft.tasks or "").split(",") if n.strip()]:
            task = await tasks_store.task_named(session, org.id, name)
            if task is None or task.archived_at is not None:
                raise BadInput(
                    lazy_gettext(
                        "There is no task called `{task}`: `/tasks` lists them. Separate several with commas, e.g. "
                        "`tasks:Dishes, Cooking`.",
                        task=clip(name, 100),
                    )
                )
            task_rows.append(task)
        if draft.who == "everyone" and (task_rows or draft.qualification or draft.role_id):
            raise BadInput(
                lazy_gettext("Tasks, a qualification or a role go with `who:affected by` or `who:weighted by hours`.")
            )
        rule = Rule(
            draft.who,
            tuple(dict.fromkeys(t.id for t in task_rows)),
            (draft.qualification or "").strip() or None if draft.who == "affected" else None,
            draft.role_id if draft.who == "affected" else None,
            draft.weeks,
        )
        rules.check_rule(rule, [t.id for t in task_rows])
        rows = await store.members_with_qualifications(session, org.id)
        candidates = [
            Candidate(
                m.id,
                m.user_id,
                m.display_name,
                m.active,
                m.joined_at,
                frozenset(quals),
                frozenset({rule.role_id}) if rule.role_id and m.user_id in holders else frozenset(),
            )
            for m, quals in rows
        ]
        since = iso_week((now - timedelta(weeks=rule.weeks - 1)).date())
        hours_held = await store.task_hours(session, await rotas.lineage(session, org.id), list(rule.task_ids), since)
        electors = rules.electorate(rule, candidates, hours_held, now)
        if not electors:
            raise BadInput(
                lazy_gettext(
                    "Nobody in the rota matches who decides, so nobody could vote: {rule}. Try more weeks (e.g. "
                    "`weeks:12`) or other tasks.",
                    rule=rule.told({t.id: t.name for t in task_rows}),
                )
            )
        described = rule.describe({t.id: t.name for t in task_rows})
        electorate = Electorate.of(described, electors, rule.basis == "weighted")
        servers = len(await orgs.servers_of(session, org.id))
        names = {t.id: t.name for t in task_rows if t.id is not None}
        preview = Preview(draft, org.name, choices, electorate, quorum, threshold, closes_at, servers, rule, names)
        return preview, rule, electors

    # -- voting --------------------------------------------------------------------------------------

    async def _proposal_for(self, session: Session, org: Organization, proposal_id: int) -> Proposal:
        proposal = await store.locked(session, proposal_id)
        if proposal is None or proposal.organization_id not in await rotas.lineage(session, org.id):
            raise BadInput(
                lazy_gettext(
                    "There is no proposal #{id} in **{org}**. `/decisions` lists them.", id=proposal_id, org=org.name
                )
            )
        return proposal

    async def vote(self, guild_id: int | None, user_id: int, proposal_id: int, choice: str) -> BallotCast:
        now = self.clock()
        async with self.locks[proposal_id], self.db.transaction() as session:
            org = await require_org(session, guild_id)
            proposal = await self._proposal_for(session, org, proposal_id)
            if proposal.status != "open" or now >= proposal.closes_at:
                raise BadInput(
                    lazy_gettext("Proposal #{id} is closed: `/decisions` shows how it was decided.", id=proposal_id)
                )
            choices = await store.choices(session, proposal_id)
            picked = picked_choice(choices, choice)
            if picked is None:
                listed = worded(partial(choices_words, tuple(choices)))
                raise BadInput(lazy_gettext("#{id} takes one of: {choices}.", id=proposal_id, choices=listed))
            member = await members.member_for(session, org.id, user_id)
            elector = await session.get(ElectorRow, (proposal_id, member.id)) if member is not None else None
            opened = timestamp(proposal.created_at)
            if member is None or elector is None:
                rule = store.rule_of(proposal)
                names = {t: row.name for t in rule.task_ids if (row := await session.get(TaskRow, t)) is not None}
                raise BadInput(
                    lazy_gettext(
                        "Your vote was not counted: #{id} is decided by {who}, as its electorate stood when it opened "
                        "({opened}).",
                        id=proposal_id,
                        who=rule.told(names),
                        opened=opened,
                    )
                )
            gap = electorate_gap(member.active, member.joined_at, proposal.created_at)
            if gap is not None:  # left or was taken out since it opened (and maybe came back)
                raise BadInput(
                    lazy_gettext(
                        "Your vote was not counted: {gap}. Only members in the rota without a break since #{id} opened "
                        "({opened}) vote on it.",
                        gap=gap,
                        id=proposal_id,
                        opened=opened,
                    )
                )
            previous = await store.cast(session, proposal_id, member.id, picked)
            await session.flush()
            counted, _ = await current_tally(session, proposal, now)
        if counted.early():
            self.spawn(self.close(proposal_id, "everyone voted"))
        return BallotCast(proposal_id, proposal.title, picked, previous, proposal.closes_at, proposal.secret)

    async def choices(self, guild_id: int | None, proposal_id: int) -> list[str]:
        """The choices of an open proposal of this server's organization (for autocomplete)."""
        async with self.db.session() as session:
            org = await orgs.org_for_guild(session, guild_id) if guild_id else None
            proposal = await session.get(Proposal, proposal_id)
            if org is None or proposal is None or proposal.organization_id not in await rotas.lineage(session, org.id):
                return []
            return await store.choices(session, proposal_id)

    async def which(self, guild_id: int | None, number: int) -> Literal["merge", "proposal"]:
        """What `/vote proposal:N` means here: the open merge vote or the open proposal numbered N
        (else whichever of this organization has that number, a merge vote first: it says it closed)."""
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            ours = set(await rotas.lineage(session, org.id))
            merge = await session.get(MergeProposal, number)
            proposal = await session.get(Proposal, number)
        merge_here = merge is not None and bool({merge.proposer_org_id, merge.other_org_id} & ours)
        proposal_here = proposal is not None and proposal.organization_id in ours
        merge_open = merge_here and merge is not None and merge.status == "open"
        proposal_open = proposal_here and proposal is not None and proposal.status == "open"
        if merge_open and proposal_open:
            raise BadInput(
                lazy_gettext(
                    "Merge vote #{id} and proposal #{id} are both open: vote with the buttons on the message you mean.",
                    id=number,
                )
            )
        if merge_open or proposal_open:
            return "merge" if merge_open else "proposal"
        return "merge" if merge_here and not proposal_here else "proposal"

    # -- closing, withdrawing, reminding -------------------------------------------------------------

    async def close(self, proposal_id: int, why: str = "deadline") -> Closed | None:
        """Close the proposal if its deadline passed or its outcome is settled; at most once."""
        async with self.locks[proposal_id]:
            now = self.clock()
            async with self.db.transaction(self.outbox) as session:
                proposal = await store.locked(session, proposal_id)
                if proposal is None or proposal.status != "open":
                    return None
                counted, electors = await current_tally(session, proposal, min(now, proposal.closes_at))
                if now < proposal.closes_at and not counted.early():
                    self._schedule(proposal)  # fired too soon (a restart): wait for the deadline
                    return None
                proposal.status = "passed" if counted.passes() else "failed"
                proposal.closed_at = now
                names = {e.member_id: e.name for e in electors}
                result = result_of(proposal, counted, names, proposal.basis == "weighted")
                carried = {e.member_id: e.user_id for e in electors}
                by_delegation = {str(m): [c, carried[d]] for m, (c, d) in counted.how.items() if d is not None}
                proposal.result = result_json(result, by_delegation)
                line = outcome_line(result)
                session.add(
                    DecisionEntry(
                        organization_id=proposal.organization_id,
                        proposal_id=proposal.id,
                        title=proposal.title,
                        outcome=clip(line, 300),
                        decided_at=now,
                    )
                )
                await self._queue_end(session, proposal, now)
            log.info("proposal #%s closed (%s): %s", proposal_id, why, line)
            self._unschedule(proposal_id)
            return Closed(proposal, line)

    async def _queue_end(self, session: Session, proposal: Proposal, now: datetime) -> None:
        """In the transaction that ends it: the result and the buttons retired, on every server where the
        organization now lives."""
        assert proposal.id is not None
        home = await self._home(session, proposal.organization_id)
        for server in await orgs.servers_of(session, home):
            where = (proposal.id, server.guild_id, server.channel_id)
            await queue(session, AnnounceResult(*where), org_id=home, now=now)
            await queue(session, RetireProposal(*where), org_id=home, now=now)

    async def _home(self, session: Session, org_id: int) -> int:
        """The organization whose servers now host what was this one's (merged since: the federation)."""
        org = await session.get_one(Organization, org_id)
        while org.merged_into_id is not None:
            org = await session.get_one(Organization, org.merged_into_id)
        return org.id

    async def withdraw(
        self, guild_id: int | None, user_id: int, proposal_id: int, reason: str | None, *, moderator: bool
    ) -> Withdrawn:
        """The proposer or a moderator, before the first vote; after it, moderators only, with a reason."""
        reason = (reason or "").strip()
        now = self.clock()
        async with self.locks[proposal_id]:
            async with self.db.transaction(self.outbox) as session:
                org = await require_org(session, guild_id)
                proposal = await self._proposal_for(session, org, proposal_id)
                if proposal.status != "open":
                    raise BadInput(already(proposal_id, proposal.status))
                voted = bool(await store.ballots(session, proposal_id))
                if voted and not moderator:
                    raise BadInput(
                        lazy_gettext(
                            "Votes have been cast on #{id}: only a moderator can withdraw it now, with a reason.",
                            id=proposal_id,
                        )
                    )
                if not moderator and proposal.proposed_by != user_id:
                    raise BadInput(lazy_gettext("Only its proposer or a moderator can withdraw #{id}.", id=proposal_id))
                if voted and not reason:
                    raise BadInput(
                        lazy_gettext(
                            "Votes have been cast: say why it is withdrawn, e.g. `reason:a duplicate of #3`. "
                            "Everyone sees it."
                        )
                    )
                proposal.status, proposal.closed_at = "withdrawn", now
                proposal.withdrawn_by, proposal.withdrawn_reason = user_id, clip(reason, 300) or None
                withdrawn = ProposalResult(proposal_id, proposal.title, "withdrawn", reason=reason)
                line = outcome_line(withdrawn, by_moderator=moderator and proposal.proposed_by != user_id)
                session.add(
                    DecisionEntry(
                        organization_id=proposal.organization_id,
                        proposal_id=proposal.id,
                        title=proposal.title,
                        outcome=clip(line, 300),
                        decided_at=now,
                    )
                )
                if moderator:
                    await audit.record(
                        session,
                        org.id,
                        user_id,
                        "proposal.withdraw",
                        clip(f"#{proposal_id}: {reason}", 500),
                        guild_id=guild_id,
                        now=now,
                    )
                await self._queue_end(session, proposal, now)
            self._unschedule(proposal_id)
            return Withdrawn(proposal_id, proposal.title, reason)

    async def remind(self, proposal_id: int) -> int:
        """A day before the close: a DM to each elector whose vote is not counted yet (once each: the
        outbox key; whoever votes meanwhile is left out at delivery)."""
        async with self.locks[proposal_id]:
            now = self.clock()
            queued = 0
            async with self.db.transaction(self.outbox) as session:
                proposal = await store.locked(session, proposal_id)
                if proposal is None or proposal.status != "open" or now >= proposal.closes_at:
                    return 0
                if now < reminder_at(proposal.created_at, proposal.closes_at):
                    self._schedule(proposal)
                    return 0
                counted, electors = await current_tally(session, proposal, now)
                for e in electors:
                    if e.member_id in counted.how:
                        continue
                    row = await session.get_one(MemberRow, e.member_id)
                    if why_not_in_electorate(row.active, row.joined_at, proposal.created_at) is not None:
                        continue  # left (or was taken out) since it opened: their vote would not count
                    reminder = RemindElector(proposal_id, e.member_id, e.user_id)
                    queued += await queue(session, reminder, org_id=proposal.organization_id, now=now)
            if queued:
                log.info("proposal #%s: reminding %d elector(s) who have not voted", proposal_id, queued)
            return queued

    # -- delegation ----------------------------------------------------------------------------------

    async def _scope(self, session: Session, org: Organization, text: str | None) -> tuple[str, str, Message]:
        """(scope, value, how people read it) from `scope:` — a task, a qualification, or all."""
        name = (text or "").strip()
        if not name or name.lower() in ("all", "everything"):
            return "all", "", lazy_gettext("all proposals")
        task = await tasks_store.task_named(session, org.id, name)
        if task is not None and task.archived_at is None:
            return "task", str(task.id), lazy_gettext("proposals on {task}", task=task.name)
        held = {q for _, quals in await store.members_with_qualifications(session, org.id) for q in quals}
        match = next((q for q in held if q.lower() == name.lower()), None)
        if match is not None:
            return (
                "qualification",
                match,
                lazy_gettext("proposals on the qualification {qualification}", qualification=match),
            )
        raise BadInput(
            lazy_gettext(
                "`{scope}` is neither a task nor a qualification in **{org}**: e.g. `scope:Dishes` or "
                "`scope:first aid`, or leave it out for all proposals.",
                scope=clip(name, 50),
                org=org.name,
            )
        )

    async def _scope_text(self, session: Session, row: DelegationRow) -> Message:
        if row.scope == "task":
            task = await session.get(TaskRow, int(row.scope_value))
            if task is None:
                return lazy_gettext("proposals on a removed task")
            return lazy_gettext("proposals on {task}", task=task.name)
        if row.scope == "qualification":
            return lazy_gettext("proposals on the qualification {qualification}", qualification=row.scope_value)
        return lazy_gettext("all proposals")

    async def delegate(
        self, guild_id: int | None, user_id: int, to_user_id: int, until: str | None, scope: str | None
    ) -> DelegationLine:
        now = self.clock()
        ends = parse_until(until, now)
        async with self.db.transaction() as session:
            org = await require_org(session, guild_id)
            me = await require_member(session, org.id, user_id, you=True)
            them = await members.member_for(session, org.id, to_user_id)
            kind, value, readable = await self._scope(session, org, scope)
            existing = [store.delegation_of(r) for r in await store.delegations(session, org.id, now)]
            why = rules.delegation_refused(me.id, them.id if them else -1, bool(them and them.active), existing)
            if why is not None:
                raise BadInput(
                    lazy_gettext("You cannot delegate to {member}: {why}.", member=f"<@{to_user_id}>", why=why)
                )
            assert them is not None
            for row in await store.delegations(session, org.id, now):
                if row.delegator_id == me.id and row.scope == kind and row.scope_value == value:
                    row.ended_at = now  # one delegation per scope: the new one replaces it
            session.add(
                DelegationRow(
                    organization_id=org.id,
                    delegator_id=me.id,
                    delegate_id=them.id,
                    scope=kind,
                    scope_value=value,
                    created_at=now,
                    until=ends,
                )
            )
        return DelegationLine(to_user_id, readable, ends)

    async def delegations(self, guild_id: int | None, user_id: int) -> Delegations:
        """Mine given and received, and how my vote was cast for me on recent proposals."""
        now = self.clock()
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            me = await require_member(session, org.id, user_id, you=True)
            rows = await store.delegations(session, org.id, now)
            users = await members.user_ids(
                session, list({r.delegate_id for r in rows} | {r.delegator_id for r in rows})
            )
            given = [
                DelegationLine(users[r.delegate_id], await self._scope_text(session, r), r.until)
                for r in rows
                if r.delegator_id == me.id
            ]
            received = [
                DelegationLine(users[r.delegator_id], await self._scope_text(session, r), r.until)
                for r in rows
                if r.delegate_id == me.id
            ]
            cast = []
            for proposal in await store.recent_for(session, await rotas.lineage(session, org.id)):
                if proposal.status == "withdrawn":
                    continue
                if proposal.status == "open":
                    counted, electors = await current_tally(session, proposal, now)
                    how = counted.how.get(me.id)
                    by = {e.member_id: e.user_id for e in electors}
                    if how is not None and how[1] is not None:
                        cast.append(CastForYou(proposal.id, proposal.title, how[0], by[how[1]], True))
                    continue
                # Closed: as it was counted at the close.
                carried = json.loads(proposal.result or "{}").get("by_delegation", {}).get(str(me.id))
                if carried is not None:
                    cast.append(CastForYou(proposal.id, proposal.title, carried[0], carried[1], False))
        return Delegations(given, received, cast)

    async def end_delegation(self, guild_id: int | None, user_id: int, scope: str | None) -> int:
        """End my delegations (all, or the one of this scope); returns how many ended."""
        now = self.clock()
        async with self.db.transaction() as session:
            org = await require_org(session, guild_id)
            me = await require_member(session, org.id, user_id, you=True)
            only = await self._scope(session, org, scope) if scope else None
            ended = 0
            for row in await store.delegations(session, org.id, now):
                if row.delegator_id != me.id:
                    continue
                if only is not None and (row.scope, row.scope_value) != only[:2]:
                    continue
                row.ended_at = now
                ended += 1
        if not ended and scope:
            raise BadInput(lazy_gettext("You have no delegation to end of that scope: `/delegate show`."))
        if not ended:
            raise BadInput(lazy_gettext("You have no delegation to end: `/delegate show`."))
        return ended

    # -- the log ---------------------------------------------------------------------------------------

    async def log(self, guild_id: int | None, user_id: int, search: str | None) -> DecisionLog:
        now = self.clock()
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            ours = await rotas.lineage(session, org.id)
            member = await members.member_for(session, org.id, user_id)
            found = []
            if not search:
                for proposal in await store.open_proposals(session, org.id):
                    counted, _ = await current_tally(session, proposal, now)
                    mine = (await store.ballots(session, proposal.id)).get(member.id) if member else None
                    found.append(OpenProposal(proposal, counted.voters, counted.electors, mine))
            decided = await store.search_log(session, ours, (search or "").strip() or None)
            results: dict[int, ProposalResult] = {}
            by_moderator: set[int] = set()
            for entry in decided:
                ended = await session.get(Proposal, entry.proposal_id)
                if ended is None or ended.status not in ("passed", "failed", "withdrawn"):
                    continue
                results[entry.proposal_id] = stored_result(ended)
                if ended.status == "withdrawn" and ended.withdrawn_by != ended.proposed_by:
                    by_moderator.add(entry.proposal_id)
        return DecisionLog(found, decided, results, frozenset(by_moderator))


def already(proposal_id: int, status: str) -> Message:
    """The refusal to withdraw a proposal that has ended."""
    if status == "passed":
        return lazy_gettext("Proposal #{id} is already passed.", id=proposal_id)
    if status == "failed":
        return lazy_gettext("Proposal #{id} is already failed.", id=proposal_id)
    if status == "withdrawn":
        return lazy_gettext("Proposal #{id} is already withdrawn.", id=proposal_id)
    return lazy_gettext("Proposal #{id} is already closed.", id=proposal_id)


def parse_until(text: str | None, now: datetime) -> datetime | None:
    """`until:2026-12-31` (through that day, UTC); None: until ended."""
    if not text or not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise BadInput(
            lazy_gettext("`{text}` is not a date: write it as `until:2026-12-31`.", text=clip(text, 20))
        ) from None
    ends = day + timedelta(days=1)
    if ends <= now:
        raise BadInput(
            lazy_gettext(
                "That date has passed: give a day from today on, e.g. `until:{day}`.",
                day=f"{now + timedelta(days=30):%Y-%m-%d}",
            )
        )
    return ends


async def update_settings(
    db: Database,
    guild_id: int | None,
    user_id: int,
    *,
    per_member: int | None = None,
    quorum_min: int | None = None,
    quorum_max: int | None = None,
    threshold_min: int | None = None,
    threshold_max: int | None = None,
) -> Organization:
    """Moderators: how many proposals one member may have open, and the bounds of a proposal's own
    quorum and threshold."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        per = per_member if per_member is not None else org.proposals_per_member
        q = (
            quorum_min if quorum_min is not None else org.proposal_quorum_min,
            quorum_max if quorum_max is not None else org.proposal_quorum_max,
        )
        t = (
            threshold_min if threshold_min is not None else org.proposal_threshold_min,
            threshold_max if threshold_max is not None else org.proposal_threshold_max,
        )
        if not 1 <= per <= 20:
            raise BadInput(lazy_gettext("Each member may have 1 to 20 proposals open, e.g. `per_member:3`."))
        if not (0 <= q[0] <= q[1] <= 100) or not (1 <= t[0] <= t[1] <= 100):
            raise BadInput(
                lazy_gettext(
                    "Bounds go from low to high within 0-100% (thresholds from 1%), e.g. `quorum_min:30 quorum_max:80`."
                )
            )
        org.proposals_per_member = per
        org.proposal_quorum_min, org.proposal_quorum_max = q
        org.proposal_threshold_min, org.proposal_threshold_max = t
        detail = f"proposals: {per} open per member, quorum {q[0]}-{q[1]}%, threshold {t[0]}-{t[1]}%"
        await audit.record(session, org.id, user_id, "proposal.settings", detail, guild_id=guild_id)
    return org
