"""Proposals on any question: who decides and with what weight, the choices, delegated votes, the
tally, when a proposal passes and when it may close early. Plain rules; `bot.domain.votes` is the engine
they share with merge votes (the electorate rule, quorum and threshold, the early close, the reminder).

Weights are exact fractions (hours are multiples of a granularity): quorum and threshold are
computed over weight, never heads against weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal

from bot.domain.errors import BadInput
from bot.domain.votes import complete, in_electorate, quorum_met, threshold_met
from bot.i18n import SOURCE_LANGUAGE, Message, gettext, lazy_gettext, worded
from bot.i18n.formatting import number, percent

YES_NO = ("yes", "no", "abstain")
ABSTAIN = "abstain"
MAX_OPTIONS = 5
MAX_DEADLINE = timedelta(days=30)
DEFAULT_WEEKS = 8
MAX_WEEKS = 52
FLOOR_WEIGHT = Fraction(1)  # the least anyone affected weighs: nobody affected is at zero
MIN_HOURS = Fraction(1)  # "weighted by hours": who has at least this much on the named tasks is affected
TITLE_LENGTH = 100
TEXT_LENGTH = 2000
OPTION_LENGTH = 80

Basis = Literal["everyone", "affected", "weighted"]


@dataclass(frozen=True)
class Rule:
    """Who decides: everyone in the rota; those affected by tasks (held in the last `weeks`), a
    qualification or a Discord role; or those affected by tasks, weighted by their hours on them."""

    basis: Basis = "everyone"
    task_ids: tuple[int, ...] = ()
    qualification: str | None = None
    role_id: int | None = None
    weeks: int = DEFAULT_WEEKS

    def describe(self, task_names: Mapping[int, str] | None = None, language: str = SOURCE_LANGUAGE) -> str:
        names = task_names or {}
        tasks = ", ".join(names.get(t, gettext(language, "task {id}", id=t)) for t in self.task_ids)
        if self.basis == "everyone":
            return gettext(language, "everyone in the rota")
        if self.basis == "weighted":
            return gettext(
                language,
                "those with ≥ 1 h on {tasks} in the last {weeks} weeks, weighted by those hours",
                tasks=tasks,
                weeks=self.weeks,
            )
        held = gettext(language, "held {tasks} in the last {weeks} weeks", tasks=tasks, weeks=self.weeks)
        holds = gettext(language, "hold the qualification {qualification}", qualification=self.qualification)
        has = gettext(language, "have the role <@&{role}>", role=self.role_id)
        parts = [
            *([held] if self.task_ids else []),
            *([holds] if self.qualification else []),
            *([has] if self.role_id else []),
        ]
        if len(parts) == 3:
            return gettext(language, "those who {a} or {b} or {c}", a=parts[0], b=parts[1], c=parts[2])
        if len(parts) == 2:
            return gettext(language, "those who {a} or {b}", a=parts[0], b=parts[1])
        return gettext(language, "those who {a}", a=parts[0] if parts else "")

    def told(self, task_names: Mapping[int, str] | None = None) -> Message:
        """Who decides, as a placeholder of a lazy message: told in the reader's language when rendered."""
        names = dict(task_names or {})
        return worded(lambda language: self.describe(names, language))


@dataclass(frozen=True)
class Candidate:
    """A member of the rota as a proposal opens."""

    member_id: int
    user_id: int
    name: str
    active: bool
    since: datetime
    qualifications: frozenset[str] = frozenset()
    roles: frozenset[int] = frozenset()  # the Discord roles they hold (only the one the rule names is looked up)


@dataclass(frozen=True)
class Elector:
    member_id: int
    user_id: int
    name: str
    weight: Fraction


def check_rule(rule: Rule, known_task_ids: Iterable[int]) -> None:
    """Refuse a rule that names nothing, or more than it may."""
    if not 1 <= rule.weeks <= MAX_WEEKS:
        raise BadInput(lazy_gettext("`weeks` counts back 1 to {most} weeks (e.g. `weeks:8`).", most=MAX_WEEKS))
    unknown = set(rule.task_ids) - set(known_task_ids)
    if unknown:
        raise BadInput(
            lazy_gettext("A task named in `who` is not one of this organization's tasks: `/tasks` lists them.")
        )
    if rule.basis == "weighted" and not rule.task_ids:
        raise BadInput(
            lazy_gettext("`weighted by hours` needs the tasks whose hours count, e.g. `tasks:Dishes, Cooking`.")
        )
    if rule.basis == "affected" and not (rule.task_ids or rule.qualification or rule.role_id):
        raise BadInput(
            lazy_gettext(
                "`affected by` needs tasks, a qualification or a role, e.g. `tasks:Dishes` or "
                "`qualification:first aid`."
            )
        )


