"""What the use cases need from the outside world, as Protocols. The bot implements them with
discord.py (`cogs/*/effects.py`) and the tests with fakes (`tests/app/fakes.py`)."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol, TypeVar

from bot.domain.decisions import Elector, weight_text
from bot.domain.fairness import Fairness
from bot.domain.report import Report
from bot.domain.votes import Side
from bot.i18n import SOURCE_LANGUAGE, ngettext

T = TypeVar("T")

Clock = Callable[[], datetime]


class Runner(Protocol):
    """Runs CPU-heavy work (solving, drawing) away from the event loop (`bot.runtime.workers.Workers`)."""

    async def run(self, function: Callable[..., T], *args: Any, timeout: float = 300.0, owner: object = None) -> T:
        """`timeout` counts from the start of the run; `owner` (the organization) shares the workers fairly."""
        ...


class Jobs(Protocol):
    """One-off jobs at a time (`bot.runtime.scheduler.WeeklyScheduler`)."""

    def once(self, key: str, when: datetime, callback: Callable[..., Awaitable[object]], *args: Any) -> None: ...

    def remove_key(self, key: str) -> None: ...


@dataclass(frozen=True)
class Channel:
    """Where something is posted: one server's channel."""

    guild_id: int
    channel_id: int


@dataclass(frozen=True)
class Mentions:
    """Members a channel message mentions (users only: never roles, @everyone or @here) and whether
    they are notified (`ping`); the adapter splits long lists across messages."""

    user_ids: Sequence[int] = ()
    ping: bool = True


# -- plain values the ports carry (made from the stored rows by `bot.app.facts`) ---------------------


@dataclass(frozen=True)
class OrgFacts:
    id: int
    name: str
    timezone: str = "UTC"
    ping_holders: bool = True  # the post mentions its holders with a notification
    language: str = "en"  # what the bot posts and sends unasked is in it (`bot.i18n`)


@dataclass(frozen=True)
class RotaFacts:
    id: int
    week: str


@dataclass(frozen=True)
class TaskFacts:
    id: int
    name: str
    description: str | None = None


@dataclass(frozen=True)
class MemberFacts:
    id: int
    user_id: int
    display_name: str
    hours: float  # a week's hours
    language: str | None = None  # their own for their DMs (`/language set`); None: the organization's


@dataclass(frozen=True)
class PieceFacts:
    """A piece of a task one member holds in a week."""

    task_id: int
    member_id: int
    hours: float
    done_at: datetime | None = None
    # A shift at a set time: the occurrence's day (0 = Monday) and local minutes (the rota's CSV),
    # and when it starts and ends in UTC (Discord timestamps). None: flexible work.
    day: int | None = None
    start: int | None = None
    end: int | None = None
    starts: datetime | None = None
    ends: datetime | None = None

    @property
    def timed(self) -> bool:
        return self.starts is not None and self.ends is not None


@dataclass(frozen=True)
class Held:
    """A piece with its task and member, as a post or a DM shows it."""

    assignment: PieceFacts
    task: TaskFacts
    member: MemberFacts


@dataclass(frozen=True)
class ProposalFacts:
    """A merge (or leave) vote as its messages show it."""

    id: int
    kind: str  # merge or leave
    name: str
    proposer_org_id: int
    other_org_id: int
    proposer_quorum: int
    proposer_threshold: int
    proposer_electorate: int
    other_quorum: int
    other_threshold: int
    other_electorate: int
    closes_at: datetime
    dry_run: str = "{}"  # JSON: what pooling would mean for each side
    merged_org_id: int | None = None  # the organization the vote made (or left behind), once closed


ROLE_NOT_MOVED = "I could not move role {role_id}: I need Manage Roles and a role above it."


@dataclass(frozen=True)
class RotaPostContent:
    """Everything the rota post shows; the adapter renders it (embeds, chart, CSV)."""

    org: OrgFacts
    rota: RotaFacts
    report: Report
    held: Sequence[Held]
    unmoved_roles: Sequence[int]  # the tasks' roles Discord refused to move (the post says so)
    chart: bytes | None  # None: it could not be drawn, the post goes without it
    marker: str  # in the footer: finds the post again after a crash
    mentions: Mentions = Mentions()  # the holders, in the post's text

    @property
    def notes(self) -> list[str]:
        """What went wrong, in plain words (kept with the post's record; the adapter says it its way)."""
        return [ROLE_NOT_MOVED.format(role_id=role_id) for role_id in self.unmoved_roles]


@dataclass(frozen=True)
class ClaimNotice:
    """A task given back, as the channel sees it: offered (with a claim button, mentioning those who
    can take it), taken, or unclaimed by its deadline (telling the moderators)."""

    state: str  # offered, taken, expired, withdrawn (done after all, or changed hands)
    claim_id: int
    org_name: str
    task: str
    hours: float
    week: str
    giver_user_id: int
    deadline: datetime
    mentions: Mentions = Mentions()
    taker_user_id: int | None = None
    moderator_role_id: int | None = None  # mentioned on `expired`, if the server set one
    starts: datetime | None = None  # a shift at a set time (UTC); None: flexible work
    ends: datetime | None = None
    language: str = "en"  # the organization's


