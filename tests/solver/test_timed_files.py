"""The planner's files with times: `day`/`start` on tasks, `available` on members, `day,start,end`
on the pieces; a bad cell is named with its file, line and how to write it."""

from __future__ import annotations

import csv
import io

import pytest

from bot.domain.planner import PlanInputError, assignments_csv, parse_members, parse_tasks, plan_from_texts
from bot.domain.solver.timed import parse_windows

HEADER = "task,hours,slots,qualification,splittable,min_shift,desirability,empowerment,day,start\n"
MEMBERS = (
    "member,hours,qualifications,away,available\nana,10,,false,sat\nben,10,,false,\ncy,10,,false,mon-fri 18:00-23:00\n"
)


def test_times_and_windows_are_read_and_the_pieces_say_when() -> None:
    tasks = HEADER + "cashier,6,2,,true,2,5,5,sat,09:00\nnight,4,1,,false,,5,5,sun,22:00\nbooks,3,1,,true,1,5,5,,\n"
    parsed, _ = parse_tasks(tasks)
    assert (parsed[0].day, parsed[0].start, parsed[2].timed) == ((5,), 540, False)
    members = parse_members(MEMBERS, week="2026-W50")
    assert members[0].windows == parse_windows("sat") and members[1].windows is None
    result = plan_from_texts(tasks, MEMBERS, time_limit=1, week="2026-W50")
    rows = list(csv.DictReader(io.StringIO(assignments_csv(result.plan))))
    assert list(rows[0]) == ["task", "member", "hours", "day", "start", "end"]
    night = [r for r in rows if r["task"] == "night"]
    assert [(r["day"], r["start"], r["end"], r["hours"]) for r in night] == [("sun", "22:00", "02:00", "4")]
    assert all(r["day"] == "" for r in rows if r["task"] == "books")
    assert all(r["member"] != "cy" for r in rows if r["task"] == "cashier")


def test_a_plan_without_times_is_written_as_before() -> None:
    result = plan_from_texts("task,hours\ndishes,2\n", "member,hours\nana,5\n", time_limit=0.5, week="2026-W50")
    assert assignments_csv(result.plan) == "task,member,hours\ndishes,ana,2\n"


def test_days_away_in_the_planned_week_take_no_shifts() -> None:
    members = "member,hours,away\nana,10,2026-12-12\nben,10,false\n"  # 2026-W50: Saturday the 12th
    tasks = HEADER + "market,3,1,,false,,5,5,sat,09:00\nposters,3,1,,false,,5,5,,\n"
    result = plan_from_texts(tasks, members, time_limit=0.5, week="2026-W50")
    assert [p.member for p in result.plan.pieces if p.task == "market"] == ["ben"]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("desk,2,1,,false,,5,5,mon,", "line 2: `day` is mon but `start` is empty: give the time it starts, like 09:00"),
        ("desk,2,1,,false,,5,5,,09:00", "line 2: `start` is 09:00 but `day` is empty"),
        ("desk,2,1,,false,,5,5,mon,25:00", "line 2: `start`: '25:00' is not a time of day"),
        ("desk,2,1,,false,,5,5,mon-xyz,09:00", "line 2: `day`: 'xyz' in 'mon-xyz' is not a day: write days as"),
        ("desk,30,1,,false,,5,5,mon,09:00", "line 2: a task at a set time lasts at most 24 hours"),
    ],
)
def test_a_bad_time_on_a_task_names_the_file_the_line_and_the_fix(row: str, says: str) -> None:
    with pytest.raises(PlanInputError) as error:
        parse_tasks(HEADER + row + "\n", "tasks.csv")
    assert str(error.value).startswith("tasks.csv, ") and says in str(error.value)


def test_windows_that_cannot_be_read_name_the_file_the_line_and_the_fix() -> None:
    with pytest.raises(PlanInputError) as error:
        parse_members("member,hours,available\nana,5,sat\nben,5,evenings 18-22\n", "members.csv", week="2026-W50")
    assert str(error.value).startswith("members.csv, line 3: `available`: cannot read the window 'evenings 18-22'")


def test_every_shift_that_cannot_be_staffed_is_listed() -> None:
    tasks = HEADER + "drive,4,1,driver,false,,5,5,sat,09:00\nnight,8,1,,false,,5,5,sun,22:00\n"
    members = "member,hours,qualifications,available\nana,10,driver,mon-fri\nben,10,,sat\n"
    with pytest.raises(PlanInputError) as error:
        plan_from_texts(tasks, members, time_limit=0.5, week="2026-W50")
    assert "nobody with `driver` is available on sat 09:00–13:00" in str(error.value)
    assert "'night'" in str(error.value)
