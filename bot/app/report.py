"""The public fairness report: turning it on or off (moderators), being named in it (each member),
and writing the static site (`parecon-rota report`, and after each publication when `REPORT_DIR` is
set). The figures are `bot.render.public_report`, the pages `bot.render.site`.

Each organization's page is in its language (`Organization.language`, `/mod org settings language:`),
handed to rendering as a plain value; the index is in the language the publishing organizations
share, or English when they speak several."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.domain.errors import BadInput
from bot.domain.files import PRIVATE_FILE
from bot.domain.report import Report
from bot.i18n import SOURCE_LANGUAGE, channel_language, gettext, lazy_gettext
from bot.render import public_report, site
from storage import orgs, reports, rotas
from storage.db import Database, Session
from storage.models import Organization

from . import audit
from .lookups import require_member, require_org

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    pages: list[Path]
    organizations: list[str]


async def set_publishing(db: Database, guild_id: int | None, moderator_id: int, on: bool) -> Organization:
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        org.publish_report = on
        await audit.record(session, org.id, moderator_id, "report.publish", "on" if on else "off", guild_id=guild_id)
    return org


async def show_me(db: Database, guild_id: int | None, user_id: int, on: bool) -> str:
    """A member chooses to be named in the public report (or to be an anonymous rank again)."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        member.show_in_report = on
        return org.name


async def _report_of(session: Session, org: Organization, now: datetime) -> public_report.PublicReport:
    language = channel_language(org.language)
    stored = await reports.published_rotas(session, org.id)
    held = await reports.held(session, [r.id for r in stored])
    weeks = [public_report.WeekInput(r.week, Report.from_json(r.report), dict(held.get(r.id, {}))) for r in stored]
    member_ids = sorted(
        {m for w in weeks for m in w.held}
        | {i for w in weeks for f in w.report.members if (i := public_report.id_of_key(f.member)) is not None}
    )
    names = await reports.shown_names(session, member_ids)
    events = []
    for proposal in await reports.passed_votes(session, await rotas.lineage(session, org.id)):
        first = await session.get_one(Organization, proposal.proposer_org_id)
        second = await session.get_one(Organization, proposal.other_org_id)
        day = (proposal.closed_at or proposal.created_at).date()
        if proposal.kind == "leave":
            text = gettext(
                language,
                "{group} left {organization} by a vote of its members.",
                group=second.name,
                organization=first.name,
            )
        else:
            text = gettext(
                language,
                "{first} and {second} merged into {federation} by vote.",
                first=first.name,
                second=second.name,
                federation=proposal.name,
            )
        events.append(public_report.Event(day, text))
    goals = [g.text for g in await orgs.goals(session, org.id)]
    return public_report.build(org.name, goals, weeks, names, events, now.date(), language)


def index_language(organizations: list[Organization]) -> str:
    """The index's language: the one every publishing organization speaks, else English."""
    spoken = {channel_language(o.language) for o in organizations}
    return spoken.pop() if len(spoken) == 1 else SOURCE_LANGUAGE


async def write(db: Database, out: Path, now: datetime, org_id: int | None = None, mode: int = PRIVATE_FILE) -> Written:
    """Write the report of every organization that publishes it (or only `org_id`'s) and the index;
    remove the pages of organizations that stopped. Reading is on the event loop; rendering and
    writing files in a thread."""
    async with db.session() as session:
        publishing = await reports.publishing(session)
        chosen = [o for o in publishing if org_id is None or o.id == org_id]
        if org_id is not None and not chosen:
            org = await session.get(Organization, org_id)
            if org is None:
                raise BadInput(lazy_gettext("There is no organization {id}.", id=org_id))
            raise BadInput(
                lazy_gettext(
                    "**{organization}** does not publish its report: a moderator turns it on with "
                    "`/mod org publish-report on`.",
                    organization=org.name,
                )
            )
        built = [(o.id, await _report_of(session, o, now)) for o in chosen]
        withdrawn = await reports.not_publishing(session)
    listed = [(o.id, o.name) for o in publishing]
    pages = await asyncio.to_thread(site.write_site, out, built, listed, withdrawn, mode, index_language(publishing))
    return Written(pages, [o.name for o in chosen])


async def regenerate(db: Database, out: Path, org_id: int, now: datetime, mode: int = PRIVATE_FILE) -> None:
    """After a publication (or turning the report on or off): rewrite that organization's page if it
    publishes, else the index (its page goes). Failures are logged, never raised."""
    try:
        async with db.session() as session:
            org = await session.get(Organization, org_id)
        if org is None:
            return
        await write(db, out, now, org_id if org.publish_report else None, mode)
        log.info("wrote the public report (organization %s) to %s", org_id, out)
    except Exception:
        log.exception("writing the public report of organization %s to %s failed", org_id, out)
