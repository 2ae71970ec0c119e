"""One member's week: the published rota, their jobs and why, marking a job done, weekly DMs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bot.domain.errors import BadInput, UserFacingError
from bot.domain.fairness import Fairness, fairness_of, shares
from bot.domain.holdings import why_not_mark
from bot.domain.report import Report
from bot.domain.rota import reason, solver_inputs, total_hours
from bot.domain.solver_ids import member_key, task_key
from bot.domain.weeks import parse_week
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext
from bot.render.chart import balance_chart, distinct
from storage import rotas
from storage.db import Database
from storage.models import MemberRow, Organization, Rota
from storage.rotas import Holding

from .facts import held_facts, in_time_order, org_facts, rota_facts
from .lookups import clip, current_week, require_member, require_org
from .ports import Clock, Held, OrgFacts, RotaFacts, Runner

log = logging.getLogger(__name__)


async def draw_chart(
    runner: Runner, org_id: int, points: Sequence[tuple[str, tuple[float, float, float]]], title: str,
    highlight: str | None = None, language: str = SOURCE_LANGUAGE,
) -> bytes | None:  # fmt: skip
    """The balance chart, or None if it cannot be drawn: the chart only illustrates, so whatever
    breaks it (a name matplotlib chokes on, a worker that died) never holds back a post or a reply.
    The failure is logged once, with the organization."""
    try:
        return await runner.run(balance_chart, points, title, highlight, language, owner=org_id)
    except Exception:
        log.exception("the balance chart of organization %s (%s) could not be drawn; sent without it", org_id, title)
        return None


@dataclass(frozen=True)
class PublishedRota:
    org: OrgFacts
    rota: RotaFacts
    report: Report
    held: list[Held]


@dataclass(frozen=True)
class MyWeek:
    org: Organization
    member: MemberRow
    rota: Rota | None  # this week's rota, once published
    mine: list[Holding]
    timed_week: bool = False  # the week's rota has work at set times (anyone's): flexible work says so

    def holding(self, task_name: str) -> Holding:
        """The member's piece of this task this week."""
        wanted = task_name.strip().lower()
        found = next((h for h in self.mine if h.task.name.lower() == wanted), None)
        if found is None:
            raise BadInput(
                lazy_gettext("You hold no `{task}` this week. `/myjobs` lists yours.", task=clip(task_name, 100))
            )
        return found


@dataclass(frozen=True)
class JobLine:
    task: str
    hours: float
    done: bool
    why: str  # the balancing's reason, or ""
    description: str | None = None  # what the task involves
    starts: datetime | None = None  # a shift at a set time (UTC); None: flexible work
    ends: datetime | None = None


@dataclass(frozen=True)
class MyJobs:
    week: str
    lines: list[JobLine]
    member_hours: float
    fairness: Fairness | None = None  # the week against their fair share (None: not in the week's report)
    shares: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)  # the chart's rows
    me: str = ""  # the member's row in the chart
    org_name: str = ""
    org_id: int = 0
    language: str = SOURCE_LANGUAGE  # the language it was worded in (the reader's)
    timed_week: bool = False  # the week has shifts (anyone's): flexible work reads "this week, any time"

    @property
    def total(self) -> Decimal:
        return total_hours(line.hours for line in self.lines)


async def published_rota(db: Database, clock: Clock, guild_id: int | None, week: str | None) -> PublishedRota:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        wanted = parse_week(week) if week else current_week(org, clock())
        stored = await rotas.rota_for(session, org.id, wanted)
        if stored is None or stored.published_at is None:
            raise BadInput(lazy_gettext("There is no published rota for week {week} yet.", week=wanted))
        held = await rotas.holdings(session, stored.id)
    return PublishedRota(
        org_facts(org), rota_facts(stored), Report.from_json(stored.report), held_facts(held, stored.week, org.timezone)
    )


