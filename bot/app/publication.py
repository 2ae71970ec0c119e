"""Publishing a week's rota: solve it in a worker, store it once and, in the same transaction, queue
what it does in Discord (a post on every server of the organization, the tasks' roles, DMs to the
members who asked) for the outbox to deliver. Also the preview and the scheduled trigger.

Safe against crashes and overlapping triggers: the rota row is unique per organization and week,
its effects are queued with it (or not at all), and the outbox delivers each once (a post sent just
before a crash is found again by the marker in its footer).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.domain.errors import BadInput
from bot.domain.report import Report
from bot.domain.rota import MemberInfo, RotaPiece, SolvedWeek, TaskInfo, solve_week
from bot.domain.schedule import Schedule, last_due, zone
from bot.domain.solver import ProblemError
from bot.domain.solver.timed import text_in
from bot.domain.solver_ids import member_key, task_key
from bot.domain.weeks import iso_week, target_week, week_days, week_published_at
from bot.i18n import lazy_gettext, worded
from storage import orgs, outbox, rotas
from storage.db import Database, Session
from storage.models import Assignment, MemberRow, Organization, Rota
from storage.rotas import Holding

from . import audit
from .effects import Effect, Outbox, delivered, queue
from .facts import held_facts, org_facts
from .lookups import require_org
from .ports import Clock, Held, OrgFacts, RotaFacts, Runner

if TYPE_CHECKING:
    from .shift_reminders import ShiftReminders

log = logging.getLogger(__name__)

MARKER = "parecon-rota · {week} · rota #{rota_id}"
WORKER_STARTUP = 120.0  # seconds a worker may need to start and import the solver, on top of the budget


@dataclass(frozen=True)
class Published:
    rota: Rota
    created: bool  # this call stored the rota (rather than finding it)
    posted: int  # messages sent by this call


@dataclass(frozen=True)
class PlannedWeek:
    """A solved week, not yet stored."""

    week: str
    report: Report
    pieces: list[RotaPiece]


@dataclass(frozen=True)
class Target:
    """The week a moderator's publish or preview is about (`bot.domain.weeks.target_week`), and whether it
    is out already."""

    org: Organization
    week: str
    published_at: datetime | None


@dataclass(frozen=True)
class Preview:
    org: OrgFacts
    week: str
    report: Report
    held: list[Held]  # unsaved assignments, for showing


def people_words(detail: str, tasks: Sequence[TaskInfo], members: Sequence[MemberInfo]) -> str:
    """The solver's message with tasks and members named as people know them (it knows them by key)."""
    task_names = {task_key(t.id): t.name for t in tasks}
    member_names = {member_key(m.id): m.name for m in members}
    detail = re.sub(r"'(t\d+)'", lambda m: repr(task_names.get(m.group(1), m.group(1))), detail)
    return re.sub(r"\b(m\d+)\b", lambda m: member_names.get(m.group(1), m.group(1)), detail)


def marker(rota: Rota | RotaFacts) -> str:
    return MARKER.format(week=rota.week, rota_id=rota.id)


def subject(rota: Rota) -> str:
    return f"rota:{rota.id}"


# -- what a publication does in Discord (carried out by `bot.app.publication_effects`) ----------------


@dataclass(frozen=True)
class DeletePost(Effect):
    """A re-publication: the replaced rota's post goes (before the new one is posted)."""

    kind = "rota.delete"
    guild_id: int
    channel_id: int
    message_id: int
    rota_id: int = 0  # only in the key (rows written before it was stored lack it)

    def key(self) -> str:
        return f"rota:{self.rota_id}:delete:{self.message_id}"

    def subject(self) -> str:
        return f"rota:{self.rota_id}"


@dataclass(frozen=True)
class MoveRole(Effect):
    """A task's role given to this week's holder, or taken from last week's."""

    kind = "role"
    guild_id: int
    user_id: int
    role_id: int
    add: bool
    reason: str
    rota_id: int = 0  # only in the key and the subject (rows written before they were stored lack them)
    revision: int = 1

    def key(self) -> str:
        move = "add" if self.add else "remove"
        return f"rota:{self.rota_id}:v{self.revision}:role:{self.guild_id}:{self.role_id}:{self.user_id}:{move}"

    def subject(self) -> str:
        return f"rota:{self.rota_id}"


