"""The outbox's dispatcher: carries out the Discord effects that use cases queue together with the
change that calls for them (`storage.outbox`), each exactly once as people see it.

- Queued with the change: a use case writes the effect in the transaction of its state change, so
  a crash leaves both or neither; whatever is pending is delivered when the bot starts again.
- Found before sent again: every message carries its effect's marker (in a footer or a last line);
  an effect tried before (the bot may have died between sending and recording) first looks for its
  message. Role moves and edits are idempotent and are simply done again.
- Retried with backoff on passing failures (429, 5xx, a dropped connection); given up after
  `REFUSED_ATTEMPTS` when Discord refuses for good (a deleted channel, a missing permission: 403/404)
  and after `MAX_ATTEMPTS` in all. Given-up effects are kept as failed, logged, and shown to the
  organization's moderators (`/mod org settings`); one failing effect never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.domain.fairness import fairness_of, shares
from bot.domain.report import Report
from bot.domain.rota import total_hours
from bot.domain.solver.model import exact_hours
from bot.domain.solver_ids import member_key
from bot.domain.votes import Side
from bot.render.chart import distinct
from storage import merges, orgs, rotas
from storage import outbox as queue
from storage.db import Database, Session
from storage.models import (
    Assignment,
    AuditEntry,
    MemberRow,
    MergePost,
    MergeProposal,
    Organization,
    OutboxEffect,
    Rota,
    SwapOffer,
    TaskClaim,
    TaskRow,
)
from storage.tasks import active_tasks

from .claims import offered_to
from .merges import VoteClosed, VoteEnd, VoteWithdrawn
from .ports import (
    Channel,
    ClaimNotice,
    Clock,
    DeliveryError,
    Mentions,
    ModNotice,
    Reminder,
    RoleMove,
    RotaEffects,
    RotaPostContent,
    Runner,
    SideFacts,
    SwapDecided,
    VoteEffects,
    VotePostContent,
    VoteReminder,
)
from .week import draw_chart

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # passing failures: about 10 minutes of tries
REFUSED_ATTEMPTS = 3  # Discord refused (403/404): a moderator may just be fixing it
BACKOFF = timedelta(seconds=5)  # doubled at each try
MAX_BACKOFF = timedelta(minutes=30)
IDLE_SECONDS = 60.0  # the dispatcher looks again at least this often
ROLE_NOTE = "⚠️ I could not move the <@&{role_id}> role: I need **Manage Roles** and a role above it."
MARKER_PREFIX = "parecon-rota · "


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def effect_marker(effect: OutboxEffect, payload: dict[str, Any]) -> str:
    return str(payload.get("marker") or MARKER_PREFIX + effect.key)


def chart_points(report: Report, names: dict[str, str]) -> list[tuple[str, tuple[float, float, float]]]:
    """(name, hours, unpleasant and empowering work against the fair share) of each member in the week."""
    labels = distinct(names)
    return [(labels[key], ratios) for key, ratios in shares(report) if key in labels]


@dataclass(frozen=True)
class Delivery:
    effect_id: int
    kind: str
    status: str  # done, pending (to be tried again), failed
    sent: bool = False  # a message was sent by this delivery (not found again, not skipped)


@dataclass(frozen=True)
class Outcome:
    message_id: int | None = None
    sent: bool = False
    notes: tuple[str, ...] = ()


# A feature's own effect kind: (effect, payload, marker, tried before) → what came of it.
Handler = Callable[[OutboxEffect, dict[str, Any], str, bool], Awaitable["Outcome"]]


class Dispatcher:
    """Delivers pending effects: at once for the use case that queued them, and in the background
    (`run`) for retries and whatever a previous process left pending."""

    def __init__(self, db: Database, rota: RotaEffects, votes: VoteEffects, runner: Runner, clock: Clock) -> None:
        self.db, self.rota, self.votes, self.runner, self.clock = db, rota, votes, runner, clock
        self.wake = asyncio.Event()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        """Effects of this kind are carried out by `handler` (a feature's own module)."""
        self.handlers[kind] = handler

    def kick(self) -> None:
        """Something was queued: look now rather than at the next timer."""
        self.wake.set()

    async def run(self) -> None:
        """Deliver whatever is due, then sleep until the next retry is due (or `kick`); forever."""
        while True:
            try:
                await self.deliver_due()
                async with self.db.session() as session:
                    upcoming = await queue.next_due(session)
            except Exception:
                log.exception("the outbox dispatcher failed; it tries again in a minute")
                upcoming = None
            delay = IDLE_SECONDS
            if upcoming is not None:
                delay = min(max((upcoming - self.clock()).total_seconds(), 0.05), IDLE_SECONDS)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), delay)

    async def deliver_due(self) -> list[Delivery]:
        async with self.db.session() as session:
            ids = [e.id for e in await queue.due(session, self.clock())]
        return [await self.deliver(effect_id) for effect_id in ids]

    async def deliver_subject(self, subject: str) -> list[Delivery]:
        """Deliver now the pending effects of one thing (a rota, a merge vote) that are due (not waiting
        for a retry, not being tried elsewhere)."""
        async with self.db.session() as session:
            ids = [e.id for e in await queue.pending_of(session, subject)]
        return [await self.deliver(effect_id) for effect_id in ids]

    async def deliver(self, effect_id: int) -> Delivery:
        """Try one effect once, unless it is no longer pending."""
        lock = self._locks.get(effect_id)
        if lock is None:
            lock = self._locks[effect_id] = asyncio.Lock()
        async with lock:
            async with self.db.transaction() as session:
                seen = await session.get_one(OutboxEffect, effect_id)
                effect = await queue.claim(session, effect_id, self.clock(), backoff(seen.attempts + 1))
                if effect is None:  # done, given up, waiting for its next try, or being tried elsewhere
                    return Delivery(effect_id, seen.kind, seen.status)
                tried_before = effect.attempts > 1
            payload = json.loads(effect.payload)
            try:
                outcome = await self._carry_out(effect, payload, tried_before)
            except DeliveryError as error:
                return await self._failed(effect, error.reason, refused=error.permanent)
            except Exception as error:
                log.debug("delivering %s failed", effect.key, exc_info=True)
                return await self._failed(effect, f"{type(error).__name__}: {error}", refused=False)
            async with self.db.transaction() as session:
                row = await session.get_one(OutboxEffect, effect_id)
                queue.done(row, outcome.message_id)
                await self._record(session, effect, payload, outcome)
            return Delivery(effect_id, effect.kind, "done", outcome.sent)

    async def _failed(self, effect: OutboxEffect, reason: str, *, refused: bool) -> Delivery:
        give_up = effect.attempts >= (REFUSED_ATTEMPTS if refused else MAX_ATTEMPTS)
        async with self.db.transaction() as session:
            row = await session.get_one(OutboxEffect, effect.id)
            if give_up:
                queue.give_up(row, reason)
            else:
                row.last_error = reason[:300]
        if give_up:
            log.warning(
                "delivery failed for good: %s for organization %s after %d tries (%s); moderators see it in "
                "/mod org settings",
                effect.key,
                effect.organization_id,
                effect.attempts,
                reason,
            )
            return Delivery(effect.id, effect.kind, "failed")
        log.info(
            "delivery failed: %s for organization %s, try %d (%s); trying again in %ds",
            effect.key,
            effect.organization_id,
            effect.attempts,
            reason,
            backoff(effect.attempts).total_seconds(),
        )
        return Delivery(effect.id, effect.kind, "pending")

    # -- the effects ---------------------------------------------------------------------------------

    async def _carry_out(self, effect: OutboxEffect, payload: dict[str, Any], tried_before: bool) -> Outcome:
        marker = effect_marker(effect, payload)
        if (handler := self.handlers.get(effect.kind)) is not None:
            return await handler(effect, payload, marker, tried_before)
        if effect.kind == "rota.post":
            channel = Channel(payload["guild_id"], payload["channel_id"])
            found = await self.rota.find_post(channel, marker) if tried_before else None
            content = await self._rota_content(effect, payload["rota_id"], marker)
            sent = found is None
            message_id = found if found is not None else await self.rota.send_post(channel, content)
            await self.rota.send_rest(channel, content, tried_before)  # the mentions that did not fit
            return Outcome(message_id, sent, tuple(content.notes))
        if effect.kind == "rota.delete":
            await self.rota.delete_post(Channel(payload["guild_id"], payload["channel_id"]), payload["message_id"])
            return Outcome()
        if effect.kind == "role":
            guild_id, role_id = payload["guild_id"], payload["role_id"]
            if not self.rota.has_role(guild_id, role_id):
                return Outcome()  # the role was deleted or the server left
            moved = await self.rota.move_role(
                guild_id, payload["user_id"], role_id, add=payload["add"], reason=payload["reason"]
            )
            if moved is RoleMove.FORBIDDEN:
                raise DeliveryError(ROLE_NOTE.format(role_id=role_id), permanent=True)
            return Outcome()
        if effect.kind == "dm":
            return await self._dm(payload, marker, tried_before)
        if effect.kind == "vote.post":
            return await self._vote_post(payload, marker, tried_before)
        if effect.kind == "vote.end":
            channel = Channel(payload["guild_id"], payload["channel_id"])
            found = await self.votes.find_message(channel, marker) if tried_before else None
            if found is not None:
                return Outcome(found)
            return Outcome(await self.votes.announce(channel, await self._vote_end(payload), marker), True)
        if effect.kind == "vote.retire":
            async with self.db.session() as session:
                posted = [p for p in await merges.posts(session, payload["proposal_id"]) if p.message_id]
            for post in posted:
                if post.guild_id == payload["guild_id"] and post.message_id:
                    await self.votes.retire(Channel(post.guild_id, post.channel_id), post.message_id)
            return Outcome()
        if effect.kind in ("claim.post", "claim.expired"):
            notice = await self._claim_notice(payload["claim_id"], payload["guild_id"])
            if notice is None or (effect.kind == "claim.post" and notice.state != "offered"):
                return Outcome()  # taken or closed before its offer went out: nothing to offer
            if effect.kind == "claim.expired":
                notice = replace(notice, state="expired", mentions=Mentions())
            channel = Channel(payload["guild_id"], payload["channel_id"])
            found = await self.rota.find_post(channel, marker) if tried_before else None
            if found is not None:
                return Outcome(found)
            return Outcome(await self.rota.post_claim(channel, notice, marker, tried_before), True)
        if effect.kind == "claim.close":
            notice = await self._claim_notice(payload["claim_id"], payload["guild_id"])
            async with self.db.session() as session:
                offers = await queue.of_subject(session, effect.subject, "claim.post")
            channel = Channel(payload["guild_id"], payload["channel_id"])
            for offer in offers:
                here = json.loads(offer.payload)["guild_id"] == channel.guild_id
                if notice is not None and offer.message_id and here:
                    await self.rota.close_claim(channel, offer.message_id, notice)
            return Outcome()
        if effect.kind in ("remind", "swap.answer"):
            return await self._member_dm(effect.kind, payload, marker, tried_before)
        if effect.kind == "vote.remind":
            channel = Channel(payload["guild_id"], payload["channel_id"])
            async with self.db.session() as session:
                proposal = await session.get_one(MergeProposal, payload["proposal_id"])
                if proposal.status != "open":
                    return Outcome()  # closed meanwhile: nothing to remind of
                waiting = await merges.non_voters(session, proposal, payload["org_id"])
            if not waiting:
                return Outcome()
            found = await self.votes.find_message(channel, marker) if tried_before else None
            if found is not None:
                return Outcome(found)
            reminder = VoteReminder(proposal.id, proposal.name, proposal.closes_at, Mentions(waiting))
            return Outcome(await self.votes.remind(channel, reminder, marker, tried_before), True)
        if effect.kind == "mod.notice":
            channel = Channel(payload["guild_id"], payload["channel_id"])
            found = await self.rota.find_post(channel, marker) if tried_before else None
            if found is not None:
                return Outcome(found)
            async with self.db.session() as session:
                entry = await session.get_one(AuditEntry, payload["audit_id"])
                org = await session.get_one(Organization, entry.organization_id)
            told = ModNotice(org.name, entry.actor_id, entry.action, entry.detail, entry.guild_id or 0)
            return Outcome(await self.rota.post_notice(channel, told, marker), True)
        raise DeliveryError(f"unknown effect {effect.kind!r}", permanent=True)

    async def _claim_notice(self, claim_id: int, guild_id: int) -> ClaimNotice | None:
        """A task given back as it stands now, with the members it is offered to while it is open."""
        async with self.db.session() as session:
            claim = await session.get(TaskClaim, claim_id)
            if claim is None:
                return None
            piece = await session.get_one(Assignment, claim.assignment_id)
            task = await session.get_one(TaskRow, piece.task_id)
            rota = await session.get_one(Rota, piece.rota_id)
            org = await session.get_one(Organization, claim.organization_id)
            giver = await session.get_one(MemberRow, claim.from_member_id)
            taker = await session.get(MemberRow, claim.taker_member_id) if claim.taker_member_id else None
            offered = [m.user_id for m in await offered_to(session, claim)] if claim.status == "open" else []
            server = await orgs.server(session, guild_id)
        state = {"open": "offered", "taken": "taken", "withdrawn": "withdrawn"}.get(claim.status, "expired")
        return ClaimNotice(
            state,
            claim.id,
            org.name,
            task.name,
            piece.hours,
            rota.week,
            giver.user_id,
            claim.deadline,
            Mentions(offered),
            taker.user_id if taker else None,
            server.moderator_role_id if server else None,
        )

    async def _member_dm(self, kind: str, payload: dict[str, Any], marker: str, tried_before: bool) -> Outcome:
        """The mid-week reminder (work not yet done) or a swap's answer, by DM to one member."""
        content: Reminder | SwapDecided
        async with self.db.session() as session:
            if kind == "remind":
                rota = await session.get_one(Rota, payload["rota_id"])
                org = await session.get_one(Organization, rota.organization_id)
                member = await session.get_one(MemberRow, payload["member_id"])
                todo = [
                    (h.task.name, h.assignment.hours)
                    for h in await rotas.holdings(session, rota.id)
                    if h.member.id == member.id and h.assignment.done_at is None
                ]
                if not todo or not member.reminders:
                    return Outcome()  # all done (or opted out) since it was queued: nothing to remind of
                content, user_id = Reminder(org.name, rota.week, todo), member.user_id
            else:
                offer = await session.get_one(SwapOffer, payload["offer_id"])
                piece = await session.get_one(Assignment, offer.assignment_id)
                task = await session.get_one(TaskRow, piece.task_id)
                rota = await session.get_one(Rota, piece.rota_id)
                giver = await session.get_one(MemberRow, offer.from_member_id)
                taker = await session.get_one(MemberRow, offer.to_member_id)
                content = SwapDecided(offer.status == "accepted", task.name, piece.hours, rota.week, taker.user_id)
                user_id = giver.user_id
        found = await self.rota.find_dm(user_id, marker) if tried_before else None
        if found is not None:
            return Outcome(found)
        return Outcome(await self.rota.send_dm(user_id, content, marker), True)

    async def _rota_content(self, effect: OutboxEffect, rota_id: int, marker: str) -> RotaPostContent:
        async with self.db.session() as session:
            rota = await session.get_one(Rota, rota_id)
            org = await session.get_one(Organization, rota.organization_id)
            held = await rotas.holdings(session, rota.id)
            moves = await queue.of_subject(session, effect.subject, "role")
        notes = sorted({ROLE_NOTE.format(role_id=json.loads(m.payload)["role_id"]) for m in moves if m.last_error})
        report = Report.from_json(rota.report)
        names = {member_key(h.member.id): h.member.display_name for h in held}
        chart = await draw_chart(self.runner, org.id, chart_points(report, names), f"{org.name}: week {rota.week}")
        holders = list(dict.fromkeys(h.member.user_id for h in held))  # once each, in the post's order
        return RotaPostContent(org, rota, report, held, notes, chart, marker, Mentions(holders, org.ping_holders))

    async def _dm(self, payload: dict[str, Any], marker: str, tried_before: bool) -> Outcome:
        async with self.db.session() as session:
            rota = await session.get_one(Rota, payload["rota_id"])
            org = await session.get_one(Organization, rota.organization_id)
            items = [h for h in await rotas.holdings(session, rota.id) if h.member.id == payload["member_id"]]
        if not items:
            return Outcome()  # nothing left to tell (a re-publication gave them nothing)
        user_id = items[0].member.user_id
        found = await self.rota.find_dm(user_id, marker) if tried_before else None
        if found is not None:
            return Outcome(found)
        fairness = fairness_of(Report.from_json(rota.report), member_key(payload["member_id"]))
        return Outcome(await self.rota.send_jobs(user_id, org, rota.week, items, marker, fairness), True)

    async def _vote_post(self, payload: dict[str, Any], marker: str, tried_before: bool) -> Outcome:
        channel = Channel(payload["guild_id"], payload["channel_id"])
        async with self.db.session() as session:
            proposal = await session.get_one(MergeProposal, payload["proposal_id"])
            if proposal.status != "open":
                return Outcome()  # closed before its post went out: the announcement says it all
            facts = {}
            if proposal.kind == "leave":  # what the leaving side takes with it
                members_count, side_tasks, side_goals = await merges.side_facts(
                    session, proposal.proposer_org_id, proposal.other_org_id
                )
                side = await session.get_one(Organization, proposal.other_org_id)
                facts[payload["there"]] = SideFacts(
                    side,
                    members_count,
                    total_hours(exact_hours(t.hours) * t.slots for t in side_tasks),
                    side_goals,
                )
            for org_id in (payload["here"], payload["there"]):
                if org_id in facts:
                    continue
                org = await session.get_one(Organization, org_id)
                facts[org_id] = SideFacts(
                    org,
                    await orgs.active_member_count(session, org_id),
                    total_hours(exact_hours(t.hours) * t.slots for t in await active_tasks(session, org_id)),
                    [g.text for g in await orgs.goals(session, org_id)],
                )
        found = await self.votes.find_message(channel, marker) if tried_before else None
        if found is not None:
            return Outcome(found)
        content = VotePostContent(proposal, facts[payload["here"]], facts[payload["there"]], marker)
        return Outcome(await self.votes.post_vote(channel, content), True)

    async def _vote_end(self, payload: dict[str, Any]) -> VoteEnd:
        if payload["end"] == "withdrawn":
            return VoteWithdrawn(payload["proposal_id"], payload["by_org"])
        async with self.db.session() as session:
            proposal = await session.get_one(MergeProposal, payload["proposal_id"])
        result = json.loads(proposal.result)
        sides = (Side(**result["proposer"]), Side(**result["other"]))
        return VoteClosed(proposal, (payload["names"][0], payload["names"][1]), sides, payload["merged_name"])

    async def _record(self, session: Session, effect: OutboxEffect, payload: dict[str, Any], outcome: Outcome) -> None:
        """What the delivery changes besides the effect's own row (in the same transaction)."""
        if effect.kind == "rota.post":
            post = await rotas.post_for(session, payload["rota_id"], payload["guild_id"], payload["channel_id"])
            post.message_id, post.posted_at = outcome.message_id, self.clock()
            post.notes = "\n".join(outcome.notes)[:1000]
        elif effect.kind == "vote.post" and outcome.message_id is not None:
            session.add(
                MergePost(
                    proposal_id=payload["proposal_id"],
                    guild_id=payload["guild_id"],
                    channel_id=payload["channel_id"],
                    message_id=outcome.message_id,
                )
            )
