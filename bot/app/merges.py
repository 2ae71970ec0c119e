"""Merge votes between organizations: the dry run, propose, vote, close (at the deadline, early
once everyone has voted, or after a restart), cancel, and the status of recent votes.

Each vote runs under a per-proposal lock and a row lock, so a close runs once however often it is
triggered, and a vote arriving during the close is either counted before it or refused as closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from bot.domain import organizations as rules
from bot.domain.errors import BadInput
from bot.domain.ratings import social_rating
from bot.domain.rota import MemberInfo, SolvedWeek, TaskInfo, solve_week, total_hours
from bot.domain.solver import Plan, ProblemError
from bot.domain.solver.model import exact_hours
from bot.domain.solver_ids import member_key
from bot.domain.votes import Side, decided_early, outcome, reminder_at, why_not_in_electorate
from bot.domain.weeks import iso_week
from bot.i18n import SOURCE_LANGUAGE, Message, lazy_gettext
from bot.i18n.formatting import short_date, time_of_day
from storage import members, merges, orgs, rotas
from storage import tasks as tasks_store
from storage.db import Database, Session
from storage.models import MergeProposal, MergeVote, Organization, OrgServer, utcnow

from . import audit
from .effects import Effect, queue
from .facts import proposal_facts
from .lookups import clip, require_org
from .ports import Clock, Jobs, Runner, VoteClosed, VoteWithdrawn

if TYPE_CHECKING:
    from .effects import Outbox

log = logging.getLogger(__name__)

Choice = Literal["yes", "no", "abstain"]
DRY_RUN_SECONDS = 3.0


@dataclass(frozen=True)
class Moment(Message):
    """A moment (UTC) in a refusal, written the reader's way when the refusal is rendered:
    "Mon 07 Dec 2026 18:00" in English, "7 dic 2026 18:00" in Spanish, "07.12.2026 18:00" in German."""

    moment: datetime | None = None
    year: bool = True

    def render(self, language: str) -> str:
        assert self.moment is not None
        if language == SOURCE_LANGUAGE:
            return format(self.moment, "%a %d %b %Y %H:%M" if self.year else "%a %d %b %H:%M")
        return f"{short_date(self.moment, language)} {time_of_day(self.moment, language)}"


def moment(when: datetime, *, year: bool = True) -> Moment:
    return Moment("", moment=when, year=year)


def not_in_electorate(active: bool, since: datetime, opened_at: datetime) -> Message | None:
    """`why_not_in_electorate` (the one rule) in the reader's language."""
    if why_not_in_electorate(active, since, opened_at) is None:
        return None
    if not active:
        return lazy_gettext("you are not in the rota now")
    return lazy_gettext("you joined the rota (this time) on {when} UTC, after the vote opened", when=moment(since))


def close_key(proposal_id: int) -> str:
    return f"close-merge:{proposal_id}"


def remind_key(proposal_id: int) -> str:
    return f"remind-vote:{proposal_id}"


def subject(proposal_id: int) -> str:
    """The outbox's name for a vote's effects."""
    return f"merge:{proposal_id}"


# -- what a vote does in Discord (carried out by `bot.app.merges_effects`) ------------------------------


@dataclass(frozen=True)
class VoteEffect(Effect):
    """On one server's rota channel."""

    proposal_id: int
    guild_id: int
    channel_id: int

    def key(self) -> str:
        return f"{subject(self.proposal_id)}:{self.kind.removeprefix('vote.')}:{self.guild_id}"

    def subject(self) -> str:
        return subject(self.proposal_id)


@dataclass(frozen=True)
class PostVote(VoteEffect):
    """The vote message with its buttons; both sides' figures are read at delivery."""

    kind = "vote.post"
    here: int  # the organization whose members vote on that server
    there: int  # the other side


@dataclass(frozen=True)
class RemindVoters(VoteEffect):
    """A day before the close: one side's members who may vote and have not (read at delivery)."""

    kind = "vote.remind"
    after = ("vote.post",)
    org_id: int  # the side reminded


