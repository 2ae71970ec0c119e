"""Database models. Discord IDs are 64-bit snowflakes: always `BigInteger` columns.

Surrogate ids are typed `int` although a row has none until it is flushed: code past the storage
layer only ever sees stored rows, and the type checker should not make it prove so at every use.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import BigInteger, Column, DateTime, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def snowflake(*, nullable: bool = False, unique: bool = False, index: bool = False) -> Column:
    return Column(BigInteger, nullable=nullable, unique=unique, index=index)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no timezone and hands back naive
    values, which then cannot be compared with aware ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def timestamp(*, nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


class BotState(SQLModel, table=True):
    """Small key/value facts the process keeps between starts (e.g. the last synced command hash)."""

    __tablename__ = "bot_state"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class Organization(SQLModel, table=True):
    """One organization. Until a merge it lives on one Discord server; a federation spans several."""

    __tablename__ = "organization"

    id: int = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    publish_day: int = Field(default=0, description="0 = Monday … 6 = Sunday")
    publish_time: time = Field(default=time(9, 0))
    default_hours: float = Field(default=10.0)
    # Splittable tasks are cut into whole multiples of this many hours (read it with
    # `bot.domain.organizations.check_granularity`: a float holds these two-decimal values exactly enough).
    granularity: float = Field(default=0.25)
    quorum_pct: int = Field(default=50)
    threshold_pct: int = Field(default=67)
    vote_hours: int = Field(default=72)
    merge_code: str = Field(max_length=16, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    archived_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    merged_into_id: int | None = Field(default=None, foreign_key="organization.id")
    # When the current weekly schedule took effect: a run before it is never caught up.
    schedule_since: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    # The public fairness report (`parecon-rota report`): off until its moderators turn it on.
    publish_report: bool = Field(default=False)
    # The equal hourly rate the ledger's export pays (None: hours only), and its currency.
    hourly_rate: float | None = Field(default=None)
    currency: str | None = Field(default=None, max_length=8)
    # The federation this organization left by vote (its past rotas hold this side's history).
    left_from_id: int | None = Field(default=None, foreign_key="organization.id")
    # The rota post mentions (pings) each holder unless this is off.
    ping_holders: bool = Field(default=True)
    # A task given back is open to claims this long (capped at the end of its week).
    claim_hours: int = Field(default=24)
    # The mid-week reminder of work not yet done: weekday (0 = Monday; None = off) and local time.
    reminder_day: int | None = Field(default=3)
    reminder_time: time = Field(default=time(18, 0))
    # What the bot posts and sends unasked (the rota post, votes, DMs) is in this language (a catalog of
    # `bot.i18n`); a member may choose their own for what goes to them alone.
    language: str = Field(default="en", max_length=16)
    # Proposals (`/propose`): how many one member may have open at once, and the bounds within which a
    # proposal may ask for its own quorum and threshold (moderators set them).
    proposals_per_member: int = Field(default=3)
    proposal_quorum_min: int = Field(default=0)
    proposal_quorum_max: int = Field(default=100)
    proposal_threshold_min: int = Field(default=50)
    proposal_threshold_max: int = Field(default=100)
    # A DM this many hours before each shift at a set time (None: off).
    shift_reminder_hours: int | None = Field(default=12)


class OrgServer(SQLModel, table=True):
    """A Discord server hosting (part of) an organization, and where its rota is posted there."""

    __tablename__ = "org_server"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    organization_id: int = Field(foreign_key="organization.id", index=True)
    channel_id: int = Field(sa_column=snowflake())
    joined_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    # The organization this server set up before any merge: the side it leaves with (None: its own).
    origin_org_id: int | None = Field(default=None, foreign_key="organization.id")
    # Mentioned when a task given back finds nobody (None: that notice pings nobody).
    moderator_role_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))


class Goal(SQLModel, table=True):
    __tablename__ = "goal"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    text: str = Field(max_length=300)
    origin: str | None = Field(default=None, max_length=100, description="organization it came from in a merge")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    origin_org_id: int | None = Field(
        default=None, foreign_key="organization.id", description="the side it came from in a merge (None: its own)"
    )


class TaskRow(SQLModel, table=True):
    """Recurring work (weekly unless `every_weeks` says otherwise). Removing a task archives it, so
    history keeps it."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=100)
    hours: float
    slots: int = Field(default=1)
    splittable: bool = Field(default=False)
    min_shift: float = Field(default=1.0)
    qualification: str | None = Field(default=None, max_length=50)
    role_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    description: str | None = Field(default=None, max_length=300)
    origin: str | None = Field(default=None, max_length=100, description="organization it came from in a merge")
    every_weeks: int = Field(default=1, description="1 weekly, N every N weeks from first_week, 0 once")
    # Work at a set time (None: flexible, done any time in the week): the days as `mon-fri`, `sat`,
    # `tue,thu` (bot.domain.solver.timed syntax) and the local start in minutes after midnight.
    day: str | None = Field(default=None, max_length=40)
    start: int | None = Field(default=None)
    first_week: str | None = Field(default=None, max_length=8, description="ISO week, e.g. 2026-W50")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    archived_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    origin_org_id: int | None = Field(
        default=None, foreign_key="organization.id", description="the side it came from in a merge (None: its own)"
    )


