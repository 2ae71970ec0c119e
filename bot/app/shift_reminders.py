"""A reminder before each shift: a DM `shift_reminder_hours` (an organization's setting, default 12;
None: off) before a piece of a timed task starts, to whoever holds it then.

The timers are the stored pieces themselves (a published rota's assignments with a day and start):
the scheduler holds one one-off timer per piece (`timer_key`), set after a publication and rebuilt
from the database at start (a reminder that fell due while the bot was down goes out at start while
the shift has not begun). A swap or a claim keeps the piece's timer (it reminds whoever holds the
piece when it fires); one made after the reminder time reminds the new holder at once, in its own
transaction (`queue_if_due`). A firing re-reads the piece: nothing for a piece done, given back
(its claim still open), or gone with a re-publication.

Once per member and shift: the outbox key is the occurrence (organization, week, holder, task, the
shift's start in UTC), not the piece, so a re-publication (which renews the pieces) does not remind
the holder of an unchanged shift again, while a shift that moved to another time or to another
member (a re-publication, a swap, a claim) is reminded to whoever holds it then, however often the
timers fire and after a restart. The DM itself is the effect `RemindShift`, carried out by
`bot.app.shift_reminders_effects`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.weeks import iso_week
from storage import claims as claim_queries
from storage import shifts as queries
from storage.db import Database, Session
from storage.models import Assignment, MemberRow, Organization, Rota, TaskRow

from .effects import Effect, queue
from .facts import piece_moments
from .ports import Clock, Jobs

if TYPE_CHECKING:
    from .effects import Outbox

log = logging.getLogger(__name__)


def timer_key(assignment_id: int) -> str:
    return f"shift-reminder:{assignment_id}"


def subject(assignment_id: int) -> str:
    """The subject of the reminders queued before they were keyed by the shift (rows still stored)."""
    return f"shift:{assignment_id}"


def utc_stamp(moment: datetime) -> str:
    """A shift's start in UTC, as the reminder's key holds it: `20261205T0900Z`."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


@dataclass(frozen=True)
class RemindShift(Effect):
    """The DM before a shift to the member who held it when it was queued; at delivery the shift is
    read again (nothing for a piece done, given back, swapped away or moved since).

    Keyed by the shift's occurrence (`org_id`, `week`, `member_id`, `task_id`, `starts`: its start in
    UTC), so each member hears of each shift once, whatever the pieces' ids (a re-publication renews
    them). `assignment_id` is the piece when it was queued; a re-published piece is found again by
    the occurrence. Rows written before the occurrence fields lack them (keyed by the piece)."""

    kind = "shift.remind"
    assignment_id: int
    member_id: int
    day: int  # the piece's local time when queued: a piece moved since is not reminded by this one
    start: int
    org_id: int = 0
    week: str = ""
    task_id: int = 0
    starts: str = ""  # `utc_stamp` of the shift's start

    def key(self) -> str:
        if not self.week:  # an older row's key
            return f"{subject(self.assignment_id)}:{self.member_id}:{self.day}:{self.start}"
        return f"shift:org{self.org_id}:{self.week}:m{self.member_id}:t{self.task_id}:{self.starts}"

    def subject(self) -> str:
        if not self.week:
            return subject(self.assignment_id)
        return f"shift:org{self.org_id}:{self.week}:t{self.task_id}:{self.starts}"


@dataclass(frozen=True)
class Due:
    """A piece whose reminder is still to come (or due now): when to remind, when it starts."""

    assignment_id: int
    remind_at: datetime
    starts: datetime


def due_of(org: Organization, rota: Rota, piece: Assignment) -> Due | None:
    """When this piece's reminder is due (None: not timed, or reminders off)."""
    if org.shift_reminder_hours is None or piece.id is None:
        return None
    starts, _ = piece_moments(rota.week, org.timezone, piece)
    if starts is None:
        return None
    return Due(piece.id, starts - timedelta(hours=org.shift_reminder_hours), starts)


@dataclass(frozen=True)
class StillDue:
    piece: Assignment
    rota: Rota
    org: Organization
    task: TaskRow
    member: MemberRow


async def still_due(session: Session, piece_id: int, member_id: int | None = None) -> StillDue | None:
    """The piece with its rota, organization, task and holder, if a reminder still makes sense now:
    the piece exists (not re-published away), is not done, not given back, its holder wants reminders
    (and is `member_id`, when given: the holder it was queued for)."""
    piece = await session.get(Assignment, piece_id)
    if piece is None or piece.done_at is not None or piece.day is None:
        return None
    if member_id is not None and piece.member_id != member_id:
        return None  # swapped away since
    if await claim_queries.open_claim_of(session, piece_id) is not None:
        return None  # given back: whoever claims it is reminded
    rota = await session.get_one(Rota, piece.rota_id)
    org = await session.get_one(Organization, rota.organization_id)
    member = await session.get_one(MemberRow, piece.member_id)
    if rota.published_at is None or not member.active or not member.shift_reminders:
        return None
    task = await session.get_one(TaskRow, piece.task_id)
    return StillDue(piece, rota, org, task, member)


