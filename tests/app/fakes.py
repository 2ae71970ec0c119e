"""Fakes for the use cases' ports: Discord effects that record what they were asked to do, a runner
that works inline, a clock tests move."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.app.merges import VoteEnd
from bot.app.ports import Channel, RoleMove, RotaPostContent, VotePostContent
from bot.chart import balance_chart
from storage.models import Organization
from storage.rotas import Holding

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

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0) -> T:
        self.calls.append(function.__name__)
        if function is balance_chart:
            return b"\x89PNG fake chart"  # type: ignore[return-value]
        return function(*args)


@dataclass
class Sent:
    channel: Channel
    content: RotaPostContent
    id: int


@dataclass
class FakeRotaEffects:
    posts: list[Sent] = field(default_factory=list)  # what is in the channels now
    sent: int = 0  # every post ever sent
    roles: set[tuple[int, int]] = field(default_factory=set)  # (guild, role) that exist
    holders: set[tuple[int, int, int]] = field(default_factory=set)  # (guild, role, user)
    forbidden: bool = False  # the bot lacks Manage Roles
    dms: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (user, week, task names)
    fail_next_send: BaseException | None = None

    async def find_post(self, channel: Channel, marker: str) -> int | None:
        return next((p.id for p in self.posts if p.channel == channel and p.content.marker == marker), None)

    async def send_post(self, channel: Channel, content: RotaPostContent) -> int:
        if self.fail_next_send is not None:
            error, self.fail_next_send = self.fail_next_send, None
            raise error
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

    async def send_jobs(self, user_id: int, org: Organization, week: str, held: Sequence[Holding]) -> bool:
        self.dms.append((user_id, week, sorted(h.task.name for h in held)))
        return True


@dataclass
class FakeVoteEffects:
    votes: list[tuple[Channel, VotePostContent, int]] = field(default_factory=list)
    ends: list[tuple[Channel, int | None, VoteEnd]] = field(default_factory=list)

    async def post_vote(self, channel: Channel, content: VotePostContent) -> int:
        message_id = next(message_ids)
        self.votes.append((channel, content, message_id))
        return message_id

    async def announce(self, channel: Channel, message_id: int | None, end: VoteEnd) -> None:
        self.ends.append((channel, message_id, end))


@dataclass
class FakeJobs:
    jobs: dict[str, datetime] = field(default_factory=dict)

    def once(self, key: str, when: datetime, callback: Any, *args: Any) -> None:
        self.jobs[key] = when

    def remove_key(self, key: str) -> None:
        self.jobs.pop(key, None)
