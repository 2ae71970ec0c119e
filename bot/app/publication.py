"""Publishing a week's rota: solve it in a worker, store it once, post it to every server of the
organization once, move the tasks' roles, and DM the members who asked. Also the preview and the
scheduled trigger.

Safe against crashes and overlapping triggers: the rota row is unique per organization and week, a
post row records each server's message, and a post sent just before a crash is found again by the
marker in its footer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.chart import balance_chart
from bot.errors import BadInput
from bot.report import Report
from bot.rota import RotaPiece, SolvedWeek, iso_week, solve_week, week_days, week_published_at
from bot.schedule import Schedule, last_due, zone
from bot.solver import ProblemError
from bot.solver_ids import member_key, task_key
from storage import orgs, rotas
from storage.db import Database
from storage.models import Assignment, Organization, Rota, utcnow
from storage.rotas import Holding

from .lookups import require_org
from .ports import Channel, Clock, RoleMove, RotaEffects, RotaPostContent, Runner

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
class ThisWeek:
    org: Organization
    week: str
    published_at: datetime | None


@dataclass(frozen=True)
class Preview:
    org: Organization
    week: str
    report: Report
    held: list[Holding]  # unsaved assignments, for showing


def marker(rota: Rota) -> str:
    return MARKER.format(week=rota.week, rota_id=rota.id)


def chart_points(report: Report, names: dict[str, str]) -> list[tuple[str, float, float]]:
    """(name, average desirability, average empowerment) of each member with work."""
    return [
        (names.get(m.member, m.member), m.average_desirability, m.average_empowerment)
        for m in report.members
        if m.average_desirability is not None and m.average_empowerment is not None
    ]


def by_member(held: Sequence[Holding]) -> dict[int, list[Holding]]:
    grouped: dict[int, list[Holding]] = defaultdict(list)
    for item in held:
        grouped[item.member.id].append(item)
    return grouped


class Publication:
    def __init__(
        self, db: Database, effects: RotaEffects, runner: Runner, clock: Clock, *, solver_time_limit: float
    ) -> None:
        self.db, self.effects, self.runner, self.clock = db, effects, runner, clock
        self.solver_time_limit = solver_time_limit
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)  # one publication per organization

    def current_week(self, org: Organization) -> str:
        return iso_week(self.clock().astimezone(zone(org.timezone)).date())

    def next_week(self, org: Organization) -> str:
        return iso_week(self.clock().astimezone(zone(org.timezone)).date() + timedelta(days=7))

    async def schedules(self, org_id: int | None = None) -> list[Schedule]:
        async with self.db.session() as session:
            return await orgs.schedules(session, org_id)

    async def publish_due(self, org_id: int) -> Published | None:
        """Publish the week whose scheduled time is the latest one now due, unless it is out already."""
        schedules = await self.schedules(org_id)
        if not schedules:  # archived by a merge
            return None
        due = last_due(schedules[0], self.clock())
        if due is None:
            return None
        return await self.publish(org_id, week_published_at(due.astimezone(zone(schedules[0].timezone))))

    async def plan_week(self, org_id: int, week: str) -> PlannedWeek:
        """Solve the week in a worker process (the event loop keeps serving meanwhile)."""
        async with self.db.session() as session:
            inputs = await rotas.week_inputs(session, org_id, week)
        if not inputs.tasks:
            raise BadInput("There are no tasks yet: add some with `/mod task add` or `/mod task import`.")
        if not any(m.hours > 0 for m in inputs.members):
            raise BadInput("Nobody is in the rota yet (or everyone is away): members join with `/join`.")
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
            )
        except ProblemError as error:
            detail = str(error)
            if error.task is not None:  # the solver knows tasks by key: name the task as people do
                task = inputs.tasks[error.task]
                detail = detail.replace(repr(task_key(task.id)), repr(task.name))
            raise BadInput(
                f"I can't build the rota: {detail}. Fix the task (`/mod task edit`) or the members "
                "(`/mod member qualify`, `/join`)."
            ) from None
        return PlannedWeek(week, Report.from_plan(solved.plan, solved.flagged), solved.pieces())

    async def this_week(self, guild_id: int | None) -> ThisWeek:
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
            week = self.current_week(org)
            stored = await rotas.rota_for(session, org.id, week)
        return ThisWeek(org, week, stored.published_at if stored else None)

    async def publish_now(self, org_id: int, week: str, moderator_id: int) -> Published:
        """A moderator's `/mod rota publish`: the publication, written to the audit log."""
        published = await self.publish(org_id, week)
        async with self.db.transaction() as session:
            orgs.audit(session, org_id, moderator_id, "rota.publish", week)
        return published

    async def preview(self, guild_id: int | None) -> Preview:
        """Next week's rota as it would be published now; nothing is stored or posted."""
        async with self.db.session() as session:
            org = await require_org(session, guild_id)
        org_id = org.id
        planned = await self.plan_week(org_id, self.next_week(org))
        async with self.db.session() as session:
            tasks, members = await rotas.tasks_and_members(session, org_id)
        held = [
            Holding(
                Assignment(
                    rota_id=0, task_id=p.task_id, member_id=p.member_id, assigned_member_id=p.member_id, hours=p.hours
                ),
                tasks[p.task_id],
                members[p.member_id],
            )
            for p in planned.pieces
        ]
        return Preview(org, planned.week, planned.report, held)

    async def publish(self, org_id: int, week: str, *, replace: bool = False) -> Published:
        """Store the week's rota once, then post it to every server of the organization once.

        Safe to call again at any point: a stored rota is reused, a post already sent is found (by
        its id, or by its footer in the channel when the bot died between sending and recording).
        """
        async with self.locks[org_id]:
            async with self.db.session() as session:
                rota = await rotas.rota_for(session, org_id, week)
            created = False
            if rota is None or replace:
                planned = await self.plan_week(org_id, week)
                async with self.db.transaction() as session:
                    if rota is None:
                        rota = await rotas.store_rota(session, org_id, week, planned.report, planned.pieces)
                        created = rota is not None
                    else:
                        rota = await rotas.replace_rota(session, rota.id, planned.report, planned.pieces)
                        created = True
                if rota is None:  # another process stored it between our check and our insert
                    async with self.db.session() as session:
                        rota = await rotas.rota_for(session, org_id, week)
                    assert rota is not None
            posted = await self._post_everywhere(org_id, rota, replace=replace)
            return Published(rota, created, posted)

    async def _post_everywhere(self, org_id: int, rota: Rota, *, replace: bool) -> int:
        async with self.db.session() as session:
            org = await session.get_one(Organization, org_id)
            servers = await orgs.servers_of(session, org_id)
            held = await rotas.holdings(session, rota.id)
        first_time = rota.published_at is None
        notes = await self._move_roles(org_id, rota, held, [s.guild_id for s in servers]) if first_time else []
        report = Report.from_json(rota.report)
        names = {member_key(h.member.id): h.member.display_name for h in held}
        chart = await self.runner.run(
            balance_chart, chart_points(report, names), report.average, f"{org.name}: week {rota.week}"
        )
        content = RotaPostContent(org, rota, report, held, notes, chart, marker(rota))
        posted = 0
        for server in servers:
            posted += await self._post_to(Channel(server.guild_id, server.channel_id), content, replace=replace)
        if first_time:
            async with self.db.transaction() as session:
                await rotas.mark_published(session, rota.id)
            await self._notify_members(org, rota, held)
        return posted

    async def _post_to(self, channel: Channel, content: RotaPostContent, *, replace: bool) -> int:
        """Post on one server unless its post is recorded (or, after a crash, found); returns 1 if sent."""
        rota = content.rota
        async with self.db.transaction() as session:
            post = await rotas.post_for(session, rota.id, channel.guild_id, channel.channel_id)
            if replace and post.message_id:
                await self.effects.delete_post(Channel(channel.guild_id, post.channel_id), post.message_id)
                post.message_id = None
        if post.message_id and not replace:
            return 0
        target = Channel(channel.guild_id, post.channel_id)
        message_id = None if replace else await self.effects.find_post(target, content.marker)
        posted = 0
        if message_id is None:
            message_id = await self.effects.send_post(target, content)
            posted = 1
        async with self.db.transaction() as session:
            post = await rotas.post_for(session, rota.id, channel.guild_id, channel.channel_id)
            post.message_id, post.posted_at = message_id, utcnow()
            post.notes = "\n".join(content.notes)[:1000]
        return posted

    async def _move_roles(self, org_id: int, rota: Rota, held: list[Holding], guild_ids: list[int]) -> list[str]:
        """Give each task's role to this week's holders and take it from last week's others."""
        role_tasks = {h.task.id: h.task for h in held if h.task.role_id}
        if not role_tasks:
            return []
        async with self.db.session() as session:
            previous = await rotas.rota_for(session, org_id, iso_week(week_days(rota.week)[0] - timedelta(days=7)))
            before = await rotas.holdings(session, previous.id) if previous else []
        problems = set()
        for task in role_tasks.values():
            role_id = task.role_id
            assert role_id is not None
            now_users = {h.member.user_id for h in held if h.task.id == task.id}
            before_users = {h.member.user_id for h in before if h.task.id == task.id} - now_users
            moves = [(u, True) for u in now_users] + [(u, False) for u in before_users]
            for guild_id in guild_ids:
                if not self.effects.has_role(guild_id, role_id):
                    continue
                for user_id, add in moves:
                    moved = await self.effects.move_role(
                        guild_id, user_id, role_id, add=add, reason=f"rota {rota.week}"
                    )
                    if moved is RoleMove.FORBIDDEN:
                        problems.add(
                            f"⚠️ I could not move the <@&{role_id}> role: I need **Manage Roles** and a role above it."
                        )
        return sorted(problems)

    async def _notify_members(self, org: Organization, rota: Rota, held: list[Holding]) -> None:
        for items in by_member(held).values():
            member = items[0].member
            if member.notify and not await self.effects.send_jobs(member.user_id, org, rota.week, items):
                log.info("could not DM member %s (DMs closed?)", member.user_id)