async def queue_if_due(session: Session, piece_id: int, now: datetime) -> bool:
    """In the caller's transaction (a publication, a swap, a claim, the timer): queue the reminder
    to the piece's holder if its time has come and the shift has not begun; True if this queued it."""
    found = await still_due(session, piece_id)
    if found is None:
        return False
    due = due_of(found.org, found.rota, found.piece)
    if due is None or not due.remind_at <= now < due.starts:
        return False
    effect = reminder_of(found, due)
    added = await queue(session, effect, org_id=found.org.id, now=now)
    if added:
        log.info("reminding member %s of shift %s (organization %s)", found.member.id, piece_id, found.org.id)
    return added


def reminder_of(found: StillDue, due: Due) -> RemindShift:
    """The reminder of this shift to its holder (its key: the occurrence, whatever the piece's id)."""
    piece, member = found.piece, found.member
    assert piece.id is not None and piece.day is not None and piece.start is not None and member.id is not None
    assert found.org.id is not None
    return RemindShift(
        piece.id, member.id, piece.day, piece.start, found.org.id, found.rota.week, piece.task_id, utc_stamp(due.starts)
    )


async def still_due_for(session: Session, effect: RemindShift) -> StillDue | None:
    """At delivery: the shift `effect` reminds of, as it stands, if a reminder still makes sense (its
    holder is still `effect.member_id`, at the same time). The piece queued, or (a re-publication
    renewed it) the piece of the same task the member holds at that time in the week's rota."""
    found = await still_due(session, effect.assignment_id, effect.member_id)
    if found is None and effect.week:
        renewed = await queries.piece_at(
            session, effect.org_id, effect.week, effect.task_id, effect.member_id, effect.day, effect.start
        )
        if renewed is not None and renewed.id is not None:
            found = await still_due(session, renewed.id, effect.member_id)
    if found is None or (found.piece.day, found.piece.start) != (effect.day, effect.start):
        return None  # the piece moved since: its new time has its own reminder
    if effect.starts:
        due = due_of(found.org, found.rota, found.piece)
        if due is None or utc_stamp(due.starts) != effect.starts:
            return None  # another moment (the timezone changed): its own reminder, or none
    return found


class ShiftReminders:
    """The timers before the shifts (`Jobs`: the scheduler's one-off timers, where it runs)."""

    def __init__(self, db: Database, outbox: Outbox, clock: Clock, *, jobs: Jobs | None) -> None:
        self.db, self.outbox, self.clock, self.jobs = db, outbox, clock, jobs

    async def rebuild(self) -> list[int]:
        """At start: a timer for every timed piece of a published rota whose shift has not begun;
        returns the pieces whose reminder is due already (the caller fires them)."""
        now = self.clock()
        async with self.db.session() as session:
            found = await queries.upcoming_pieces(session, iso_week((now - timedelta(days=8)).date()))
        overdue = []
        for org, rota, piece in found:
            due = due_of(org, rota, piece)
            if due is None or due.starts <= now:
                continue
            if due.remind_at <= now:
                overdue.append(due.assignment_id)
            else:
                self._schedule(due)
        return overdue

    async def fire_overdue(self, ids: list[int]) -> None:
        for piece_id in ids:
            try:
                await self.fire(piece_id)
            except Exception:
                log.exception("the reminder before shift %s failed", piece_id)

    async def schedule_rota(self, rota_id: int) -> None:
        """After a publication: each timed piece's timer (those due already fire now)."""
        async with self.db.session() as session:
            found = await queries.rota_pieces(session, rota_id)
        await self._schedule_all(found)

    async def reschedule_org(self, org_id: int) -> None:
        """After `/mod org settings shift_reminders:`: the timers of the organization's shifts to come
        (a firing re-reads the setting, so timers left at the old time do nothing wrong)."""
        now = self.clock()
        async with self.db.session() as session:
            found = await queries.upcoming_pieces(session, iso_week((now - timedelta(days=8)).date()), org_id)
        await self._schedule_all(found)

    async def _schedule_all(self, found: list[tuple[Organization, Rota, Assignment]]) -> None:
        now = self.clock()
        for org, rota, piece in found:
            due = due_of(org, rota, piece)
            if due is None or due.starts <= now:
                continue
            if due.remind_at <= now:
                await self.fire(due.assignment_id)
            else:
                self._schedule(due)

    def _schedule(self, due: Due) -> None:
        if self.jobs is not None:
            self.jobs.once(timer_key(due.assignment_id), due.remind_at, self.fire, due.assignment_id)

    async def fire(self, piece_id: int) -> bool:
        """The timer: queue and send the DM to the piece's holder now, once (the outbox key); True
        when this call queued it. Early (a clock moved back), it sets the timer again."""
        now = self.clock()
        async with self.db.transaction(self.outbox) as session:
            found = await still_due(session, piece_id)
            due = due_of(found.org, found.rota, found.piece) if found is not None else None
            if due is not None and now < due.remind_at:
                self._schedule(due)
                return False
            return await queue_if_due(session, piece_id, now)
