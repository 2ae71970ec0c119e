"""Who is in the rota and how much they give: join, leave, hours, away, and moderators' changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain import organizations as rules
from bot.domain.errors import BadInput
from bot.domain.shifts import parse_member_windows, window_moments, windows_words
from bot.domain.solver.model import hours_text
from bot.domain.solver.timed import format_windows
from bot.domain.weeks import iso_week, week_start
from bot.i18n import SOURCE_LANGUAGE, lazy_gettext
from storage import members, orgs
from storage.db import Database
from storage.models import Away, MemberRow, utcnow
from storage.tasks import member_windows

from . import audit
from .lookups import clip, current_week, require_member, require_org


@dataclass(frozen=True)
class Joined:
    org_name: str
    hours: float


async def join(
    db: Database, guild_id: int | None, user_id: int, display_name: str, hours: float | None,
    now: datetime | None = None,
) -> Joined:  # fmt: skip
    """Join, or come back: coming back starts a new membership period (`joined_at`), so a vote that
    opened meanwhile is not theirs. A member a moderator removed needs a moderator's readmission first."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        weekly = rules.check_hours(hours if hours is not None else org.default_hours)
        row = await members.member_for(session, org.id, user_id)
        if row is not None and row.active:
            raise BadInput(
                lazy_gettext(
                    "You are already in the rota with {hours} h a week. Change that with `/hours`.",
                    hours=rules.Hours(hours=row.hours),
                )
            )
        if row is not None and row.removed_at is not None:
            raise BadInput(
                lazy_gettext(
                    "A moderator took you out of **{org}**'s rota on {day}. Ask a moderator: once they readmit you "
                    "(`/mod member readmit`), `/join` brings you back.",
                    org=org.name,
                    day=rules.Day(day=row.removed_at, english="%d %b %Y"),
                )
            )
        since = now or utcnow()
        if row is None:
            server = await orgs.server(session, guild_id or 0)  # in a federation: the side of this server
            session.add(
                MemberRow(
                    organization_id=org.id,
                    user_id=user_id,
                    hours=weekly,
                    display_name=clip(display_name, 100),
                    origin_org_id=server.origin_org_id if server else None,
                    joined_at=since,
                )
            )
        else:
            row.active, row.hours, row.joined_at = True, weekly, since
    return Joined(org.name, weekly)


async def leave(db: Database, guild_id: int | None, user_id: int) -> str:
    """Leave the rota (history is kept); returns the organization's name."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        (await require_member(session, org.id, user_id, you=True)).active = False
    return org.name


async def set_hours(db: Database, guild_id: int | None, user_id: int, hours: float) -> float:
    weekly = rules.check_hours(hours)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        (await require_member(session, org.id, user_id, you=True)).hours = weekly
    return weekly


async def add_away(
    db: Database, guild_id: int | None, user_id: int, start: str, end: str, today: date
) -> tuple[date, date]:
    first, last = rules.check_away(start, end, today)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=True)
        assert row.id is not None
        session.add(Away(member_id=row.id, start=first, end=last))
    return first, last


# -- moderators ----------------------------------------------------------------------------------


async def qualify(db: Database, guild_id: int | None, moderator_id: int, user_id: int, qualification: str) -> str:
    name = qualification.strip().lower()
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=False)
        assert row.id is not None
        if not await members.add_qualification(session, row.id, name):
            raise BadInput(
                lazy_gettext("{member} already has `{qualification}`.", member=f"<@{user_id}>", qualification=name)
            )
        await audit.record(session, org.id, moderator_id, "member.qualify", f"{user_id} +{name}", guild_id=guild_id)
    return name


async def unqualify(db: Database, guild_id: int | None, moderator_id: int, user_id: int, qualification: str) -> str:
    name = qualification.strip().lower()
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=False)
        assert row.id is not None
        if not await members.remove_qualification(session, row.id, name):
            held = ", ".join(await members.qualifications(session, row.id))
            if not held:
                raise BadInput(
                    lazy_gettext(
                        "{member} does not have `{qualification}` (they have: none).",
                        member=f"<@{user_id}>",
                        qualification=name,
                    )
                )
            raise BadInput(
                lazy_gettext(
                    "{member} does not have `{qualification}` (they have: {held}).",
                    member=f"<@{user_id}>",
                    qualification=name,
                    held=held,
                )
            )
        await audit.record(session, org.id, moderator_id, "member.unqualify", f"{user_id} -{name}", guild_id=guild_id)
    return name


async def set_member_hours(db: Database, guild_id: int | None, moderator_id: int, user_id: int, hours: float) -> float:
    weekly = rules.check_hours(hours)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=False)
        before, row.hours = row.hours, weekly
        change = f"{user_id} {hours_text(before)} -> {hours_text(weekly)}"
        await audit.record(session, org.id, moderator_id, "member.hours", change, guild_id=guild_id)
    return weekly


async def remove_member(db: Database, guild_id: int | None, moderator_id: int, user_id: int) -> None:
    """Take a member out of the rota for good: they cannot `/join` again until a moderator readmits them."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=False)
        row.active, row.removed_at = False, utcnow()
        await audit.record(session, org.id, moderator_id, "member.remove", str(user_id), guild_id=guild_id)