class MemberRow(SQLModel, table=True):
    """A person in an organization's rota. Leaving deactivates, so history keeps them."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    user_id: int = Field(sa_column=snowflake(index=True))
    display_name: str = Field(max_length=100)
    hours: float
    active: bool = Field(default=True)
    notify: bool = Field(default=False)
    reminders: bool = Field(default=True, description="the mid-week reminder DM (off with /notify)")
    language: str | None = Field(default=None, max_length=16, description="their DMs' language (/language set)")
    # The start of the current membership period: leaving and joining again starts a new one.
    joined_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    # Set when a moderator takes the member out: they cannot `/join` again until a moderator readmits them.
    removed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    origin_org_id: int | None = Field(
        default=None, foreign_key="organization.id", description="the side it came from in a merge (None: its own)"
    )
    show_in_report: bool = Field(default=False, description="named in the public report (else an anonymous rank)")
    # When they can work timed tasks, in bot.domain.solver.timed's syntax (`mon-fri 18:00-22:00; sat`); None: any time.
    windows: str | None = Field(default=None, max_length=500)
    shift_reminders: bool = Field(default=True, description="the DM before each shift (off with /notify)")


class Qualification(SQLModel, table=True):
    __tablename__ = "qualification"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    name: str = Field(max_length=50, primary_key=True)


class Away(SQLModel, table=True):
    __tablename__ = "away"

    id: int = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    start: date
    end: date


class Rating(SQLModel, table=True):
    """One member's private judgement of one task."""

    __tablename__ = "rating"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    task_id: int = Field(foreign_key="task.id", primary_key=True, index=True)
    desirability: int
    empowerment: int
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class AuditEntry(SQLModel, table=True):
    """Who did what, when: every moderator action."""

    __tablename__ = "audit"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    actor_id: int = Field(sa_column=snowflake())
    action: str = Field(max_length=50)
    detail: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    # The server the action came from (in a federation, every server's moderators see it; None: before it was kept).
    guild_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))