@dataclass(frozen=True)
class PostRota(Effect):
    """The rota post on one server; after the role moves, so that one refused shows on the post."""

    kind = "rota.post"
    after = ("rota.delete", "role")
    rota_id: int
    guild_id: int
    channel_id: int
    marker: str  # in the footer (a re-publication's marker names its revision)
    revision: int = 1  # only in the key (rows written before it was stored lack it)

    def key(self) -> str:
        return f"rota:{self.rota_id}:v{self.revision}:post:{self.guild_id}"

    def subject(self) -> str:
        return f"rota:{self.rota_id}"


@dataclass(frozen=True)
class SendJobs(Effect):
    """A member's jobs of the week by DM (to those who asked), once the post is out."""

    kind = "dm"
    after = ("rota.post",)
    rota_id: int
    member_id: int

    def key(self) -> str:
        return f"rota:{self.rota_id}:dm:{self.member_id}"

    def subject(self) -> str:
        return f"rota:{self.rota_id}"


@dataclass(frozen=True)
class TellChanged(Effect):
    """A re-publication changed a member's work of the week: they hear what it is now (or that they
    have none left), by DM, once the new post is out; only those who asked for DMs."""

    kind = "rota.changed"
    after = ("rota.post",)
    rota_id: int
    member_id: int
    revision: int

    def key(self) -> str:
        return f"rota:{self.rota_id}:v{self.revision}:changed:{self.member_id}"

    def subject(self) -> str:
        return f"rota:{self.rota_id}"


class HasMember(Protocol):
    @property
    def member(self) -> Any: ...


H = TypeVar("H", bound=HasMember)


def by_member(held: Sequence[H]) -> dict[int, list[H]]:
    """Pieces (stored or shown) grouped by member, in order."""
    grouped: dict[int, list[H]] = defaultdict(list)
    for item in held:
        grouped[item.member.id].append(item)
    return grouped


def changed_members(before: Sequence[Holding], after: Sequence[Holding]) -> list[MemberRow]:
    """The members whose work in the week differs between two versions of its rota (a task, its
    hours or its time), in a stable order."""

    def signatures(held: Sequence[Holding]) -> dict[int, list[tuple[object, ...]]]:
        found: dict[int, list[tuple[object, ...]]] = defaultdict(list)
        for item in held:
            piece = item.assignment
            found[item.member.id].append((piece.task_id, piece.hours, piece.day, piece.start, piece.end))
        return {member: sorted(items, key=repr) for member, items in found.items()}

    old, new = signatures(before), signatures(after)
    rows = {item.member.id: item.member for item in [*after, *before]}
    return [rows[m] for m in sorted(rows) if old.get(m, []) != new.get(m, [])]


