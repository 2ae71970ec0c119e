"""Giving a task back ("Can't do…") and claiming it: the piece is offered, in the rota channel, to
the members who can take it (`bot.domain.holdings.why_not_take`); the first to claim takes it (the piece's
member changes, as an accepted swap does, so the balance and the rotation count it); if nobody
claims it by the deadline, the moderators are told.

The deadline is a persisted timer: the claim row holds it, the scheduler fires it (rebuilt at
start; one overdue while the bot was down fires at start), and the conditional update that expires
the claim lets exactly one firing tell the moderators (whose message is an outbox effect, keyed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.errors import BadInput
from bot.domain.holdings import Shift, claim_deadline, take_refusal, why_not_take
from bot.domain.rota import TaskInfo
from bot.domain.weeks import week_end
from bot.i18n import Message, lazy_gettext
from storage import claims as queries
from storage import orgs, rotas
from storage.db import Database, Session
from storage.models import Assignment, MemberRow, Organization, Rota, TaskClaim, TaskRow
from storage.rotas import Holding
from storage.tasks import task_time

from .effects import Effect, queue
from .lookups import require_member, require_org
from .ports import Clock, Jobs
from .shift_reminders import queue_if_due
from .week import my_week, open_tasks

if TYPE_CHECKING:
    from .effects import Outbox

log = logging.getLogger(__name__)


def subject(claim_id: int) -> str:
    return f"claim:{claim_id}"


# -- what a task given back does in Discord (carried out by `bot.app.claims_effects`) -----------------


@dataclass(frozen=True)
class ClaimEffect(Effect):
    """On one server's rota channel; the claim's state is read at delivery."""

    claim_id: int
    guild_id: int
    channel_id: int

    def key(self) -> str:
        return f"claim:{self.claim_id}:{self.kind.removeprefix('claim.')}:{self.guild_id}"

    def subject(self) -> str:
        return subject(self.claim_id)


@dataclass(frozen=True)
class OfferClaim(ClaimEffect):
    """The offer, with its claim button, mentioning those who can take it."""

    kind = "claim.post"


@dataclass(frozen=True)
class CloseOffer(ClaimEffect):
    """The offer's messages say it is taken (or closed) and lose their button."""

    kind = "claim.close"
    after = ("claim.post",)  # closes the messages those sent


@dataclass(frozen=True)
class TellExpired(ClaimEffect):
    """Nobody took it by its deadline: the moderators are told."""

    kind = "claim.expired"
    after = ("claim.close",)


async def queue_on_servers(session: Session, effect_type: type[ClaimEffect], claim: TaskClaim, now: datetime) -> None:
    assert claim.id is not None
    for server in await orgs.servers_of(session, claim.organization_id):
        effect = effect_type(claim.id, server.guild_id, server.channel_id)
        await queue(session, effect, org_id=claim.organization_id, now=now)


def timer_key(claim_id: int) -> str:
    return f"claim-deadline:{claim_id}"


@dataclass(frozen=True)
class GivenBack:
    claim_id: int
    task: str
    hours: float
    offered: int  # members who can take it
    deadline: datetime


@dataclass(frozen=True)
class Claimed:
    task: str
    hours: float
    week: str
    giver_user_id: int


def task_info(task: TaskRow) -> TaskInfo:
    return TaskInfo(
        task.id, task.name, task.hours, task.slots, task.splittable, task.min_shift, task.qualification,
        (), None, *task_time(task),
    )  # fmt: skip


def shift_of(piece: Assignment, task: TaskRow) -> Shift | None:
    """When a piece of a timed task is (None: flexible work)."""
    if piece.day is None or piece.start is None or piece.end is None:
        return None
    return Shift(task.name, piece.day, piece.start, piece.end)


async def why_not(
    session: Session, org_id: int, piece: Assignment, task: TaskRow, member_id: int, week: str, *, you: bool
) -> Message | None:
    """`bot.domain.holdings.take_refusal` for one member and one piece, read from the database (a catalog
    `Message`: worded in the reader's language where it is shown)."""
    found = await queries.candidates(session, org_id, piece.rota_id, week, member_id)
    if not found:
        return lazy_gettext("you are not in the rota") if you else lazy_gettext("they are not in the rota")
    org = await session.get_one(Organization, org_id)
    shift = shift_of(piece, task)
    return take_refusal(found[0][1], task_info(task), piece.hours, week, shift, tz_name=org.timezone, you=you)


