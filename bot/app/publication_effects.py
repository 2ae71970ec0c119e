"""How a publication's effects (`bot.app.publication`: the post, the role moves, the old post's
deletion, the weekly DMs, what a re-publication changed for a member) are carried out through
the `RotaEffects` port."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.fairness import fairness_of, shares
from bot.domain.report import Report
from bot.domain.solver_ids import member_key
from bot.i18n import gettext
from bot.render.chart import distinct
from storage import rotas
from storage.db import Database, Session
from storage.models import MemberRow, Organization, Rota

from .effects import Attempt, Batch, Outbox, Outcome
from .facts import held_facts, org_facts, rota_facts
from .ports import (
    ROLE_NOT_MOVED,
    Channel,
    Clock,
    DeliveryError,
    Held,
    Mentions,
    OrgFacts,
    RoleMove,
    RotaEffects,
    RotaFacts,
    RotaPostContent,
    Runner,
)
from .publication import DeletePost, MoveRole, PostRota, SendJobs, TellChanged
from .week import draw_chart


def chart_points(report: Report, names: dict[str, str]) -> list[tuple[str, tuple[float, float, float]]]:
    """(name, hours, unpleasant and empowering work against the fair share) of each member in the week."""
    labels = distinct(names)
    return [(labels[key], ratios) for key, ratios in shares(report) if key in labels]


@dataclass(frozen=True)
class PublishedWeek:
    """A published rota as its effects read it: once per batch (the post on each server and every
    DM share it), its report parsed once."""

    org: OrgFacts
    rota: RotaFacts
    report: Report
    held: list[Held]


class PublicationEffects:
    def __init__(self, db: Database, rota: RotaEffects, runner: Runner, clock: Clock) -> None:
        self.db, self.rota, self.runner, self.clock = db, rota, runner, clock

    async def week(self, batch: Batch, rota_id: int) -> PublishedWeek:
        async def load() -> PublishedWeek:
            async with self.db.session() as session:
                rota = await session.get_one(Rota, rota_id)
                org = await session.get_one(Organization, rota.organization_id)
                held = await rotas.holdings(session, rota_id)
            return PublishedWeek(
                org_facts(org),
                rota_facts(rota),
                Report.from_json(rota.report),
                held_facts(held, rota.week, org.timezone),
            )

        found: PublishedWeek = await batch.once(("published week", rota_id), load)
        return found

    async def post(self, effect: PostRota, attempt: Attempt) -> Outcome:
        channel = Channel(effect.guild_id, effect.channel_id)
        marker = effect.marker or attempt.marker
        found = await self.rota.find_post(channel, marker) if attempt.tried_before else None
        week = await self.week(attempt.batch, effect.rota_id)
        refused = {p.effect.role_id for p in await attempt.prior() if isinstance(p.effect, MoveRole) and p.error}
        chart = await attempt.batch.once(("chart", effect.rota_id), lambda: self.chart(week))
        holders = list(dict.fromkeys(h.member.user_id for h in week.held))  # once each, in the post's order
        content = RotaPostContent(
            week.org, week.rota, week.report, week.held, sorted(refused), chart, marker,
            Mentions(holders, week.org.ping_holders),
        )  # fmt: skip
        sent = found is None
        message_id = found if found is not None else await self.rota.send_post(channel, content)
        await self.rota.send_rest(channel, content, attempt.tried_before)  # the mentions that did not fit
        return Outcome(message_id, sent, tuple(content.notes))

    async def chart(self, week: PublishedWeek) -> bytes | None:
        names = {member_key(h.member.id): h.member.display_name for h in week.held}
        language = week.org.language
        title = gettext(language, "{org}: week {week}", org=week.org.name, week=week.rota.week)
        return await draw_chart(self.runner, week.org.id, chart_points(week.report, names), title, None, language)

    async def record_post(self, session: Session, effect: PostRota, outcome: Outcome) -> None:
        post = await rotas.post_for(session, effect.rota_id, effect.guild_id, effect.channel_id)
        post.message_id, post.posted_at = outcome.message_id, self.clock()
        post.notes = "\n".join(outcome.notes)[:1000]

    async def delete(self, effect: DeletePost, attempt: Attempt) -> Outcome:
        await self.rota.delete_post(Channel(effect.guild_id, effect.channel_id), effect.message_id)
        return Outcome()

    async def move_role(self, effect: MoveRole, attempt: Attempt) -> Outcome:
        if not self.rota.has_role(effect.guild_id, effect.role_id):
            return Outcome()  # the role was deleted or the server left
        moved = await self.rota.move_role(
            effect.guild_id, effect.user_id, effect.role_id, add=effect.add, reason=effect.reason
        )
        if moved is RoleMove.FORBIDDEN:
            raise DeliveryError(ROLE_NOT_MOVED.format(role_id=effect.role_id), permanent=True)
        return Outcome()

    async def send_jobs(self, effect: SendJobs, attempt: Attempt) -> Outcome:
        week = await self.week(attempt.batch, effect.rota_id)
        items = [h for h in week.held if h.member.id == effect.member_id]
        if not items:
            return Outcome()  # nothing left to tell (a re-publication gave them nothing)
        user_id = items[0].member.user_id
        found = await self.rota.find_dm(user_id, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        fairness = fairness_of(week.report, member_key(effect.member_id))
        return Outcome(
            await self.rota.send_jobs(user_id, week.org, week.rota.week, items, attempt.marker, fairness), True
        )

    async def tell_changed(self, effect: TellChanged, attempt: Attempt) -> Outcome:
        """What a re-publication made of the member's week: their jobs now, or that they have none."""
        week = await self.week(attempt.batch, effect.rota_id)
        items = [h for h in week.held if h.member.id == effect.member_id]
        if items:
            user_id = items[0].member.user_id
        else:
            async with self.db.session() as session:
                member = await session.get_one(MemberRow, effect.member_id)
                if not (member.active and member.notify):
                    return Outcome()  # left, or stopped the DMs since
                user_id = member.user_id
        found = await self.rota.find_dm(user_id, attempt.marker) if attempt.tried_before else None
        if found is not None:
            return Outcome(found)
        fairness = fairness_of(week.report, member_key(effect.member_id)) if items else None
        sent = await self.rota.send_jobs(
            user_id, week.org, week.rota.week, items, attempt.marker, fairness, changed=True
        )
        return Outcome(sent, True)


def register(outbox: Outbox, rota: RotaEffects, runner: Runner, clock: Clock) -> None:
    handlers = PublicationEffects(outbox.db, rota, runner, clock)
    outbox.register(DeletePost, handlers.delete)
    outbox.register(MoveRole, handlers.move_role)
    outbox.register(PostRota, handlers.post, record=handlers.record_post)
    outbox.register(SendJobs, handlers.send_jobs)
    outbox.register(TellChanged, handlers.tell_changed)
