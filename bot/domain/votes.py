"""Merge-vote rules: when a side passes, and when a vote may close before its deadline.

Each side passes when turnout ≥ its quorum (votes cast, abstentions included, against the members
entitled to vote when the vote opened) and yes / (yes + no) ≥ its threshold. A merge needs both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from bot.i18n import SOURCE_LANGUAGE, Message, gettext, lazy_gettext
from bot.i18n.formatting import percent

Weight = int | Fraction  # heads (merges: one member one vote) or exact weights (proposals)

CHOICES = ("yes", "no", "abstain")


def timestamp(moment: datetime, style: str = "f") -> str:
    """A Discord timestamp (`<t:…:f>`): each client shows it in its own language and time zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"<t:{int(aware.timestamp())}:{style}>"


def electorate_gap(active: bool, since: datetime, opened_at: datetime) -> Message | None:
    """The one rule for who may vote (a merge, a leave, any vote): in the rota, without a break,
    since before the vote opened. `since` is the start of the member's current membership period
    (leaving and joining again starts a new one), so someone who joined, or came back, during the
    vote, and someone who left or was removed, are out. None when they are in; else why not, told in
    the reader's language when rendered."""
    if not active:
        return lazy_gettext("you are not in the rota now")
    if since > opened_at:
        return lazy_gettext("you joined the rota (this time) on {since}, after the vote opened", since=timestamp(since))
    return None


def why_not_in_electorate(active: bool, since: datetime, opened_at: datetime) -> str | None:
    """`electorate_gap` in English (for logs and for callers that glue it into English)."""
    gap = electorate_gap(active, since, opened_at)
    return None if gap is None else str(gap)


def in_electorate(active: bool, since: datetime, opened_at: datetime) -> bool:
    """`why_not_in_electorate` as a yes or no: the electorate count, the tally, the reminders."""
    return why_not_in_electorate(active, since, opened_at) is None


def quorum_met(cast: Weight, eligible: Weight, quorum_pct: int) -> bool:
    """Enough of the electorate voted (abstentions count): cast and eligible in the same unit,
    heads against heads or weight against weight, never one against the other."""
    return eligible > 0 and cast * 100 >= quorum_pct * eligible


def threshold_met(for_: Weight, against: Weight, threshold_pct: int) -> bool:
    """Enough of those who took a side (abstentions out) took this one."""
    return for_ + against > 0 and for_ * 100 >= threshold_pct * (for_ + against)


def complete(voted: Weight, eligible: Weight) -> bool:
    """Everyone entitled to vote has voted: the outcome can no longer change through new votes."""
    return voted >= eligible


@dataclass(frozen=True)
class Side:
    electorate: int
    quorum_pct: int
    threshold_pct: int
    yes: int = 0
    no: int = 0
    abstain: int = 0

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def turnout(self) -> float:
        return self.cast / self.electorate if self.electorate else 0.0

    def quorum_met(self) -> bool:
        return quorum_met(self.cast, self.electorate, self.quorum_pct)

    def threshold_met(self) -> bool:
        return threshold_met(self.yes, self.no, self.threshold_pct)

    def passes(self) -> bool:
        return self.quorum_met() and self.threshold_met()

    @property
    def complete(self) -> bool:
        """Everyone entitled to vote on this side has voted."""
        return complete(self.cast, self.electorate)

    def why_not(self, language: str = SOURCE_LANGUAGE) -> str:
        if not self.quorum_met():
            return gettext(
                language,
                "quorum not met ({turnout} voted, {quorum}% needed)",
                turnout=percent(self.turnout, language),
                quorum=self.quorum_pct,
            )
        if not self.threshold_met():
            share = self.yes / (self.yes + self.no) if self.yes + self.no else 0.0
            return gettext(
                language,
                "threshold not met ({share} yes, {threshold}% needed)",
                share=percent(share, language),
                threshold=self.threshold_pct,
            )
        return ""


def outcome(proposer: Side, other: Side) -> bool:
    return proposer.passes() and other.passes()


def decided_early(proposer: Side, other: Side) -> bool:
    """The outcome can no longer change through new votes: everyone on both sides has voted.

    (Until then a member may still vote or change their vote, so a vote that looks lost can still be
    won; closing on a side that merely looks lost would take that away.)
    """
    return proposer.complete and other.complete


REMIND_BEFORE = timedelta(days=1)


def reminder_at(opened_at: datetime, closes_at: datetime) -> datetime:
    """When those who have not voted are reminded: a day before the close (half-way through a vote
    shorter than two days)."""
    return closes_at - min(REMIND_BEFORE, (closes_at - opened_at) / 2)
