"""Fakes for the use cases' ports: Discord effects that record what they were asked to do, a runner
that works inline, a clock tests move."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import storage.outbox
from bot.app.ports import (
    Channel,
    ClaimNotice,
    DeliveryError,
    Held,
    ModNotice,
    OrgFacts,
    ProposalPost,
    ProposalReminder,
    ProposalResult,
    Reminder,
    RoleMove,
    RotaPostContent,
    ShiftReminder,
    SwapDecided,
    VoteEnd,
    VotePostContent,
    VoteReminder,
)
from bot.domain.fairness import Fairness
from bot.render.chart import balance_chart

T = TypeVar("T")

message_ids = itertools.count(1000)


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


class InlineRunner:
    """Runs the solver in the test's process (small instances) and skips drawing charts."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0, owner: object = None) -> T:
        self.calls.append(function.__name__)
        if function is balance_chart:
            return b"\x89PNG fake chart"  # type: ignore[return-value]
        return function(*args)


@dataclass
class Sent:
    channel: Channel
    content: RotaPostContent
    id: int


class Crash(BaseException):
    """The process dying at this point: nothing in the bot catches it (as nothing survives a kill)."""


@dataclass
class FakeRotaEffects:
    posts: list[Sent] = field(default_factory=list)  # what is in the channels now
    sent: int = 0  # every post ever sent
    roles: set[tuple[int, int]] = field(default_factory=set)  # (guild, role) that exist
    holders: set[tuple[int, int, int]] = field(default_factory=set)  # (guild, role, user)
    forbidden: bool = False  # the bot lacks Manage Roles
    dms: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (user, week, task names)
    dm_markers: dict[int, tuple[int, str]] = field(default_factory=dict)  # message id: (user, marker)
    dm_fairness: list[Fairness | None] = field(default_factory=list)  # with each DM, the member's fairness
    fail_next_send: BaseException | None = None
    gone: set[int] = field(default_factory=set)  # channels deleted (or the bot may no longer post there)
    rest: list[tuple[Channel, str]] = field(default_factory=list)  # the posts' mentions that did not fit
    claims: list[tuple[Channel, ClaimNotice, str, int]] = field(default_factory=list)  # offers and "nobody took it"
    closed: list[tuple[int, ClaimNotice]] = field(default_factory=list)  # offers' messages closed (message id)
    notes: list[tuple[int, Reminder | SwapDecided | ShiftReminder]] = field(default_factory=list)  # other DMs
    notices: list[tuple[Channel, ModNotice, str, int]] = field(default_factory=list)  # other servers' mod changes

    async def find_post(self, channel: Channel, marker: str) -> int | None:
        posts = [(p.channel, p.content.marker, p.id) for p in self.posts]
        posts += [(c, m, i) for c, _, m, i in self.claims]
        posts += [(c, m, i) for c, _, m, i in self.notices]
        return next((i for c, m, i in posts if c == channel and m == marker), None)

    async def send_rest(self, channel: Channel, content: RotaPostContent, tried_before: bool) -> None:
        self.rest.append((channel, content.marker))

    async def post_claim(self, channel: Channel, notice: ClaimNotice, marker: str, tried_before: bool) -> int:
        message_id = next(message_ids)
        self.claims.append((channel, notice, marker, message_id))
        return message_id

    async def close_claim(self, channel: Channel, message_id: int, notice: ClaimNotice) -> None:
        self.closed.append((message_id, notice))

    async def post_notice(self, channel: Channel, notice: ModNotice, marker: str) -> int:
        message_id = next(message_ids)
        self.notices.append((channel, notice, marker, message_id))
        return message_id

    async def send_dm(self, user_id: int, content: Reminder | SwapDecided | ShiftReminder, marker: str) -> int:
        self.notes.append((user_id, content))
        message_id = next(message_ids)
        self.dm_markers[message_id] = (user_id, marker)
        return message_id

    async def send_post(self, channel: Channel, content: RotaPostContent) -> int:
        if self.fail_next_send is not None:
            error, self.fail_next_send = self.fail_next_send, None
            raise error
        if channel.channel_id in self.gone:
            raise DeliveryError(f"posting in channel {channel.channel_id}: 404 Unknown Channel", permanent=True)
        self.sent += 1
        sent = Sent(channel, content, next(message_ids))
        self.posts.append(sent)
        return sent.id

    async def delete_post(self, channel: Channel, message_id: int) -> None:
        self.posts = [p for p in self.posts if p.id != message_id]

    def has_role(self, guild_id: int, role_id: int) -> bool:
        return (guild_id, role_id) in self.roles

    async def move_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool, reason: str) -> RoleMove:
        if self.forbidden:
            return RoleMove.FORBIDDEN
        if add:
            self.holders.add((guild_id, role_id, user_id))
        else:
            self.holders.discard((guild_id, role_id, user_id))
        return RoleMove.MOVED

    async def find_dm(self, user_id: int, marker: str) -> int | None:
        return next((i for i, (user, m) in self.dm_markers.items() if (user, m) == (user_id, marker)), None)

    async def send_jobs(
        self,
        user_id: int,
        org: OrgFacts,
        week: str,
        held: Sequence[Held],
        marker: str,
        fairness: Fairness | None = None,
        *,
        changed: bool = False,
    ) -> int:
        self.dms.append((user_id, week, sorted(h.task.name for h in held)))
        self.dm_fairness.append(fairness)
        message_id = next(message_ids)
        self.dm_markers[message_id] = (user_id, marker)
        return message_id