@dataclass(frozen=True)
class Reminder:
    """The mid-week DM: a member's work of the week not yet marked done."""

    org_name: str
    week: str
    # (task, hours, start, end): start and end in UTC for a shift at a set time, None for flexible work
    tasks: Sequence[tuple[str, float, datetime | None, datetime | None]]
    sent_at: datetime | None = None  # shifts over by then are told apart: done, but not marked
    language: str = "en"  # the member's, else the organization's


@dataclass(frozen=True)
class ShiftReminder:
    """The DM before a shift: which task, when (UTC), for which organization."""

    org_name: str
    task: str
    hours: float
    starts: datetime
    ends: datetime
    description: str | None = None
    language: str = "en"  # the member's, else the organization's


@dataclass(frozen=True)
class ModNotice:
    """In a federation: a moderator's change to the whole organization, told on the other servers."""

    org_name: str
    actor_id: int
    action: str  # as in the audit log, e.g. "task.edit"
    detail: str
    origin_guild_id: int
    language: str = "en"  # the organization's


@dataclass(frozen=True)
class SwapDecided:
    """The DM telling the member who offered a swap how it was answered."""

    accepted: bool
    task: str
    hours: float
    week: str
    taker_user_id: int
    language: str = "en"  # the giver's, else the organization's


@dataclass(frozen=True)
class VoteReminder:
    """A day before a merge vote closes: the members of one side who may vote and have not."""

    proposal_id: int
    name: str
    closes_at: datetime
    mentions: Mentions
    language: str = SOURCE_LANGUAGE  # of the side reminded


class DeliveryError(Exception):
    """Discord did not carry out an effect. `permanent`: trying again will not help until someone
    changes something (a deleted channel or message, a missing permission, closed DMs: 403/404);
    otherwise (429, 5xx) it is worth another try. Anything else raised counts as a passing failure."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class RoleMove(enum.Enum):
    MOVED = "moved"
    FORBIDDEN = "forbidden"  # no Manage Roles, or the role sits above the bot's
    GONE = "gone"  # the member left that server


class RotaEffects(Protocol):
    """What publishing a week does in Discord."""

    async def find_post(self, channel: Channel, marker: str) -> int | None:
        """The id of our post with this footer marker among the channel's recent messages."""
        ...

    async def send_post(self, channel: Channel, content: RotaPostContent) -> int:
        """Post the rota; returns the message id."""
        ...

    async def delete_post(self, channel: Channel, message_id: int) -> None: ...

    def has_role(self, guild_id: int, role_id: int) -> bool: ...

    async def move_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool, reason: str) -> RoleMove: ...

    async def find_dm(self, user_id: int, marker: str) -> int | None:
        """The id of our DM to this member ending with this marker (sent just before a crash)."""
        ...

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
        """A member's weekly jobs by DM (with their week against their fair share); returns the
        message id. Closed DMs are a permanent `DeliveryError`."""
        ...

    async def send_rest(self, channel: Channel, content: RotaPostContent, tried_before: bool) -> None:
        """The mentions that did not fit in the post's text, in messages after it (each sent once:
        with `tried_before`, those found by their marker are not sent again)."""
        ...

    async def post_claim(self, channel: Channel, notice: ClaimNotice, marker: str, tried_before: bool) -> int:
        """A task given back (with its claim button), or unclaimed by its deadline; returns the
        first message's id."""
        ...

    async def close_claim(self, channel: Channel, message_id: int, notice: ClaimNotice) -> None:
        """The offer's message once taken or expired: says so, and loses its claim button."""
        ...

    async def send_dm(self, user_id: int, content: Reminder | SwapDecided | ShiftReminder, marker: str) -> int:
        """A reminder, a swap's answer or the reminder before a shift by DM; returns the message id."""
        ...

    async def post_notice(self, channel: Channel, notice: ModNotice, marker: str) -> int:
        """Tell a server's rota channel of a moderator's change made on another server (pings nobody)."""
        ...


@dataclass(frozen=True)
class VoteClosed:
    """How a vote ended, for its announcement."""

    proposal: ProposalFacts
    names: tuple[str, str]  # proposer's, other's
    sides: tuple[Side, Side]
    merged_name: str | None  # the new organization, when both sides passed
    language: str = SOURCE_LANGUAGE  # of the organization whose channel it goes to


@dataclass(frozen=True)
class VoteWithdrawn:
    proposal_id: int
    by_org: str
    language: str = SOURCE_LANGUAGE  # of the organization whose channel it goes to


VoteEnd = VoteClosed | VoteWithdrawn