@dataclass(frozen=True)
class AnnounceEnd(VoteEffect):
    """How the vote ended. Unlike the other effects it holds values, not only ids: the names are
    those at the end (a merge archives both organizations right after, in the same transaction),
    and a cancelled vote leaves no record of who withdrew it but this."""

    kind = "vote.end"
    after = ("vote.post",)
    end: str  # "closed" (the tally is read from the proposal at delivery) or "withdrawn"
    names: tuple[str, str] | None = None  # closed: the proposer's and the other side's names
    merged_name: str | None = None  # closed: the new organization, when both sides passed
    by_org: str = ""  # withdrawn: the organization whose moderator cancelled it


@dataclass(frozen=True)
class RetireVote(VoteEffect):
    """The vote message's buttons go when the vote ends."""

    kind = "vote.retire"
    after = ("vote.post",)  # the posts whose buttons it retires


@dataclass(frozen=True)
class Averages:
    """Per member of one side: hours, and average desirability and empowerment of their work."""

    hours: float
    desirability: float | None
    empowerment: float | None


@dataclass(frozen=True)
class VoteCast:
    proposal_id: int
    org_name: str
    choice: str
    previous: str | None
    closes_at: datetime


@dataclass(frozen=True)
class ProposalStatus:
    proposal: MergeProposal
    names: tuple[str, str]
    sides: tuple[Side, Side]
    mine: str | None  # the asking member's own vote, while open


def sides(proposal: MergeProposal, counts: Mapping[int, Mapping[str, int]]) -> tuple[Side, Side]:
    """Both sides' rules (fixed at opening) with their current counts: proposer first."""

    def side(org_id: int, electorate: int, quorum: int, threshold: int) -> Side:
        votes = counts.get(org_id, {})
        return Side(electorate, quorum, threshold, votes.get("yes", 0), votes.get("no", 0), votes.get("abstain", 0))

    return (
        side(
            proposal.proposer_org_id,
            proposal.proposer_electorate,
            proposal.proposer_quorum,
            proposal.proposer_threshold,
        ),
        side(proposal.other_org_id, proposal.other_electorate, proposal.other_quorum, proposal.other_threshold),
    )


def averages(plan: Plan | None, keys: set[str]) -> Averages | None:
    if plan is None:
        return None
    rows = [m for m in plan.balance.members if m.member in keys and m.hours > 0]
    if not rows:
        return Averages(0.0, None, None)
    return Averages(  # averages per member: not pieces, so shown to two decimals
        round(sum(m.hours for m in rows) / len(rows), 2),
        round(sum(m.average_desirability or 0.0 for m in rows) / len(rows), 2),
        round(sum(m.average_empowerment or 0.0 for m in rows) / len(rows), 2),
    )


def pool_members(sides_members: list[list[tuple[int, MemberInfo]]]) -> dict[int, MemberInfo]:
    """Members of both sides by Discord user: someone in both counts once, with both hours."""
    pooled: dict[int, MemberInfo] = {}
    for side_members in sides_members:
        for user_id, member in side_members:
            prior = pooled.get(user_id)
            pooled[user_id] = (
                member
                if prior is None
                else MemberInfo(
                    prior.id,
                    prior.name,
                    rules.pooled_hours(prior.hours, member.hours),
                    prior.qualifications | member.qualifications,
                    prior.away,
                    prior.windows,
                )
            )
    return pooled


async def queue_vote_posts(
    session: Session, proposal_id: int, servers: Sequence[OrgServer], here: int, there: int, now: datetime
) -> None:
    """In the caller's transaction: the vote's message on each of these servers (`here` is the
    organization whose members vote there, `there` the other side)."""
    for server in servers:
        await queue(
            session, PostVote(proposal_id, server.guild_id, server.channel_id, here, there), org_id=here, now=now
        )


