"""The offline planner: spreadsheets in, balanced job complexes out (`parecon-rota plan`).

File formats (a stable contract):
- tasks.csv:       task,hours,slots,qualification,splittable,min_shift,desirability,empowerment
- members.csv:     member,hours,qualifications,away          (qualifications `;`-separated)
- ratings.csv:     member,task,desirability,empowerment      (individual ratings)
- history.csv:     week,task,member,hours                    (ISO weeks, e.g. 2026-W45)
- assignments.csv: task,member,hours                          (one row per piece a member holds)
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.ratings import MIN_RATINGS, social_rating
from bot.solver import Plan, Problem, ProblemError, solve
from bot.solver.history import Held, carry_over
from bot.solver.metrics import Week, rotation
from bot.solver.model import DEFAULT_GRANULARITY, NEUTRAL, Member, Piece, Task, hours_text, parse_granularity

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
MEMBER_COLUMNS = ("member", "hours", "qualifications", "away")
RATING_COLUMNS = ("member", "task", "desirability", "empowerment")
HISTORY_COLUMNS = ("week", "task", "member", "hours")
ASSIGNMENT_COLUMNS = ("task", "member", "hours")
ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}
OUTPUT_MARGIN = 0.3  # seconds kept for measuring the plan and writing the files
MIN_SOLVE_SECONDS = 0.2
_IMPORTED = time.perf_counter()


class PlanInputError(ValueError):
    """A problem in an input file, naming the file, the line and what to fix."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        where = f"{source}, line {line}" if line else source
        super().__init__(f"{where}: {problem}")
        self.source, self.line, self.problem = source, line, problem


@dataclass
class Row:
    source: str
    line: int
    values: dict[str, str]

    def fail(self, problem: str) -> PlanInputError:
        return PlanInputError(self.source, self.line, problem)

    def text(self, column: str, *, required: bool = False) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise self.fail(f"`{column}` is empty")
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
                raise self.fail(f"`{column}` is empty")
            return default
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(f"`{column}` must be a number, not {raw!r}") from None
        if positive and value <= 0:
            raise self.fail(f"`{column}` must be greater than 0 (got {raw})")
        if value < 0:
            raise self.fail(f"`{column}` cannot be negative (got {raw})")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(f"`{column}` must be between {low:g} and {high:g} (got {raw})")
        return value

    def integer(self, column: str, default: int) -> int:
        value = self.number(column, float(default))
        if value != int(value) or value < 1:
            raise self.fail(f"`{column}` must be a whole number ≥ 1 (got {self.text(column)})")
        return int(value)

    def flag(self, column: str) -> bool:
        raw = self.text(column).lower()
        if raw in TRUE:
            return True
        if raw in FALSE:
            return False
        raise self.fail(f"`{column}` must be true or false (got {raw!r})")


def read_rows(text: str, source: str, columns: Sequence[str], required: Sequence[str]) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise PlanInputError(source, None, f"the file is empty; expected columns {','.join(columns)}")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise PlanInputError(source, 1, f"unknown column(s) {', '.join(unknown)}; the columns are {','.join(columns)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise PlanInputError(source, 1, f"missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    rows = []
    for values in reader:
        line = reader.line_num
        if None in values:
            raise PlanInputError(source, line, "more cells than columns")
        if not any((v or "").strip() for v in values.values()):
            continue
        rows.append(Row(source, line, values))
    return rows


def _unique(rows: Iterable[Row], column: str, what: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        name = row.text(column, required=True)
        if name in seen:
            raise row.fail(f"duplicate {what} {name!r} (first on line {seen[name]})")
        seen[name] = row.line


def parse_tasks(text: str, source: str = "tasks.csv") -> tuple[list[Task], list[Row]]:
    rows = read_rows(text, source, TASK_COLUMNS, ("task", "hours"))
    _unique(rows, "task", "task")
    tasks = []
    for row in rows:
        hours = row.number("hours", positive=True)
        splittable = row.flag("splittable")
        min_shift = row.number("min_shift", 1.0, positive=True)
        if splittable and min_shift > hours:
            raise row.fail(f"`min_shift` ({min_shift:g}) cannot exceed `hours` ({hours:g})")
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
            )
        )
    return tasks, rows


def parse_members(text: str, source: str = "members.csv") -> list[Member]:
    rows = read_rows(text, source, MEMBER_COLUMNS, ("member", "hours"))
    _unique(rows, "member", "member")
    return [
        Member(
            name=row.text("member", required=True),
            hours=row.number("hours", high=168),
            qualifications=frozenset(q.strip() for q in row.text("qualifications").split(";") if q.strip()),
            away=row.flag("away"),
        )
        for row in rows
    ]


def parse_ratings(text: str, tasks: Sequence[Task], members: Sequence[Member], source: str = "ratings.csv"):
    rows = read_rows(text, source, RATING_COLUMNS, RATING_COLUMNS)
    task_names, member_names = {t.name for t in tasks}, {m.name for m in members}
    ratings: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for row in rows:
        member, task = row.text("member", required=True), row.text("task", required=True)
        if member not in member_names:
            raise row.fail(f"unknown member {member!r} (not in the members file)")
        if task not in task_names:
            raise row.fail(f"unknown task {task!r} (not in the tasks file)")
        if member in ratings[task]:
            raise row.fail(f"{member!r} rates {task!r} twice")
        ratings[task][member] = (
            row.number("desirability", low=1, high=10),
            row.number("empowerment", low=1, high=10),
        )
    return ratings


