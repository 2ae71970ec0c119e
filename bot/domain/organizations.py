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
from decimal import Decimal, InvalidOperation
from functools import partial

from bot.domain.errors import BadInput
from bot.domain.recurrence import Recurrence
from bot.domain.schedule import WEEKDAYS, zone
from bot.domain.shifts import TaskTime
from bot.domain.solver.model import (
    MAX_GRANULARITY,
    MIN_GRANULARITY,
    ProblemError,
    exact_hours,
    hours_text,
    parse_granularity,
    steps_of,
)
from bot.i18n import SOURCE_LANGUAGE, Message, lazy_gettext, lazy_ngettext, worded
from bot.i18n.formatting import number, short_date

MAX_HOURS = 168.0  # hours in a week
MERGE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
NAME_MAX = 100
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
TASK_HOURS = "A task's hours per slot"  # `check_hours`'s `what` for a task's hours


@dataclass(frozen=True)
class Hours(Message):
    """Hours inside a deferred message (a refusal), written the reader's way when it is rendered:
    `1.25` in English (as `hours_text` writes it, or with the format spec `english`), `1,25` in German
    and Spanish. Any other number of a refusal can use it too."""

    singular: str = ""
    hours: float | Decimal = 0
    english: str = ""

    def render(self, language: str) -> str:
        if language != SOURCE_LANGUAGE:  # all its decimals: a refusal may be about the third one
            exponent = exact_hours(self.hours).normalize().as_tuple().exponent
            places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
            return number(self.hours, language, places=max(2, places))
        return format(self.hours, self.english) if self.english else hours_text(self.hours)


@dataclass(frozen=True)
class Day(Message):
    """A date inside a deferred message, written the reader's way when it is rendered: `2026-12-24`
    (or `english`, a strftime pattern) in English, "24 dic 2026", "24.12.2026"."""

    singular: str = ""
    day: date = date.min
    english: str = "%Y-%m-%d"

    def render(self, language: str) -> str:
        return self.day.strftime(self.english) if language == SOURCE_LANGUAGE else short_date(self.day, language)


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
    """`what`: the option's name (`hours`, `default_hours`), or a task's hours."""
    if not 0 < hours <= MAX_HOURS:
        facts = {"most": Hours(hours=MAX_HOURS), "given": Hours(hours=hours)}
        if what == TASK_HOURS:
            raise BadInput(
                lazy_gettext(
                    "A task's hours per slot must be more than 0 and at most {most} (a week); you gave {given}.",
                    **facts,
                )
            )
        if what == "hours":
            raise BadInput(
                lazy_gettext("hours must be more than 0 and at most {most} (a week); you gave {given}.", **facts)
            )
        if what == "default_hours":
            raise BadInput(
                lazy_gettext(
                    "default_hours must be more than 0 and at most {most} (a week); you gave {given}.", **facts
                )
            )
        raise BadInput(
            lazy_gettext(
                "{what} must be more than 0 and at most {most} (a week); you gave {given}.", what=what, **facts
            )
        )
    return float(hours)


def check_granularity(value: str | float | Decimal) -> Decimal:
    """The shortest step splittable tasks are cut into, in hours (the solver's own rule: 0.05 to 4,
    at most two decimals)."""
    try:
        return parse_granularity(value)
    except ProblemError:
        try:
            Decimal(str(value).strip())
        except InvalidOperation:
            raise BadInput(
                lazy_gettext("The granularity must be a number of hours such as 0.25, not {value}.", value=repr(value))
            ) from None
        raise BadInput(
            lazy_gettext(
                "The granularity must be between {least} and {most} hours with at most two decimals (0.25 is a "
                "quarter hour), not {value}.",
                least=Hours(hours=MIN_GRANULARITY),
                most=Hours(hours=MAX_GRANULARITY),
                value=value,
            )
        ) from None


def fits_granularity(hours: float, splittable: bool, granularity: Decimal) -> bool:
    """Whether a task can be cut on the organization's grid: an indivisible task always can (it is one
    piece); a splittable one when its hours are a whole number of steps (the solver's rule)."""
    return not splittable or steps_of(hours, granularity) is not None


