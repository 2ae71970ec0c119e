"""Calendars: a member's shifts this week and next as an `.ics` file (`/calendar show`), and secret
subscription links (`…/calendar/<secret>.ics`) that always show the shifts as they stand after
swaps and claims; a moderator's link shows the whole organization.

A secret is a long random token shown once, when it is made; only its SHA-256 is stored, so a
leaked database gives no working link. `/calendar reset` revokes the old link and makes a new one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.solver.model import exact_hours
from bot.domain.weeks import iso_week, week_start
from bot.i18n import channel_language, gettext
from bot.render.ics import CalendarItem, calendar_bytes, item_key
from storage import calendars as queries
from storage import rotas
from storage.db import Database, Session
from storage.models import CalendarFeed, MemberRow, Organization
from storage.rotas import Holding

from .facts import piece_moments
from .lookups import current_week, require_member, require_org
from .ports import Clock

WEEKS_SHOWN = 2  # this week and the next


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    content: bytes
    shifts: int  # items in it
    weeks: tuple[str, ...]
    link: str | None = None  # a new subscription link (shown once), when the web server is on
    link_since: datetime | None = None  # when the live link (not shown again) was made


def calendar_items(org: Organization, week: str, held: list[Holding], member_id: int | None) -> list[CalendarItem]:
    """The week's items of one member (or everyone's, `member_id` None), with stable keys."""
    monday = week_start(week)
    seen: dict[tuple[int, int, int], int] = defaultdict(int)
    flexible: dict[tuple[int, int], list[Holding]] = defaultdict(list)
    items = []
    for item in sorted(held, key=lambda h: h.assignment.id or 0):
        piece = item.assignment
        if piece.day is None or piece.start is None:
            if member_id is None or item.member.id == member_id:
                flexible[(item.task.id, item.member.id)].append(item)
            continue
        slot = (item.task.id, piece.day, piece.start)
        index = seen[slot]
        seen[slot] += 1
        if member_id is not None and item.member.id != member_id:
            continue
        start, end = piece_moments(week, org.timezone, piece)
        items.append(
            CalendarItem(
                item_key(org.id, week, item.task.id, piece.day, piece.start, index, item.member.id),
                item.task.name,
                piece.hours,
                week,
                monday,
                start,
                end,
                item.member.display_name if member_id is None else "",
                item.task.description or "",
            )
        )
    for (task_id, holder), pieces in flexible.items():
        first = pieces[0]
        hours = float(sum((exact_hours(p.assignment.hours) for p in pieces), exact_hours(0)))
        items.append(
            CalendarItem(
                item_key(org.id, week, task_id, None, None, 0, holder),
                first.task.name,
                hours,
                week,
                monday,
                who=first.member.display_name if member_id is None else "",
                description=first.task.description or "",
            )
        )
    return items


class Calendars:
    def __init__(self, db: Database, clock: Clock, base_url: str | None = None) -> None:
        self.db, self.clock, self.base_url = db, clock, base_url

    def link(self, secret: str) -> str | None:
        return f"{self.base_url.rstrip('/')}/calendar/{secret}.ics" if self.base_url else None

    async def _calendar(self, session: Session, org: Organization, member: MemberRow | None) -> CalendarFile:
        first = current_week(org, self.clock())
        weeks = tuple(iso_week(week_start(first) + timedelta(weeks=n)) for n in range(WEEKS_SHOWN))
        items: list[CalendarItem] = []
        for week in weeks:
            rota = await rotas.rota_for(session, org.id, week)
            if rota is not None and rota.published_at is not None:
                held = await rotas.holdings(session, rota.id)
                items += calendar_items(org, week, held, member.id if member else None)
        # Fetched by a calendar app, with no reader's language: the member's own, else the organization's.
        language = channel_language(org.language, member.language if member else None)
        if member:
            title = f"{org.name}: {member.display_name}"
        else:
            title = gettext(language, "{org}: everyone's shifts", org=org.name)
        content = calendar_bytes(title, org.timezone, items, self.clock(), language)
        name = "shifts.ics" if member else "all-shifts.ics"
        return CalendarFile(name, content, len(items), weeks)

    async def show(self, guild_id: int | None, user_id: int, *, everyone: bool = False) -> CalendarFile:
        """The member's (or, for a moderator, everyone's) shifts this week and next; with the web
        server on, a subscription link the first time (after that, the date it was made)."""
        async with self.db.transaction() as session:
            org = await require_org(session, guild_id)
            member = None if everyone else await require_member(session, org.id, user_id, you=True)
            made = await self._calendar(session, org, member)
            if self.base_url is None:
                return made
            live = await queries.live_feed(session, org.id, member.id if member else None, user_id)
            if live is not None:
                return CalendarFile(made.filename, made.content, made.shifts, made.weeks, None, live.created_at)
            secret = self._add_feed(session, org, member, user_id)
        return CalendarFile(made.filename, made.content, made.shifts, made.weeks, self.link(secret))

    def _add_feed(self, session: Session, org: Organization, member: MemberRow | None, user_id: int) -> str:
        secret = secrets.token_urlsafe(32)
        session.add(
            CalendarFeed(
                organization_id=org.id,
                member_id=member.id if member else None,
                user_id=user_id,
                secret_hash=hash_secret(secret),
                created_at=self.clock(),
            )
        )
        return secret

    async def reset(self, guild_id: int | None, user_id: int, *, everyone: bool = False) -> tuple[int, str | None]:
        """Revoke the member's link (their organization-wide one with `everyone`) and make a new one
        when the web server is on; (links revoked, the new link)."""
        async with self.db.transaction() as session:
            org = await require_org(session, guild_id)
            member = None if everyone else await require_member(session, org.id, user_id, you=True)
            revoked = await queries.revoke(session, org.id, member.id if member else None, user_id, self.clock())
            if self.base_url is None:
                return revoked, None
            secret = self._add_feed(session, org, member, user_id)
        return revoked, self.link(secret)

    async def feed(self, secret: str) -> bytes | None:
        """The calendar a secret link shows now; None for a secret unknown or revoked (and for a
        member who left, or an organization merged away)."""
        if not 20 <= len(secret) <= 100:
            return None
        async with self.db.session() as session:
            found = await queries.feed_by_hash(session, hash_secret(secret))
            if found is None:
                return None
            org = await session.get_one(Organization, found.organization_id)
            if org.archived_at is not None:
                return None
            member = await session.get(MemberRow, found.member_id) if found.member_id is not None else None
            if found.member_id is not None and (member is None or not member.active):
                return None
            return (await self._calendar(session, org, member)).content