async def my_week(db: Database, clock: Clock, guild_id: int | None, user_id: int, week: str | None = None) -> MyWeek:
    """The member's pieces of this week's rota (or of `week`'s, e.g. the week of a post's button)."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        stored = await rotas.rota_for(session, org.id, week or current_week(org, clock()))
        published = stored if stored is not None and stored.published_at is not None else None
        held = await rotas.holdings(session, published.id) if published else []
    timed = any(h.assignment.day is not None for h in held)
    return MyWeek(org, member, published, [h for h in held if h.member.id == member.id], timed)


async def my_task_names(db: Database, clock: Clock, guild_id: int | None, user_id: int, typed: str) -> list[str]:
    """The tasks the member holds this week whose name contains what they typed (for autocomplete)."""
    try:
        week = await my_week(db, clock, guild_id, user_id)
    except UserFacingError:
        return []
    needle = typed.strip().lower()
    return sorted({h.task.name for h in week.mine if needle in h.task.name.lower()})[:25]


async def my_jobs(
    db: Database,
    clock: Clock,
    guild_id: int | None,
    user_id: int,
    week_of: str | None = None,
    language: str = SOURCE_LANGUAGE,
) -> MyJobs | None:
    """The member's jobs this week (or in `week_of`) with a line on why where the balancing explains
    it (in `language`); None if they have none. Reads only what the past weeks carry: nothing heavy runs
    on the event loop."""
    week = await my_week(db, clock, guild_id, user_id, week_of)
    if week.rota is None:
        raise BadInput(
            lazy_gettext("This week's rota is not out yet.")
            if week_of is None
            else lazy_gettext("The rota for {week} is not out.", week=week_of)
        )
    if not week.mine:
        return None
    async with db.session() as session:
        inputs = await rotas.week_inputs(session, week.org.id, week.rota.week)
    solver = solver_inputs(week.rota.week, inputs.tasks, inputs.members, inputs.history)
    solver_tasks = {t.name: t for t in solver.tasks}
    past_ratio = solver.past_ratios().get(week.member.id)
    lines = []
    load = [0.0, 0.0, 0.0]
    for item in in_time_order(held_facts(week.mine, week.rota.week, week.org.timezone)):
        task = solver_tasks.get(task_key(item.task.id))
        if task is not None:
            load = [lo + item.assignment.hours * b for lo, b in zip(load, task.burden_per_hour(), strict=True)]
        why = reason(task, past_ratio, solver.tasks, language) if task else ""
        piece = item.assignment
        done = piece.done_at is not None
        lines.append(JobLine(item.task.name, piece.hours, done, why, item.task.description, piece.starts, piece.ends))
    key = member_key(week.member.id)
    report = Report.from_json(week.rota.report)
    fairness = fairness_of(report, key)
    if fairness is not None:  # what they hold now (after swaps), against the week's fair share
        fairness = fairness.holding((float(total_hours(i.assignment.hours for i in week.mine)), load[1], load[2]))
    names = distinct({member_key(m.id): m.name for m in inputs.members})
    chart = [(names[k], ratios) for k, ratios in shares(report) if k in names]
    return MyJobs(
        week.rota.week,
        lines,
        week.member.hours,
        fairness,
        chart,
        names.get(key, ""),
        week.org.name,
        week.org.id,
        language,
        week.timed_week,
    )


async def my_chart(runner: Runner, jobs: MyJobs) -> bytes | None:
    """The week's balance chart with the member's own row marked, drawn in a worker; None when the
    week's report has no fair shares (stored before they were kept)."""
    if not jobs.shares or not jobs.me:
        return None
    title = gettext(jobs.language, "{org}: week {week}", org=jobs.org_name, week=jobs.week)
    return await draw_chart(runner, jobs.org_id, jobs.shares, title, jobs.me, jobs.language)


def check_markable(org: Organization, week: str, now: datetime, *, moderator: bool = False) -> None:
    """Only this week's and last week's work is marked done by members (`bot.domain.holdings.why_not_mark`); a
    moderator may correct any week (audited by `mark_done`)."""
    why_not = why_not_mark(week, current_week(org, now))
    if why_not is not None and not moderator:
        raise BadInput(why_not)


async def set_notify(db: Database, guild_id: int | None, user_id: int, on: bool, about: str = "everything") -> None:
    """`/notify`: the weekly jobs DM (off unless asked), the mid-week reminder (on unless refused), or both."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        if about in ("everything", "weekly jobs"):
            member.notify = on
        if about in ("everything", "reminders"):
            member.reminders = on
        if about in ("everything", "shifts"):
            member.shift_reminders = on


async def rota_week(db: Database, guild_id: int | None, rota_id: int) -> str:
    """The week of a rota post (its buttons carry the rota's id), if it is this server's organization's."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        stored = await session.get(Rota, rota_id)
        if stored is None or stored.organization_id not in await rotas.lineage(session, org.id):
            raise BadInput(
                lazy_gettext("This rota post is no longer current here. `/myjobs` shows your jobs this week.")
            )
        return stored.week


async def open_tasks(
    db: Database,
    clock: Clock,
    guild_id: int | None,
    user_id: int,
    week: str | None = None,
    *,
    to_mark: bool = False,
    moderator: bool = False,
) -> list[Holding]:
    """The member's pieces of the week not yet marked done (what Done… and Can't do… offer); with
    `to_mark`, refused for a week that can no longer be marked (`check_markable`)."""
    mine = await my_week(db, clock, guild_id, user_id, week)
    if mine.rota is None:
        raise BadInput(lazy_gettext("That week's rota is not out yet."))
    if to_mark:
        check_markable(mine.org, mine.rota.week, clock(), moderator=moderator)
    return [h for h in mine.mine if h.assignment.done_at is None]