async def offered_to(session: Session, claim: TaskClaim) -> list[MemberRow]:
    """The members who can take the piece now (not its giver)."""
    piece = await session.get_one(Assignment, claim.assignment_id)
    task = await session.get_one(TaskRow, piece.task_id)
    rota = await session.get_one(Rota, piece.rota_id)
    found = await queries.candidates(session, claim.organization_id, rota.id, rota.week)
    org = await session.get_one(Organization, claim.organization_id)
    info, shift = task_info(task), shift_of(piece, task)
    return [
        member
        for member, candidate in found
        if member.id != claim.from_member_id
        and why_not_take(candidate, info, piece.hours, rota.week, shift, tz_name=org.timezone) is None
    ]


class Claims:
    def __init__(self, db: Database, outbox: Outbox, clock: Clock, *, jobs: Jobs | None) -> None:
        self.db, self.outbox, self.clock, self.jobs = db, outbox, clock, jobs

    async def open_ids(self) -> list[int]:
        """Set the deadline timer of every open claim (at start); returns their ids."""
        async with self.db.session() as session:
            found = await queries.open_claims(session)
        for claim in found:
            self._schedule(claim)
        return [c.id for c in found]

    async def expire_overdue(self, ids: list[int]) -> None:
        """At start: the claims whose deadline passed while the bot was down (the others wait)."""
        for claim_id in ids:
            try:
                await self.expire(claim_id)
            except Exception:
                log.exception("expiring claim %s failed", claim_id)

    def _schedule(self, claim: TaskClaim) -> None:
        if self.jobs is not None:
            self.jobs.once(timer_key(claim.id), claim.deadline, self.expire, claim.id)

    async def returnable(self, guild_id: int | None, user_id: int, week: str | None = None) -> list[Holding]:
        """What Can't do… offers the member: their pieces of the week not done and not given back yet."""
        pieces = await open_tasks(self.db, self.clock, guild_id, user_id, week)
        async with self.db.session() as session:
            return [h for h in pieces if await queries.open_claim_of(session, h.assignment.id) is None]

    async def give_back(self, guild_id: int | None, user_id: int, task_name: str, week: str | None = None) -> GivenBack:
        """Offer one of the member's pieces of the week (not done, not offered already) to whoever
        can take it; the member keeps it until someone claims it."""
        mine = await my_week(self.db, self.clock, guild_id, user_id, week)
        item = mine.holding(task_name)
        now = self.clock()
        if mine.rota is None:
            raise BadInput(lazy_gettext("That week's rota is not out yet."))
        if now >= week_end(mine.rota.week, mine.org.timezone):
            raise BadInput(
                lazy_gettext("Week {week} is over: there is nothing left to give back.", week=mine.rota.week)
            )
        if item.assignment.done_at is not None:
            raise BadInput(lazy_gettext("**{task}** is marked done already.", task=item.task.name))
        async with self.db.transaction(self.outbox) as session:
            org = await session.get_one(Organization, mine.org.id)
            piece = await session.get_one(Assignment, item.assignment.id)
            if piece.member_id != mine.member.id:
                raise BadInput(lazy_gettext("**{task}** is no longer yours this week.", task=item.task.name))
            if await queries.open_claim_of(session, piece.id) is not None:
                raise BadInput(
                    lazy_gettext(
                        "You gave **{task}** back already; it waits for someone to claim it.", task=item.task.name
                    )
                )
            claim = TaskClaim(
                organization_id=org.id,
                assignment_id=piece.id,
                from_member_id=mine.member.id,
                created_at=now,
                deadline=claim_deadline(now, org.claim_hours, mine.rota.week, org.timezone),
            )
            session.add(claim)
            await session.flush()
            offered = await offered_to(session, claim)
            await queue_on_servers(session, OfferClaim, claim, now)
        log.info("member %s gave back %s of %s (claim %s)", mine.member.id, item.task.name, mine.rota.week, claim.id)
        self._schedule(claim)
        return GivenBack(claim.id, item.task.name, item.assignment.hours, len(offered), claim.deadline)

    async def claim(self, guild_id: int | None, user_id: int, claim_id: int) -> Claimed:
        """Take a piece given back. Of two members claiming at once, one gets it and the other is told
        it is taken; nothing changes for a member who cannot take it (and they are told why)."""
        now = self.clock()
        async with self.db.transaction(self.outbox) as session:
            org = await require_org(session, guild_id)
            found = await session.get(TaskClaim, claim_id)
            if found is None or found.organization_id not in await rotas.lineage(session, org.id):
                raise BadInput(lazy_gettext("That task is not up for claiming here."))
            piece = await session.get_one(Assignment, found.assignment_id)
            task = await session.get_one(TaskRow, piece.task_id)
            rota = await session.get_one(Rota, piece.rota_id)
            if found.status == "taken":
                taker = await session.get_one(MemberRow, found.taker_member_id)
                raise BadInput(
                    lazy_gettext("Too late: <@{taker}> already took **{task}**.", taker=taker.user_id, task=task.name)
                )
            if found.status != "open" or now >= found.deadline:
                raise BadInput(
                    lazy_gettext("**{task}** is no longer up for claiming; the moderators were told.", task=task.name)
                )
            member = await require_member(session, found.organization_id, user_id, you=True)
            giver = await session.get_one(MemberRow, found.from_member_id)
            if member.id == giver.id:
                raise BadInput(lazy_gettext("That is the task you gave back: someone else has to claim it."))
            reason = await why_not(session, found.organization_id, piece, task, member.id, rota.week, you=True)
            if reason is not None:
                raise BadInput(lazy_gettext("You can't take **{task}** ({reason}).", task=task.name, reason=reason))
            if piece.member_id != giver.id or piece.done_at is not None:
                if await queries.withdraw(session, found.id, now):
                    await queue_close(session, found, now)
                    raise BadInput(
                        lazy_gettext(
                            "**{task}** changed hands meanwhile; it is no longer up for claiming.", task=task.name
                        )
                    )
                # Not open any more: most often another member's claim of it committed since we read it.
                await session.refresh(found)
                if found.status == "taken":
                    raise BadInput(lazy_gettext("Too late: someone else just took **{task}**.", task=task.name))
                raise BadInput(lazy_gettext("**{task}** is no longer up for claiming.", task=task.name))
            if not await queries.take(session, found.id, member.id, now):
                raise BadInput(lazy_gettext("Too late: someone else just took **{task}**.", task=task.name))
            piece.member_id = member.id  # as an accepted swap: the rota and the ledger show who does it
            await self._queue_close(session, found)
            await queue_if_due(session, found.assignment_id, now)  # its reminder's time has passed: the taker's now
        log.info("member %s claimed %s of %s from %s (claim %s)", member.id, task.name, rota.week, giver.id, claim_id)
        if self.jobs is not None:
            self.jobs.remove_key(timer_key(claim_id))
        return Claimed(task.name, piece.hours, rota.week, giver.user_id)

    async def expire(self, claim_id: int) -> bool:
        """The deadline: if nobody claimed the piece, close the offer and tell the moderators, once
        however often this fires (the timer, a restart). Called before the deadline (the start-up
        check of every open claim), it does nothing: the claim's timer is still set."""
        now = self.clock()
        async with self.db.transaction(self.outbox) as session:
            found = await session.get(TaskClaim, claim_id)
            if found is None or found.status != "open":
                return False
            if now < found.deadline:  # early (a clock moved back, a start-up check): the timer stays set
                self._schedule(found)
                return False
            if not await queries.expire(session, claim_id, now):
                return False
            await self._queue_close(session, found)
            await queue_on_servers(session, TellExpired, found, now)
        log.info("nobody claimed claim %s by its deadline: moderators are told", claim_id)
        return True

    async def _queue_close(self, session: Session, claim: TaskClaim) -> None:
        await queue_close(session, claim, self.clock())


async def queue_close(session: Session, claim: TaskClaim, now: datetime) -> None:
    """In the caller's transaction: the offer's messages say it is taken (or closed) and lose their
    claim button."""
    await queue_on_servers(session, CloseOffer, claim, now)


async def withdraw_if_offered(session: Session, piece: Assignment, now: datetime) -> bool:
    """In the caller's transaction: a piece marked done while it was given back is no longer up for
    claiming (its offer closes); True if it was."""
    open_claim = await queries.open_claim_of(session, piece.id)
    if open_claim is None or not await queries.withdraw(session, open_claim.id, now):
        return False
    await queue_close(session, open_claim, now)
    return True
