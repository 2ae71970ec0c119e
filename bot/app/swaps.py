"""Swaps: a member offers their piece of a task this week to another member, who accepts or
declines. The rota (and the ledger the next weeks are balanced on) changes only on acceptance; the
member who offered it gets a DM either way (queued in the outbox with the answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import BadInput
from bot.domain.weeks import week_end
from bot.i18n import SOURCE_LANGUAGE, lazy_gettext, worded
from bot.i18n.formatting import time_of_day, weekday_day
from storage.db import Database, Session
from storage.models import Assignment, MemberRow, Organization, Rota, SwapOffer, TaskRow, utcnow

from .claims import why_not
from .effects import Effect, queue
from .lookups import require_member
from .ports import Clock
from .shift_reminders import queue_if_due
from .week import my_week


@dataclass(frozen=True)
class TellAnswer(Effect):
    """The DM telling the member who offered a swap how it was answered (carried out by
    `bot.app.swaps_effects`)."""

    kind = "swap.answer"
    offer_id: int

    def key(self) -> str:
        return f"swap:{self.offer_id}:answer"

    def subject(self) -> str:
        return f"swap:{self.offer_id}"


@dataclass(frozen=True)
class SwapOffered:
    offer_id: int
    task: str
    hours: float
    language: str = SOURCE_LANGUAGE  # the organization's: the offer is posted in its channel


@dataclass(frozen=True)
class SwapAnswered:
    accepted: bool
    task: str
    hours: float
    giver_user_id: int
    taker_user_id: int
    language: str = SOURCE_LANGUAGE  # the organization's: the answer edits the offer's message


async def check_can_take(session: Session, piece: Assignment, task: TaskRow, target: MemberRow) -> None:
    """The member taking a piece must be able to (`bot.domain.holdings.why_not_take`, the same rule as claims):
    qualified, not away, the hours fit, available for the whole shift, no clash with their others."""
    rota = await session.get_one(Rota, piece.rota_id)
    reason = await why_not(session, target.organization_id, piece, task, target.id, rota.week, you=False)
    if reason is not None:
        raise BadInput(
            lazy_gettext(
                "<@{member}> can't take **{task}**: {reason}. Nothing changed.",
                member=target.user_id,
                task=task.name,
                reason=reason,
            )
        )


async def check_still_open(
    piece: Assignment, task: TaskRow, rota: Rota, org: Organization, target: MemberRow, now: datetime
) -> None:
    """An offer is re-checked when it is accepted: it lasts until the end of its week (like a task
    given back), the work must not be marked done yet (done work is credit, and credit is pay), and
    the member taking it must still be in the rota."""
    ends = week_end(rota.week, org.timezone)
    if now >= ends:
        raise BadInput(
            lazy_gettext(
                "This offer expired with its week ({week}) on {ends} UTC: nothing changed.",
                week=rota.week,
                ends=worded(lambda language: moment_words(ends, language)),
            )
        )
    if piece.done_at is not None:
        raise BadInput(
            lazy_gettext("**{task}** is already marked done, so it can no longer change hands.", task=task.name)
        )
    if not target.active or target.removed_at is not None:
        raise BadInput(lazy_gettext("You are not in the rota any more, so you cannot take this on. `/join` first."))


def moment_words(moment: datetime, language: str) -> str:
    """A UTC moment in a refusal: `Mon 07 Dec 00:00` in English (as before), `lun 7 dic 00:00` in Spanish."""
    if language == SOURCE_LANGUAGE:
        return f"{moment:%a %d %b %H:%M}"
    return f"{weekday_day(moment, language)} {time_of_day(moment, language)}"


async def offer(
    db: Database, clock: Clock, guild_id: int | None, user_id: int, task_name: str, to_user_id: int
) -> SwapOffered:
    week = await my_week(db, clock, guild_id, user_id)
    item = week.holding(task_name)
    if to_user_id == user_id:
        raise BadInput(lazy_gettext("Offer it to someone else."))
    async with db.transaction() as session:
        target = await require_member(session, week.org.id, to_user_id, you=False)
        await check_can_take(session, item.assignment, item.task, target)
        made = SwapOffer(assignment_id=item.assignment.id, from_member_id=week.member.id, to_member_id=target.id)
        session.add(made)
        await session.flush()
        assert made.id is not None
    return SwapOffered(made.id, item.task.name, item.assignment.hours, week.org.language)


async def answer(db: Database, offer_id: int, user_id: int, *, accept: bool, clock: Clock) -> SwapAnswered:
    """Accept or decline an open offer made to this user (the offerer hears of it by DM)."""
    async with db.transaction() as session:
        found = await session.get(SwapOffer, offer_id)
        if found is None:
            raise BadInput(lazy_gettext("This offer no longer exists."))
        target = await session.get_one(MemberRow, found.to_member_id)
        if target.user_id != user_id:
            raise BadInput(lazy_gettext("Only the member this offer is made to can answer it."))
        if found.status != "open":
            raise BadInput(
                lazy_gettext("This offer was already accepted.")
                if found.status == "accepted"
                else lazy_gettext("This offer was already declined.")
            )
        piece = await session.get_one(Assignment, found.assignment_id)
        task = await session.get_one(TaskRow, piece.task_id)
        giver = await session.get_one(MemberRow, found.from_member_id)
        found.decided_at = utcnow()
        if not accept:
            found.status = "declined"
        else:
            rota = await session.get_one(Rota, piece.rota_id)
            org = await session.get_one(Organization, rota.organization_id)
            await check_still_open(piece, task, rota, org, target, clock())
            if piece.member_id != found.from_member_id:
                raise BadInput(lazy_gettext("The offer is out of date: that piece changed hands already."))
            await check_can_take(session, piece, task, target)
            found.status, piece.member_id = "accepted", target.id
            await queue_if_due(session, found.assignment_id, clock())  # its reminder's time has passed
        assert found.id is not None
        # The member who offered it hears the answer (a DM, once), when this commits.
        await queue(session, TellAnswer(found.id), org_id=giver.organization_id, now=clock())
        language = (await session.get_one(Organization, giver.organization_id)).language
    return SwapAnswered(accept, task.name, piece.hours, giver.user_id, target.user_id, language)