async def readmit_member(db: Database, guild_id: int | None, moderator_id: int, user_id: int) -> None:
    """Let a member a moderator removed `/join` again (they come back by joining: a new period)."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await members.member_for(session, org.id, user_id)
        if row is None or row.removed_at is None:
            raise BadInput(
                lazy_gettext(
                    "{member} was not removed from the rota: they can `/join` as they are.", member=f"<@{user_id}>"
                )
            )
        row.removed_at = None
        await audit.record(session, org.id, moderator_id, "member.readmit", str(user_id), guild_id=guild_id)


@dataclass(frozen=True)
class Availability:
    """A member's weekly availability for work at set times, and the week to show it in."""

    org_name: str
    timezone: str
    windows: tuple[tuple[int, int], ...] | None  # None: any time
    week: str  # the coming week, for showing the windows as real moments
    user_id: int

    def words(self, language: str = SOURCE_LANGUAGE) -> str:
        return windows_words(self.windows, language)

    def moments(self) -> list[tuple[datetime, datetime]]:
        return window_moments(self.windows, self.week, self.timezone)


async def _availability(
    db: Database, guild_id: int | None, user_id: int, text: str | None, now: datetime, *, you: bool,
    moderator_id: int | None = None,
) -> Availability:  # fmt: skip
    """Read (text None), set or clear (text '') a member's windows; a moderator's change is audited."""
    windows = parse_member_windows(text) if text is not None else None
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_member(session, org.id, user_id, you=you)
        if text is not None:
            stored = format_windows(windows) or None
            if len(stored or "") > 500:
                raise BadInput(
                    lazy_gettext("That is too many separate times to keep: merge some (e.g. `mon-fri 09:00-17:00`).")
                )
            before, row.windows = row.windows, stored
            if moderator_id is not None:
                change = f"{user_id} {before or 'any time'} -> {stored or 'any time'}"
                await audit.record(session, org.id, moderator_id, "member.availability", change, guild_id=guild_id)
        current = member_windows(row)
        week = iso_week(week_start(current_week(org, now)) + timedelta(weeks=1))
    return Availability(org.name, org.timezone, current, week, user_id)


async def availability(db: Database, guild_id: int | None, user_id: int, now: datetime) -> Availability:
    """`/availability show`."""
    return await _availability(db, guild_id, user_id, None, now, you=True)


async def set_availability(db: Database, guild_id: int | None, user_id: int, text: str, now: datetime) -> Availability:
    """`/availability set windows:` (or `clear`, with ''): checked before anything changes."""
    return await _availability(db, guild_id, user_id, text, now, you=True)


async def set_member_availability(
    db: Database, guild_id: int | None, moderator_id: int, user_id: int, text: str, now: datetime
) -> Availability:
    """`/mod member availability`: a moderator sets a member's windows (audited)."""
    return await _availability(db, guild_id, user_id, text, now, you=False, moderator_id=moderator_id)
