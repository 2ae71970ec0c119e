"""The organization on a server: setting it up, its settings, goals and audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from bot.domain import ledger as ledger_rules
from bot.domain import organizations as rules
from bot.domain.errors import BadInput
from bot.domain.first_week import OrgFacts, Step, first_week_steps
from bot.domain.ratings import MIN_RATINGS
from bot.domain.solver.model import hours_text
from bot.i18n import lazy_gettext
from storage import orgs, ratings, rotas, tasks
from storage.db import Database
from storage.models import AuditEntry, Goal, Organization, utcnow

from . import audit
from .effects import GivenUp, given_up
from .languages import check_language
from .lookups import require_org

AUDIT_MAX = 100  # entries `/mod audit` lists at most
HOUR_SETTINGS = {"default_hours", "granularity"}  # printed exactly, as hours


@dataclass(frozen=True)
class OrgInfo:
    org: Organization
    channel_id: int
    goals: list[Goal]
    members: int


@dataclass(frozen=True)
class SetUp:
    org: Organization
    created: bool


@dataclass(frozen=True)
class Schedule:
    """What `/mod org setup` was given (checked); None keeps the current value."""

    channel_id: int
    name: str | None = None
    timezone: str | None = None
    day: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class SettingsShown:
    org: Organization
    changed: bool
    recent: list[AuditEntry]
    failed: list[GivenUp]  # Discord effects given up on (a deleted channel, a missing permission)
    moderator_role_id: int | None = None  # this server's, mentioned when nobody claims a task given back


@dataclass(frozen=True)
class FirstWeek:
    org: Organization
    channel_id: int
    steps: list[Step]  # empty once a week is out: nothing left to guide


async def first_week(
    db: Database, guild_id: int | None, can_post: Callable[[int], bool], language: str = "en"
) -> FirstWeek:
    """What the server's organization still lacks before its first publication (`can_post`: whether
    the bot may post in a channel, which only Discord knows)."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        server = await orgs.server(session, guild_id or 0)
        assert server is not None
        if await rotas.any_published(session, org.id):
            return FirstWeek(org, server.channel_id, [])
        current = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
        facts = OrgFacts(
            tasks=len(current),
            members=await orgs.active_member_count(session, org.id),
            unrated_tasks=[t.name for t in current if len(by_task.get(t.id, [])) < MIN_RATINGS],
            can_post=can_post(server.channel_id),
            published=False,
        )
        return FirstWeek(org, server.channel_id, first_week_steps(facts, language))


async def org_info(db: Database, guild_id: int | None) -> OrgInfo:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        server = await orgs.server(session, guild_id or 0)
        assert server is not None
        return OrgInfo(
            org, server.channel_id, await orgs.goals(session, org.id), await orgs.active_member_count(session, org.id)
        )


async def set_up(
    db: Database, guild_id: int, guild_name: str, moderator_id: int, wanted: Schedule, now: datetime | None = None
) -> SetUp:
    """Create the server's organization, or update its name, channel and schedule (`now`: when the
    schedule takes effect; runs before it are never caught up)."""
    now = now or utcnow()
    tz = rules.check_timezone(wanted.timezone) if wanted.timezone else None
    weekday = rules.parse_day(wanted.day) if wanted.day else None
    at = rules.parse_clock(wanted.at) if wanted.at else None
    clean_name = rules.check_name(wanted.name, "organization name") if wanted.name else None
    async with db.transaction() as session:
        org = await orgs.org_for_guild(session, guild_id)
        created = org is None
        if org is None:
            org = await orgs.create_org(
                session,
                guild_id=guild_id,
                channel_id=wanted.channel_id,
                name=clean_name or rules.check_name(guild_name, "organization name"),
                timezone=tz or "UTC",
                day=0 if weekday is None else weekday,
                at=at or time(9, 0),
                merge_code=rules.new_merge_code(),
                now=now,
            )
        else:
            server = await orgs.server(session, guild_id)
            assert server is not None
            server.channel_id = wanted.channel_id
            org.name = clean_name or org.name
            before = (org.timezone, org.publish_day, org.publish_time)
            org.timezone = tz or org.timezone
            org.publish_day = org.publish_day if weekday is None else weekday
            org.publish_time = at or org.publish_time
            if (org.timezone, org.publish_day, org.publish_time) != before:
                org.schedule_since = now  # runs before now were not scheduled by this schedule
        await audit.record(
            session,
            org.id,
            moderator_id,
            "org.create" if created else "org.update",
            f"name={org.name} channel={wanted.channel_id} schedule={rules.WEEKDAYS[org.publish_day]} "
            f"{org.publish_time:%H:%M} {org.timezone}",
            guild_id=guild_id,
        )
    return SetUp(org, created)