class Publication:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        runner: Runner,
        clock: Clock,
        *,
        solver_time_limit: float,
        shift_reminders: ShiftReminders | None = None,
    ) -> None:
        self.db, self.outbox, self.runner, self.clock = db, outbox, runner, clock
        self.solver_time_limit = solver_time_limit
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)  # one publication per organization
        self.on_published: Callable[[int], None] | None = None  # e.g. rewrite the public report (not awaited)
        self.shift_reminders = shift_reminders  # the timers before the week's shifts

    async def schedules(self, org_id: int | None = None) -> list[Schedule]:
        async with self.db.session() as session:
            return await orgs.schedules(session, org_id)

    async def publish_due(self, org_id: int, why: str = "scheduled") -> Published | None:
        """Publish the week whose scheduled time is the latest one now due, unless it is out already."""
        schedules = await self.schedules(org_id)
        if not schedules:  # archived by a merge
            return None
        due = last_due(schedules[0], self.clock())
        if due is None:
            return None
        week = week_published_at(due.astimezone(zone(schedules[0].timezone)))
        return await self.publish(org_id, week, why=why)

    async def plan_week(self, org_id: int, week: str) -> PlannedWeek:
        """Solve the week in a worker process (the event loop keeps serving meanwhile)."""
        async with self.db.session() as session:
            inputs = await rotas.week_inputs(session, org_id, week)
        if not inputs.tasks:
            raise BadInput(lazy_gettext("There are no tasks yet: add some with `/mod task add` or `/mod task import`."))
        if not any(m.hours > 0 for m in inputs.members):
            raise BadInput(lazy_gettext("Nobody is in the rota yet (or everyone is away): members join with `/join`."))
        try:
            solved: SolvedWeek = await self.runner.run(
                solve_week,
                week,
                inputs.tasks,
                inputs.members,
                inputs.history,
                self.solver_time_limit,
                0,  # the seed
                inputs.granularity,
                timeout=self.solver_time_limit + WORKER_STARTUP,
                owner=org_id,
            )
        except ProblemError as error:
            problems = getattr(error, "problems", None) or (str(error),)
            detail = worded(
                lambda language: people_words(
                    "; ".join(text_in(problem, language) for problem in problems), inputs.tasks, inputs.members
                )
            )
            raise BadInput(
                lazy_gettext(
                    "I can't build the rota: {detail}. Fix the task (`/mod task edit`) or the members "
                    "(`/mod member qualify`, `/mod member availability`, `/join`).",
                    detail=detail,
                )
            ) from None
        return PlannedWeek(week, Report.from_plan(solved.plan, solved.flagged, solved.past), solved.pieces())

    async def target(self, guild_id: int | None, week: str | None = None) -> Target:
        """Which week `/mod rota publish|preview [week]` means (the same rule as the scheduler's when
        no week is given), and when it was published, if it was."""
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            wanted = target_week(week, self.clock(), org.timezone)
            stored = await rotas.rota_for(session, org.id, wanted)
        return Target(org, wanted, stored.published_at if stored else None)

    async def publish_now(
        self, org_id: int, week: str, moderator_id: int, guild_id: int | None = None, *, replace: bool = False
    ) -> Published:
        """A moderator's `/mod rota publish` (or its re-publication): written to the audit log with
        the server it came from."""
        published = await self.publish(org_id, week, replace=replace, why=f"by hand, moderator {moderator_id}")
        async with self.db.transaction() as session:
            action = "rota.republish" if replace else "rota.publish"
            await audit.record(session, org_id, moderator_id, action, week, guild_id=guild_id)
        return published

    async def preview(self, guild_id: int | None, week: str | None = None) -> Preview:
        """The week's rota as it would be published now (the week `target` names); nothing is stored
        or posted."""
        target = await self.target(guild_id, week)
        org, org_id = target.org, target.org.id
        planned = await self.plan_week(org_id, target.week)
        async with self.db.session() as session:
            tasks, members = await rotas.tasks_and_members(session, org_id)
        held = [
            Holding(
                Assignment(
                    rota_id=0,
                    task_id=p.task_id,
                    member_id=p.member_id,
                    assigned_member_id=p.member_id,
                    hours=p.hours,
                    day=p.day,
                    start=p.start,
                    end=p.end,
                ),
                tasks[p.task_id],
                members[p.member_id],
            )
            for p in planned.pieces
        ]
        return Preview(org_facts(org), planned.week, planned.report, held_facts(held, planned.week, org.timezone))

    async def publish(self, org_id: int, week: str, *, replace: bool = False, why: str = "by hand") -> Published:
        """Store the week's rota once and queue what it does in Discord in the same transaction (a
        post on every server, the role moves, the DMs); the outbox delivers them once it commits.

        Safe to call again at any point: a stored rota is reused, effects already queued are not
        queued again, and the dispatcher finds a post sent just before a crash by its footer.
        """
        async with self.locks[org_id]:
            async with self.db.session() as session:
                rota = await rotas.rota_for(session, org_id, week)
            created = False
            sent: list[Session] = []  # the transactions that queued effects: what they delivered
            if rota is None or replace:
                planned = await self.plan_week(org_id, week)
                async with self.db.transaction(self.outbox) as session:
                    sent.append(session)
                    if rota is None:
                        rota = await rotas.store_rota(session, org_id, week, planned.report, planned.pieces)
                        created = rota is not None
                        if rota is not None:
                            await self._queue(session, org_id, rota, replaced=None)
                    else:
                        replaced = await rotas.holdings(session, rota.id)
                        rota = await rotas.replace_rota(session, rota.id, planned.report, planned.pieces)
                        created = True
                        await self._queue(session, org_id, rota, replaced=replaced)
                    if created:  # said as it commits, before its effects are delivered
                        what = "re-published" if replace else "published"
                        log.info("%s the rota of organization %s for week %s (%s)", what, org_id, week, why)
                if rota is None:  # another process stored it between our check and our insert
                    async with self.db.session() as session:
                        rota = await rotas.rota_for(session, org_id, week)
                    assert rota is not None
            elif rota.published_at is None:  # stored by a version without the outbox: queue it now
                async with self.db.transaction(self.outbox) as session:
                    sent.append(session)
                    await self._queue(session, org_id, rota, replaced=None)
            if created and self.on_published is not None:
                self.on_published(org_id)
            if created and self.shift_reminders is not None:  # the timers before the week's shifts
                await self.shift_reminders.schedule_rota(rota.id)
            posted = sum(1 for s in sent for d in delivered(s) if d.kind == PostRota.kind and d.sent)
            return Published(rota, created, posted)

    async def _queue(self, session: Session, org_id: int, rota: Rota, *, replaced: list[Holding] | None) -> None:
        """Mark the rota published and queue its effects, in the caller's transaction. `replaced`:
        the holdings of the rota this one replaces (None for a first publication)."""
        if not await rotas.claim_publication(session, rota.id):
            return  # queued already (by another process)
        now = self.clock()
        servers = await orgs.servers_of(session, org_id)
        held = await rotas.holdings(session, rota.id)
        about = subject(rota)
        earlier = await outbox.of_subject(session, about, "rota.post")
        revision = len(earlier) + 1
        for effect in earlier:  # a replaced rota's post not sent yet never will be
            if effect.status == "pending":
                outbox.skip(effect, "replaced by a newer publication")
        for post in await rotas.posts(session, rota.id):
            if post.message_id:
                gone = DeletePost(post.guild_id, post.channel_id, post.message_id, rota.id)
                await queue(session, gone, org_id=org_id, now=now)
                post.message_id = None
        for user_id, role_id, add in await self._role_moves(session, org_id, rota, held, replaced or []):
            for server in servers:
                move = MoveRole(server.guild_id, user_id, role_id, add, f"rota {rota.week}", rota.id, revision)
                await queue(session, move, org_id=org_id, now=now)
        footer = marker(rota) + (f" · v{revision}" if revision > 1 else "")
        for server in servers:
            posting = PostRota(rota.id, server.guild_id, server.channel_id, footer, revision)
            await queue(session, posting, org_id=org_id, now=now)
        if replaced is not None:  # a re-publication: those who asked for DMs hear what changed for them
            for member in changed_members(replaced, held):
                if member.notify and member.active:
                    assert member.id is not None
                    await queue(session, TellChanged(rota.id, member.id, revision), org_id=org_id, now=now)
        if replaced is None:  # members hear of their week once
            for items in by_member(held).values():
                member = items[0].member
                if member.notify:
                    await queue(session, SendJobs(rota.id, member.id), org_id=org_id, now=now)

    async def _role_moves(
        self, session: Session, org_id: int, rota: Rota, held: list[Holding], replaced: list[Holding]
    ) -> list[tuple[int, int, bool]]:
        """(user, role, add) for each task with a role: this week's holders get it; last week's and
        those of the rota being replaced lose it unless they hold the task now."""
        role_tasks = {h.task.id: h.task.role_id for h in held if h.task.role_id}
        if not role_tasks:
            return []
        previous = await rotas.rota_for(session, org_id, iso_week(week_days(rota.week)[0] - timedelta(days=7)))
        before = [*(await rotas.holdings(session, previous.id) if previous else []), *replaced]
        moves = []
        for task_id, role_id in role_tasks.items():
            now_users = {h.member.user_id for h in held if h.task.id == task_id}
            before_users = {h.member.user_id for h in before if h.task.id == task_id} - now_users
            moves += [(u, role_id, True) for u in sorted(now_users)]
            moves += [(u, role_id, False) for u in sorted(before_users)]
        return moves
