"""The offline planner: spreadsheets in, balanced job complexes out (`parecon-rota plan`).

File formats (a stable contract):
- tasks.csv:       task,hours,slots,qualification,splittable,min_shift,desirability,empowerment
                   (an empty min_shift: the whole task, or the granularity when splittable)
                   optional: every_weeks,first_week (a task every N weeks from an ISO week,
                   or `once` in that week; the planned week gets only the tasks it has)
- members.csv:     member,hours,qualifications,away          (qualifications `;`-separated)
- ratings.csv:     member,task,desirability,empowerment      (individual ratings)
- history.csv:     week,task,member,hours                    (ISO weeks, e.g. 2026-W45)
- assignments.csv: task,member,hours                          (one row per piece a member holds)

Input files are read the way spreadsheets save them: `,`, `;` or tab separated (from the header
line; Excel's `sep=;` first line too), UTF-8 with or without a byte-order mark, UTF-16 with one, or
Windows-1252/Latin-1; header names in any case and with spaces (`Min shift`); empty columns
ignored; decimal commas (`1,5`) where the separator is not a comma. `away` is true/false or dates
(`2026-12-01`, `2026-11-30..2026-12-06`, several separated by `;`), counted like the bot: away for
the whole planned week means no tasks, for part of it that part of the member's hours. Names of
members and tasks are compared without case and extra spaces; every problem of a file is told at once.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import difflib
import importlib.util
import io
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.domain.errors import BadInput
from bot.domain.ratings import MIN_RATINGS, social_rating
from bot.domain.recurrence import Recurrence, from_cells
from bot.domain.rota import MemberInfo, available_hours
from bot.domain.solver import Plan, Problem, ProblemError, solve
from bot.domain.solver.history import Held, carry_over
from bot.domain.solver.metrics import Week, rotation
from bot.domain.solver.model import (
    DEFAULT_GRANULARITY,
    DIMENSIONS,
    NEUTRAL,
    Member,
    Piece,
    Task,
    fair_share_matrix,
    hours_in,
    hours_text,
    parse_granularity,
)
from bot.domain.solver.timed import (
    DAYS,
    Refusal,
    TimedError,
    format_clock,
    joined,
    lazy,
    parse_clock,
    parse_days,
    parse_windows,
    text_in,
    without_days,
)
from bot.domain.weeks import iso_week, parse_week, week_days
from bot.i18n import SOURCE_LANGUAGE, Message, gettext, lazy_gettext, ngettext, pgettext
from bot.i18n.formatting import number, percent

TASK_COLUMNS = (
    "task",
    "hours",
    "slots",
    "qualification",
    "splittable",
    "min_shift",
    "desirability",
    "empowerment",
)
# Optional: when a task is not weekly (`every_weeks` a number or `once`, `first_week` an ISO week).
# Files without them are read as before; the planned week gets only the tasks that happen in it.
TASK_OPTIONAL_COLUMNS = ("every_weeks", "first_week")
# Optional: work at a set time (`day` mon … sun, mon-fri, daily; `start` HH:MM). Empty: any time.
TASK_TIME_COLUMNS = ("day", "start")
MEMBER_COLUMNS = ("member", "hours", "qualifications", "away")
# Optional: when a member can work timed tasks (`mon-fri 18:00-22:00; sat`). Empty: any time.
MEMBER_OPTIONAL_COLUMNS = ("available",)
RATING_COLUMNS = ("member", "task", "desirability", "empowerment")
HISTORY_COLUMNS = ("week", "task", "member", "hours")
ROLES = ("tasks", "members", "ratings", "history")  # the input files, and their sheets in a workbook
ASSIGNMENT_COLUMNS = ("task", "member", "hours")
ASSIGNMENT_TIME_COLUMNS = ("day", "start", "end")  # written when the plan has timed pieces
HISTORY_TIME_COLUMNS = ASSIGNMENT_TIME_COLUMNS  # so that assignments.csv is read back as history
# A spreadsheet takes a cell starting with one of these for a formula (`=HYPERLINK(…)` in a member's
# name would run when the file is opened); such text is written with a leading `'`, as OWASP advises.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REPORT_SCHEMA_VERSION = 2  # version 1 (unversioned) had unlabelled `ratio` lists
ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
# Also what Excel writes for TRUE/FALSE in German, French, Spanish, Italian and Dutch, and a ticked `x`.
TRUE = {"true", "yes", "y", "1", "x", "wahr", "ja", "vrai", "oui", "verdadero", "sí", "si", "vero", "waar"}
FALSE = {"false", "no", "n", "0", "", "falsch", "nein", "faux", "non", "falso", "onwaar", "nee"}
SEPARATORS = (",", ";", "\t")
DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
SEP_HINT = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)  # Excel's first line naming the separator
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # 30.11.2026, as European spreadsheets write it
OUTPUT_MARGIN = 0.3  # seconds kept for measuring the plan and writing the files
MIN_SOLVE_SECONDS = 0.2
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .ods: zip files
MAX_ERRORS = 20  # problems of one file told at once
_IMPORTED = time.perf_counter()


class PlanInputError(ValueError):
    """A problem in an input file, naming the file, the line and what to fix: `str()` in English (for
    the bot's import and the logs), `text(language)` in the reader's. `problem` is a `Refusal` (or a
    text from elsewhere, shown as it is)."""

    def __init__(self, source: str, line: int | None, problem: Message | str) -> None:
        self.source, self.line = source, line
        self.problem: str = problem if isinstance(problem, str) else Refusal(problem)
        super().__init__(self.text(SOURCE_LANGUAGE))

    def text(self, language: str) -> str:
        source, problem = text_in(self.source, language), text_in(self.problem, language)
        if self.line:
            return gettext(language, "{file}, line {line}: {problem}", file=source, line=self.line, problem=problem)
        return f"{source}: {problem}"


class PlanInputErrors(PlanInputError):
    """Every problem found in one input file (the first MAX_ERRORS of them), one per line; or, with
    `files`, the problems of several files in turn (each file's own limit kept)."""

    def __init__(self, errors: Sequence[PlanInputError], files: Sequence[PlanInputError] = ()) -> None:
        self.errors, self.files = list(errors), list(files)
        first = errors[0]
        super().__init__(first.source, first.line, first.problem)

    def text(self, language: str) -> str:
        if self.files:
            return "\n".join(error.text(language) for error in self.files)
        lines = [e.text(language) for e in self.errors[:MAX_ERRORS]]
        if len(self.errors) > MAX_ERRORS:
            more = len(self.errors) - MAX_ERRORS
            lines.append(
                ngettext(
                    language,
                    "{file}: and {count} more problem(s) like these",
                    "{file}: and {count} more problem(s) like these",
                    more,
                    file=text_in(self.errors[0].source, language),
                )
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return str(self.args[0])


def joined_errors(errors: Sequence[PlanInputError]) -> PlanInputError:
    """The problems of several files as one error: each file's lines (and its own limit) in turn."""
    if len(errors) == 1:
        return errors[0]
    flat = [e for error in errors for e in (error.errors if isinstance(error, PlanInputErrors) else [error])]
    return PlanInputErrors(flat, files=errors)


class Problems:
    """The problems of one file, gathered row by row so that they are all told at once."""

    def __init__(self) -> None:
        self.found: list[PlanInputError] = []

    @contextlib.contextmanager
    def row(self) -> Iterator[None]:
        """A row's checks: its problem is noted and the next row is read."""
        try:
            yield
        except PlanInputErrors as errors:
            self.found += errors.errors
        except PlanInputError as error:
            self.found.append(error)

    def add(self, error: PlanInputError) -> None:
        self.found.append(error)

    def check(self) -> None:
        """Raise what was found: the one problem, or all of them in the order of the file."""
        self.found.sort(key=lambda error: error.line or 0)
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise PlanInputErrors(self.found)


def name_key(name: str) -> str:
    """How names of members, tasks and qualifications are compared: without case or extra spaces."""
    return " ".join(name.split()).casefold()


def decode(data: bytes, source: str) -> str:
    """A spreadsheet's bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with one
    (Excel's "Unicode text"), else Windows-1252 (Excel's legacy "CSV" in Western Europe and the
    Americas), else Latin-1."""
    if data.startswith(ZIP_MAGIC):
        raise PlanInputError(
            source, None, lazy_gettext("is a workbook (.xlsx/.ods), not a CSV file: save it as CSV and try again")
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise PlanInputError(
                source, None, lazy_gettext("starts like UTF-16 text but is not: save it as CSV (UTF-8)")
            ) from None
    if b"\x00" in data:
        raise PlanInputError(source, None, lazy_gettext("is not a text file: save it as CSV (UTF-8) and try again"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def workbook_sheet(data: bytes, source: str, role: str, language: str) -> tuple[str, str]:
    """An Excel workbook's sheet as CSV text, and its name for messages (`plan.xlsx (sheet Tasks)`): the
    sheet named after the file's role (`tasks`, `members`, `ratings`, `history`) if there is one, else the
    first. Rows keep their numbers, so errors name the row Excel shows."""
    try:
        import openpyxl
    except ImportError:
        raise PlanInputError(
            source,
            None,
            lazy_gettext("is a workbook: install the xlsx extra (pip install 'parecon-rota[xlsx]') or save it as CSV"),
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds for a zip that is not an .xlsx (.ods, .docx…)
        raise PlanInputError(
            source, None, lazy_gettext("is a workbook this program cannot read (an .ods?): save it as .xlsx or CSV")
        ) from None
    sheets = {column_key(name): name for name in book.sheetnames}
    name = sheets.get(role) or book.sheetnames[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in book[name].iter_rows(values_only=True):
        writer.writerow([_cell_text(value) for value in row])
    return out.getvalue(), gettext(language, "{file} (sheet {sheet})", file=source, sheet=name)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_input(path: str, role: str, language: str) -> tuple[str, str]:
    """An input file's text and its name for messages (in `language`): CSV in any of the ways spreadsheets
    save it, or an .xlsx workbook's sheet (the file's content decides, not its name)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise PlanInputError(path, None, lazy_gettext("cannot read it ({reason})", reason=error.strerror)) from None
    if data.startswith(ZIP_MAGIC):
        return workbook_sheet(data, path, role, language)
    return decode(data, path), path


def column_key(name: str) -> str:
    """A header cell as a column name: case, surrounding spaces and inner spaces or dashes don't matter."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def column_letter(index: int) -> str:
    """A 0-based column index as a spreadsheet's letter (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def detect_separator(text: str, columns: Sequence[str]) -> str:
    """The separator that reads the most known column names from the header line (ties: comma)."""
    line = _first_line(text)
    hint = SEP_HINT.match(line)
    if hint and hint.group(1) in SEPARATORS:
        return hint.group(1)
    best, best_score = ",", (-1, -1)
    for separator in SEPARATORS:
        cells = next(csv.reader([line], delimiter=separator), [])
        score = (sum(column_key(c) in columns for c in cells), sum(bool(c.strip()) for c in cells))
        if score > best_score:
            best, best_score = separator, score
    return best


@dataclass
class Row:
    source: str
    line: int
    values: dict[str, str]
    decimal_comma: bool = False  # the file's separator is not a comma, so `1,5` is one and a half

    def fail(self, problem: Message | str) -> PlanInputError:
        return PlanInputError(self.source, self.line, problem)

    def text(self, column: str, *, required: bool = False) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise self.fail(lazy_gettext("`{column}` is empty", column=column))
        return value

    def number(
        self,
        column: str,
        default: float | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
        positive: bool = False,
    ) -> float:
        raw = self.text(column)
        if not raw:
            if default is None:
                raise self.fail(lazy_gettext("`{column}` is empty", column=column))
            return default
        if DECIMAL_COMMA.match(raw):
            if not self.decimal_comma:
                raise self.fail(
                    lazy_gettext(
                        "`{column}` must be a number, not {value}: write {point} (this file is comma-separated, so "
                        "a comma cannot be a decimal point)",
                        column=column,
                        value=repr(raw),
                        point=raw.replace(",", "."),
                    )
                )
            raw = raw.replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(
                lazy_gettext("`{column}` must be a number, not {value}", column=column, value=repr(raw))
            ) from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(lazy_gettext("`{column}` must be a number, not {value}", column=column, value=repr(raw)))
        if positive and value <= 0:
            raise self.fail(lazy_gettext("`{column}` must be greater than 0 (got {value})", column=column, value=raw))
        if value < 0:
            raise self.fail(lazy_gettext("`{column}` cannot be negative (got {value})", column=column, value=raw))
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(
                lazy_gettext(
                    "`{column}` must be between {low} and {high} (got {value})",
                    column=column,
                    low=f"{low:g}",
                    high=f"{high:g}",
                    value=raw,
                )
            )
        return value

    def integer(self, column: str, default: int) -> int:
        value = self.number(column, float(default))
        if value != int(value) or value < 1:
            raise self.fail(
                lazy_gettext(
                    "`{column}` must be a whole number ≥ 1 (got {value})", column=column, value=self.text(column)
                )
            )
        return int(value)

    def flag(self, column: str) -> bool:
        raw = self.text(column).lower()
        if raw in TRUE:
            return True
        if raw in FALSE:
            return False
        raise self.fail(lazy_gettext("`{column}` must be true or false (got {value})", column=column, value=repr(raw)))


def read_rows(
    text: str, source: str, columns: Sequence[str], required: Sequence[str], problems: Problems | None = None
) -> list[Row]:
    """The data rows of a CSV file with these columns, read as a spreadsheet saved it (see the module's doc).
    A row with a stray cell is noted in `problems` (and left out), or raised when there are none."""
    text = text.lstrip("\ufeff")
    separator = detect_separator(text, columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header: list[str] | None = None
    keys: list[str] = []
    rows: list[Row] = []
    previous = 0
    for cells in reader:
        line, previous = previous + 1, reader.line_num  # a quoted cell may span lines: a row starts here
        if header is None:
            if not any(c.strip() for c in cells) or SEP_HINT.match(separator.join(cells)):
                continue
            header, keys = cells, _check_header(cells, source, line, columns, required)
            continue
        if not any(c.strip() for c in cells):
            continue
        stray = next((i for i in range(len(cells)) if cells[i].strip() and (i >= len(keys) or not keys[i])), None)
        if stray is not None:
            error = PlanInputError(source, line, _stray_cell(stray, len(keys), separator))
            if problems is None:
                raise error
            problems.add(error)
            continue
        values = {key: cells[i] if i < len(cells) else "" for i, key in enumerate(keys) if key}
        rows.append(Row(source, line, values, decimal_comma=separator != ","))
    if header is None:
        raise PlanInputError(
            source, None, lazy_gettext("the file is empty; expected columns {columns}", columns=",".join(columns))
        )
    return rows


def _check_header(
    cells: list[str], source: str, line: int, columns: Sequence[str], required: Sequence[str]
) -> list[str]:
    keys = [column_key(c) for c in cells]
    unknown = [(c.strip(), k) for c, k in zip(cells, keys, strict=True) if k and k not in columns]
    if unknown:
        named: list[Message | str] = []
        for written, key in unknown:
            close = difflib.get_close_matches(key, columns, n=1, cutoff=0.75)
            named.append(
                lazy_gettext("{column} (did you mean {match}?)", column=written, match=close[0]) if close else written
            )
        raise PlanInputError(
            source,
            line,
            lazy_gettext(
                "unknown column(s) {unknown}; the columns are {columns}",
                unknown=joined(named, ", "),
                columns=",".join(columns),
            ),
        )
    seen: set[str] = set()
    for key in keys:
        if key and key in seen:
            raise PlanInputError(source, line, lazy_gettext("column {column} appears twice", column=key))
        seen.add(key)
    missing = [c for c in required if c not in keys]
    if missing:
        raise PlanInputError(source, line, lazy_gettext("missing column(s) {columns}", columns=", ".join(missing)))
    return keys


def _stray_cell(index: int, width: int, separator: str) -> Message:
    if index >= width:
        if separator == ",":
            return lazy_gettext(
                "more cells than columns (a decimal comma? write 1.5, or save the file with `;` as the separator)"
            )
        return lazy_gettext("more cells than columns")
    return lazy_gettext(
        "a value in column {letter}, which has no header: name the column or clear the cell",
        letter=column_letter(index),
    )


def _unique(rows: Iterable[Row], column: str, what: str, problems: Problems) -> list[Row]:
    """The rows whose name is not empty and not taken by an earlier row (compared without case and
    extra spaces: `Ben` and `ben ` are one person); the others are noted, naming both lines."""
    seen: dict[str, Row] = {}
    kept = []
    for row in rows:
        with problems.row():
            name = row.text(column, required=True)
            first = seen.get(name_key(name))
            if first is not None:
                raise row.fail(_duplicate(what, name, first.line, first.text(column)))
            seen[name_key(name)] = row
            kept.append(row)
    return kept


def _duplicate(what: str, name: str, line: int, written: str) -> Message:
    """A name a row takes that an earlier line has (`written` as that line writes it)."""
    named = {"name": repr(name), "line": line, "written": repr(written)}
    if what == "task":
        if written == name:
            return lazy_gettext(
                "duplicate task {name}: line {line} has it already (names are compared without case and surrounding "
                "spaces)",
                **named,
            )
        return lazy_gettext(
            "duplicate task {name}: line {line} has it already as {written} (names are compared without case and "
            "surrounding spaces)",
            **named,
        )
    if written == name:
        return lazy_gettext(
            "duplicate member {name}: line {line} has it already (names are compared without case and surrounding "
            "spaces)",
            **named,
        )
    return lazy_gettext(
        "duplicate member {name}: line {line} has it already as {written} (names are compared without case and "
        "surrounding spaces)",
        **named,
    )


def row_recurrence(row: Row) -> Recurrence:
    """When a task row happens (its optional `every_weeks` and `first_week` cells)."""
    try:
        return from_cells(row.text("every_weeks"), row.text("first_week"))
    except BadInput as error:
        raise row.fail(error.args[0]) from None  # a catalog Message where recurrence gives one


def parse_tasks(
    text: str, source: str = "tasks.csv", granularity: str | float | Decimal = DEFAULT_GRANULARITY
) -> tuple[list[Task], list[Row]]:
    """The tasks file's tasks and their rows; every problem in it told at once.

    An empty `min_shift` is the whole task for one that is not splittable (it is done in one go), and
    the granularity (the shortest step) for a splittable one."""
    problems = Problems()
    rows = read_rows(
        text, source, TASK_COLUMNS + TASK_OPTIONAL_COLUMNS + TASK_TIME_COLUMNS, ("task", "hours"), problems
    )
    if not rows and not problems.found:
        raise PlanInputError(source, None, lazy_gettext("has no tasks: under the header line, write one row per task"))
    tasks, kept = [], []
    for row in _unique(rows, "task", "task", problems):
        with problems.row():
            hours = row.number("hours", positive=True)
            splittable = row.flag("splittable")
            if splittable:
                min_shift = row.number("min_shift", float(granularity), positive=True)
                if row.text("min_shift") and min_shift > hours:
                    raise row.fail(
                        lazy_gettext(
                            "`min_shift` ({min_shift}) cannot exceed `hours` ({hours})",
                            min_shift=hours_text(min_shift),
                            hours=hours_text(hours),
                        )
                    )
            else:
                row.number("min_shift", hours, positive=True)  # checked, though a whole task is one shift
                min_shift = hours
            row_recurrence(row)  # checked here, so a bad cell is named before anything is solved
            day, start = row_time(row, hours)
            tasks.append(
                Task(
                    name=row.text("task", required=True),
                    hours=hours,
                    slots=row.integer("slots", 1),
                    qualification=row.text("qualification") or None,
                    splittable=splittable,
                    min_shift=min_shift,
                    desirability=row.number("desirability", NEUTRAL, low=1, high=10),
                    empowerment=row.number("empowerment", NEUTRAL, low=1, high=10),
                    day=day,
                    start=start,
                )
            )
            kept.append(row)
    problems.check()
    return tasks, kept


def row_time(row: Row, hours: float) -> tuple[tuple[int, ...], int | None]:
    """When a task row happens: its `day` and `start` cells (both empty: any time in the week)."""
    day_text, start_text = row.text("day"), row.text("start")
    if not day_text:
        if start_text:
            raise row.fail(
                lazy_gettext(
                    "`start` is {start} but `day` is empty: give the day(s) too (mon, mon-fri, daily), or clear "
                    "`start` for a task done any time",
                    start=start_text,
                )
            )
        return (), None
    if not start_text:
        raise row.fail(
            lazy_gettext("`day` is {day} but `start` is empty: give the time it starts, like 09:00", day=day_text)
        )
    try:
        day = parse_days(day_text)
    except TimedError as error:
        raise row.fail(_in_column("day", error)) from None
    try:
        start = parse_clock(start_text)
    except TimedError as error:
        raise row.fail(_in_column("start", error)) from None
    if hours > 24:
        raise row.fail(
            lazy_gettext(
                "a task at a set time lasts at most 24 hours (got {hours}): split it over days", hours=hours_text(hours)
            )
        )
    return day, start


def _in_column(column: str, error: TimedError) -> Message:
    return lazy_gettext("`{column}`: {problem}", column=column, problem=lazy(error.problems[0]))


@dataclass(frozen=True)
class MemberRow:
    """A member as the file gives them, and as the planned week sees them."""

    member: Member  # hours: what is left of the week after the days away; away: the whole week
    line: int
    given_hours: float
    away_days: int  # days of the planned week


def parse_date(text: str) -> date | None:
    """A date as `2026-11-30` or `30.11.2026`; None when it is neither."""
    if match := ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := DOTTED_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_away(row: Row) -> bool | list[tuple[date, date]]:
    """`away`: true/false (the whole week or not), or dates and date ranges separated by `;` or `,`."""
    raw = row.text("away")
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    periods = []
    for part in re.split(r"[;,]", raw):
        part = part.strip()
        if not part:
            continue
        ends = [e.strip() for e in part.split("..")] if ".." in part else [part, part]
        days = [parse_date(e) for e in ends]
        if len(ends) != 2 or None in days:
            raise row.fail(
                lazy_gettext(
                    "`away` must be true, false, a date (2026-11-30) or a range of dates (2026-11-30..2026-12-06), "
                    "not {value}",
                    value=repr(part),
                )
            )
        start, end = days
        assert start is not None and end is not None
        if end < start:
            raise row.fail(lazy_gettext("`away` {period} ends before it starts", period=part))
        periods.append((start, end))
    return periods


def read_members(text: str, source: str = "members.csv", week: str | None = None) -> list[MemberRow]:
    """The members file, with each member's hours for `week` (ISO, default next week) after days away."""
    week = week or next_week()
    first, last = week_days(week)
    problems = Problems()
    rows = read_rows(text, source, MEMBER_COLUMNS + MEMBER_OPTIONAL_COLUMNS, ("member", "hours"), problems)
    if not rows and not problems.found:
        raise PlanInputError(
            source, None, lazy_gettext("has no members: under the header line, write one row per member")
        )
    members = []
    for row in _unique(rows, "member", "member", problems):
        with problems.row():
            members.append(_member_row(row, week, first, last))
    problems.check()
    return members


def _member_row(row: Row, week: str, first: date, last: date) -> MemberRow:
    """One member's row, with their hours for the planned week after the days away."""
    name, hours = row.text("member", required=True), row.number("hours", high=168)
    # `;` separates qualifications; a `;`-separated file's cell may use `,` instead.
    qualifications = frozenset(q.strip() for q in re.split(r"[;,]", row.text("qualifications")) if q.strip())
    away = parse_away(row)
    try:
        windows = parse_windows(row.text("available"))
    except TimedError as error:
        raise row.fail(_in_column("available", error)) from None
    if isinstance(away, bool):
        member, days = Member(name, hours, qualifications, away=away, windows=windows), 7 if away else 0
    else:
        left = available_hours(MemberInfo(0, name, hours, qualifications, away), week)
        periods = [(s, e) for s, e in _merged(away) if s <= last and e >= first]
        days = sum((min(e, last) - max(s, first)).days + 1 for s, e in periods)
        gone = {
            (max(s, first) + timedelta(days=i)).weekday()
            for s, e in periods
            for i in range((min(e, last) - max(s, first)).days + 1)
        }
        if gone and days < 7:  # no shifts on the days away
            windows = without_days(windows, gone)
        member = Member(name, left if days < 7 else hours, qualifications, away=days >= 7, windows=windows)
    return MemberRow(member, row.line, hours, days)


def _merged(periods: Sequence[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def parse_members(text: str, source: str = "members.csv", week: str | None = None) -> list[Member]:
    return [row.member for row in read_members(text, source, week)]


def next_week(today: date | None = None) -> str:
    """The ISO week after the one `today` is in: what the planner plans unless told (`--week`)."""
    return iso_week((today or date.today()) + timedelta(days=7))


def checked_week(text: str) -> str:
    try:
        return parse_week(text)
    except BadInput as error:
        raise PlanInputError("--week", None, error.args[0]) from None


qualification_key = name_key


def match_qualifications(
    tasks: list[Task], members: list[MemberRow], source: str
) -> tuple[list[Task], list[MemberRow], list[str]]:
    """Match qualifications regardless of case and spacing (`Driver` is `driver`), spelled as the
    tasks file spells them; warn about a member's qualification no task needs, naming a needed
    one it looks like a typo of."""
    spelling: dict[str, str] = {}
    for task in tasks:
        if task.qualification:
            spelling.setdefault(qualification_key(task.qualification), task.qualification.strip())
    tasks = [
        replace(t, qualification=spelling[qualification_key(t.qualification)]) if t.qualification else t for t in tasks
    ]
    warnings: list[str] = []  # Refusals: English as they are, the reader's language by `text_in`
    unneeded: dict[str, list[str]] = {}
    matched = []
    for row in members:
        qualifications = set()
        for qualification in sorted(row.member.qualifications):
            key = qualification_key(qualification)
            if key in spelling:
                qualifications.add(spelling[key])
                continue
            qualifications.add(qualification)
            close = difflib.get_close_matches(key, list(spelling), n=1, cutoff=0.75)
            if close:
                warnings.append(
                    Refusal(
                        lazy_gettext(
                            "{file}, line {line}: {member}'s qualification {qualification} is needed by no task; did "
                            "you mean {match}?",
                            file=source,
                            line=row.line,
                            member=row.member.name,
                            qualification=repr(qualification),
                            match=repr(spelling[close[0]]),
                        )
                    )
                )
            else:
                unneeded.setdefault(key, [qualification]).append(row.member.name)
        matched.append(replace(row, member=replace(row.member, qualifications=frozenset(qualifications))))
    for written, *names in unneeded.values():
        warnings.append(
            Refusal(
                lazy_gettext(
                    "{file}: no task needs qualification {qualification} ({members})",
                    file=source,
                    qualification=repr(written),
                    members=", ".join(names),
                )
            )
        )
    return tasks, matched, warnings


def parse_ratings(
    text: str, tasks: Sequence[Task], members: Sequence[Member], source: str = "ratings.csv"
) -> dict[str, dict[str, tuple[float, float]]]:
    """Each task's ratings by member, under the names as the tasks and members files spell them
    (`ben` rating `clean toilets` is Ben rating Clean toilets); every problem told at once."""
    problems = Problems()
    rows = read_rows(text, source, RATING_COLUMNS, RATING_COLUMNS, problems)
    task_names = {name_key(t.name): t.name for t in tasks}
    member_names = {name_key(m.name): m.name for m in members}
    ratings: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    first_line: dict[tuple[str, str], int] = {}
    for row in rows:
        with problems.row():
            member_text, task_text = row.text("member", required=True), row.text("task", required=True)
            member, task = member_names.get(name_key(member_text)), task_names.get(name_key(task_text))
            if member is None:
                if close := _did_you_mean(member_text, member_names.values()):
                    raise row.fail(
                        lazy_gettext(
                            "unknown member {member} (not in the members file); did you mean {match}?",
                            member=repr(member_text),
                            match=repr(close),
                        )
                    )
                raise row.fail(
                    lazy_gettext("unknown member {member} (not in the members file)", member=repr(member_text))
                )
            if task is None:
                if close := _did_you_mean(task_text, task_names.values()):
                    raise row.fail(
                        lazy_gettext(
                            "unknown task {task} (not in the tasks file); did you mean {match}?",
                            task=repr(task_text),
                            match=repr(close),
                        )
                    )
                raise row.fail(lazy_gettext("unknown task {task} (not in the tasks file)", task=repr(task_text)))
            if (task, member) in first_line:
                raise row.fail(
                    lazy_gettext(
                        "{member} rates {task} twice (also on line {line})",
                        member=repr(member),
                        task=repr(task),
                        line=first_line[task, member],
                    )
                )
            values = (row.number("desirability", low=1, high=10), row.number("empowerment", low=1, high=10))
            first_line[task, member] = row.line
            ratings[task][member] = values
    problems.check()
    return ratings


def _did_you_mean(name: str, names: Iterable[str]) -> str | None:
    """The name among `names` that `name` looks like a typo of, if one does."""
    by_key = {n.casefold(): n for n in names}
    close = difflib.get_close_matches(name.casefold(), list(by_key), n=1, cutoff=0.75)
    return by_key[close[0]] if close else None


def parse_history(
    text: str,
    source: str = "history.csv",
    week: str | None = None,
    names: Iterable[str] = (),
) -> list[Held]:
    """Earlier weeks' pieces. A file without a `week` column (the planner's own assignments.csv, read
    back) is one week: `week`, which the caller names in a note. A task or member among `names`
    (compared without case and extra spaces) is spelled as there; every problem told at once."""
    spelling = {name_key(name): name for name in names}
    problems = Problems()
    rows = read_rows(text, source, HISTORY_COLUMNS + HISTORY_TIME_COLUMNS, HISTORY_COLUMNS[1:], problems)
    held = []
    for row in rows:
        with problems.row():
            label = row.text("week").upper() if "week" in row.values else (week or "")
            if not label:
                raise row.fail(lazy_gettext("`week` is empty: give the ISO week the row was worked in, like 2026-W45"))
            if not ISO_WEEK.match(label):
                raise row.fail(
                    lazy_gettext("`week` must be an ISO week like 2026-W45 (got {value})", value=repr(label))
                )
            task = unliteral(row.text("task", required=True))
            member = unliteral(row.text("member", required=True))
            held.append(
                Held(
                    label,
                    spelling.get(name_key(task), task),
                    spelling.get(name_key(member), member),
                    row.number("hours", positive=True),
                )
            )
    problems.check()
    return held


def has_week_column(text: str, source: str) -> bool:
    rows = read_rows(text, source, HISTORY_COLUMNS + HISTORY_TIME_COLUMNS, HISTORY_COLUMNS[1:])
    return not rows or "week" in rows[0].values


def previous_week(week: str) -> str:
    return iso_week(week_days(week)[0] - timedelta(days=7))


@dataclass(frozen=True)
class Sources:
    """The input files' names as given, for messages."""

    tasks: str = "tasks.csv"
    members: str = "members.csv"
    ratings: str = "ratings.csv"
    history: str = "history.csv"


@dataclass
class PlanResult:
    plan: Plan
    tasks: list[Task]
    members: list[Member]
    flagged: list[str] = field(default_factory=list)  # fewer than MIN_RATINGS ratings in the ratings file
    kept_own: dict[str, bool] = field(default_factory=dict)  # per flagged task: its own columns stood in
    sources: Sources = field(default_factory=Sources)
    report: dict[str, Any] = field(default_factory=dict)
    week: str = ""
    warnings: list[str] = field(default_factory=list)
    given_hours: dict[str, float] = field(default_factory=dict)  # before days away
    away_days: dict[str, int] = field(default_factory=dict)


def plan_from_texts(
    tasks_csv: str,
    members_csv: str,
    ratings_csv: str | None = None,
    history_csv: str | None = None,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    granularity: str | float = DEFAULT_GRANULARITY,
    solve_limit: float | None = None,
    week: str | None = None,
    sources: Sources = Sources(),
    workers: int = 1,
) -> PlanResult:
    """Parse, check and solve. `solve_limit` is what is left of `time_limit` for the solver itself;
    `week` (ISO) is the week planned, for members' days away (default: next week); `workers` the
    processes the search may use."""
    week = week or next_week()
    # Both files read before either's problems are told: one run shows what to fix in each.
    found: list[PlanInputError] = []
    try:
        tasks, task_rows = parse_tasks(tasks_csv, sources.tasks, granularity)
    except PlanInputError as error:
        found.append(error)
    try:
        read_member_rows = read_members(members_csv, sources.members, week)
    except PlanInputError as error:
        found.append(error)
    if found:
        raise joined_errors(found)
    tasks, member_rows, warnings = match_qualifications(tasks, read_member_rows, sources.members)
    members = [row.member for row in member_rows]
    flagged: list[str] = []
    kept_own: dict[str, bool] = {}  # flagged tasks: whether the tasks file's own ratings stand in
    if ratings_csv is not None:
        ratings = parse_ratings(ratings_csv, tasks, members, sources.ratings)
        rated = []
        for task, row in zip(tasks, task_rows, strict=True):
            social = social_rating(ratings.get(task.name, {}).values())
            if social.flagged:  # too few to count: the task's own columns (neutral where empty)
                flagged.append(task.name)
                kept_own[task.name] = bool(row.text("desirability") or row.text("empowerment"))
                rated.append(task)
            else:
                rated.append(replace(task, desirability=social.desirability, empowerment=social.empowerment))
        tasks = rated
    history: list[Held] = []
    if history_csv is not None:
        known = [t.name for t in tasks] + [m.name for m in members]
        history = parse_history(history_csv, sources.history, previous_week(week), known)
        if not has_week_column(history_csv, sources.history):
            warnings.append(
                Refusal(
                    lazy_gettext(
                        "{file} has no `week` column: its rows are counted as {previous}, the week before the planned "
                        "{week} (--week); add a `week` column to say otherwise",
                        file=sources.history,
                        previous=previous_week(week),
                        week=week,
                    )
                )
            )
    carry = carry_over(history, tasks, members)  # past weeks valued with every task, weekly or not
    happens = [i for i, row in enumerate(task_rows) if row_recurrence(row).occurs(week)]
    tasks, task_rows = [tasks[i] for i in happens], [task_rows[i] for i in happens]
    flagged = [name for name in flagged if name in {t.name for t in tasks}]
    try:
        problem = Problem(
            tasks,
            members,
            past_load=carry.past_load,
            past_share=carry.past_share,
            spare=carry.spare,
            granularity=granularity,
        )
    except ProblemError as error:
        raise _problem_error(error, tasks, task_rows, member_rows, sources) from None
    try:
        plan = solve(problem, time_limit=time_limit if solve_limit is None else solve_limit, seed=seed, workers=workers)
    except ProblemError as error:  # shifts at set times that everyone able to take is busy at
        raise _problem_error(error, tasks, task_rows, member_rows, sources) from None
    result = PlanResult(
        plan,
        tasks,
        members,
        flagged,
        kept_own={name: kept_own[name] for name in flagged},
        sources=sources,
        week=week,
        warnings=warnings,
        given_hours={r.member.name: r.given_hours for r in member_rows},
        away_days={r.member.name: r.away_days for r in member_rows},
    )
    result.report = build_report(result, history, time_limit=time_limit, seed=seed)
    result.report["solver"]["granularity"] = float(problem.granularity)
    if carry.ignored_rows:
        result.report["history_rows_ignored"] = carry.ignored_rows
    return result


def _problem_error(
    error: ProblemError, tasks: Sequence[Task], task_rows: Sequence[Row], members: Sequence[MemberRow], sources: Sources
) -> PlanInputError:
    problem: Message | str = joined(error.problems) if len(error.problems) > 1 else lazy(error.problems[0])
    if error.task is None:
        return PlanInputError(Refusal(lazy_gettext("input")), None, problem)
    task = tasks[error.task]
    if task.qualification and "which no active member has" in str(error):
        held = {qualification_key(q): (q, r) for r in members for q in r.member.qualifications if r.member.active}
        close = difflib.get_close_matches(qualification_key(task.qualification), list(held), n=1, cutoff=0.75)
        if close:
            written, row = held[close[0]]
            problem = lazy_gettext(
                "{problem}; did you mean {match} ({file}, line {line})?",
                problem=problem,
                match=repr(written),
                file=sources.members,
                line=row.line,
            )
    return PlanInputError(sources.tasks, task_rows[error.task].line, problem)


def _named(values: Sequence[float]) -> dict[str, float]:
    return {name: round(float(v), 4) for name, v in zip(DIMENSIONS, values, strict=True)}


def _range(pair: tuple[float, float] | None) -> dict[str, float] | None:
    return None if pair is None else {"low": pair[0], "high": pair[1]}


def member_pieces(plan: Plan) -> dict[str, list[Piece]]:
    """Each member's pieces: shifts at set times in the order of the week, then flexible work, largest first."""
    held: dict[str, list[Piece]] = defaultdict(list)
    for piece in plan.pieces:
        held[piece.member].append(piece)
    return {m: sorted(pieces, key=_piece_order) for m, pieces in held.items()}


def _piece_order(piece: Piece) -> tuple[int, int, float, str]:
    if piece.day is None or piece.start is None:
        return (1, 0, -piece.hours, piece.task)
    return (0, piece.day * 1440 + piece.start, 0.0, piece.task)


def piece_entry(piece: Piece) -> dict[str, Any]:
    """A piece in report.json: `day`, `start`, `end` as assignments.csv writes them (null when flexible)."""
    day, start, end = piece_time(piece)
    return {"task": piece.task, "hours": piece.hours, "day": day or None, "start": start or None, "end": end or None}


def piece_label(piece: Piece, language: str) -> str:
    """`sat 09:00–13:00 Cashier` for a shift (its day as the files write it), `Accounts 4` for flexible
    work (`Accounts 1,5` in German and Spanish)."""
    day, start, end = piece_time(piece)
    return f"{day} {start}–{end} {piece.task}" if day else f"{piece.task} {hours_in(piece.hours, language)}"


def build_report(result: PlanResult, history: Sequence[Held], *, time_limit: float, seed: int) -> dict[str, Any]:
    """report.json: every figure under a name (schema_version 2)."""
    plan, balance = result.plan, result.plan.balance
    active = [m for m in result.members if m.active]
    shares = dict(zip([m.name for m in active], fair_share_matrix(result.tasks, active), strict=True))
    held = member_pieces(plan)
    members = []
    for row in balance.members:
        members.append(
            {
                "member": row.member,
                "available": row.available,
                "hours": row.hours,
                "hours_share": row.hours_share,
                "over_by": round(max(0.0, row.hours - row.available), 4),
                "away_days": result.away_days.get(row.member, 0),
                "load": {"hours": row.hours, "unpleasantness": row.unpleasantness, "empowerment": row.empowerment},
                "fair_share": _named(shares[row.member]),
                "ratio": _named(row.ratio),
                "average_desirability": row.average_desirability,
                "average_empowerment": row.average_empowerment,
                "tasks": [piece_entry(p) for p in held.get(row.member, [])],
            }
        )
    report: dict[str, Any] = {
        "schema_version": REPORT_SCHEMA_VERSION,
        "week": result.week,
        "solver": {
            "method": plan.method,
            "seconds": plan.seconds,
            "optimal": plan.optimal,
            "time_limit": time_limit,
            "seed": seed,
        },
        "overall": {
            "tasks": len(result.tasks),
            "active_members": len(active),
            "total_hours": balance.total_hours,
            "available_hours": balance.available_hours,
            "overload": plan.overload,
            "members_over": sum(1 for m in members if m["over_by"] > 0),
            "spread": dict(balance.spread),
            "spread_sum": balance.spread_sum,
            "desirability_range": _range(balance.desirability_range),
            "empowerment_range": _range(balance.empowerment_range),
        },
        "members": members,
        "inactive_members": [
            {"member": m.name, "reason": "away" if m.away else "no hours"} for m in result.members if not m.active
        ],
        "flagged_tasks": {
            "min_ratings": MIN_RATINGS,
            "tasks": result.flagged,
            "values_used": [flagged_values(result, name) for name in result.flagged],
        },
        "warnings": [str(warning) for warning in result.warnings],  # English, like every name in the report
    }
    if history:
        weeks = _history_weeks(history, result.tasks, result.members)
        weeks.append(Week("this week", result.tasks, result.members, plan.pieces))
        rot = rotation(weeks)
        report["rotation"] = {
            "weeks": rot.weeks,
            "cumulative_spread": dict(rot.cumulative_spread),
            "cumulative_spread_sum": rot.cumulative_spread_sum,
            "longest_unpleasant_streak": rot.longest_unpleasant_streak,
            "worst_streak": None
            if rot.worst_streak is None
            else {"member": rot.worst_streak[0], "task": rot.worst_streak[1]},
        }
    return report


def flagged_values(result: PlanResult, name: str) -> dict[str, Any]:
    """What a task with too few ratings counted as, and where that came from."""
    task = next(t for t in result.tasks if t.name == name)
    source = "tasks file" if result.kept_own.get(name) else "neutral"
    return {"task": name, "desirability": task.desirability, "empowerment": task.empowerment, "from": source}


def _history_weeks(history: Sequence[Held], tasks: Sequence[Task], members: Sequence[Member]) -> list[Week]:
    by_week: dict[str, list[Piece]] = defaultdict(list)
    for row in history:
        by_week[row.week].append(Piece(row.task, row.member, row.hours))
    present = {m.name for m in members}
    return [
        Week(
            week,
            tasks,
            [m for m in members if any(p.member == m.name for p in pieces)] or members,
            [p for p in pieces if p.member in present],
        )
        for week, pieces in sorted(by_week.items())
    ]


def assignments_csv(plan: Plan, *, excel: bool = False) -> str:
    """One row per piece; a plan with timed pieces also has `day,start,end` (empty for flexible rows).

    `excel`: as a European Excel reads a CSV: `;` between cells and decimal commas (`2,5`); the
    file is then written UTF-8 with a byte-order mark (see `write_assignments`)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n")
    timed = any(piece.day is not None for piece in plan.pieces)
    writer.writerow(ASSIGNMENT_COLUMNS + (ASSIGNMENT_TIME_COLUMNS if timed else ()))
    for piece in plan.pieces:
        hours = hours_text(piece.hours)
        row: tuple[str, ...] = (literal(piece.task), literal(piece.member), hours.replace(".", ",") if excel else hours)
        if timed:
            row += piece_time(piece)
        writer.writerow(row)
    return out.getvalue()


def literal(text: str) -> str:
    """A name for a CSV cell that no spreadsheet runs as a formula: `=1+2` is written `'=1+2`."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unliteral(text: str) -> str:
    """A name read back from a file this program wrote: the `'` that `literal` added is dropped."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def piece_time(piece: Piece) -> tuple[str, str, str]:
    """`day,start,end` of a timed piece as the files write them (an end not after the start is past midnight)."""
    if piece.day is None or piece.start is None or piece.end is None:
        return ("", "", "")
    return (DAYS[piece.day], format_clock(piece.start), format_clock(piece.end))


def fixed(value: float, places: int, language: str) -> str:
    """A measure with `places` decimals in English (`1.00`, as the program always wrote it), the
    language's way otherwise (`1`, `0,87`)."""
    return f"{value:.{places}f}" if language == SOURCE_LANGUAGE else number(value, language, places=places)


def share(ratio: float, language: str) -> str:
    """A ratio as a whole percentage: `125%` in English, `125 %` in German and Spanish."""
    return f"{ratio:.0%}" if language == SOURCE_LANGUAGE else percent(ratio, language)


def rating(value: float, language: str) -> str:
    """A rating (1 to 10, possibly an average): `8`, `5.5`; `5,5` in German and Spanish."""
    return f"{value:g}" if language == SOURCE_LANGUAGE else number(value, language, places=4)


def member_table(result: PlanResult, language: str) -> str:
    """Who does what, one line per member: hours against availability and fair share, the unpleasant
    and empowering work against the member's fair share of it (1.00 = exactly fair), and the tasks."""
    report, held = result.report, member_pieces(result.plan)
    header = (
        pgettext(language, "planner table", "member"),
        pgettext(language, "planner table", "hours"),
        pgettext(language, "planner table", "available"),
        pgettext(language, "planner table", "load"),
        pgettext(language, "planner table", "fair share"),
        pgettext(language, "planner table", "unpleasant"),
        pgettext(language, "planner table", "empowering"),
        pgettext(language, "planner table", "tasks"),
    )
    lines: list[tuple[str, ...]] = []
    for row in report["members"]:
        available = hours_in(row["available"], language)
        if row["away_days"]:
            available = ngettext(
                language, "{hours} ({count}d away)", "{hours} ({count}d away)", row["away_days"], hours=available
            )
        tasks = ", ".join(piece_label(p, language) for p in held.get(row["member"], [])) or "–"
        load = share(row["hours_share"], language)
        lines.append(
            (
                row["member"],
                hours_in(row["hours"], language),
                available,
                gettext(language, "{load} over", load=load) if row["over_by"] > 0 else load,
                fixed(row["fair_share"]["hours"], 2, language),
                fixed(row["ratio"]["unpleasantness"], 2, language),
                fixed(row["ratio"]["empowerment"], 2, language),
                tasks,
            )
        )
    for row in report["inactive_members"]:
        given = hours_in(result.given_hours.get(row["member"], 0), language)
        reason = (
            pgettext(language, "planner table", "away")
            if row["reason"] == "away"
            else pgettext(language, "planner table", "no hours")
        )
        lines.append((row["member"], "–", gettext(language, "0 of {hours}", hours=given), "–", "–", "–", "–", reason))
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header) - 1)]
    numeric = {1, 2, 3, 4, 5, 6}

    def render(cells: tuple[str, ...]) -> str:
        padded = [
            c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ]
        return "  ".join([*padded, cells[-1]]).rstrip()

    return "\n".join(render(cells) for cells in [header, *lines])


def dimension(name: str, language: str) -> str:
    """A burden dimension's name (`hours`, `unpleasantness`, `empowerment`) for people."""
    names = {
        "hours": pgettext(language, "planner dimension", "hours"),
        "unpleasantness": pgettext(language, "planner dimension", "unpleasantness"),
        "empowerment": pgettext(language, "planner dimension", "empowerment"),
    }
    return names.get(name, name)


def summary(result: PlanResult, language: str) -> str:
    """What the terminal shows of a plan, in `language`."""
    plan, balance = result.plan, result.plan.balance
    spread = ", ".join(
        f"{dimension(name, language)} {fixed(value, 3, language)}" for name, value in balance.spread.items()
    )
    solved = {
        "sum": fixed(balance.spread_sum, 3, language),
        "spread": spread,
        "seconds": fixed(plan.seconds, 2, language),
        "method": plan.method,
    }
    lines = [
        gettext(
            language,
            "week {week}: {tasks}, {members}, {work} h of work for {available} h available",
            week=result.week,
            tasks=ngettext(language, "{count} tasks", "{count} tasks", len(result.tasks)),
            members=ngettext(language, "{count} active members", "{count} active members", len(balance.members)),
            work=hours_in(balance.total_hours, language),
            available=hours_in(balance.available_hours, language),
        ),
        "",
        member_table(result, language),
        "",
        gettext(
            language,
            "unpleasant, empowering: the member's share of that work against their fair share ({one} = exactly fair)",
            one=fixed(1.0, 2, language),
        ),
        gettext(language, "spread-sum {sum} ({spread}); solved in {seconds} s by {method} (proven optimal)", **solved)
        if plan.optimal
        else gettext(language, "spread-sum {sum} ({spread}); solved in {seconds} s by {method}", **solved),
    ]
    if balance.desirability_range:
        low, high = balance.desirability_range
        lines.append(
            gettext(
                language,
                "members' average desirability {low}–{high}; average empowerment {empowerment_low}–{empowerment_high}",
                low=fixed(low, 2, language),
                high=fixed(high, 2, language),
                empowerment_low=fixed(balance.empowerment_range[0], 2, language),
                empowerment_high=fixed(balance.empowerment_range[1], 2, language),
            )
        )
    if result.flagged:
        lines.append(flagged_note(result, language))
    if "rotation" in result.report:
        rot = result.report["rotation"]
        lines.append(
            ngettext(
                language,
                "over {count} weeks: cumulative spread-sum {sum}, longest unpleasant streak {streak}",
                "over {count} weeks: cumulative spread-sum {sum}, longest unpleasant streak {streak}",
                rot["weeks"],
                sum=fixed(rot["cumulative_spread_sum"], 3, language),
                streak=rot["longest_unpleasant_streak"],
            )
        )
    return "\n".join(lines)


def flagged_note(result: PlanResult, language: str, shown: int = 10) -> str:
    """Which tasks the ratings file does not rate enough, and the value each counted as instead."""
    own = [n for n in result.flagged if result.kept_own.get(n)]
    neutral = [n for n in result.flagged if not result.kept_own.get(n)]
    values = [flagged_values(result, n) for n in own[:shown]]
    named = {
        "needed": MIN_RATINGS,
        "ratings": result.sources.ratings,
        "tasks_file": result.sources.tasks,
        "own": ", ".join(
            f"{v['task']} ({rating(v['desirability'], language)}, {rating(v['empowerment'], language)})" for v in values
        )
        + (" …" if len(own) > shown else ""),
        "neutral": rating(NEUTRAL, language),
        "others": ", ".join(neutral[:shown]) + (" …" if len(neutral) > shown else ""),
    }
    count = len(result.flagged)
    if own and neutral:
        return ngettext(
            language,
            "note: {count} task(s) have fewer than {needed} ratings in {ratings} and keep their desirability and "
            "empowerment from {tasks_file}: {own}; count as neutral ({neutral}): {others}",
            "note: {count} task(s) have fewer than {needed} ratings in {ratings} and keep their desirability and "
            "empowerment from {tasks_file}: {own}; count as neutral ({neutral}): {others}",
            count,
            **named,
        )
    if own:
        return ngettext(
            language,
            "note: {count} task(s) have fewer than {needed} ratings in {ratings} and keep their desirability and "
            "empowerment from {tasks_file}: {own}",
            "note: {count} task(s) have fewer than {needed} ratings in {ratings} and keep their desirability and "
            "empowerment from {tasks_file}: {own}",
            count,
            **named,
        )
    return ngettext(
        language,
        "note: {count} task(s) have fewer than {needed} ratings in {ratings} and count as neutral ({neutral}): "
        "{others}",
        "note: {count} task(s) have fewer than {needed} ratings in {ratings} and count as neutral ({neutral}): "
        "{others}",
        count,
        **named,
    )


def over_hours_warning(result: PlanResult, language: str) -> str | None:
    """Members given more than their hours, by name; "the work exceeds everyone's hours" only when it does."""
    balance = result.plan.balance
    over = [m for m in result.report["members"] if m["over_by"] > 0]
    if not over:
        return None
    named = ", ".join(
        gettext(
            language,
            "{member} {hours} h of {available} h ({load})",
            member=m["member"],
            hours=hours_in(m["hours"], language),
            available=hours_in(m["available"], language),
            load=share(m["hours_share"], language),
        )
        for m in sorted(over, key=lambda m: -m["hours_share"])
    )
    figures = {
        "work": hours_in(balance.total_hours, language),
        "hours": hours_in(balance.available_hours, language),
        "members": named,
    }
    if balance.total_hours > balance.available_hours + 1e-9:
        return ngettext(
            language,
            "the work ({work} h) exceeds everyone's hours ({hours} h); {count} member(s) over their availability: "
            "{members}",
            "the work ({work} h) exceeds everyone's hours ({hours} h); {count} member(s) over their availability: "
            "{members}",
            len(over),
            **figures,
        )
    return ngettext(
        language,
        "{count} member(s) over their availability although the work ({work} h) fits everyone's hours ({hours} h; "
        "qualifications or times leave no other way): {members}",
        "{count} member(s) over their availability although the work ({work} h) fits everyone's hours ({hours} h; "
        "qualifications or times leave no other way): {members}",
        len(over),
        **figures,
    )


def assignments_workbook(result: PlanResult, path: Path) -> None:
    """The plan as an Excel workbook: `Assignments` (the CSV's columns) and `Members` (the terminal's
    table, with numbers as numbers). Names are text cells, never formulas, whatever they start with."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Assignments"
    timed = any(piece.day is not None for piece in result.plan.pieces)
    sheet.append(ASSIGNMENT_COLUMNS + (ASSIGNMENT_TIME_COLUMNS if timed else ()))
    for piece in result.plan.pieces:
        sheet.append((None, None, float(hours_text(piece.hours)), *(piece_time(piece) if timed else ())))
        _text_cell(sheet.cell(sheet.max_row, 1), piece.task)
        _text_cell(sheet.cell(sheet.max_row, 2), piece.member)
    held = member_pieces(result.plan)
    members = book.create_sheet("Members")
    members.append(
        ("member", "hours", "available", "load", "fair share", "unpleasant", "empowering", "away days", "tasks")
    )
    for row in result.report["members"]:
        members.append(
            (
                None,
                row["hours"],
                row["available"],
                row["hours_share"],
                round(row["fair_share"]["hours"], 2),
                row["ratio"]["unpleasantness"],
                row["ratio"]["empowerment"],
                row["away_days"],
                None,
            )
        )
        _text_cell(members.cell(members.max_row, 1), row["member"])
        _text_cell(
            members.cell(members.max_row, 9),
            ", ".join(piece_label(p, SOURCE_LANGUAGE) for p in held.get(row["member"], [])),
        )
        members.cell(members.max_row, 4).number_format = "0%"
    for row in result.report["inactive_members"]:
        members.append((None, 0, 0, None, None, None, None, 7 if row["reason"] == "away" else 0, row["reason"]))
        _text_cell(members.cell(members.max_row, 1), row["member"])
    for sheet_ in (sheet, members):
        sheet_.freeze_panes = "A2"
    book.save(path)


def _text_cell(cell: Any, text: str) -> None:
    """`text` as a literal string cell: openpyxl would store `=…` as a formula, Excel would run it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)  # control characters a workbook cannot hold
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True  # and stays text when someone edits the cell


def seconds_since_start() -> float:
    """How long this process has been running (start-up included), where the system says so."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, `starttime`, in clock ticks since boot
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED


def run_plan(args, echo: Callable[[str], None] = print, warn: Callable[[str], None] | None = None) -> int:
    """The `plan` subcommand: returns the exit status. Its terminal output and warnings are in
    `args.language` (English if it has none); the files it writes are the same in every language."""
    warn = warn or (lambda text: print(text, file=sys.stderr))
    language = getattr(args, "language", None) or SOURCE_LANGUAGE

    def read(path: str | None, role: str) -> tuple[str | None, str]:
        return (None, f"{role}.csv") if path is None else read_input(path, role, language)

    try:
        parse_granularity(args.granularity)
    except ProblemError as error:
        raise PlanInputError("--granularity", None, lazy(error.problems[0])) from None
    workbook_out = Path(args.out).suffix.lower() in {".xlsx", ".xlsm"}
    if workbook_out and importlib.util.find_spec("openpyxl") is None:
        raise PlanInputError(
            "--out",
            None,
            lazy_gettext("an .xlsx needs the xlsx extra (pip install 'parecon-rota[xlsx]'); or write a .csv"),
        )
    week = checked_week(args.week) if getattr(args, "week", None) else next_week()
    paths = (args.tasks, args.members, args.ratings, args.history)
    inputs = [read(path, role) for path, role in zip(paths, ROLES, strict=True)]
    texts = [text for text, _ in inputs]
    # The time limit is the whole command's: start-up and reading count, and writing needs a moment.
    left = args.time_limit - seconds_since_start() - OUTPUT_MARGIN
    result = plan_from_texts(
        *texts,
        time_limit=args.time_limit,
        seed=args.seed,
        granularity=args.granularity,
        solve_limit=max(MIN_SOLVE_SECONDS, left),
        week=week,
        sources=Sources(*(name for _, name in inputs)),
        workers=getattr(args, "workers", 1),
    )
    if workbook_out:
        assignments_workbook(result, Path(args.out))
    elif getattr(args, "excel", False):  # the byte-order mark tells Excel the file is UTF-8 ("Böden" intact)
        Path(args.out).write_text(assignments_csv(result.plan, excel=True), encoding="utf-8-sig", newline="")
    else:
        Path(args.out).write_text(assignments_csv(result.plan), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    over = over_hours_warning(result, language)
    for warning in [*(text_in(w, language) for w in result.warnings), *([over] if over else [])]:
        warn(gettext(language, "warning: {warning}", warning=warning))
    echo(summary(result, language))
    return 0