class VoteEffects(Protocol):
    """What a merge vote does in Discord. Discord's refusals are `DeliveryError`s."""

    async def find_message(self, channel: Channel, marker: str) -> int | None:
        """The id of our message carrying this marker among the channel's recent messages."""
        ...

    async def post_vote(self, channel: Channel, content: VotePostContent) -> int:
        """Post the vote message with its buttons (and `content.marker`); returns the message id."""
        ...

    async def announce(self, channel: Channel, end: VoteClosed | VoteWithdrawn, marker: str) -> int:
        """Post how the vote ended; returns the message id."""
        ...

    async def retire(self, channel: Channel, message_id: int) -> None:
        """Take the buttons off the vote message (gone already is fine)."""
        ...

    async def remind(self, channel: Channel, content: VoteReminder, marker: str, tried_before: bool) -> int:
        """Mention the members who have not voted yet (split across messages if many); returns the
        first message's id."""
        ...


@dataclass(frozen=True)
class SideFacts:
    """What one side of a merge vote shows the other."""

    org: OrgFacts
    members: int
    task_hours: Decimal  # exact: tasks' hours × slots
    goals: Sequence[str]


@dataclass(frozen=True)
class VotePostContent:
    proposal: ProposalFacts
    here: SideFacts
    there: SideFacts
    marker: str = ""  # in the footer: finds the post again after a crash


# -- proposals (`bot.app.decisions`) -----------------------------------------------------------------

TOP_ELECTORS = 10  # electors named on the post and the preview


@dataclass(frozen=True)
class Electorate:
    """Who decides a proposal: how many, their total weight, the heaviest named."""

    rule_text: str
    count: int
    total: Fraction
    top: Sequence[tuple[str, Fraction]]  # (name, weight), heaviest first
    weighted: bool

    @classmethod
    def of(cls, rule_text: str, electors: Sequence[Elector], weighted: bool) -> Electorate:
        return cls(
            rule_text,
            len(electors),
            sum((e.weight for e in electors), Fraction(0)),
            [(e.name, e.weight) for e in electors[:TOP_ELECTORS]],
            weighted,
        )

    def summary(self, language: str = SOURCE_LANGUAGE) -> str:
        if not self.weighted:
            return ngettext(
                language, "{count} member decides, one vote each", "{count} members decide, one vote each", self.count
            )
        return ngettext(
            language,
            "{count} member decides, each with a say by their hours ({hours} h in all)",
            "{count} members decide, each with a say by their hours ({hours} h in all)",
            self.count,
            hours=weight_text(self.total, language),
        )


@dataclass(frozen=True)
class ProposalPost:
    """A proposal as its post shows it (the post carries `marker`, to be found again after a crash)."""

    proposal_id: int
    org_name: str
    title: str
    text: str
    proposer_id: int
    choices: Sequence[str]
    electorate: Electorate
    quorum_pct: int
    threshold_pct: int
    secret: bool
    closes_at: datetime
    marker: str = ""
    language: str = "en"  # the organization's


@dataclass(frozen=True)
class ProposalResult:
    """How a proposal ended: decided (with the tally, by weight) or withdrawn (with the reason)."""

    proposal_id: int
    title: str
    status: str  # passed, failed, withdrawn
    decided: str | None = None
    totals: Sequence[tuple[str, Fraction]] = ()
    turnout: float = 0.0
    eligible: Fraction = Fraction(0)
    electors: int = 0
    voters: int = 0
    delegated: int = 0
    why_not: str = ""
    reason: str = ""
    weighted: bool = False
    ballots: Sequence[tuple[str, str, bool]] = ()  # open votes only: (name, choice, by delegation)
    quorum_pct: int = 0
    threshold_pct: int = 0
    decided_by: str = ""  # who decided, as the post said it ("those who held Dishes in the last 8 weeks")
    language: str = "en"  # the organization's


@dataclass(frozen=True)
class ProposalReminder:
    proposal_id: int
    org_name: str
    title: str
    closes_at: datetime
    language: str = "en"  # the organization's


class DecisionEffects(Protocol):
    """What proposals do in Discord. Discord's refusals are `DeliveryError`s; nothing pings anyone."""

    async def find_message(self, channel: Channel, marker: str) -> int | None: ...

    async def post_proposal(self, channel: Channel, content: ProposalPost) -> int:
        """The proposal with its buttons (pings nobody); returns the message id."""
        ...

    async def announce(self, channel: Channel, result: ProposalResult, marker: str) -> int:
        """How it ended; returns the message id."""
        ...

    async def retire(
        self, channel: Channel, message_id: int, proposal_id: int, choices: Sequence[str], language: str = "en"
    ) -> None:
        """Disable the post's buttons, labelled in `language` (a deleted post is fine)."""
        ...

    async def find_dm(self, user_id: int, marker: str) -> int | None: ...

    async def remind(self, user_id: int, content: ProposalReminder, marker: str) -> int:
        """A DM to one elector whose vote is not counted yet; returns the message id."""
        ...


class RoleLookup(Protocol):
    """Which of these users hold a Discord role on a server (the bot asks Discord)."""

    async def holders(self, guild_id: int, role_id: int, user_ids: Sequence[int]) -> set[int]: ...