async def change_settings(
    db: Database,
    guild_id: int | None,
    moderator_id: int,
    *,
    default_hours: float | None = None,
    quorum: int | None = None,
    threshold: int | None = None,
    vote_hours: int | None = None,
    granularity: str | float | Decimal | None = None,
    pings: bool | None = None,
    claim_hours: int | None = None,
    reminder_day: str | None = None,
    reminder_time: str | None = None,
    moderator_role_id: int | None = None,
    hourly_rate: float | None = None,
    currency: str | None = None,
    shift_reminder_hours: str | None = None,
    language: str | None = None,
) -> SettingsShown:
    """Change the settings given (all checked first, nothing changes if one is refused), and show
    them with recent moderator actions.

    A granularity is refused while a current splittable task does not fit it (its hours are not a
    whole number of steps), naming those tasks: a setting never makes a week unsolvable.

    `hourly_rate` (0 removes it) and `currency` (empty removes it) are the ledger's pay (`bot.domain.ledger`)."""
    changes: dict[str, float | int | bool | str | time | None] = {}
    if hourly_rate is not None:
        rate = ledger_rules.check_rate(hourly_rate)
        changes["hourly_rate"] = None if rate is None else float(rate)
    if currency is not None:
        changes["currency"] = ledger_rules.check_currency(currency)
    if language is not None:
        changes["language"] = check_language(language)
    step = rules.check_granularity(granularity) if granularity is not None else None
    if default_hours is not None:
        changes["default_hours"] = rules.check_hours(default_hours, "default_hours")
    if quorum is not None:
        changes["quorum_pct"] = rules.check_percent(quorum, "quorum")
    if threshold is not None:
        changes["threshold_pct"] = rules.check_percent(threshold, "threshold")
    if vote_hours is not None:
        changes["vote_hours"] = rules.check_vote_hours(vote_hours)
    if pings is not None:
        changes["ping_holders"] = pings
    if claim_hours is not None:
        changes["claim_hours"] = rules.check_claim_hours(claim_hours)
    if reminder_day is not None:
        changes["reminder_day"] = rules.parse_reminder_day(reminder_day)
    if reminder_time is not None:
        changes["reminder_time"] = rules.parse_clock(reminder_time)
    if shift_reminder_hours is not None:
        changes["shift_reminder_hours"] = rules.parse_shift_reminder_hours(shift_reminder_hours)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        server = await orgs.server(session, guild_id or 0)
        assert server is not None
        if moderator_role_id is not None:  # 0: mention no role
            server.moderator_role_id = moderator_role_id or None
            await audit.record(
                session,
                org.id,
                moderator_id,
                "org.settings",
                f"moderator_role={moderator_role_id or 'none'}",
                guild_id=guild_id,
            )
        if step is not None:
            current = await tasks.active_tasks(session, org.id)
            rules.check_granularity_fits(step, [(t.name, t.hours, t.splittable) for t in current])
            changes["granularity"] = float(step)
        for key, value in changes.items():
            setattr(org, key, value)
        if changes:
            detail = " ".join(
                f"{k}={hours_text(v) if k in HOUR_SETTINGS and isinstance(v, float | int) else v}"
                for k, v in changes.items()
            )
            await audit.record(session, org.id, moderator_id, "org.settings", detail, guild_id=guild_id)
        recent = await orgs.recent_audit(session, org.id, limit=5)
        failed = await given_up(session, org.id, limit=5)
    changed = bool(changes) or moderator_role_id is not None
    return SettingsShown(org, changed, recent, failed, server.moderator_role_id)


async def add_goal(db: Database, guild_id: int | None, moderator_id: int, text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise BadInput(lazy_gettext("The goal is empty."))
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        session.add(Goal(organization_id=org.id, text=text))
        await audit.record(session, org.id, moderator_id, "goal.add", text, guild_id=guild_id)
    return text


async def goals_here(db: Database, guild_id: int | None) -> list[Goal]:
    """The goals of the server's organization (none if it has no organization)."""
    async with db.session() as session:
        org = await orgs.org_for_guild(session, guild_id) if guild_id is not None else None
        return await orgs.goals(session, org.id) if org else []


async def remove_goal(db: Database, guild_id: int | None, moderator_id: int, goal: str) -> str:
    """Remove a goal by id (as the autocomplete offers it); returns its text."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await session.get(Goal, int(goal)) if goal.isdigit() else None
        if row is None or row.organization_id != org.id:
            raise BadInput(lazy_gettext("I can't find that goal. Pick one from the list as you type."))
        await session.delete(row)
        await audit.record(session, org.id, moderator_id, "goal.remove", row.text, guild_id=guild_id)
    return row.text


async def audit_log(db: Database, guild_id: int | None, count: int) -> tuple[Organization, list[AuditEntry]]:
    if not 1 <= count <= AUDIT_MAX:
        raise BadInput(lazy_gettext("`count` must be from 1 to {most}.", most=AUDIT_MAX))
    async with db.session() as session:
        org = await require_org(session, guild_id)
        return org, await orgs.recent_audit(session, org.id, limit=count)


async def new_merge_code(db: Database, guild_id: int | None, moderator_id: int) -> str:
    """A moderator replaces the organization's merge code (the old one stops working at once), e.g.
    when another organization keeps proposing merges with it; audited."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        org.merge_code = rules.new_merge_code()
        await audit.record(session, org.id, moderator_id, "org.merge-code", "replaced", guild_id=guild_id)
    return org.merge_code