def electorate(
    rule: Rule, candidates: Sequence[Candidate], hours: Mapping[int, Fraction], opened_at: datetime
) -> list[Elector]:
    """Who decides a proposal opening at `opened_at`, and with what weight, heaviest first. `hours` are
    each member's hours on the rule's tasks over its weeks. Only members in the rota since before the
    opening (`bot.domain.votes.in_electorate`, as for merges) are in."""
    chosen = []
    for c in candidates:
        if not in_electorate(c.active, c.since, opened_at):
            continue
        held = hours.get(c.member_id, Fraction(0))
        if rule.basis == "everyone":
            weight: Fraction | None = Fraction(1)
        elif rule.basis == "weighted":
            weight = max(held, FLOOR_WEIGHT) if held >= MIN_HOURS else None
        else:
            affected = (
                (rule.task_ids and held > 0)
                or (
                    rule.qualification is not None
                    and rule.qualification.lower() in {q.lower() for q in c.qualifications}
                )
                or (rule.role_id is not None and rule.role_id in c.roles)
            )
            weight = Fraction(1) if affected else None
        if weight is not None:
            chosen.append(Elector(c.member_id, c.user_id, c.name, weight))
    return sorted(chosen, key=lambda e: (-e.weight, e.name.lower(), e.member_id))


def choices_of(options: Sequence[str]) -> tuple[str, ...]:
    """The choices of a proposal: yes / no / abstain, or 2 to 5 options and abstain."""
    cleaned = [o.strip() for o in options if o.strip()]
    if not cleaned:
        return YES_NO
    if len(cleaned) > MAX_OPTIONS:
        raise BadInput(
            lazy_gettext("At most {most} options, e.g. `choices:Monday; Wednesday; Friday`.", most=MAX_OPTIONS)
        )
    if len(cleaned) < 2:
        raise BadInput(
            lazy_gettext(
                "Give at least two options separated by `;`, e.g. `choices:Monday; Friday`, or none for yes/no."
            )
        )
    if any(len(o) > OPTION_LENGTH for o in cleaned):
        raise BadInput(lazy_gettext("An option is at most {most} characters.", most=OPTION_LENGTH))
    if len({o.lower() for o in cleaned}) < len(cleaned) or ABSTAIN in {o.lower() for o in cleaned}:
        raise BadInput(lazy_gettext("Each option once, and not `abstain` (it is always there)."))
    return (*cleaned, ABSTAIN)


def parse_options(text: str | None) -> list[str]:
    return [part for part in (text or "").split(";")]


def check_proposal(title: str, text: str, opened_at: datetime, closes_at: datetime) -> None:
    if not title.strip():
        raise BadInput(lazy_gettext("A proposal needs a title, e.g. `title:Buy a second oven`."))
    if len(title) > TITLE_LENGTH or len(text) > TEXT_LENGTH:
        raise BadInput(
            lazy_gettext(
                "The title is at most {title} characters and the text {text}.", title=TITLE_LENGTH, text=TEXT_LENGTH
            )
        )
    if closes_at <= opened_at:
        raise BadInput(lazy_gettext("The deadline is in the past: give hours from now, e.g. `hours:72` (3 days)."))
    if closes_at - opened_at > MAX_DEADLINE:
        raise BadInput(lazy_gettext("The deadline is at most 30 days away, e.g. `hours:168` (a week)."))


