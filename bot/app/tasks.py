"""The organization's recurring work: the list with social ratings, and moderators' changes
(add, edit, remove, import from CSV, export)."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.domain import organizations as rules
from bot.domain.errors import BadInput
from bot.domain.planner import (
    TASK_OPTIONAL_COLUMNS,
    TASK_TIME_COLUMNS,
    PlanInputError,
    Problems,
    decode,
    parse_tasks,
    row_recurrence,
)
from bot.domain.ratings import SocialRating, social_rating
from bot.domain.recurrence import Recurrence, check_recurrence
from bot.domain.shifts import TaskTime, parse_when, when_words
from bot.domain.solver.model import DEFAULT_GRANULARITY, hours_in
from bot.domain.weeks import iso_week, week_start
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext, ngettext, worded
from storage import members, orgs, ratings, tasks
from storage.db import Database, Session
from storage.models import Organization, Rating, TaskRow, utcnow

from . import audit
from .lookups import clip, current_week, require_org, require_task
from .ports import Clock

CLEAR = {"-", "none"}  # what a moderator types to clear a text option
MAX_IMPORT_ROWS = 2000  # rows per import (IMPORT_MAX_ROWS): a bigger file is split by the moderator
IMPORT_ERROR_CHARS = 1900  # the problems of a refused file, within a Discord message
IMPORT_BATCH_ROWS = 100  # rows per transaction: another server's command waits for one batch at most


def describe(task: TaskRow, *, when: bool = True, language: str = SOURCE_LANGUAGE) -> str:
    """A task in one line, as lists and the audit log show it (`when`: how often, unless weekly)."""
    hours = hours_in(task.hours, language)
    parts = [
        ngettext(language, "{hours} h × {count} people", "{hours} h × {count} people", task.slots, hours=hours)
        if task.slots > 1
        else gettext(language, "{hours} h", hours=hours)
    ]
    if task.splittable:
        shift = hours_in(task.min_shift, language)
        parts.append(gettext(language, "splittable into shifts of ≥ {hours} h", hours=shift))
    if task.qualification:
        parts.append(gettext(language, "needs {qualification}", qualification=task.qualification))
    if task.role_id:
        parts.append(gettext(language, "role {role}", role=f"<@&{task.role_id}>"))
    if task.origin:
        parts.append(gettext(language, "from {origin}", origin=task.origin))
    if task.day and task.start is not None:
        parts.append(when_words(TaskTime(*tasks.task_time(task)), task.hours, language))
    if when and task.every_weeks != 1:
        often = tasks.recurrence(task)
        parts.append(
            gettext(language, "once, in week {week}", week=often.first)
            if often.once
            else gettext(language, "every {every} weeks from {week}", every=often.every, week=often.first)
        )
    return ", ".join(parts)


def recurrence(task: TaskRow) -> Recurrence:
    """When the task happens (for the export's optional columns)."""
    return tasks.recurrence(task)


def _now(clock: Clock | None) -> datetime:
    return clock() if clock is not None else datetime.now(UTC)


def next_week(org: Organization, clock: Clock | None) -> str:
    """The week after the organization's current one: where a new every-N-weeks task starts."""
    return iso_week(week_start(current_week(org, _now(clock))) + timedelta(weeks=1))


@dataclass(frozen=True)
class When:
    """A moderator's options on when a task happens; all None leaves it as it is (weekly for a new task)."""

    every_weeks: int | None = None  # 1 weekly, N every N weeks
    first_week: str | None = None  # the first week of every N weeks
    once_in_week: str | None = None  # a one-off: only this week

    def given(self) -> bool:
        return any(v is not None for v in (self.every_weeks, self.first_week, self.once_in_week))

    def applied_to(self, current: Recurrence, default_first: str) -> Recurrence:
        """The recurrence after these options, from the task's `current` one."""
        if not self.given():
            return current
        if self.once_in_week is not None or self.every_weeks is not None:
            first = self.first_week or (current.first if not current.weekly and not current.once else None)
            return check_recurrence(self.every_weeks, first or default_first, self.once_in_week, default_first)
        if current.weekly:  # only first_week given
            raise BadInput(
                lazy_gettext("`first_week` goes with `every_weeks` (e.g. every_weeks:4 first_week:2026-W50).")
            )
        return check_recurrence(current.every, self.first_week, None, default_first)


@dataclass(frozen=True)
class TaskListing:
    task: TaskRow
    social: SocialRating
    own: Rating | None  # the asking member's own rating
    when: str = "every week"  # when it happens, from this week on
    at: str = "any time in the week"  # the days and hours, in the organization's time


@dataclass(frozen=True)
class TaskList:
    org: Organization
    tasks: list[TaskListing]


@dataclass(frozen=True)
class TaskChanged:
    task: TaskRow
    restored: bool = False  # an archived task came back


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int  # rows that changed something
    restored: int
    unchanged: int = 0

    def summary(self, language: str = SOURCE_LANGUAGE) -> str:
        """`2 added, 1 updated (3 unchanged)`, in `language` (the audit log keeps English)."""
        counts = [
            ngettext(language, "{count} added", "{count} added", self.added, count=self.added),
            ngettext(language, "{count} updated", "{count} updated", self.updated, count=self.updated),
            ngettext(language, "{count} restored", "{count} restored", self.restored, count=self.restored),
        ]
        changed = ", ".join(
            text for text, n in zip(counts, (self.added, self.updated, self.restored), strict=True) if n
        )
        if not changed:
            return gettext(language, "no changes")
        if not self.unchanged:
            return changed
        return ngettext(
            language,
            "{changes} ({count} unchanged)",
            "{changes} ({count} unchanged)",
            self.unchanged,
            changes=changed,
            count=self.unchanged,
        )


async def task_names(db: Database, guild_id: int | None, typed: str) -> list[str]:
    """Active tasks whose name contains what was typed, anywhere in it (for autocomplete)."""
    if guild_id is None:
        return []
    async with db.session() as session:
        org = await orgs.org_for_guild(session, guild_id)
        found = await tasks.search_tasks(session, org.id, typed.strip()) if org else []
    return [t.name for t in found]


async def task_list(
    db: Database, guild_id: int | None, user_id: int, clock: Clock | None = None, language: str = SOURCE_LANGUAGE
) -> TaskList:
    """The tasks for `/tasks`, how often each happens written in `language`."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
        member = await members.member_for(session, org.id, user_id)
        mine = await ratings.own_ratings(session, member.id) if member and member.id else {}
    week = current_week(org, _now(clock))
    return TaskList(
        org,
        [
            TaskListing(
                t,
                social_rating(by_task.get(t.id or 0, [])),
                mine.get(t.id or 0),
                tasks.recurrence(t).describe(week, language),
                when_words(TaskTime(*tasks.task_time(t)), t.hours, language),
            )
            for t in rows
        ],
    )


def check_fits(org: Organization, fields: rules.TaskFields) -> None:
    """A splittable task must be a whole number of the organization's steps (`/mod org settings granularity`)."""
    rules.check_task_fits(fields.name, fields.hours, fields.splittable, rules.check_granularity(org.granularity))


def _apply(row: TaskRow, fields: rules.TaskFields) -> None:
    row.name, row.hours, row.slots = fields.name, fields.hours, fields.slots
    row.splittable, row.min_shift = fields.splittable, fields.min_shift
    row.qualification, row.role_id, row.description = fields.qualification, fields.role_id, fields.description
    if fields.recurrence is not None:
        tasks.set_recurrence(row, fields.recurrence)
    if fields.at is not None:
        row.day, row.start = fields.at.stored()


def _settings(row: TaskRow) -> tuple[object, ...]:
    """What a moderator can set on a task, to tell a real change from a no-op."""
    return (
        row.name,
        row.hours,
        row.slots,
        row.splittable,
        row.min_shift if row.splittable else None,  # a task done in one go has no shorter shift
        row.qualification,
        row.role_id,
        row.description,
        row.every_weeks,
        row.first_week,
        row.day,
        row.start,
    )


def text_or_clear(value: str | None, current: str | None) -> str | None:
    if value is None:
        return current
    return None if value.strip().lower() in CLEAR else value


async def add_task(
    db: Database,
    guild_id: int | None,
    moderator_id: int,
    fields: rules.TaskFields,
    when: When = When(),
    clock: Clock | None = None,
    at: str | None = None,
) -> TaskChanged:
    """Add a task, or bring an archived one of that name back with these settings (weekly unless
    `when` says otherwise)."""
    if at is not None:
        fields = replace(fields, at=parse_when(at))
    fields = rules.check_task(fields)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        check_fits(org, fields)
        fields = replace(fields, recurrence=when.applied_to(Recurrence(), next_week(org, clock)))
        existing = await tasks.task_named(session, org.id, fields.name)
        if existing is not None and existing.archived_at is None:
            raise BadInput(
                lazy_gettext(
                    "There is already a task called `{task}`; change it with `/mod task edit`.", task=existing.name
                )
            )
        restored = existing is not None
        row = existing or TaskRow(organization_id=org.id, name=fields.name, hours=fields.hours)
        _apply(row, fields)
        row.archived_at = None
        session.add(row)
        action = "task.restore" if restored else "task.add"
        await audit.record(session, org.id, moderator_id, action, f"{row.name}: {describe(row)}", guild_id=guild_id)
    return TaskChanged(row, restored)


@dataclass(frozen=True)
class TaskEdit:
    """The options a moderator gave; None leaves a setting as it is."""

    name: str | None = None
    hours: float | None = None
    slots: int | None = None
    splittable: bool | None = None
    min_shift: float | None = None
    qualification: str | None = None  # "-" clears it
    role_id: int | None = None
    clear_role: bool = False
    description: str | None = None  # "-" clears it
    when: When = When()
    at: str | None = None  # `sat 09:00`, `mon-fri 14:00`; "-" makes it flexible again


async def edit_task(
    db: Database, guild_id: int | None, moderator_id: int, task_name: str, edit: TaskEdit, clock: Clock | None = None
) -> TaskChanged:
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_task(session, org.id, task_name)
        before = describe(row)
        fields = rules.check_task(
            rules.TaskFields(
                name=row.name if edit.name is None else edit.name,
                hours=row.hours if edit.hours is None else edit.hours,
                slots=row.slots if edit.slots is None else edit.slots,
                splittable=row.splittable if edit.splittable is None else edit.splittable,
                min_shift=row.min_shift if edit.min_shift is None else edit.min_shift,
                qualification=text_or_clear(edit.qualification, row.qualification),
                role_id=None if edit.clear_role else (edit.role_id or row.role_id),
                description=text_or_clear(edit.description, row.description),
                recurrence=edit.when.applied_to(tasks.recurrence(row), next_week(org, clock)),
                at=parse_when(edit.at) if edit.at is not None else None,
            )
        )
        check_fits(org, fields)
        if fields.name.lower() != row.name.lower():
            clash = await tasks.task_named(session, org.id, fields.name)
            if clash is not None:
                raise BadInput(lazy_gettext("Another task is already called `{task}`.", task=clash.name))
        old_name = row.name
        _apply(row, fields)
        await audit.record(
            session,
            org.id,
            moderator_id,
            "task.edit",
            f"{old_name}: {before} -> {row.name}: {describe(row)}",
            guild_id=guild_id,
        )
    return TaskChanged(row)


async def remove_task(db: Database, guild_id: int | None, moderator_id: int, task_name: str) -> TaskChanged:
    """Archive a task: out of future rotas, kept in history."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_task(session, org.id, task_name)
        row.archived_at = utcnow()
        await audit.record(session, org.id, moderator_id, "task.remove", row.name, guild_id=guild_id)
    return TaskChanged(row)


def check_import(text: str, filename: str, granularity: Decimal = DEFAULT_GRANULARITY) -> list[rules.TaskFields]:
    """Every row of a planner-format tasks CSV, checked (a splittable task against the organization's
    granularity too); a bad row stops it all, and every problem of the file is told at once."""
    try:
        parsed, rows = parse_tasks(text, filename, granularity)
        checked = []
        problems = Problems()
        for task, row in zip(parsed, rows, strict=True):
            # An older file without the optional columns leaves when a task happens as it is.
            when = row_recurrence(row) if any(c in row.values for c in TASK_OPTIONAL_COLUMNS) else None
            at = TaskTime(task.day, task.start) if any(c in row.values for c in TASK_TIME_COLUMNS) else None
            with problems.row():
                try:
                    fields = rules.check_task(
                        rules.TaskFields(
                            task.name,
                            task.hours,
                            task.slots,
                            task.splittable,
                            task.min_shift,
                            task.qualification,
                            recurrence=when,
                            at=at,
                        )
                    )
                    rules.check_task_fits(fields.name, fields.hours, fields.splittable, granularity)
                    checked.append(fields)
                except BadInput as error:
                    raise row.fail(error.args[0]) from None  # the rule's own message, worded for the reader later
        problems.check()
    except PlanInputError as error:  # every problem of the file, within a message's length
        refused = error
        detail = worded(
            lambda language: clip(refused.text(language), IMPORT_ERROR_CHARS - len("Nothing was imported.\n"))
        )
        raise BadInput(lazy_gettext("Nothing was imported.\n{error}", error=detail)) from None
    if not checked:
        raise BadInput(lazy_gettext("`{file}` has no task rows. Nothing was imported.", file=filename))
    return checked


def count_rows(text: str) -> int:
    """The CSV's data rows (not the header, not blank lines), cheaply: before the full check."""
    rows = sum(1 for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row))
    return max(0, rows - 1)


