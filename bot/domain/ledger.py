"""The hours ledger: each member's hours per week as held (after swaps and claims: whoever holds a
piece now) and as marked done, with moderators' corrections, and the pay an equal hourly rate gives.

Pay is for the hours **done** plus corrections ("credited"): an organization pays for work people
did, and a moderator corrects the ledger when work was done but not marked (or marked but not done).
The hours held are shown beside them, so that a gap is visible. All sums are exact decimals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.domain.errors import BadInput
from bot.domain.organizations import MAX_HOURS, Hours
from bot.domain.solver.model import exact_hours, hours_text
from bot.domain.weeks import iso_week, parse_week, week_start
from bot.i18n import lazy_gettext

DEFAULT_WEEKS = 8  # shown when no range is given: the last eight weeks, this one included
MAX_WEEKS = 106  # about two years in one request
MAX_RATE = Decimal("100000")
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Piece:
    """One stored assignment: who holds it now, its hours, whether it was marked done."""

    week: str
    member_id: int
    hours: float
    done: bool


@dataclass(frozen=True)
class Correction:
    week: str
    member_id: int
    hours: float  # added to the hours done (negative: taken off)
    reason: str


@dataclass(frozen=True)
class LedgerWeek:
    week: str
    member_id: int
    held: Decimal
    done: Decimal
    corrected: Decimal
    reasons: tuple[str, ...] = ()

    @property
    def credited(self) -> Decimal:
        """The hours paid for: done plus corrections."""
        return self.done + self.corrected


@dataclass(frozen=True)
class Totals:
    member_id: int
    held: Decimal
    done: Decimal
    corrected: Decimal
    pay: Decimal | None  # None: no hourly rate set

    @property
    def credited(self) -> Decimal:
        return self.done + self.corrected


def week_range(first: str | None, last: str | None, today: date) -> tuple[str, str]:
    """The weeks asked for (ISO weeks like 2026-W48), checked: by default the last eight up to this one."""
    to = parse_week(last) if last else iso_week(today)
    start = parse_week(first) if first else iso_week(week_start(to) - timedelta(weeks=DEFAULT_WEEKS - 1))
    if start > to:
        raise BadInput(
            lazy_gettext("`from` ({start}) is after `to` ({to}): give the earlier week first.", start=start, to=to)
        )
    if (week_start(to) - week_start(start)).days // 7 + 1 > MAX_WEEKS:
        raise BadInput(
            lazy_gettext(
                "That is more than {most} weeks: ask for a shorter period (at most about two years).", most=MAX_WEEKS
            )
        )
    return start, to


def check_correction(hours: float, reason: str) -> tuple[float, str]:
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput(lazy_gettext("Say why in `reason`: it goes into the audit log and the export."))
    if hours == 0 or abs(hours) > MAX_HOURS:
        raise BadInput(
            lazy_gettext(
                "`hours` is what to add (or, negative, take off) that week: not 0 and at most {most} either way; "
                "you gave {given}.",
                most=Hours(hours=MAX_HOURS),
                given=Hours(hours=hours),
            )
        )
    if exact_hours(hours) != exact_hours(hours).quantize(CENT):
        raise BadInput(
            lazy_gettext(
                "Give `hours` to two decimals at most (e.g. 1.25); you gave {given}.", given=Hours(hours=hours)
            )
        )
    return float(hours), reason[:300]


def check_rate(rate: float | str) -> Decimal | None:
    """The equal hourly rate, to the cent; 0 removes it."""
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        raise BadInput(lazy_gettext("`{rate}` is not an amount: write it like 18.50.", rate=rate)) from None
    if value == 0:
        return None
    if not ZERO < value <= MAX_RATE or value != value.quantize(CENT):
        raise BadInput(
            lazy_gettext(
                "The hourly rate must be more than 0, at most {most} and in cents at most (e.g. 18.50); 0 removes it.",
                most=Hours(hours=MAX_RATE, english=","),
            )
        )
    return value


def check_currency(text: str) -> str | None:
    """A currency code or sign shown with the pay (EUR, USD, £…); empty removes it."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 8 or any(c.isspace() or c in ",;\"'=+@" for c in text):
        raise BadInput(
            lazy_gettext("Give the currency as a short code or sign, like EUR, USD or £ (8 characters at most).")
        )
    return text.upper() if text.isascii() else text


def ledger(pieces: Iterable[Piece], corrections: Iterable[Correction]) -> list[LedgerWeek]:
    """Hours per member per week (only weeks with something in them), by member then week."""
    held: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    done: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    corrected: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    reasons: dict[tuple[int, str], list[str]] = defaultdict(list)
    for piece in pieces:
        key = (piece.member_id, piece.week)
        held[key] += exact_hours(piece.hours)
        if piece.done:
            done[key] += exact_hours(piece.hours)
    for correction in corrections:
        key = (correction.member_id, correction.week)
        corrected[key] += exact_hours(correction.hours)
        reasons[key].append(f"{correction.reason} ({_signed(exact_hours(correction.hours))} h)")
    keys = sorted(set(held) | set(corrected))
    return [
        LedgerWeek(
            week,
            member_id,
            held[(member_id, week)],
            done[(member_id, week)],
            corrected[(member_id, week)],
            tuple(reasons[(member_id, week)]),
        )
        for member_id, week in keys
    ]


def totals(weeks: Iterable[LedgerWeek], rate: Decimal | None) -> dict[int, Totals]:
    """Each member's sums over the period, and their pay: hours credited × the rate, to the cent."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for week in weeks:
        row = sums[week.member_id]
        row[0] += week.held
        row[1] += week.done
        row[2] += week.corrected
    return {
        member_id: Totals(
            member_id,
            held,
            done,
            corrected,
            None if rate is None else ((done + corrected) * rate).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for member_id, (held, done, corrected) in sums.items()
    }


def money(amount: Decimal, currency: str | None) -> str:
    return f"{amount:,.2f}" + (f" {currency}" if currency else "")


def _signed(hours: Decimal) -> str:
    return ("+" if hours > 0 else "") + hours_text(hours)


def signed_hours(hours: Decimal) -> str:
    return _signed(hours)