@dataclass(frozen=True)
class Bounds:
    """What a proposal may ask for instead of the organization's quorum and threshold (moderators set them)."""

    quorum_min: int = 0
    quorum_max: int = 100
    threshold_min: int = 50
    threshold_max: int = 100

    def check(self, quorum: int, threshold: int) -> None:
        if not self.quorum_min <= quorum <= self.quorum_max:
            raise BadInput(
                lazy_gettext(
                    "The quorum may be {low}% to {high}% here (e.g. `quorum:{high}`).",
                    low=self.quorum_min,
                    high=self.quorum_max,
                )
            )
        if not self.threshold_min <= threshold <= self.threshold_max:
            raise BadInput(
                lazy_gettext(
                    "The threshold may be {low}% to {high}% here (e.g. `threshold:{high}`).",
                    low=self.threshold_min,
                    high=self.threshold_max,
                )
            )


# -- delegation ------------------------------------------------------------------------------------

Scope = Literal["all", "task", "qualification"]


@dataclass(frozen=True)
class Delegation:
    delegator: int  # member ids
    delegate: int
    scope: Scope = "all"
    scope_value: str = ""  # the task id (as text) or the qualification
    until: datetime | None = None

    def applies(self, rule: Rule, at: datetime) -> bool:
        if self.until is not None and at >= self.until:
            return False
        if self.scope == "all":
            return True
        if self.scope == "task":
            return self.scope_value in {str(t) for t in rule.task_ids}
        return rule.qualification is not None and rule.qualification.lower() == self.scope_value.lower()

    @property
    def specificity(self) -> int:
        return 0 if self.scope == "all" else 1


def delegation_refused(
    delegator: int, delegate: int, delegate_in_rota: bool, existing: Sequence[Delegation]
) -> Message | None:
    """None when `delegator` may give their vote to `delegate`; else why not (in the reader's language
    when rendered). One hop: the vote of someone who delegated is never passed on, so only loops are
    refused (they would mean nobody votes)."""
    if delegator == delegate:
        return lazy_gettext("you cannot delegate to yourself")
    if not delegate_in_rota:
        return lazy_gettext("they are not in this organization's rota, so they could not vote")
    if any(d.delegator == delegate and d.delegate == delegator for d in existing):
        return lazy_gettext(
            "they have delegated their vote to you: that would be a loop (one of you ends theirs first)"
        )
    return None


def why_not_delegate(
    delegator: int, delegate: int, delegate_in_rota: bool, existing: Sequence[Delegation]
) -> str | None:
    """`delegation_refused` in English."""
    why = delegation_refused(delegator, delegate, delegate_in_rota, existing)
    return None if why is None else str(why)


def delegation_for(member_id: int, delegations: Iterable[Delegation], rule: Rule, at: datetime) -> Delegation | None:
    """The delegation that carries this member's vote on a proposal of this rule (the most specific)."""
    fitting = [d for d in delegations if d.delegator == member_id and d.applies(rule, at)]
    return max(fitting, key=lambda d: d.specificity, default=None)


