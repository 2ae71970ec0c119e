"""Rules for organizations, tasks and members: what a valid setting or change is.

Every check raises `BadInput` with a message that says what to do instead.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bot.domain.errors import BadInput
from bot.domain.recurrence import Recurrence
from bot.domain.schedule import WEEKDAYS, zone
from bot.domain.shifts import TaskTime
from bot.domain.solver.model import MIN_GRANULARITY, ProblemError, exact_hours, hours_text, parse_granularity, steps_of

MAX_HOURS = 168.0  # hours in a week
MERGE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
NAME_MAX = 100
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def new_merge_code() -> str:
    return "".join(secrets.choice(MERGE_CODE_ALPHABET) for _ in range(8))


MERGE_PROPOSALS_PER_DAY = 3  # an organization's merge proposals in any 24 hours (cancelled ones count)
PROPOSAL_WINDOW = timedelta(days=1)


def next_proposal_at(recent: Sequence[datetime], now: datetime) -> datetime | None:
    """When the organization may propose a merge again, given when it proposed lately; None: now.
    Each proposal posts in the other organization's channel and pings its voters, so a moderator
    who proposes, cancels and proposes again cannot flood it."""
    window = sorted(at for at in recent if at > now - PROPOSAL_WINDOW)
    if len(window) < MERGE_PROPOSALS_PER_DAY:
        return None
    return window[-MERGE_PROPOSALS_PER_DAY] + PROPOSAL_WINDOW


def check_hours(hours: float, what: str = "hours") -> float:
    if not 0 < hours <= MAX_HOURS:
        raise BadInput(
            f"{what} must be more than 0 and at most {hours_text(MAX_HOURS)} (a week); you gave {hours_text(hours)}."
        )
    return float(hours)


def check_granularity(value: str | float | Decimal) -> Decimal:
    """The shortest step splittable tasks are cut into, in hours (the solver's own rule: 0.05 to 4,
    at most two decimals)."""
    try:
        return parse_granularity(value)
    except ProblemError as error:
        text = str(error)
        raise BadInput(f"The {text}.") from None


def fits_granularity(hours: float, splittable: bool, granularity: Decimal) -> bool:
    """Whether a task can be cut on the organization's grid: an indivisible task always can (it is one
    piece); a splittable one when its hours are a whole number of steps (the solver's rule)."""
    return not splittable or steps_of(hours, granularity) is not None


def check_task_fits(name: str, hours: float, splittable: bool, granularity: Decimal) -> None:
    """Refuse a splittable task the solver could not cut into whole steps of `granularity`."""
    if not fits_granularity(hours, splittable, granularity):
        step = hours_text(granularity)
        raise BadInput(
            f"`{name}` is splittable into steps of {step} h (the organization's granularity), but "
            f"{hours_text(hours)} h is not a whole number of them: make its hours a multiple of {step} "
            f"(e.g. {_nearby(hours, granularity)}) or make it not splittable."
        )


def _nearby(hours: float, granularity: Decimal) -> str:
    below = (exact_hours(hours) // granularity) * granularity
    options = [b for b in (below, below + granularity) if b > 0]
    return " or ".join(hours_text(b) for b in options)


def unfit_tasks(tasks: Iterable[tuple[str, float, bool]], granularity: Decimal) -> list[str]:
    """The (name, hours, splittable) tasks a granularity would not fit, as `name (hours h)`."""
    return [
        f"`{name}` ({hours_text(hours)} h)"
        for name, hours, splittable in tasks
        if not fits_granularity(hours, splittable, granularity)
    ]


def check_granularity_fits(granularity: Decimal, tasks: Iterable[tuple[str, float, bool]]) -> Decimal:
    """Refuse a granularity some current splittable task does not fit (its weeks could not be solved)."""
    unfit = unfit_tasks(tasks, granularity)
    if unfit:
        step = hours_text(granularity)
        shown = ", ".join(unfit[:10]) + (f" and {len(unfit) - 10} more" if len(unfit) > 10 else "")
        raise BadInput(
            f"A granularity of {step} h does not fit {len(unfit)} splittable task(s): {shown}. Make their hours "
            f"multiples of {step} (`/mod task edit`) or make them not splittable first. Nothing was changed."
        )
    return granularity


def merged_granularity(proposer: Decimal, other: Decimal) -> Decimal:
    """The shift step of two organizations pooled (the merge's dry run and the merged organization):
    the longest step both organizations' splittable tasks are whole numbers of, i.e. the greatest
    common divisor of their granularities (0.25 and 0.5 give 0.25, the finer; 0.5 and 0.3 give 0.1).
    When that would be shorter than the shortest step allowed (0.05 h; only with odd steps such as
    0.07), the proposer's granularity, and a task of the other side that does not fit it is named when
    the merged week is solved."""
    common = Decimal(math.gcd(int(proposer * 100), int(other * 100))) / 100
    return proposer if common < MIN_GRANULARITY else common.normalize()


def pooled_hours(first: float, second: float) -> float:
    """A person in both organizations of a merge keeps one membership with both commitments' hours,
    within a week's hours."""
    return min(MAX_HOURS, first + second)


def merged_task_names(sides: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, str]]:
    """Per side (its name, its tasks' names), what each task is called in the merged organization: a
    name both sides use (ignoring case) gets each side's name added, "Dishes (North)" and "Dishes
    (South)", so neither is the original; the others keep theirs. Used by the dry run and the merge."""
    owners: dict[str, set[int]] = {}
    for index, (_, names) in enumerate(sides):
        for name in names:
            owners.setdefault(name.lower(), set()).add(index)
    taken = {key for key, by in owners.items() if len(by) == 1}
    result = []
    for origin, names in sides:
        renamed = {}
        for name in names:
            if len(owners[name.lower()]) == 1:
                renamed[name] = name
                continue
            base = f"{name} ({origin})"[:NAME_MAX]
            new, count = base, 1
            while new.lower() in taken:  # "Dishes (North)" exists already: "Dishes (North) 2"
                count += 1
                new = f"{base[: NAME_MAX - len(str(count)) - 1]} {count}"
            taken.add(new.lower())
            renamed[name] = new
        result.append(renamed)
    return result


def check_name(name: str, what: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise BadInput(f"The {what} cannot be empty.")
    if len(name) > NAME_MAX:
        raise BadInput(f"The {what} is {len(name)} characters long; keep it to {NAME_MAX}.")
    return name


def parse_day(day: str) -> int:
    key = day.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise BadInput(f"`{day}` is not a day; use one of {', '.join(WEEKDAYS)}.")
    return WEEKDAYS.index(key)


def parse_clock(text: str) -> time:
    match = TIME_PATTERN.match(text.strip())
    if not match:
        raise BadInput(f"`{text}` is not a time of day; use 24-hour HH:MM, e.g. 09:00 or 18:30.")
    return time(int(match.group(1)), int(match.group(2)))


def check_timezone(name: str) -> str:
    zone(name)
    return name


def check_percent(value: int, what: str) -> int:
    if not 1 <= value <= 100:
        raise BadInput(f"{what} is a percentage from 1 to 100; you gave {value}.")
    return value


def check_vote_hours(hours: int) -> int:
    if not 1 <= hours <= 24 * 30:
        raise BadInput(f"A vote lasts from 1 hour to 720 hours (30 days); you gave {hours}.")
    return hours


MAX_CLAIM_HOURS = 168  # a task given back is open to claims at most a week (and never past its week)


def check_claim_hours(hours: int) -> int:
    if not 1 <= hours <= MAX_CLAIM_HOURS:
        raise BadInput(f"A task given back stays open from 1 to {MAX_CLAIM_HOURS} hours; you gave {hours}.")
    return hours


def parse_reminder_day(day: str) -> int | None:
    """The mid-week reminder's day: a weekday, or `off` (None)."""
    return None if day.strip().lower() == "off" else parse_day(day)


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"`{text}` is not a date; write the {what} as YYYY-MM-DD, e.g. 2026-12-24.") from None


def check_away(start: str, end: str, today: date) -> tuple[date, date]:
    first, last = parse_date(start, "start"), parse_date(end, "end")
    if last < first:
        raise BadInput(f"The end ({last}) is before the start ({first}); swap them.")
    if last < today:
        raise BadInput(f"That period ({first} to {last}) is already over.")
    if (last - first).days > 366:
        raise BadInput("An away period can last at most a year.")
    return first, last


@dataclass(frozen=True)
class TaskFields:
    """A task's settings as a moderator gives them (all checked)."""

    name: str
    hours: float
    slots: int = 1
    splittable: bool = False
    min_shift: float = 1.0
    qualification: str | None = None
    role_id: int | None = None
    description: str | None = None
    recurrence: Recurrence | None = None  # None: as it is (weekly for a new task)
    at: TaskTime | None = None  # None: as it is (flexible for a new task); TaskTime(): flexible


def check_task(fields: TaskFields) -> TaskFields:
    name = check_name(fields.name, "task name")
    hours = check_hours(fields.hours, "A task's hours per slot")
    if not 1 <= fields.slots <= 100:
        raise BadInput(f"slots (people needed) must be from 1 to 100; you gave {fields.slots}.")
    min_shift = fields.min_shift
    if fields.splittable and not 0 < min_shift <= hours:
        raise BadInput(
            f"min_shift must be more than 0 and at most the task's hours ({hours_text(hours)}); "
            f"you gave {hours_text(min_shift)}."
        )
    qualification = (fields.qualification or "").strip() or None
    if qualification and len(qualification) > 50:
        raise BadInput("A qualification name can have at most 50 characters.")
    description = (fields.description or "").strip() or None
    if description and len(description) > 300:
        raise BadInput("A description can have at most 300 characters.")
    return TaskFields(
        name,
        hours,
        fields.slots,
        fields.splittable,
        min_shift,
        qualification,
        fields.role_id,
        description,
        fields.recurrence,
        check_task_time(fields.at, hours),
    )


def check_task_time(when: TaskTime | None, hours: float) -> TaskTime | None:
    """A task at a set time lasts at most a day (longer work is split over days)."""
    if when is not None and when.timed and hours > 24:
        raise BadInput(
            f"A task at a set time lasts at most 24 hours a day; this one has {hours_text(hours)} h. "
            "Give it several days instead (e.g. `when:mon-fri 09:00`), or make it flexible (`when:-`)."
        )
    return when


MAX_SHIFT_REMINDER_HOURS = 168


def parse_shift_reminder_hours(text: str) -> int | None:
    """`shift_reminders:` of `/mod org settings`: whole hours before a shift (1 to a week), or off."""
    raw = text.strip().lower().removesuffix("h").strip()
    if raw in ("off", "none", "0", "-"):
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SHIFT_REMINDER_HOURS:
        raise BadInput(
            f"`{text.strip()}` is not a number of hours before a shift: give whole hours from 1 to "
            f"{MAX_SHIFT_REMINDER_HOURS} (e.g. 12), or `off`."
        )
    return int(raw)