@dataclass
class FakeVoteEffects:
    votes: list[tuple[Channel, VotePostContent, int]] = field(default_factory=list)
    ends: list[tuple[Channel, VoteEnd, int]] = field(default_factory=list)
    retired: list[tuple[Channel, int]] = field(default_factory=list)
    markers: dict[int, tuple[Channel, str]] = field(default_factory=dict)  # every message: where, its marker
    fail_next_announce: BaseException | None = None
    reminders: list[tuple[Channel, VoteReminder, int]] = field(default_factory=list)

    async def find_message(self, channel: Channel, marker: str) -> int | None:
        return next((i for i, (c, m) in self.markers.items() if (c, m) == (channel, marker)), None)

    async def post_vote(self, channel: Channel, content: VotePostContent) -> int:
        message_id = next(message_ids)
        self.votes.append((channel, content, message_id))
        self.markers[message_id] = (channel, content.marker)
        return message_id

    async def announce(self, channel: Channel, end: VoteEnd, marker: str) -> int:
        if self.fail_next_announce is not None:
            error, self.fail_next_announce = self.fail_next_announce, None
            raise error
        message_id = next(message_ids)
        self.ends.append((channel, end, message_id))
        self.markers[message_id] = (channel, marker)
        return message_id

    async def retire(self, channel: Channel, message_id: int) -> None:
        self.retired.append((channel, message_id))

    async def remind(self, channel: Channel, content: VoteReminder, marker: str, tried_before: bool) -> int:
        message_id = next(message_ids)
        self.reminders.append((channel, content, message_id))
        self.markers[message_id] = (channel, marker)
        return message_id


@dataclass
class FakeDecisionEffects:
    """Proposals' posts, results, retired buttons and reminder DMs, as sent (markers kept to be found)."""

    posts: list[tuple[Channel, ProposalPost, int]] = field(default_factory=list)
    results: list[tuple[Channel, ProposalResult]] = field(default_factory=list)
    retired: list[tuple[Channel, int]] = field(default_factory=list)
    reminded: list[tuple[int, ProposalReminder]] = field(default_factory=list)
    markers: dict[int, str] = field(default_factory=dict)

    async def find_message(self, channel: Channel, marker: str) -> int | None:
        return next((i for i, m in self.markers.items() if m == marker), None)

    async def post_proposal(self, channel: Channel, content: ProposalPost) -> int:
        message_id = next(message_ids)
        self.posts.append((channel, content, message_id))
        self.markers[message_id] = content.marker
        return message_id

    async def announce(self, channel: Channel, result: ProposalResult, marker: str) -> int:
        message_id = next(message_ids)
        self.results.append((channel, result))
        self.markers[message_id] = marker
        return message_id

    async def retire(
        self, channel: Channel, message_id: int, proposal_id: int, choices: Sequence[str], language: str = "en"
    ) -> None:
        self.retired.append((channel, message_id))

    async def find_dm(self, user_id: int, marker: str) -> int | None:
        return next((i for i, m in self.markers.items() if m == marker), None)

    async def remind(self, user_id: int, content: ProposalReminder, marker: str) -> int:
        message_id = next(message_ids)
        self.reminded.append((user_id, content))
        self.markers[message_id] = marker
        return message_id


@dataclass
class FakeJobs:
    jobs: dict[str, datetime] = field(default_factory=dict)
    calls: dict[str, tuple[Any, tuple[Any, ...]]] = field(default_factory=dict)  # what each job would run

    def once(self, key: str, when: datetime, callback: Any, *args: Any) -> None:
        self.jobs[key] = when
        self.calls[key] = (callback, args)

    async def fire(self, key: str) -> Any:
        """Run a job now, as the scheduler would at its time (tests move their clock first)."""
        callback, args = self.calls[key]
        return await callback(*args)

    def remove_key(self, key: str) -> None:
        self.jobs.pop(key, None)


def crash_when_recording(monkeypatch: Any, kind: str, error: type[Exception]) -> Callable[..., Any]:
    """Make recording a delivered effect of `kind` raise `error`: a crash after Discord got the message
    and before the database knew. Returns the real recorder, to put back for the restart."""
    real_done = storage.outbox.done

    def done(effect: Any, message_id: Any) -> Any:
        if effect.kind == kind:
            raise error()
        return real_done(effect, message_id)

    monkeypatch.setattr(storage.outbox, "done", done)
    return real_done
