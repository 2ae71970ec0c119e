"""The hours ledger: a member's (or, for moderators, anyone's) hours per week, the payroll export,
moderators' corrections (audited) and the equal hourly rate. The rules are in `bot.domain.ledger`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.domain import ledger as rules
from bot.domain.errors import BadInput
from bot.domain.schedule import zone
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext
from bot.i18n.formatting import currency
from storage import ledger, members
from storage.db import Database
from storage.models import LedgerCorrection, MemberRow, Organization

from . import audit
from .lookups import require_org


@dataclass(frozen=True)
class LedgerShown:
    org: Organization
    member: MemberRow
    first: str
    last: str
    weeks: list[rules.LedgerWeek]
    total: rules.Totals
    currency: str | None


@dataclass(frozen=True)
class LedgerExport:
    org: Organization
    first: str
    last: str
    members: list[MemberRow]  # everyone with hours in the period, by name
    weeks: list[rules.LedgerWeek]
    totals: dict[int, rules.Totals]
    rate: Decimal | None
    currency: str | None


@dataclass(frozen=True)
class Corrected:
    member: MemberRow
    week: str
    hours: float
    reason: str


def rate_of(org: Organization) -> Decimal | None:
    return None if org.hourly_rate is None else Decimal(repr(org.hourly_rate)).quantize(rules.CENT)


async def show(
    db: Database,
    guild_id: int | None,
    user_id: int,
    *,
    moderator: bool,
    member_user_id: int | None,
    first: str | None,
    last: str | None,
    now: datetime,
) -> LedgerShown:
    """One member's ledger: their own, or (moderators) anyone's who is or was in the rota."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        start, end = rules.week_range(first, last, local_today(org, now))
        whose = member_user_id if member_user_id is not None else user_id
        if whose != user_id and not moderator:
            raise BadInput(lazy_gettext("You can see your own ledger; moderators (Manage Server) see everyone's."))
        member = await members.member_for(session, org.id, whose)
        if member is None:
            raise BadInput(
                lazy_gettext("You are not in the rota: `/join` first.")
                if whose == user_id
                else lazy_gettext("{member} was never in the rota.", member=f"<@{whose}>")
            )
        weeks = rules.ledger(
            await ledger.pieces(session, [member.id], start, end),
            await ledger.corrections(session, [member.id], start, end),
        )
    total = rules.totals(weeks, rate_of(org)).get(
        member.id,
        rules.Totals(member.id, rules.ZERO, rules.ZERO, rules.ZERO, None if org.hourly_rate is None else rules.ZERO),
    )
    return LedgerShown(org, member, start, end, weeks, total, org.currency)


async def export(
    db: Database, guild_id: int | None, first: str | None, last: str | None, now: datetime
) -> LedgerExport:
    """Everyone's ledger for the period, for payroll."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        start, end = rules.week_range(first, last, local_today(org, now))
        everyone = await ledger.members_of(session, org.id)
        ids = [m.id for m in everyone]
        weeks = rules.ledger(
            await ledger.pieces(session, ids, start, end), await ledger.corrections(session, ids, start, end)
        )
    rate = rate_of(org)
    totals = rules.totals(weeks, rate)
    return LedgerExport(org, start, end, [m for m in everyone if m.id in totals], weeks, totals, rate, org.currency)


async def correct(
    db: Database,
    guild_id: int | None,
    moderator_id: int,
    member_user_id: int,
    week: str,
    hours: float,
    reason: str,
) -> Corrected:
    """A moderator adds (or takes off) hours in one week of a member's ledger; audited."""
    hours, reason = rules.check_correction(hours, reason)
    week = rules.parse_week(week)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        member = await members.member_for(session, org.id, member_user_id)
        if member is None:
            raise BadInput(
                lazy_gettext(
                    "{member} was never in the rota, so has no ledger to correct.", member=f"<@{member_user_id}>"
                )
            )
        session.add(
            LedgerCorrection(
                organization_id=org.id,
                member_id=member.id,
                week=week,
                hours=hours,
                reason=reason,
                actor_id=moderator_id,
            )
        )
        await audit.record(
            session,
            org.id,
            moderator_id,
            "ledger.correct",
            f"<@{member.user_id}> {week} {rules.signed_hours(Decimal(repr(hours)))} h: {reason}",
            guild_id=guild_id,
        )
    return Corrected(member, week, hours, reason)


def describe_rate(org: Organization, language: str = SOURCE_LANGUAGE) -> str:
    """The organization's pay as `/mod org settings` shows it, in `language` (`18,50 €` in German)."""
    rate = rate_of(org)
    if rate is None:
        return gettext(language, "none (the export shows hours only)")
    shown = (
        rules.money(rate, org.currency) if language == SOURCE_LANGUAGE else currency(rate, org.currency or "", language)
    )
    return gettext(language, "{rate} an hour, for every member alike", rate=shown.strip())


def local_today(org: Organization, now: datetime) -> date:
    return now.astimezone(zone(org.timezone)).date()