# -- the tally ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    choices: tuple[str, ...]
    eligible: Fraction  # weight of the whole electorate
    electors: int
    totals: Mapping[str, Fraction]  # weight per choice, delegated votes included
    voters: int  # electors whose vote counts (directly or by delegation)
    delegated: int  # of them, by delegation
    delegated_weight: Fraction
    direct_weight: Fraction  # weight voted directly: final until changed, delegated votes may be overridden
    quorum_pct: int
    threshold_pct: int
    how: Mapping[int, tuple[str, int | None]] = field(default_factory=dict)  # member → (choice, delegate or None)

    @property
    def cast(self) -> Fraction:
        return sum(self.totals.values(), Fraction(0))

    @property
    def turnout(self) -> float:
        return float(self.cast / self.eligible) if self.eligible else 0.0

    @property
    def yes_no(self) -> bool:
        return self.choices == YES_NO

    def quorum_met(self) -> bool:
        return quorum_met(self.cast, self.eligible, self.quorum_pct)

    def leader(self) -> str | None:
        """The option (or yes/no) with the most weight; None on a tie or when nothing but abstentions."""
        options = [c for c in self.choices if c != ABSTAIN]
        ranked = sorted(options, key=lambda c: -self.totals.get(c, Fraction(0)))
        if not ranked or self.totals.get(ranked[0], 0) == 0:
            return None
        if len(ranked) > 1 and self.totals.get(ranked[1], 0) == self.totals.get(ranked[0], 0):
            return None
        return ranked[0]

    def threshold_met(self) -> bool:
        """The leading choice has the threshold's share of the weight cast on choices (abstentions out);
        for yes / no: yes has it."""
        top = "yes" if self.yes_no else self.leader()
        if top is None:
            return False
        counted = sum((w for c, w in self.totals.items() if c != ABSTAIN), Fraction(0))
        against = counted - self.totals.get(top, Fraction(0))
        return threshold_met(self.totals.get(top, Fraction(0)), against, self.threshold_pct)

    def passes(self) -> bool:
        return self.quorum_met() and self.threshold_met()

    def decided(self) -> str | None:
        """What was decided: "yes", the winning option, or None (not passed)."""
        if not self.passes():
            return None
        return "yes" if self.yes_no else self.leader()

    def why_not(self, language: str = SOURCE_LANGUAGE) -> str:
        if not self.quorum_met():
            return gettext(
                language,
                "quorum not met ({turnout} of the weight voted, {quorum}% needed)",
                turnout=percent(self.turnout, language),
                quorum=self.quorum_pct,
            )
        if not self.threshold_met():
            top = "yes" if self.yes_no else self.leader()
            if top is None:
                return gettext(language, "no option led (a tie, or only abstentions)")
            counted = sum((w for c, w in self.totals.items() if c != ABSTAIN), Fraction(0))
            share = self.totals.get(top, Fraction(0)) / counted if counted else Fraction(0)
            if self.yes_no:
                return gettext(
                    language,
                    "yes had {share} of the votes for and against, {threshold}% needed",
                    share=percent(float(share), language),
                    threshold=self.threshold_pct,
                )
            return gettext(
                language,
                "the leading option, {option}, had {share} of the votes on options, {threshold}% needed",
                option=top,
                share=percent(float(share), language),
                threshold=self.threshold_pct,
            )
        return ""

    def early(self) -> bool:
        """The outcome can no longer change through new votes: everyone in the electorate voted
        directly (a delegated vote may still be overridden by its delegator; changing a direct vote
        closes nothing sooner, as for merges)."""
        return complete(self.direct_weight, self.eligible)


def tally(
    choices: Sequence[str],
    electors: Sequence[Elector],
    ballots: Mapping[int, str],
    delegations: Iterable[Delegation],
    rule: Rule,
    at: datetime,
    quorum_pct: int,
    threshold_pct: int,
) -> Tally:
    """Each elector's vote: their own ballot; else, if their delegation applies, their delegate's own
    ballot (one hop: never one the delegate got by delegation), if the delegate is in the electorate."""
    weights = {e.member_id: e.weight for e in electors}
    fitting = list(delegations)
    totals = {c: Fraction(0) for c in choices}
    how: dict[int, tuple[str, int | None]] = {}
    delegated = 0
    delegated_weight = direct_weight = Fraction(0)
    for e in electors:
        own = ballots.get(e.member_id)
        if own is not None:
            how[e.member_id] = (own, None)
            direct_weight += e.weight
            totals[own] = totals.get(own, Fraction(0)) + e.weight
            continue
        given = delegation_for(e.member_id, fitting, rule, at)
        if given is None or given.delegate not in weights or given.delegate not in ballots:
            continue
        choice = ballots[given.delegate]
        how[e.member_id] = (choice, given.delegate)
        delegated += 1
        delegated_weight += e.weight
        totals[choice] = totals.get(choice, Fraction(0)) + e.weight
    return Tally(
        tuple(choices),
        sum(weights.values(), Fraction(0)),
        len(electors),
        totals,
        len(how),
        delegated,
        delegated_weight,
        direct_weight,
        quorum_pct,
        threshold_pct,
        how,
    )


def weight_text(weight: Fraction, language: str = SOURCE_LANGUAGE) -> str:
    """A weight as people read it: 3, 2.5, 1.33 (2,5 in German)."""
    value = round(float(weight), 2)
    return f"{value:g}" if language == SOURCE_LANGUAGE else number(value, language)


def ballot_visible(secret: bool, viewer: int, voter: int) -> bool:
    """Whose vote a member may see: their own always; in an open vote everyone's. A delegate never
    learns how a delegator voted in a secret vote; the delegator sees how their vote was cast for them
    (through `Tally.how` of their own row)."""
    return viewer == voter or not secret