def check_task_fits(name: str, hours: float, splittable: bool, granularity: Decimal) -> None:
    """Refuse a splittable task the solver could not cut into whole steps of `granularity`."""
    if not fits_granularity(hours, splittable, granularity):
        below, above = _nearby(hours, granularity)
        facts = {"task": name, "step": Hours(hours=granularity), "hours": Hours(hours=hours)}
        if below is None:
            raise BadInput(
                lazy_gettext(
                    "`{task}` is splittable into steps of {step} h (the organization's granularity), but {hours} h is "
                    "not a whole number of them: make its hours a multiple of {step} (e.g. {above}) or make it not "
                    "splittable.",
                    above=Hours(hours=above),
                    **facts,
                )
            )
        raise BadInput(
            lazy_gettext(
                "`{task}` is splittable into steps of {step} h (the organization's granularity), but {hours} h is "
                "not a whole number of them: make its hours a multiple of {step} (e.g. {below} or {above}) or make "
                "it not splittable.",
                below=Hours(hours=below),
                above=Hours(hours=above),
                **facts,
            )
        )


def _nearby(hours: float, granularity: Decimal) -> tuple[Decimal | None, Decimal]:
    """The multiples of `granularity` just below `hours` (None if that is 0) and just above."""
    below = (exact_hours(hours) // granularity) * granularity
    return (below if below > 0 else None), below + granularity


def _listed(items: Sequence[Message], language: str) -> str:
    return ", ".join(item.render(language) for item in items)


def unfit_tasks(tasks: Iterable[tuple[str, float, bool]], granularity: Decimal) -> list[str]:
    """The (name, hours, splittable) tasks a granularity would not fit, as `name (hours h)` (English)."""
    return [str(text) for text in _unfit(tasks, granularity)]


def _unfit(tasks: Iterable[tuple[str, float, bool]], granularity: Decimal) -> list[Message]:
    """`unfit_tasks`, each written in the reader's language when rendered (`1,5 h` in German)."""
    return [
        lazy_gettext("`{task}` ({hours} h)", task=name, hours=Hours(hours=hours))
        for name, hours, splittable in tasks
        if not fits_granularity(hours, splittable, granularity)
    ]


def check_granularity_fits(granularity: Decimal, tasks: Iterable[tuple[str, float, bool]]) -> Decimal:
    """Refuse a granularity some current splittable task does not fit (its weeks could not be solved)."""
    unfit = _unfit(tasks, granularity)
    if unfit:
        facts = {"step": Hours(hours=granularity), "tasks": worded(partial(_listed, tuple(unfit[:10])))}
        if len(unfit) > 10:
            raise BadInput(
                lazy_gettext(
                    "A granularity of {step} h does not fit {count} splittable task(s): {tasks} and {more} more. "
                    "Make their hours multiples of {step} (`/mod task edit`) or make them not splittable first. "
                    "Nothing was changed.",
                    count=len(unfit),
                    more=len(unfit) - 10,
                    **facts,
                )
            )
        raise BadInput(
            lazy_ngettext(
                "A granularity of {step} h does not fit {count} splittable task(s): {tasks}. Make their hours "
                "multiples of {step} (`/mod task edit`) or make them not splittable first. Nothing was changed.",
                "A granularity of {step} h does not fit {count} splittable task(s): {tasks}. Make their hours "
                "multiples of {step} (`/mod task edit`) or make them not splittable first. Nothing was changed.",
                len(unfit),
                **facts,
            )
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


def _name_refusals(what: str, length: int) -> tuple[Message, Message]:
    """The refusals of an empty and of a too long name, whole sentences for each kind of name."""
    facts = {"length": length, "most": NAME_MAX}
    if what == "organization name":
        return (
            lazy_gettext("The organization name cannot be empty."),
            lazy_gettext("The organization name is {length} characters long; keep it to {most}.", **facts),
        )
    if what == "task name":
        return (
            lazy_gettext("The task name cannot be empty."),
            lazy_gettext("The task name is {length} characters long; keep it to {most}.", **facts),
        )
    if what == "merged organization's name":
        return (
            lazy_gettext("The merged organization's name cannot be empty."),
            lazy_gettext("The merged organization's name is {length} characters long; keep it to {most}.", **facts),
        )
    if what == "name":
        return (
            lazy_gettext("The name cannot be empty."),
            lazy_gettext("The name is {length} characters long; keep it to {most}.", **facts),
        )
    return (
        lazy_gettext("The {what} cannot be empty.", what=what),
        lazy_gettext("The {what} is {length} characters long; keep it to {most}.", what=what, **facts),
    )


def check_name(name: str, what: str = "name") -> str:
    """`what`: "organization name", "task name", "merged organization's name" or "name"."""
    name = " ".join(name.split())
    if not name:
        raise BadInput(_name_refusals(what, 0)[0])
    if len(name) > NAME_MAX:
        raise BadInput(_name_refusals(what, len(name))[1])
    return name


def parse_day(day: str) -> int:
    key = day.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise BadInput(lazy_gettext("`{day}` is not a day; use one of {days}.", day=day, days=", ".join(WEEKDAYS)))
    return WEEKDAYS.index(key)


def parse_clock(text: str) -> time:
    match = TIME_PATTERN.match(text.strip())
    if not match:
        raise BadInput(
            lazy_gettext("`{text}` is not a time of day; use 24-hour HH:MM, e.g. 09:00 or 18:30.", text=text)
        )
    return time(int(match.group(1)), int(match.group(2)))


def check_timezone(name: str) -> str:
    zone(name)
    return name


def check_percent(value: int, what: str) -> int:
    if not 1 <= value <= 100:
        if what == "quorum":
            raise BadInput(lazy_gettext("quorum is a percentage from 1 to 100; you gave {value}.", value=value))
        if what == "threshold":
            raise BadInput(lazy_gettext("threshold is a percentage from 1 to 100; you gave {value}.", value=value))
        raise BadInput(lazy_gettext("{what} is a percentage from 1 to 100; you gave {value}.", what=what, value=value))
    return value


def check_vote_hours(hours: int) -> int:
    if not 1 <= hours <= 24 * 30:
        raise BadInput(lazy_gettext("A vote lasts from 1 hour to 720 hours (30 days); you gave {hours}.", hours=hours))
    return hours


MAX_CLAIM_HOURS = 168  # a task given back is open to claims at most a week (and never past its week)


def check_claim_hours(hours: int) -> int:
    if not 1 <= hours <= MAX_CLAIM_HOURS:
        raise BadInput(
            lazy_gettext(
                "A task given back stays open from 1 to {most} hours; you gave {hours}.",
                most=MAX_CLAIM_HOURS,
                hours=hours,
            )
        )
    return hours


def parse_reminder_day(day: str) -> int | None:
    """The mid-week reminder's day: a weekday, or `off` (None)."""
    return None if day.strip().lower() == "off" else parse_day(day)


def parse_date(text: str, what: str) -> date:
    """`what`: "start" or "end" (of an away period)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        if what == "start":
            refusal = lazy_gettext("`{text}` is not a date; write the start as YYYY-MM-DD, e.g. 2026-12-24.", text=text)
        elif what == "end":
            refusal = lazy_gettext("`{text}` is not a date; write the end as YYYY-MM-DD, e.g. 2026-12-24.", text=text)
        else:
            refusal = lazy_gettext(
                "`{text}` is not a date; write the {what} as YYYY-MM-DD, e.g. 2026-12-24.", text=text, what=what
            )
        raise BadInput(refusal) from None


def check_away(start: str, end: str, today: date) -> tuple[date, date]:
    first, last = parse_date(start, "start"), parse_date(end, "end")
    if last < first:
        raise BadInput(
            lazy_gettext(
                "The end ({end}) is before the start ({start}); swap them.", end=Day(day=last), start=Day(day=first)
            )
        )
    if last < today:
        raise BadInput(
            lazy_gettext("That period ({start} to {end}) is already over.", start=Day(day=first), end=Day(day=last))
        )
    if (last - first).days > 366:
        raise BadInput(lazy_gettext("An away period can last at most a year."))
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
    hours = check_hours(fields.hours, TASK_HOURS)
    if not 1 <= fields.slots <= 100:
        raise BadInput(
            lazy_gettext("slots (people needed) must be from 1 to 100; you gave {slots}.", slots=fields.slots)
        )
    min_shift = fields.min_shift
    if fields.splittable and not 0 < min_shift <= hours:
        raise BadInput(
            lazy_gettext(
                "min_shift must be more than 0 and at most the task's hours ({hours}); you gave {given}.",
                hours=Hours(hours=hours),
                given=Hours(hours=min_shift),
            )
        )
    qualification = (fields.qualification or "").strip() or None
    if qualification and len(qualification) > 50:
        raise BadInput(lazy_gettext("A qualification name can have at most 50 characters."))
    description = (fields.description or "").strip() or None
    if description and len(description) > 300:
        raise BadInput(lazy_gettext("A description can have at most 300 characters."))
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
            lazy_gettext(
                "A task at a set time lasts at most 24 hours a day; this one has {hours} h. Give it several days "
                "instead (e.g. `when:mon-fri 09:00`), or make it flexible (`when:-`).",
                hours=Hours(hours=hours),
            )
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
            lazy_gettext(
                "`{text}` is not a number of hours before a shift: give whole hours from 1 to {most} (e.g. 12), "
                "or `off`.",
                text=text.strip(),
                most=MAX_SHIFT_REMINDER_HOURS,
            )
        )
    return int(raw)