class Rota(SQLModel, table=True):
    """One organization's job complexes for one ISO week: stored once (the unique key makes
    overlapping or repeated publications converge on one row)."""

    __tablename__ = "rota"
    __table_args__ = (UniqueConstraint("organization_id", "week"),)

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    week: str = Field(max_length=8, description="ISO week, e.g. 2026-W48")
    spread_sum: float
    report: str = Field(description="the balance report, JSON")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    published_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class Assignment(SQLModel, table=True):
    """A piece of a task one member holds in a rota; after a swap, whoever really does it."""

    __tablename__ = "assignment"

    id: int = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="rota.id", index=True)
    task_id: int = Field(foreign_key="task.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    hours: float
    assigned_member_id: int = Field(foreign_key="member.id", description="who the solver gave it to")
    done_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    # A piece of a timed task: the occurrence's day (0 = Monday) and local start/end in minutes after
    # that day's midnight (an end past 1440 runs into the next day). None: flexible work.
    day: int | None = Field(default=None)
    start: int | None = Field(default=None)
    end: int | None = Field(default=None)


class RotaPost(SQLModel, table=True):
    """The rota's message on one server. A row without a message id is a post under way."""

    __tablename__ = "rota_post"
    __table_args__ = (UniqueConstraint("rota_id", "guild_id"),)

    id: int = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="rota.id", index=True)
    guild_id: int = Field(sa_column=snowflake())
    channel_id: int = Field(sa_column=snowflake())
    message_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    notes: str = Field(default="", max_length=1000)
    posted_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class SwapOffer(SQLModel, table=True):
    """A member offering their piece of a task to another member, who accepts or declines."""

    __tablename__ = "swap_offer"

    id: int = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    from_member_id: int = Field(foreign_key="member.id")
    to_member_id: int = Field(foreign_key="member.id")
    status: str = Field(default="open", max_length=10, description="open, accepted, declined")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    decided_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class TaskClaim(SQLModel, table=True):
    """A piece of a task its holder gave back ("Can't do…"), open to qualified members with room
    until `deadline`; the first to claim takes it (the assignment's member changes, as in a swap)."""

    __tablename__ = "task_claim"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    from_member_id: int = Field(foreign_key="member.id")
    taker_member_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default="open", max_length=10, index=True, description="open, taken, expired, withdrawn")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    deadline: datetime = Field(sa_column=timestamp())
    decided_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class MergeProposal(SQLModel, table=True):
    """Two organizations deciding, each by its own rules, whether to become one."""

    __tablename__ = "merge_proposal"

    id: int = Field(default=None, primary_key=True)
    proposer_org_id: int = Field(foreign_key="organization.id", index=True)
    other_org_id: int = Field(foreign_key="organization.id", index=True)
    name: str = Field(max_length=100)
    proposed_by: int = Field(sa_column=snowflake())
    status: str = Field(default="open", max_length=10, description="open, passed, failed, cancelled")
    # Each side's rules and electorate, fixed when the vote opens.
    proposer_quorum: int
    proposer_threshold: int
    proposer_electorate: int
    other_quorum: int
    other_threshold: int
    other_electorate: int
    dry_run: str = Field(default="{}", description="the merged rota's dry run, JSON")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    closes_at: datetime = Field(sa_column=timestamp())
    closed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    result: str = Field(default="{}", description="the tally at the close, JSON")
    merged_org_id: int | None = Field(default=None, foreign_key="organization.id")
    # "merge", or "leave": one side of a federation (`other_org_id`, the organization its servers set up)
    # voting to leave it (`proposer_org_id`); only that side votes, by its own rules.
    kind: str = Field(default="merge", max_length=8)


class MergeVote(SQLModel, table=True):
    """One member's vote on one side of a proposal; voting again replaces it. Secret: only totals show."""

    __tablename__ = "merge_vote"

    proposal_id: int = Field(foreign_key="merge_proposal.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    choice: str = Field(max_length=8, description="yes, no, abstain")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class MergePost(SQLModel, table=True):
    """The vote message on one server."""

    __tablename__ = "merge_post"

    id: int = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="merge_proposal.id", index=True)
    guild_id: int = Field(sa_column=snowflake())
    channel_id: int = Field(sa_column=snowflake())
    message_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))


