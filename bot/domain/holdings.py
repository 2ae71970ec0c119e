"""What a member may do with the pieces they hold or could hold: which weeks they may mark done,
until when a task given back is open, and the one rule of who can take a piece (a swap, a claim,
the claim offer's list): qualified, not away, the hours fit, available for the whole piece, no clash
with their other shifts. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.domain.rota import MemberInfo, TaskInfo, available_hours, away_weekdays
from bot.domain.shifts import day_name, windows_words
from bot.domain.solver.model import hours_in
from bot.domain.solver.timed import DAY_MINUTES, format_span, merge_intervals
from bot.domain.weeks import previous_weeks, week_end
from bot.i18n import SOURCE_LANGUAGE, Message, lazy_gettext, worded


def markable_weeks(current: str) -> tuple[str, str]:
    """The weeks whose work a member may mark done: this week and the one before (a Sunday's task
    marked on Monday). Older weeks are history (done credit is pay): only a moderator corrects them."""
    return previous_weeks(current, 1)[0], current


def why_not_mark(week: str, current: str) -> Message | None:
    """None when `week`'s work may be marked done now; else the refusal, naming the weeks that can."""
    if week in markable_weeks(current):
        return None
    last, this = markable_weeks(current)
    return lazy_gettext(
        "Week {week} can no longer be marked: only this week ({this}) and last week ({last}) can. "
        "If something there is wrong, a moderator can correct it.",
        week=week,
        this=this,
        last=last,
    )


def claim_deadline(now: datetime, hours: int, week: str, tz_name: str) -> datetime:
    """Until when a task given back is open to claims: `hours` from now, but never past its week."""
    return min(now + timedelta(hours=hours), week_end(week, tz_name))


@dataclass(frozen=True)
class Shift:
    """A timed piece in the week: the task's name, the occurrence's day (0 = Monday) and local
    minutes after that day's midnight (an end past 1440 runs into the next day)."""

    task: str
    day: int
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        """Week minutes [a, b) (b may pass the week's end: it wraps to Monday, as in the solver)."""
        return self.day * DAY_MINUTES + self.start, self.day * DAY_MINUTES + self.end

    def words(self, tz_name: str | None = None, language: str = SOURCE_LANGUAGE) -> str:
        """`Saturday 09:00–13:00` (the organization's time), `Saturday 09:00–13:00 (Europe/Berlin)`
        when its timezone is named; the day in `language`."""
        start, end = self.span
        words = f"{day_name(self.day, language)} {format_span(start, end).partition(' ')[2]}"
        return f"{words} ({tz_name})" if tz_name else words


def inside(windows: tuple[tuple[int, int], ...] | None, span: tuple[int, int]) -> bool:
    """Whether the week-minute span lies wholly inside the union of the windows (None: any time)."""
    if windows is None:
        return True
    return all(any(a <= lo and hi <= b for a, b in windows) for lo, hi in merge_intervals([span]))


def overlap(one: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether two week-minute spans share any time (touching is fine), wrapping at the week's end."""
    return any(a < d and c < b for a, b in merge_intervals([one]) for c, d in merge_intervals([other]))


@dataclass(frozen=True)
class Candidate:
    """A member as a task given back (or offered in a swap) sees them: who they are, this week's
    availability, what they already hold in the week and when their timed pieces are."""

    member: MemberInfo
    held_hours: float
    held_tasks: frozenset[int]
    held_shifts: tuple[Shift, ...] = ()


def why_not_take(
    candidate: Candidate,
    task: TaskInfo,
    hours: float,
    week: str,
    shift: Shift | None = None,
    *,
    tz_name: str,
    you: bool = True,
    language: str = SOURCE_LANGUAGE,
) -> str | None:
    """`take_refusal` worded in `language` (None: they can take it)."""
    refusal = take_refusal(candidate, task, hours, week, shift, tz_name=tz_name, you=you)
    return None if refusal is None else refusal.render(language)


def take_refusal(
    candidate: Candidate,
    task: TaskInfo,
    hours: float,
    week: str,
    shift: Shift | None = None,
    *,
    tz_name: str,
    you: bool = True,
) -> Message | None:
    """Why this member cannot take `hours` of `task` this week, at `shift` for a timed piece (None:
    they can). THE rule for swaps, for offering a task given back and for accepting a claim:
    qualified, not away, the hours fit, available for the whole piece, no clash with their other
    shifts (and, for flexible work, not already holding part of the task). `you`: the reason speaks
    to the member (a claim), else of them (a swap names them). A reason with times names the
    organization's timezone `tz_name` once (the shift's and the member's times are both in it), so
    members elsewhere do not read them as their own. The reason is a catalog `Message`: it is worded
    in the reader's language when it is shown."""
    member = candidate.member
    if task.qualification and task.qualification not in member.qualifications:
        return lazy_gettext("it needs `{qualification}`", qualification=task.qualification)
    available = available_hours(member, week)
    if available <= 0:
        return lazy_gettext("you are away that week") if you else lazy_gettext("they are away that week")
    if shift is not None and shift.day in away_weekdays(member, week):
        day = worded(lambda language: day_name(shift.day, language))
        return (
            lazy_gettext("you are away on {day}", day=day) if you else lazy_gettext("they are away on {day}", day=day)
        )
    if shift is None and task.id in candidate.held_tasks:
        return (
            lazy_gettext("you are already holding part of it this week")
            if you
            else lazy_gettext("they are already holding part of it this week")
        )
    if candidate.held_hours + hours > available + 1e-9:
        total = worded(lambda language: hours_in(round(candidate.held_hours + hours, 6), language))
        of = worded(lambda language: hours_in(round(available, 6), language))
        return (
            lazy_gettext("it would make {total} h of your {available} h that week", total=total, available=of)
            if you
            else lazy_gettext("it would make {total} h of their {available} h that week", total=total, available=of)
        )
    if shift is not None:
        if not inside(member.windows, shift.span):
            when = worded(partial(shift.words, tz_name))
            times = worded(lambda language: windows_words(member.windows, language))
            return (
                lazy_gettext("you are not available on {when}: your times are {times}", when=when, times=times)
                if you
                else lazy_gettext("they are not available on {when}: their times are {times}", when=when, times=times)
            )
        for other in candidate.held_shifts:
            if overlap(other.span, shift.span):
                on = worded(partial(other.words, tz_name))
                return (
                    lazy_gettext("it clashes with your {task} shift on {when}", task=other.task, when=on)
                    if you
                    else lazy_gettext("it clashes with their {task} shift on {when}", task=other.task, when=on)
                )
    return None
