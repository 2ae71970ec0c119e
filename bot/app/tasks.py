"""The organization's recurring work: the list with social ratings, and moderators' changes
(add, edit, remove, import from CSV, export)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from bot import organizations as rules
from bot.errors import BadInput
from bot.planner import PlanInputError, decode, parse_tasks
from bot.ratings import SocialRating, social_rating
from bot.solver.model import DEFAULT_GRANULARITY, hours_text
from storage import members, orgs, ratings, tasks
from storage.db import Database
from storage.models import Organization, Rating, TaskRow, utcnow

from .lookups import require_org, require_task

CLEAR = {"-", "none"}  # what a moderator types to clear a text option


def describe(task: TaskRow) -> str:
    """A task in one line, as lists and the audit log show it."""
    parts = [f"{hours_text(task.hours)} h" + (f" × {task.slots} people" if task.slots > 1 else "")]
    if task.splittable:
        parts.append(f"splittable into shifts of ≥ {hours_text(task.min_shift)} h")
    if task.qualification:
        parts.append(f"needs {task.qualification}")
    if task.role_id:
        parts.append(f"role <@&{task.role_id}>")
    if task.origin:
        parts.append(f"from {task.origin}")
    return ", ".join(parts)


@dataclass(frozen=True)
class TaskListing:
    task: TaskRow
    social: SocialRating
    own: Rating | None  # the asking member's own rating


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
    updated: int
    restored: int

    def summary(self) -> str:
        counts = {"added": self.added, "updated": self.updated, "restored": self.restored}
        return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


async def task_names(db: Database, guild_id: int | None, typed: str) -> list[str]:
    """Active tasks whose name contains what was typed, anywhere in it (for autocomplete)."""
    if guild_id is None:
        return []
    async with db.session() as session:
        org = await orgs.org_for_guild(session, guild_id)
        found = await tasks.search_tasks(session, org.id, typed.strip()) if org else []
    return [t.name for t in found]


async def task_list(db: Database, guild_id: int | None, user_id: int) -> TaskList:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
        member = await members.member_for(session, org.id, user_id)
        mine = await ratings.own_ratings(session, member.id) if member and member.id else {}
    return TaskList(org, [TaskListing(t, social_rating(by_task.get(t.id or 0, [])), mine.get(t.id or 0)) for t in rows])


def check_fits(org: Organization, fields: rules.TaskFields) -> None:
    """A splittable task must be a whole number of the organization's steps (`/mod org settings granularity`)."""
    rules.check_task_fits(fields.name, fields.hours, fields.splittable, rules.check_granularity(org.granularity))


def _apply(row: TaskRow, fields: rules.TaskFields) -> None:
    row.name, row.hours, row.slots = fields.name, fields.hours, fields.slots
    row.splittable, row.min_shift = fields.splittable, fields.min_shift
    row.qualification, row.role_id, row.description = fields.qualification, fields.role_id, fields.description


def text_or_clear(value: str | None, current: str | None) -> str | None:
    if value is None:
        return current
    return None if value.strip().lower() in CLEAR else value


async def add_task(db: Database, guild_id: int | None, moderator_id: int, fields: rules.TaskFields) -> TaskChanged:
    """Add a task, or bring an archived one of that name back with these settings."""
    fields = rules.check_task(fields)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        check_fits(org, fields)
        existing = await tasks.task_named(session, org.id, fields.name)
        if existing is not None and existing.archived_at is None:
            raise BadInput(f"There is already a task called `{existing.name}`; change it with `/mod task edit`.")
        restored = existing is not None
        row = existing or TaskRow(organization_id=org.id, name=fields.name, hours=fields.hours)
        _apply(row, fields)
        row.archived_at = None
        session.add(row)
        action = "task.restore" if restored else "task.add"
        orgs.audit(session, org.id, moderator_id, action, f"{row.name}: {describe(row)}")
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


async def edit_task(
    db: Database, guild_id: int | None, moderator_id: int, task_name: str, edit: TaskEdit
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
            )
        )
        check_fits(org, fields)
        if fields.name.lower() != row.name.lower():
            clash = await tasks.task_named(session, org.id, fields.name)
            if clash is not None:
                raise BadInput(f"Another task is already called `{clash.name}`.")
        old_name = row.name
        _apply(row, fields)
        orgs.audit(session, org.id, moderator_id, "task.edit", f"{old_name}: {before} -> {row.name}: {describe(row)}")
    return TaskChanged(row)


async def remove_task(db: Database, guild_id: int | None, moderator_id: int, task_name: str) -> TaskChanged:
    """Archive a task: out of future rotas, kept in history."""
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        row = await require_task(session, org.id, task_name)
        row.archived_at = utcnow()
        orgs.audit(session, org.id, moderator_id, "task.remove", row.name)
    return TaskChanged(row)


def check_import(text: str, filename: str, granularity: Decimal = DEFAULT_GRANULARITY) -> list[rules.TaskFields]:
    """Every row of a planner-format tasks CSV, checked (a splittable task against the organization's
    granularity too); the first bad row stops it all."""
    try:
        parsed, rows = parse_tasks(text, source=filename)
        checked = []
        for task, row in zip(parsed, rows, strict=True):
            try:
                fields = rules.check_task(
                    rules.TaskFields(
                        task.name, task.hours, task.slots, task.splittable, task.min_shift, task.qualification
                    )
                )
                rules.check_task_fits(fields.name, fields.hours, fields.splittable, granularity)
                checked.append(fields)
            except BadInput as error:
                raise row.fail(str(error)) from None
    except PlanInputError as error:
        raise BadInput(f"Nothing was imported. {error}") from None
    if not checked:
        raise BadInput(f"`{filename}` has no task rows. Nothing was imported.")
    return checked


async def import_tasks(
    db: Database, guild_id: int | None, moderator_id: int, filename: str, data: bytes | str
) -> Imported:
    """Add or update tasks from a CSV: all rows or none. Roles and descriptions stay as they are.

    `data` is the file as uploaded: read like the planner reads spreadsheets (UTF-8 with or without a
    byte-order mark, UTF-16, or Excel's legacy Windows-1252)."""
    try:
        text = data if isinstance(data, str) else decode(data, filename)
    except PlanInputError as error:
        raise BadInput(f"Nothing was imported. {error}") from None
    added = updated = restored = 0
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        checked = check_import(text, filename, rules.check_granularity(org.granularity))
        for fields in checked:
            row = await tasks.task_named(session, org.id, fields.name)
            if row is None:
                row = TaskRow(organization_id=org.id, name=fields.name, hours=fields.hours)
                added += 1
            else:
                if row.archived_at:
                    restored += 1
                else:
                    updated += 1
                fields = replace(fields, role_id=row.role_id, description=row.description)
            _apply(row, fields)
            row.archived_at = None
            session.add(row)
        result = Imported(added, updated, restored)
        orgs.audit(session, org.id, moderator_id, "task.import", f"{filename}: {result.summary()}")
    return result


async def export_tasks(db: Database, guild_id: int | None) -> Sequence[tuple[TaskRow, SocialRating]]:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        rows = await tasks.active_tasks(session, org.id)
        by_task = await ratings.ratings_by_task(session, org.id)
    return [(t, social_rating(by_task.get(t.id or 0, []))) for t in rows]