def parse_history(text: str, source: str = "history.csv") -> list[Held]:
    rows = read_rows(text, source, HISTORY_COLUMNS, HISTORY_COLUMNS)
    held = []
    for row in rows:
        week = row.text("week", required=True)
        if not ISO_WEEK.match(week):
            raise row.fail(f"`week` must be an ISO week like 2026-W45 (got {week!r})")
        held.append(
            Held(
                week,
                row.text("task", required=True),
                row.text("member", required=True),
                row.number("hours", positive=True),
            )
        )
    return held


@dataclass
class PlanResult:
    plan: Plan
    tasks: list[Task]
    members: list[Member]
    flagged: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


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
) -> PlanResult:
    """Parse, check and solve. `solve_limit` is what is left of `time_limit` for the solver itself."""
    tasks, task_rows = parse_tasks(tasks_csv)
    members = parse_members(members_csv)
    flagged: list[str] = []
    if ratings_csv is not None:
        ratings = parse_ratings(ratings_csv, tasks, members)
        rated = []
        for task in tasks:
            social = social_rating(ratings.get(task.name, {}).values())
            if social.flagged:
                flagged.append(task.name)
            rated.append(replace(task, desirability=social.desirability, empowerment=social.empowerment))
        tasks = rated
    history = parse_history(history_csv) if history_csv is not None else []
    carry = carry_over(history, tasks, members)
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
        line = task_rows[error.task].line if error.task is not None else None
        raise PlanInputError("tasks.csv" if line else "input", line, str(error)) from None
    plan = solve(problem, time_limit=time_limit if solve_limit is None else solve_limit, seed=seed)
    report = build_report(plan, flagged, history, tasks, members, time_limit=time_limit, seed=seed)
    report["solver"]["granularity"] = float(problem.granularity)
    if carry.ignored_rows:
        report["history_rows_ignored"] = carry.ignored_rows
    return PlanResult(plan, tasks, members, flagged, report)


def build_report(
    plan: Plan,
    flagged: list[str],
    history: Sequence[Held],
    tasks: Sequence[Task],
    members: Sequence[Member],
    *,
    time_limit: float,
    seed: int,
) -> dict[str, Any]:
    balance = plan.balance.to_dict()
    report: dict[str, Any] = {
        "solver": {
            "method": plan.method,
            "seconds": plan.seconds,
            "optimal": plan.optimal,
            "time_limit": time_limit,
            "seed": seed,
        },
        "overall": {k: v for k, v in balance.items() if k != "members"} | {"overload": plan.overload},
        "members": balance["members"],
        "flagged_tasks": {"min_ratings": MIN_RATINGS, "tasks": flagged},
    }
    if history:
        weeks = _history_weeks(history, tasks, members)
        weeks.append(Week("this week", tasks, members, plan.pieces))
        report["rotation"] = rotation(weeks).to_dict()
    return report


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


def assignments_csv(plan: Plan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ASSIGNMENT_COLUMNS)
    for piece in plan.pieces:
        writer.writerow((piece.task, piece.member, hours_text(piece.hours)))
    return out.getvalue()


def summary(result: PlanResult) -> str:
    plan, balance = result.plan, result.plan.balance
    lines = [
        f"{len(result.tasks)} tasks, {len(balance.members)} active members, "
        f"{hours_text(balance.total_hours)} h of work for {hours_text(balance.available_hours)} h available",
        f"spread-sum {balance.spread_sum:.3f} ("
        + ", ".join(f"{name} {value:.3f}" for name, value in balance.spread.items())
        + "); "
        f"solved in {plan.seconds:.2f} s by {plan.method}{' (proven optimal)' if plan.optimal else ''}",
    ]
    if balance.desirability_range:
        low, high = balance.desirability_range
        lines.append(
            f"members' average desirability {low:.2f}–{high:.2f}; "
            f"average empowerment {balance.empowerment_range[0]:.2f}–{balance.empowerment_range[1]:.2f}"
        )
    if plan.overload > 0:
        lines.append(
            f"warning: the work exceeds everyone's hours: each member is about {plan.overload:.0%} "
            "over their availability"
        )
    if result.flagged:
        lines.append(
            f"note: {len(result.flagged)} task(s) have fewer than {MIN_RATINGS} ratings and count as "
            f"neutral (5.5): {', '.join(result.flagged[:10])}{' …' if len(result.flagged) > 10 else ''}"
        )
    if "rotation" in result.report:
        rot = result.report["rotation"]
        lines.append(
            f"over {rot['weeks']} weeks: cumulative spread-sum {rot['cumulative_spread_sum']:.3f}, "
            f"longest unpleasant streak {rot['longest_unpleasant_streak']}"
        )
    return "\n".join(lines)


def seconds_since_start() -> float:
    """How long this process has been running (start-up included), where the system says so."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, `starttime`, in clock ticks since boot
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED


def run_plan(args, echo: Callable[[str], None] = print) -> int:
    """The `plan` subcommand: returns the exit status."""

    def read(path: str | None) -> str | None:
        if path is None:
            return None
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise PlanInputError(path, None, f"cannot read it ({error.strerror})") from None

    try:
        parse_granularity(args.granularity)
    except ProblemError as error:
        raise PlanInputError("--granularity", None, str(error)) from None
    texts = read(args.tasks), read(args.members), read(args.ratings), read(args.history)
    # The time limit is the whole command's: start-up and reading count, and writing needs a moment.
    left = args.time_limit - seconds_since_start() - OUTPUT_MARGIN
    result = plan_from_texts(
        *texts,
        time_limit=args.time_limit,
        seed=args.seed,
        granularity=args.granularity,
        solve_limit=max(MIN_SOLVE_SECONDS, left),
    )
    Path(args.out).write_text(assignments_csv(result.plan), encoding="utf-8")
    if args.report:
        Path(args.report).write_text(json.dumps(result.report, indent=2) + "\n", encoding="utf-8")
    echo(summary(result))
    return 0