def read_import(data: bytes | str, filename: str, granularity: Decimal, max_rows: int) -> list[rules.TaskFields]:
    """Decode, count and check an uploaded tasks CSV (CPU work: the caller runs it in a thread)."""
    try:
        text = data if isinstance(data, str) else decode(data, filename)
    except PlanInputError as error:
        refused = error
        raise BadInput(
            lazy_gettext("Nothing was imported. {error}", error=worded(lambda language: refused.text(language)))
        ) from None
    rows = count_rows(text)
    if rows > max_rows:
        raise BadInput(
            lazy_gettext(
                "`{file}` has {rows} task rows; one import takes at most {most}. Nothing was imported. Split it into "
                "files of at most {most} rows (each with the header row) and import them one after the other: each "
                "adds or updates tasks by name.",
                file=filename,
                rows=f"{rows:,}",
                most=f"{max_rows:,}",
            )
        )
    return check_import(text, filename, granularity)


_importing: set[int] = set()  # organizations with an import under way in this process


async def import_tasks(
    db: Database,
    guild_id: int | None,
    moderator_id: int,
    filename: str,
    data: bytes | str,
    *,
    max_rows: int = MAX_IMPORT_ROWS,
    batch_rows: int = IMPORT_BATCH_ROWS,
) -> Imported:
    """Add or update tasks from a CSV. Roles and descriptions stay as they are.

    `data` is the file as uploaded: read like the planner reads spreadsheets (UTF-8 with or without a
    byte-order mark, UTF-16, or Excel's legacy Windows-1252). Every row is checked first, in a thread
    (a bad row imports nothing); then the rows are written `batch_rows` at a time, each batch its own
    short transaction, so that other servers' commands get the database between batches. Stopped
    part-way (a crash), the first batches stay: importing the same file again completes it."""
    async with db.session() as session:
        org = await require_org(session, guild_id)
        org_id, granularity = org.id, rules.check_granularity(org.granularity)
    if org_id in _importing:
        raise BadInput(
            lazy_gettext("An import for this organization is under way: wait for its reply, then try again.")
        )
    _importing.add(org_id)
    try:
        checked = await asyncio.to_thread(read_import, data, filename, granularity, max_rows)
        counts = Imported(0, 0, 0, 0)
        for start in range(0, len(checked), batch_rows):
            async with db.transaction() as session:
                counts = _add(counts, await _import_batch(session, org_id, checked[start : start + batch_rows]))
        async with db.transaction() as session:
            await audit.record(
                session, org_id, moderator_id, "task.import", f"{filename}: {counts.summary()}", guild_id=guild_id
            )
    finally:
        _importing.discard(org_id)
    return counts


def _add(a: Imported, b: Imported) -> Imported:
    return Imported(a.added + b.added, a.updated + b.updated, a.restored + b.restored, a.unchanged + b.unchanged)


async def _import_batch(session: Session, org_id: int, batch: Sequence[rules.TaskFields]) -> Imported:
    added = updated = restored = unchanged = 0
    existing = await tasks.tasks_named(session, org_id, [fields.name for fields in batch])
    for fields in batch:
        row = existing.get(fields.name.lower())
        if row is None:
            row = TaskRow(organization_id=org_id, name=fields.name, hours=fields.hours)
            existing[fields.name.lower()] = row  # a name twice in one file: the later row wins
            added += 1
            _apply(row, fields)
        else:
            before = _settings(row)
            _apply(row, replace(fields, role_id=row.role_id, description=row.description))
            if row.archived_at:
                restored += 1
            elif _settings(row) != before:
                updated += 1
            else:
                unchanged += 1
        row.archived_at = None
        session.add(row)
    return Imported(added, updated, restored, unchanged)


async def export_tasks(db: Database, guild_id: int | None) -> Sequence[tuple[TaskRow, SocialRating]]:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
    return [(t, social_rating(by_task.get(t.id or 0, []))) for t in rows]