class MergeVotes:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        runner: Runner,
        clock: Clock,
        *,
        jobs: Jobs | None,
        schedule_changed: Callable[[int], Awaitable[None]],
    ) -> None:
        self.db, self.outbox, self.runner, self.clock, self.jobs = db, outbox, runner, clock, jobs
        self.schedule_changed = schedule_changed
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.background: set[asyncio.Task[Any]] = set()  # early closes under way; ended on stop

    async def open_ids(self) -> list[int]:
        """Schedule the close of every open vote; returns their ids (to close those overdue)."""
        async with self.db.session() as session:
            pending = await merges.open_proposals(session)
        for proposal in pending:
            self._schedule_close(proposal)
            self._schedule_reminder(proposal)
        return [p.id for p in pending if p.id is not None]

    async def close_overdue(self, ids: list[int]) -> None:
        """Close the votes whose deadline passed while the bot was down (the others wait)."""
        for proposal_id in ids:
            try:
                await self.close(proposal_id, "deadline passed while the bot was down")
            except Exception:
                log.exception("closing merge vote %s failed", proposal_id)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    def _schedule_close(self, proposal: MergeProposal) -> None:
        if self.jobs is not None and proposal.id is not None:
            self.jobs.once(close_key(proposal.id), proposal.closes_at, self.close, proposal.id)

    def _schedule_reminder(self, proposal: MergeProposal) -> None:
        if self.jobs is not None and proposal.id is not None:
            when = reminder_at(proposal.created_at, proposal.closes_at)
            self.jobs.once(remind_key(proposal.id), when, self.remind, proposal.id)

    async def remind(self, proposal_id: int) -> int:
        """A day before the close: on every server of each side, mention that side's members who
        may vote and have not (once: the outbox key; the message is built at delivery, so someone
        voting meanwhile is left out). Fired too soon (a restart), it waits for its time."""
        async with self.locks[proposal_id]:
            now = self.clock()
            queued = 0
            async with self.db.transaction(self.outbox) as session:
                proposal = await merges.locked(session, proposal_id)
                if proposal is None or proposal.status != "open" or now >= proposal.closes_at:
                    return 0
                if now < reminder_at(proposal.created_at, proposal.closes_at):
                    self._schedule_reminder(proposal)
                    return 0
                for org_id in (proposal.proposer_org_id, proposal.other_org_id):
                    for server in await orgs.servers_of(session, org_id):
                        if proposal.kind == "leave" and server.origin_org_id != proposal.other_org_id:
                            continue  # a vote on leaving: only the leaving side's servers, where it was posted
                        reminder = RemindVoters(proposal_id, server.guild_id, server.channel_id, org_id)
                        queued += await queue(session, reminder, org_id=org_id, now=now)
            if queued:
                log.info("merge vote #%s: reminding those who have not voted", proposal_id)
            return queued

    # -- the dry run ---------------------------------------------------------------------------------

    async def dry_run(self, first: Organization, second: Organization) -> dict[str, dict[str, Any]]:
        """What pooling would mean per member, for each side: hours, average desirability and
        empowerment now (each alone, at its own granularity) and merged (one solve over everyone);
        under "pooled": the tasks renamed because both sides have one of that name, and how much of
        the pooled work is still unrated (counted as a neutral 5.5).

        `first` is the proposer. The merged solve cuts shifts as the merged organization would:
        `rules.merged_granularity` (the finer of the two granularities when one divides the other,
        as 0.25 and 0.5 do; else the step both fit; the proposer's as a last resort)."""
        week = iso_week(self.clock().date() + timedelta(days=7))
        async with self.db.session() as session:
            alone = {org.id: await rotas.week_inputs(session, org.id, week) for org in (first, second)}
            user_of = await members.user_ids(session, [m.id for org in (first, second) for m in alone[org.id].members])
            every_name = [(org.name, await tasks_store.all_task_names(session, org.id)) for org in (first, second)]
        tasks = [t for org in (first, second) for t in alone[org.id].tasks]
        pooled = pool_members([[(user_of[m.id], m) for m in alone[org.id].members] for org in (first, second)])
        step = rules.merged_granularity(alone[first.id].granularity, alone[second.id].granularity)
        merged_plan = await self._plan(week, tasks, list(pooled.values()), step, owner=first.id)
        result = {}
        for org in (first, second):
            own = alone[org.id]
            before = await self._plan(week, own.tasks, own.members, own.granularity, owner=first.id)
            keys = {member_key(pooled[user_of[m.id]].id) for m in own.members}
            after = averages(merged_plan, keys)
            now = averages(before, {member_key(m.id) for m in own.members})
            result[str(org.id)] = {"before": now and asdict(now), "after": after and asdict(after)}
        names = rules.merged_task_names(every_name)
        renamed = [(old, new) for side in names for old, new in side.items() if old != new]
        this_week = [t for t in tasks if t.occurs(week)]
        unrated = [t for t in this_week if social_rating(t.ratings).flagged]
        work: dict[str, Any] = {
            "renamed": renamed,
            "hours": float(total_hours(exact_hours(t.hours) * t.slots for t in this_week)),
            "unrated_hours": float(total_hours(exact_hours(t.hours) * t.slots for t in unrated)),
            "unrated_tasks": len(unrated),
        }
        return {**result, "pooled": work}

    async def _plan(
        self, week: str, tasks: list[TaskInfo], people: list[MemberInfo], granularity: Decimal, *, owner: int
    ) -> Plan | None:
        """A dry-run solve, in the proposer's turn (`owner`): a proposal's solves queue behind each other."""
        if not tasks or not any(m.hours > 0 for m in people):
            return None
        try:
            solved: SolvedWeek = await self.runner.run(
                solve_week, week, tasks, people, [], DRY_RUN_SECONDS, 0, granularity, owner=owner
            )
        except ProblemError:  # e.g. a task needing a qualification nobody on that side has
            return None
        return solved.plan

    # -- proposing, voting, closing ----------------------------------------------------------------

    async def propose(
        self, guild_id: int | None, user_id: int, code: str, name: str | None, vote_hours: int | None
    ) -> MergeProposal:
        now = self.clock()
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            other = await orgs.org_with_code(session, code)
            if other is None:
                raise BadInput(
                    lazy_gettext(
                        "No organization has the merge code `{code}`. Its members see it in `/org`.",
                        code=clip(code, 20),
                    )
                )
            if other.id == org.id:
                raise BadInput(
                    lazy_gettext("That is your own organization's merge code: ask the other organization for theirs.")
                )
            recent = await merges.proposed_since(session, org.id, now - rules.PROPOSAL_WINDOW)
            if (again := rules.next_proposal_at(recent, now)) is not None:
                raise BadInput(
                    lazy_gettext(
                        "**{org}** has proposed {count} merges in the last 24 hours, the most a day. Try again after "
                        "{when} UTC.",
                        org=org.name,
                        count=rules.MERGE_PROPOSALS_PER_DAY,
                        when=moment(again, year=False),
                    )
                )
            for side in (org, other):
                busy = await merges.open_proposal_involving(session, side.id)
                if busy is not None:
                    raise BadInput(
                        lazy_gettext(
                            "**{org}** is already in a merge vote (#{id}). Wait for it to close, or a moderator can "
                            "`/mod merge cancel` it.",
                            org=side.name,
                            id=busy.id,
                        )
                    )
            electorates = [await merges.electorate(session, side.id, now) for side in (org, other)]
        if 0 in electorates:
            empty = org.name if electorates[0] == 0 else other.name
            raise BadInput(lazy_gettext("**{org}** has nobody in its rota, so nobody could vote there.", org=empty))
        hours = rules.check_vote_hours(vote_hours if vote_hours is not None else org.vote_hours)
        title = rules.check_name(name, "merged organization's name") if name else f"{org.name} + {other.name}"
        dry = await self.dry_run(org, other)
        async with self.db.transaction(self.outbox) as session:
            if await merges.open_proposal_involving(session, org.id) or await merges.open_proposal_involving(
                session, other.id
            ):
                raise BadInput(lazy_gettext("Another merge vote opened a moment ago; see `/merge status`."))
            proposal = MergeProposal(
                proposer_org_id=org.id,
                other_org_id=other.id,
                name=title,
                proposed_by=user_id,
                proposer_quorum=org.quorum_pct,
                proposer_threshold=org.threshold_pct,
                proposer_electorate=electorates[0],
                other_quorum=other.quorum_pct,
                other_threshold=other.threshold_pct,
                other_electorate=electorates[1],
                dry_run=json.dumps(dry),
                created_at=now,
                closes_at=now + timedelta(hours=hours),
            )
            session.add(proposal)
            await session.flush()
            # Both sides' moderators see who proposed it, from which server (the vote post tells
            # the other side's channels already: no notice there).
            what = f"#{proposal.id}: {org.name} + {other.name}"
            await audit.record(session, org.id, user_id, "merge.propose", what, guild_id=guild_id, now=now)
            orgs.audit(session, other.id, user_id, "merge.propose", what, guild_id=guild_id)
            for here, there in ((org, other), (other, org)):  # the vote message, on every server of each side
                await queue_vote_posts(
                    session, proposal.id, await orgs.servers_of(session, here.id), here.id, there.id, now
                )
        log.info("merge vote #%s opened: %s and %s, by %s", proposal.id, org.name, other.name, user_id)
        self._schedule_close(proposal)
        self._schedule_reminder(proposal)
        return proposal

    async def propose_leave(self, guild_id: int | None, user_id: int, vote_hours: int | None) -> MergeProposal:
        """Open a vote among the members of this server's side of a federation on leaving it, by that
        side's own quorum and threshold. The vote is posted on that side's servers; the result on every
        server of the federation (`close`); if it passes, `storage.merges.leave`."""
        now = self.clock()
        async with self.db.transaction(self.outbox) as session:
            federation = await require_org(session, guild_id)
            server = await orgs.server(session, guild_id or 0)
            assert server is not None
            sides = await rotas.lineage(session, federation.id)
            if len(sides) == 1:
                raise BadInput(
                    lazy_gettext("**{org}** is not a federation: there is nothing to leave.", org=federation.name)
                )
            if server.origin_org_id is None or server.origin_org_id not in sides:
                raise BadInput(
                    lazy_gettext(
                        "I don't know which organization this server belonged to before the merge (the federation was "
                        "formed before the bot recorded it), so it cannot leave by vote. Ask the bot's host."
                    )
                )
            side = await session.get_one(Organization, server.origin_org_id)
            if all(s.origin_org_id == side.id for s in await orgs.servers_of(session, federation.id)):
                raise BadInput(
                    lazy_gettext(
                        "**{side}** is the only side left in **{federation}**: there is nobody to leave.",
                        side=side.name,
                        federation=federation.name,
                    )
                )
            busy = await merges.open_proposal_involving(session, federation.id)
            if busy is not None:
                raise BadInput(
                    lazy_gettext(
                        "**{org}** is already in a vote (#{id}). Wait for it to close, or a moderator can "
                        "`/mod merge cancel` it.",
                        org=federation.name,
                        id=busy.id,
                    )
                )
            electorate = await merges.side_electorate(session, federation.id, side.id, now)
            if electorate == 0:
                raise BadInput(
                    lazy_gettext(
                        "Nobody who came from **{side}** is in the rota, so nobody could vote.", side=side.name
                    )
                )
            hours = rules.check_vote_hours(vote_hours if vote_hours is not None else side.vote_hours)
            proposal = MergeProposal(
                kind="leave",
                proposer_org_id=federation.id,  # where the votes are cast (the members are the federation's)
                other_org_id=side.id,  # the side that would leave
                name=side.name,
                proposed_by=user_id,
                proposer_quorum=side.quorum_pct,
                proposer_threshold=side.threshold_pct,
                proposer_electorate=electorate,
                other_quorum=side.quorum_pct,
                other_threshold=side.threshold_pct,
                other_electorate=0,  # the rest of the federation does not vote
                created_at=now,
                closes_at=now + timedelta(hours=hours),
            )
            session.add(proposal)
            await session.flush()
            leaving = [s for s in await orgs.servers_of(session, federation.id) if s.origin_org_id == side.id]
            await queue_vote_posts(session, proposal.id, leaving, federation.id, side.id, now)
            await audit.record(
                session, federation.id, user_id, "merge.leave-vote", f"#{proposal.id}: {side.name}", guild_id=guild_id
            )
        log.info("leave vote #%s opened: %s leaving %s, by %s", proposal.id, side.name, federation.name, user_id)
        self._schedule_close(proposal)
        self._schedule_reminder(proposal)
        return proposal

    async def _queue_end(self, session: Session, proposal: MergeProposal, end: dict[str, Any]) -> None:
        """In the transaction that ends the vote: the announcement on every server of both sides, and
        the vote message's buttons retired."""
        assert proposal.id is not None
        for org_id in (proposal.proposer_org_id, proposal.other_org_id):
            for server in await orgs.servers_of(session, org_id):
                where = (proposal.id, server.guild_id, server.channel_id)
                await queue(session, AnnounceEnd(*where, **end), org_id=org_id, now=self.clock())
                await queue(session, RetireVote(*where), org_id=org_id, now=self.clock())

    async def vote(self, guild_id: int | None, user_id: int, proposal_id: int, choice: str) -> VoteCast:
        now = self.clock()
        async with self.locks[proposal_id], self.db.transaction() as session:
            org = await require_org(session, guild_id)
            proposal = await merges.locked(session, proposal_id)
            ours = await rotas.lineage(session, org.id)  # a federation still sees its members' past votes
            if proposal is None or not {proposal.proposer_org_id, proposal.other_org_id} & set(ours):
                raise BadInput(
                    lazy_gettext(
                        "There is no merge vote #{id} for **{org}**. `/merge status` lists them.",
                        id=proposal_id,
                        org=org.name,
                    )
                )
            if proposal.status != "open" or now >= proposal.closes_at:
                raise BadInput(lazy_gettext("Merge vote #{id} is closed.", id=proposal_id))
            member = await members.member_for(session, org.id, user_id)
            if member is None:
                why_not: Message | None = lazy_gettext("you are not in its rota")
            else:
                why_not = not_in_electorate(member.active, member.joined_at, proposal.created_at)
            if member is None or why_not is not None:
                raise BadInput(
                    lazy_gettext(
                        "Your vote was not counted: {why}. Only members in **{org}**'s rota without a break since "
                        "before vote #{id} opened ({opened} UTC) vote on its side.",
                        why=why_not,
                        org=org.name,
                        id=proposal_id,
                        opened=moment(proposal.created_at),
                    )
                )
            if proposal.kind == "leave" and member.user_id not in await merges.side_users(
                session, proposal.proposer_org_id, proposal.other_org_id
            ):
                side = await session.get_one(Organization, proposal.other_org_id)
                raise BadInput(
                    lazy_gettext(
                        "Vote #{id} is for the members who came from **{side}**: only they decide whether to leave.",
                        id=proposal_id,
                        side=side.name,
                    )
                )
            previous = await merges.cast(session, proposal_id, member, choice)
            await session.flush()
            early = decided_early(*sides(proposal, await merges.tally(session, proposal_id)))
            closes = proposal.closes_at
        if early:
            self.spawn(self.close(proposal_id, "everyone voted"))
        return VoteCast(proposal_id, org.name, choice, previous, closes)

    async def close(self, proposal_id: int, why: str = "deadline") -> VoteClosed | None:
        """Close the vote if its deadline passed or its outcome is settled; merge if both sides pass.
        Runs at most once per proposal whatever fires it (deadline job, early close, restart); the
        announcements are queued with the close, so a crash after it still delivers them."""
        async with self.locks[proposal_id]:
            async with self.db.transaction(self.outbox) as session:
                proposal = await merges.locked(session, proposal_id)
                if proposal is None or proposal.status != "open":
                    return None
                a, b = sides(proposal, await merges.tally(session, proposal_id))
                if self.clock() < proposal.closes_at and not decided_early(a, b):
                    self._schedule_close(proposal)  # fired too soon (e.g. a restart): wait for the deadline
                    return None
                leaving = proposal.kind == "leave"
                passed = a.passes() if leaving else outcome(a, b)  # a leave: only the leaving side votes
                proposal.status, proposal.closed_at = ("passed" if passed else "failed"), utcnow()
                proposal.result = json.dumps({"proposer": asdict(a), "other": asdict(b)})
                first = await session.get_one(Organization, proposal.proposer_org_id)
                second = await session.get_one(Organization, proposal.other_org_id)
                names = (first.name, second.name)
                merged_name = proposal.name if passed else None
                end = {"end": "closed", "names": names, "merged_name": merged_name}
                await self._queue_end(session, proposal, end)  # before the merge moves the servers
                if leaving:
                    merged = await merges.leave(session, proposal, rules.new_merge_code()) if passed else None
                else:
                    merged = await merges.merge(session, proposal, rules.new_merge_code()) if passed else None
                if merged is not None:
                    # The new organization speaks as its side did (a leave) or as the proposer (a merge,
                    # like its schedule): the bot's posts and reminders there stay in a language its
                    # members chose, rather than falling back to English.
                    merged.language = second.language if leaving else first.language
                merged_id = merged.id if merged else None
            log.info(
                "merge vote #%s closed (%s): %s %s/%s/%s, %s %s/%s/%s (yes/no/abstain): %s",
                proposal_id,
                why,
                names[0],
                a.yes,
                a.no,
                a.abstain,
                names[1],
                b.yes,
                b.no,
                b.abstain,
                "passed" if passed else "failed",
            )
            if merged_id is not None and leaving:
                log.info("%s left %s (now organization %s)", names[1], names[0], merged_id)
            elif merged_id is not None:
                log.info("merged %s and %s into %s (organization %s)", names[0], names[1], merged_name, merged_id)
            if self.jobs is not None:
                self.jobs.remove_key(close_key(proposal_id))
                self.jobs.remove_key(remind_key(proposal_id))
            closed = VoteClosed(proposal_facts(proposal), names, (a, b), merged_name)
            if merged_id is not None:
                for org_id in (proposal.proposer_org_id, proposal.other_org_id, merged_id):
                    await self.schedule_changed(org_id)
            return closed

    async def cancel(self, guild_id: int | None, user_id: int, proposal_id: int) -> VoteWithdrawn:
        async with self.locks[proposal_id]:
            async with self.db.transaction(self.outbox) as session:
                org = await require_org(session, guild_id)
                proposal = await merges.locked(session, proposal_id)
                if proposal is None or org.id not in (proposal.proposer_org_id, proposal.other_org_id):
                    raise BadInput(
                        lazy_gettext("There is no merge vote #{id} for **{org}**.", id=proposal_id, org=org.name)
                    )
                if proposal.status == "passed":
                    raise BadInput(lazy_gettext("Merge vote #{id} is already passed.", id=proposal_id))
                if proposal.status == "failed":
                    raise BadInput(lazy_gettext("Merge vote #{id} is already failed.", id=proposal_id))
                if proposal.status != "open":
                    raise BadInput(lazy_gettext("Merge vote #{id} is already cancelled.", id=proposal_id))
                proposal.status, proposal.closed_at = "cancelled", utcnow()
                await audit.record(session, org.id, user_id, "merge.cancel", f"#{proposal_id}", guild_id=guild_id)
                await self._queue_end(session, proposal, {"end": "withdrawn", "by_org": org.name})
            log.info("merge vote #%s cancelled by moderator %s of %s", proposal_id, user_id, org.name)
            if self.jobs is not None:
                self.jobs.remove_key(close_key(proposal_id))
                self.jobs.remove_key(remind_key(proposal_id))
            withdrawn = VoteWithdrawn(proposal_id, org.name)
            return withdrawn

    async def status(self, guild_id: int | None, user_id: int) -> list[ProposalStatus]:
        """Open and recent votes of the organization (and of those merged into it)."""
        found = []
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            member = await members.member_for(session, org.id, user_id)
            for proposal in await merges.recent_proposals(session, await rotas.lineage(session, org.id)):
                first = await session.get_one(Organization, proposal.proposer_org_id)
                second = await session.get_one(Organization, proposal.other_org_id)
                mine = None
                if proposal.status == "open" and member is not None:
                    vote = await session.get(MergeVote, (proposal.id, member.id))
                    mine = vote.choice if vote else None
                found.append(
                    ProposalStatus(
                        proposal,
                        (first.name, second.name),
                        sides(proposal, await merges.tally(session, proposal.id)),
                        mine,
                    )
                )
        return found