class OutboxEffect(SQLModel, table=True):
    """Something to do in Discord (a post, an edit, a role move, a DM), written in the transaction of
    the change that calls for it and carried out by the dispatcher (`bot.app.outbox`): retried with
    backoff, found again after a crash by its key, given up after a bounded number of tries."""

    __tablename__ = "outbox"

    id: int = Field(default=None, primary_key=True)
    organization_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    key: str = Field(max_length=120, unique=True, description="idempotency key, also in the message")
    kind: str = Field(max_length=20, description="e.g. rota.post, role, dm, vote.post (bot.app.outbox lists them)")
    subject: str = Field(max_length=40, index=True, description="what it belongs to, e.g. rota:12, merge:3")
    payload: str = Field(default="{}", description="JSON")
    status: str = Field(default="pending", max_length=10, index=True, description="pending, done, failed")
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    last_error: str = Field(default="", max_length=300)
    message_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    done_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class LedgerCorrection(SQLModel, table=True):
    """A moderator's correction of a member's hours in one week of the ledger (also in the audit log)."""

    __tablename__ = "ledger_correction"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    week: str = Field(max_length=8, description="ISO week, e.g. 2026-W48")
    hours: float = Field(description="added to the hours done (negative: taken off)")
    reason: str = Field(max_length=300)
    actor_id: int = Field(sa_column=snowflake())
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class Proposal(SQLModel, table=True):
    """A question put to an organization's members (`/propose`): who decides, by what rule, until when.
    The electorate and its weights are fixed when it opens (`ProposalElector`)."""

    __tablename__ = "proposal"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=100)
    text: str = Field(default="", max_length=2000)
    proposed_by: int = Field(sa_column=snowflake())
    guild_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    # Who decides (`bot.decisions.Rule`): everyone, affected, weighted; the tasks, qualification, role, weeks.
    basis: str = Field(default="everyone", max_length=10)
    task_ids: str = Field(default="[]", description="JSON list of task ids")
    qualification: str | None = Field(default=None, max_length=50)
    role_id: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    weeks: int = Field(default=8)
    secret: bool = Field(default=True, description="totals only (else who voted what is shown)")
    quorum_pct: int
    threshold_pct: int
    status: str = Field(default="open", max_length=10, index=True, description="open, passed, failed, withdrawn")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    closes_at: datetime = Field(sa_column=timestamp())
    closed_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    result: str = Field(default="{}", description="the tally at the close, JSON")
    withdrawn_by: int | None = Field(default=None, sa_column=snowflake(nullable=True))
    withdrawn_reason: str | None = Field(default=None, max_length=300)


class ProposalChoice(SQLModel, table=True):
    __tablename__ = "proposal_choice"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    position: int = Field(primary_key=True)
    label: str = Field(max_length=80)


class ProposalElector(SQLModel, table=True):
    """One member entitled to vote on a proposal, with their weight (fixed at opening)."""

    __tablename__ = "proposal_elector"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    user_id: int = Field(sa_column=snowflake())
    weight: float = Field(default=1.0, description="1, or hours on the named tasks (at least the floor)")


class ProposalBallot(SQLModel, table=True):
    """One elector's own vote; voting again replaces it."""

    __tablename__ = "proposal_ballot"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    choice: str = Field(max_length=80)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class DelegationRow(SQLModel, table=True):
    """A member giving their vote to another (`/delegate`): for every proposal, or those naming a task
    or a qualification; until a date, or until ended."""

    __tablename__ = "delegation"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    delegator_id: int = Field(foreign_key="member.id", index=True)
    delegate_id: int = Field(foreign_key="member.id", index=True)
    scope: str = Field(default="all", max_length=14, description="all, task, qualification")
    scope_value: str = Field(default="", max_length=50, description="the task id or the qualification")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    until: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class DecisionEntry(SQLModel, table=True):
    """The organization's log of decided proposals (`/decisions`): one line each, written at the close."""

    __tablename__ = "decision_log"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", unique=True)
    title: str = Field(max_length=100)
    outcome: str = Field(max_length=300)
    decided_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class CalendarFeed(SQLModel, table=True):
    """A secret calendar link: one member's shifts, or (no member) the whole organization's for its
    moderators. Only a hash of the secret is kept; a reset revokes the old link."""

    __tablename__ = "calendar_feed"

    id: int = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    user_id: int = Field(sa_column=snowflake(), description="who asked for it")
    secret_hash: str = Field(max_length=64, unique=True, description="SHA-256 of the secret, hex")
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
