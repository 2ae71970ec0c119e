"""`parecon-rota plan`: the CSV contract, the report, and clear messages for bad input."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.domain.planner import PlanInputError, decode, next_week, parse_tasks
from bot.runtime.cli import main

TASKS = """task,hours,slots,qualification,splittable,min_shift,desirability,empowerment
Chair meeting,2,1,,,,8,10
Clean kitchen,3,2,,true,1,2,1
Accounts,4,1,accounting,,,4,7
Deliveries,6,1,driver,yes,2,4,3
Dishes,2,,,,,2,1
"""
MEMBERS = """member,hours,qualifications,away
ana,6,accounting,
ben,6,driver,
cy,5,driver;accounting,
dee,4,,true
"""


def write(tmp_path: Path, **files: str) -> dict[str, str]:
    paths = {}
    for name, text in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        paths[name] = str(path)
    return paths


def plan(tmp_path: Path, *extra: str, **files: str) -> int:
    paths = write(tmp_path, **({"tasks": TASKS, "members": MEMBERS} | files))
    if "--week" not in extra:
        extra = (*extra, "--week", "2026-W49")
    argv = [
        "plan",
        "--tasks",
        paths["tasks"],
        "--members",
        paths["members"],
        "--out",
        str(tmp_path / "out.csv"),
        "--report",
        str(tmp_path / "report.json"),
        "--time-limit",
        "1",
    ]
    for name in ("ratings", "history"):
        if name in paths:
            argv += [f"--{name}", paths[name]]
    return main(argv + list(extra))


def test_writes_assignments_and_a_report(tmp_path: Path, capsys) -> None:
    assert plan(tmp_path) == 0
    with open(tmp_path / "out.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows and set(rows[0]) == {"task", "member", "hours"}
    assert not any(r["member"] == "dee" for r in rows)  # away
    assert {r["member"] for r in rows if r["task"] == "Accounts"} <= {"ana", "cy"}
    hours = {}
    for r in rows:
        hours[r["task"]] = hours.get(r["task"], 0) + float(r["hours"])
    assert hours == {"Chair meeting": 2, "Clean kitchen": 6, "Accounts": 4, "Deliveries": 6, "Dishes": 2}
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["overall"]["spread"]) == {"hours", "unpleasantness", "empowerment"}
    assert report["overall"]["spread_sum"] == pytest.approx(sum(report["overall"]["spread"].values()), abs=1e-3)
    assert {m["member"] for m in report["members"]} == {"ana", "ben", "cy"}
    assert report["solver"]["seconds"] >= 0
    captured = capsys.readouterr()
    assert "spread-sum" in captured.out and "over their availability" in captured.err  # 20 h of work, 17 h available


def test_ratings_and_history(tmp_path: Path, capsys) -> None:
    ratings = "member,task,desirability,empowerment\n" + "".join(
        f"{m},Dishes,{d},1\n" for m, d in (("ana", 1), ("ben", 2), ("cy", 9))
    )
    history = "week,task,member,hours\n2026-W45,Dishes,ana,2\n2026-W45,Chair meeting,ben,2\n"
    assert plan(tmp_path, ratings=ratings, history=history) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert "Dishes" not in report["flagged_tasks"]["tasks"]
    assert "Chair meeting" in report["flagged_tasks"]["tasks"]  # nobody rated it
    assert report["rotation"]["weeks"] == 2
    with open(tmp_path / "out.csv") as f:
        dishes = [r["member"] for r in csv.DictReader(f) if r["task"] == "Dishes"]
    assert dishes != ["ana"]  # ana did the dishes last week


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"tasks": "task,hours,colour\nx,1,red\n"}, "tasks.csv, line 1: unknown column(s) colour"),
        ({"tasks": "task,hours\nx,-2\n"}, "tasks.csv, line 2: `hours` must be greater than 0"),
        ({"tasks": "task,hours\nx,abc\n"}, "tasks.csv, line 2: `hours` must be a number, not 'abc'"),
        ({"tasks": "task,hours\nx,1\ny,1\nx,2\n"}, "tasks.csv, line 4: duplicate task 'x' (first on line 2)"),
        ({"tasks": "task,hours,desirability\nx,1,11\n"}, "`desirability` must be between 1 and 10"),
        (
            {"tasks": "task,hours,qualification\nok,1,\nfly,1,pilot\n"},
            "tasks.csv, line 3: task 'fly' needs qualification 'pilot', which no active member has",
        ),
        (
            {"tasks": "task,hours,slots\nmeeting,1,4\n"},
            "needs 4 different people but only 3 active member(s)",
        ),
        ({"members": "member,hours\nana,5\nana,6\n"}, "members.csv, line 3: duplicate member 'ana'"),
        ({"members": "member,hours\nana,-1\n"}, "members.csv, line 2: `hours` cannot be negative"),
        (
            {"members": "member,hours,away\nana,5,maybe\n"},
            "members.csv, line 2: `away` must be true, false, a date (2026-11-30) or a range of dates "
            "(2026-11-30..2026-12-06), not 'maybe'",
        ),
        (
            {"members": "member,hours,away\nana,5,2026-12-06..2026-12-01\n"},
            "members.csv, line 2: `away` 2026-12-06..2026-12-01 ends before it starts",
        ),
        (
            {"tasks": "task,hours,colour\nx,1,red\n"},
            "tasks.csv, line 1: unknown column(s) colour; the columns are task,hours,slots,qualification,",
        ),
        ({"tasks": "task,hourz\nx,1\n"}, "tasks.csv, line 1: unknown column(s) hourz (did you mean hours?)"),
        ({"tasks": "task,hours,Hours\nx,1,1\n"}, "tasks.csv, line 1: column hours appears twice"),
        ({"tasks": 'task,hours\nx,"1,5"\n'}, "tasks.csv, line 2: `hours` must be a number, not '1,5': write 1.5"),
        (
            {"tasks": "task,hours\nx,1,5\n"},
            "tasks.csv, line 2: more cells than columns (a decimal comma? write 1.5, or save the file with `;`",
        ),
        (
            {"tasks": "task,,hours\nx,oops,1\n"},
            "tasks.csv, line 2: a value in column B, which has no header: name the column or clear the cell",
        ),
        (
            {"ratings": "member,task,desirability,empowerment\nana,dishes,3,3\n"},
            "ratings.csv, line 2: unknown task 'dishes' (not in the tasks file); did you mean 'Dishes'?",
        ),
        (
            {"ratings": "member,task,desirability,empowerment\nzed,Dishes,3,3\n"},
            "ratings.csv, line 2: unknown member",
        ),
        ({"ratings": "member,task,desirability,empowerment\nana,Lunch,3,3\n"}, "unknown task 'Lunch'"),
        (
            {"history": "week,task,member,hours\nlast week,Dishes,ana,2\n"},
            "history.csv, line 2: `week` must be",
        ),
        ({"tasks": ""}, "tasks.csv: the file is empty"),
    ],
)
def test_bad_input_names_the_file_line_and_problem(tmp_path: Path, capsys, files, message) -> None:
    assert plan(tmp_path, **files) == 1
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "out.csv").exists()


def test_missing_file(tmp_path: Path, capsys) -> None:
    code = main(
        [
            "plan",
            "--tasks",
            str(tmp_path / "nope.csv"),
            "--members",
            str(tmp_path / "nope2.csv"),
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 1
    assert "nope.csv: cannot read it" in capsys.readouterr().err


# Real spreadsheets: how Excel and LibreOffice save them.

EUROPEAN_TASKS = (
    "sep=;\r\n"
    "Task;Hours;Slots;Qualification;Splittable;Min shift;Desirability;Empowerment;;\r\n"
    "Chair meeting;2;1;;;;8;10;;\r\n"
    "Clean kitchen;3;2;;WAHR;1;2;1;;\r\n"
    "Accounts;4;1;Accounting;;;4;7;;\r\n"
    "Café;1,5;;;;;5;5;;\r\n"
    ";;;;;;;;;\r\n"
)


def run(tmp_path: Path, tasks: bytes, members: bytes, *extra: str, names=("tasks.csv", "members.csv")) -> int:
    (tmp_path / names[0]).write_bytes(tasks)
    (tmp_path / names[1]).write_bytes(members)
    argv = ["plan", "--tasks", str(tmp_path / names[0]), "--members", str(tmp_path / names[1])]
    argv += ["--out", str(tmp_path / "out.csv"), "--report", str(tmp_path / "report.json"), "--time-limit", "1"]
    return main([*argv, "--week", "2026-W49", *extra])


def assignments(tmp_path: Path) -> dict[tuple[str, str], str]:
    with open(tmp_path / "out.csv", encoding="utf-8") as f:
        return {(r["task"], r["member"]): r["hours"] for r in csv.DictReader(f)}


def held_hours(tmp_path: Path) -> dict[str, float]:
    total: dict[str, float] = {}
    for (task, _member), hours in assignments(tmp_path).items():
        total[task] = total.get(task, 0) + float(hours)
    return total


def test_a_semicolon_separated_windows_1252_file_with_decimal_commas_reads_as_written(tmp_path: Path) -> None:
    tasks = EUROPEAN_TASKS.replace("WAHR", "true").encode("cp1252")
    members = "\ufeffMember;Hours;Qualifications;Away\r\nAna;6;accounting;\r\nBen;6,5;;\r\nCy;5;;\r\n".encode()
    assert run(tmp_path, tasks, members) == 0
    assert held_hours(tmp_path) == {"Chair meeting": 2, "Clean kitchen": 6, "Accounts": 4, "Café": 1.5}
    assert assignments(tmp_path)[("Accounts", "Ana")] == "4"  # `accounting` matches `Accounting`
    report = json.loads((tmp_path / "report.json").read_text())
    assert {m["member"]: m["available"] for m in report["members"]} == {"Ana": 6, "Ben": 6.5, "Cy": 5}


def test_a_tab_separated_utf16_file_reads_as_written(tmp_path: Path) -> None:
    tasks = "task\thours\nDishes\t2\nSweep\t1\n".encode("utf-16")
    members = "member\thours\tqualifications\nana\t3\tdriver; cook\nben\t3\t\n".encode("utf-16")
    assert run(tmp_path, tasks, members) == 0
    assert held_hours(tmp_path) == {"Dishes": 2, "Sweep": 1}


def test_a_workbook_is_read_sheet_by_sheet_and_errors_name_the_sheet_and_row(tmp_path: Path, capsys) -> None:
    book = openpyxl.Workbook()
    tasks = book.active
    tasks.title = "Tasks"
    for row in (
        ("Task", "Hours", "Splittable", "Min shift", "Qualification"),
        ("Deliveries", 4, True, 1.5, "Driver"),
        ("Dishes", 2.5, False, None, None),
    ):
        tasks.append(row)
    members = book.create_sheet("Members")
    for row in (
        ("Member", "Hours", "Qualifications", "Away"),
        ("ana", 5, "driver", None),
        ("ben", 4.5, None, None),
        ("cy", 6, None, datetime(2026, 11, 30)),
    ):
        members.append(row)
    book.save(tmp_path / "plan.xlsx")
    data = (tmp_path / "plan.xlsx").read_bytes()
    assert run(tmp_path, data, data, names=("plan.xlsx", "plan.xlsx")) == 0
    assert held_hours(tmp_path) == {"Deliveries": 4, "Dishes": 2.5}
    report = json.loads((tmp_path / "report.json").read_text())
    assert {m["member"]: (m["available"], m["away_days"]) for m in report["members"]}["cy"] == (5.14, 1)

    members["B3"] = "lots"
    book.save(tmp_path / "plan.xlsx")
    data = (tmp_path / "plan.xlsx").read_bytes()
    assert run(tmp_path, data, data, names=("plan.xlsx", "plan.xlsx")) == 1
    path = tmp_path / "plan.xlsx"
    assert f"{path} (sheet Members), line 3: `hours` must be a number, not 'lots'" in capsys.readouterr().err


def test_a_workbook_that_is_not_xlsx_is_refused_with_what_to_do(tmp_path: Path, capsys) -> None:
    assert run(tmp_path, b"PK\x03\x04 rest of a zip", MEMBERS.encode(), names=("plan.ods", "members.csv")) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'plan.ods'}: is a workbook this program cannot read (an .ods?): save it as .xlsx or CSV" in err


def test_errors_name_the_files_given(tmp_path: Path, capsys) -> None:
    tasks = b"task,hours,qualification\nok,1,\nfly,1,pilots\n"
    members = b"member,hours,qualifications\nana,5,pilot\nben,x\n"
    names = ("Aufgaben 2026.csv", "people.csv")
    assert run(tmp_path, tasks, members, names=names) == 1
    assert f"{tmp_path / 'people.csv'}, line 3: `hours` must be a number, not 'x'" in capsys.readouterr().err
    assert run(tmp_path, tasks, b"member,hours,qualifications\nana,5,pilot\n", names=names) == 1
    assert (
        f"{tmp_path / 'Aufgaben 2026.csv'}, line 3: task 'fly' needs qualification 'pilots', which no active "
        f"member has; did you mean 'pilot' ({tmp_path / 'people.csv'}, line 2)?"
    ) in capsys.readouterr().err


def test_qualifications_match_whatever_their_case_and_a_typo_or_unneeded_one_is_a_warning(
    tmp_path: Path, capsys
) -> None:
    tasks = b"task,hours,qualification\nDeliveries,4,driver\nDishes,2,\n"
    members = b"member,hours,qualifications\nana,4,Driver\nben,4,drvier;Forklift\ncy,4,forklift\n"
    assert run(tmp_path, tasks, members) == 0
    assert assignments(tmp_path)[("Deliveries", "ana")] == "4"
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"warning: {tmp_path / 'members.csv'}, line 3: ben's qualification 'drvier' is needed by no task; "
        "did you mean 'driver'?",
        f"warning: {tmp_path / 'members.csv'}: no task needs qualification 'Forklift' (ben, cy)",
    ]
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["warnings"]) == 2


def test_away_dates_count_like_the_bot_for_the_planned_week(tmp_path: Path, capsys) -> None:
    tasks = b"task,hours,splittable,min_shift\nDishes,7,true,1\n"
    members = (
        b"member,hours,away\n"
        b"ana,7,2026-11-30..2026-12-06\n"  # all of 2026-W49
        b"ben,7,2026-12-01..2026-12-02; 05.12.2026\n"  # three days of it
        b"cy,7,2026-12-07..2026-12-20\n"  # the week after
        b"dee,7,false\n"
    )
    assert run(tmp_path, tasks, members) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert {m["member"]: (m["available"], m["away_days"]) for m in report["members"]} == {
        "ben": (4.0, 3),
        "cy": (7.0, 0),
        "dee": (7.0, 0),
    }
    assert report["inactive_members"] == [{"member": "ana", "reason": "away"}]
    assert not any(member == "ana" for _task, member in assignments(tmp_path))
    out = capsys.readouterr().out
    assert re.search(r"^ben +\S+ +4 \(3d away\) ", out, re.MULTILINE)
    assert re.search(r"^ana +– +0 of 7 .* away$", out, re.MULTILINE)
    # Planned for the week after, ana is back and cy is away.
    assert run(tmp_path, tasks, members, "--week", "2026-W50") == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["week"] == "2026-W50"
    assert report["inactive_members"] == [{"member": "cy", "reason": "away"}]


def test_the_planned_week_defaults_to_next_week_and_a_bad_one_is_refused(tmp_path: Path, capsys) -> None:
    assert next_week(date(2026, 11, 29)) == "2026-W49"  # a Sunday
    assert next_week(date(2026, 11, 30)) == "2026-W50"  # a Monday
    assert next_week(date(2026, 12, 28)) == "2027-W01"
    assert run(tmp_path, TASKS.encode(), MEMBERS.encode(), "--week", "2026-W54") == 1
    assert "--week: 2026-W54 does not exist." in capsys.readouterr().err


def test_the_terminal_shows_each_member_and_who_is_over_their_hours(tmp_path: Path, capsys) -> None:
    tasks = b"task,hours,desirability,empowerment\nCooking,6,8,8\nCleaning,6,2,2\n"
    members = b"member,hours\nana,5\nben,5\n"  # 12 h of work for 10 h
    assert run(tmp_path, tasks, members) == 0
    captured = capsys.readouterr()
    out = captured.out.splitlines()
    assert out[0] == "week 2026-W49: 2 tasks, 2 active members, 12 h of work for 10 h available"
    assert out[2].split() == [
        "member", "hours", "available", "load", "fair", "share", "unpleasant", "empowering", "tasks"
    ]  # fmt: skip
    rows = {line.split()[0]: line for line in out[3:5]}
    for name, line in rows.items():
        cells = line.split()
        assert cells[1:5] == ["6", "5", "120%", "over"]
        assert cells[5] == "6.00"  # fair share: half of 12 h
        task = "Cooking" if "Cooking" in line else "Cleaning"
        assert cells[6:] == (["0.50", "1.60"] if task == "Cooking" else ["1.50", "0.40"]) + [task, "6"], name
    assert (
        "warning: the work (12 h) exceeds everyone's hours (10 h); 2 member(s) over their availability: "
        "ana 6 h of 5 h (120%), ben 6 h of 5 h (120%)"
    ) in captured.err.splitlines()  # a warning: on standard error, not in the table


def test_the_report_names_every_figure(tmp_path: Path) -> None:
    assert plan(tmp_path) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["schema_version"] == 2 and report["week"] == "2026-W49"
    named = {"hours", "unpleasantness", "empowerment"}
    for member in report["members"]:
        assert set(member["ratio"]) == set(member["fair_share"]) == set(member["load"]) == named
        assert sum(t["hours"] for t in member["tasks"]) == pytest.approx(member["hours"])
        assert member["ratio"]["hours"] == pytest.approx(member["hours"] / member["fair_share"]["hours"], abs=1e-3)
        assert member["over_by"] == pytest.approx(max(0, member["hours"] - member["available"]), abs=1e-3)
    assert set(report["overall"]["desirability_range"]) == {"low", "high"}
    assert report["overall"]["members_over"] == sum(m["over_by"] > 0 for m in report["members"])


def test_parse_tasks_reads_a_semicolon_file_for_the_bots_import() -> None:
    tasks, rows = parse_tasks("Task;Hours;Min shift;Splittable\nSweep;1,5;0,5;ja\n", "upload.csv")
    assert [(t.name, t.hours, t.min_shift, t.splittable) for t in tasks] == [("Sweep", 1.5, 0.5, True)]
    assert rows[0].line == 2
    with pytest.raises(PlanInputError, match=r"^upload\.csv, line 2: `hours` must be greater than 0"):
        parse_tasks("task;hours\nSweep;0\n", "upload.csv")


def test_decode_reads_utf8_with_or_without_a_bom_and_falls_back_to_legacy_encodings() -> None:
    assert decode("Café".encode(), "f") == "Café"
    assert decode("\ufeffCafé".encode(), "f") == "Café"
    assert decode("Café – €5".encode("cp1252"), "f") == "Café – €5"
    assert decode(b"Caf\xe9 \x81", "f") == "Café \x81"  # not Windows-1252 either: Latin-1


def test_the_plan_can_be_written_as_a_workbook(tmp_path: Path) -> None:
    paths = write(tmp_path, tasks=TASKS, members=MEMBERS)
    out = tmp_path / "plan.xlsx"
    argv = ["plan", "--tasks", paths["tasks"], "--members", paths["members"], "--out", str(out)]
    assert main([*argv, "--time-limit", "1", "--week", "2026-W49", "--report", str(tmp_path / "r.json")]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Assignments", "Members"]
    rows = list(book["Assignments"].iter_rows(values_only=True))
    assert rows[0] == ("task", "member", "hours")
    held: dict[str, float] = {}
    for task, _member, hours in rows[1:]:
        held[task] = held.get(task, 0) + hours
    assert held == {"Chair meeting": 2, "Clean kitchen": 6, "Accounts": 4, "Deliveries": 6, "Dishes": 2}
    members = {row[0]: row for row in book["Members"].iter_rows(min_row=2, values_only=True)}
    report = json.loads((tmp_path / "r.json").read_text())
    for member in report["members"]:
        assert members[member["member"]][1:4] == (member["hours"], member["available"], member["hours_share"])
    assert members["dee"][-1] == "away"


def test_tasks_that_are_not_weekly_are_planned_only_in_their_weeks(tmp_path: Path, capsys) -> None:
    tasks = TASKS.replace("desirability,empowerment\n", "desirability,empowerment,every_weeks,first_week\n", 1)
    tasks += "Gutters,2,1,,,,2,1,4,2026-W45\nSummer party,3,1,,,,9,5,once,2026-W50\n"
    assert plan(tmp_path, tasks=tasks) == 0  # 2026-W49: gutters (W45 + 4 weeks), no party
    with open(tmp_path / "out.csv") as f:
        planned = {r["task"] for r in csv.DictReader(f)}
    assert "Gutters" in planned and "Summer party" not in planned
    bad = tasks.replace("once,2026-W50", "once,")
    assert plan(tmp_path, tasks=bad) == 1  # bad input: the file, the line and what to write
    assert "line 8: a one-off task (`every_weeks` once) needs its week in `first_week`" in capsys.readouterr().err


# Work at set times in the planner's output; names no spreadsheet runs; assignments read back as history.

TIMED_TASKS = (
    "task,hours,slots,qualification,splittable,min_shift,desirability,empowerment,day,start\n"
    "Cashier,4,1,,false,,5,5,sat,09:00\n"
    "Meeting,2,1,,false,,8,9,tue,19:00\n"
    "Night watch,4,1,,false,,2,2,sun,22:00\n"
    "Books,3,1,,true,1,4,7,,\n"
)
TIMED_MEMBERS = "member,hours,qualifications,away,available\nana,8,,,\nben,8,,,\n"


def test_each_members_shifts_are_shown_in_the_order_of_the_week_then_flexible_work(tmp_path: Path, capsys) -> None:
    members = "member,hours,available\nana,20,\n"  # one member holds everything
    assert plan(tmp_path, tasks=TIMED_TASKS, members=members) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("ana "))
    assert row.endswith("tue 19:00–21:00 Meeting, sat 09:00–13:00 Cashier, sun 22:00–02:00 Night watch, Books 3")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["members"][0]["tasks"] == [
        {"task": "Meeting", "hours": 2, "day": "tue", "start": "19:00", "end": "21:00"},
        {"task": "Cashier", "hours": 4, "day": "sat", "start": "09:00", "end": "13:00"},
        {"task": "Night watch", "hours": 4, "day": "sun", "start": "22:00", "end": "02:00"},
        {"task": "Books", "hours": 3, "day": None, "start": None, "end": None},
    ]


def test_granularity_cuts_a_timed_window_on_its_grid_from_its_start(tmp_path: Path) -> None:
    tasks = TIMED_TASKS.replace("Cashier,4,1,,false,,5,5,sat,09:00", "Cashier,6,1,,true,1,5,5,sat,09:15")
    members = "member,hours\nana,8\nben,8\ncy,8\n"
    assert plan(tmp_path, "--granularity", "1.5", tasks=tasks, members=members) == 0
    with open(tmp_path / "out.csv") as f:
        cashier = [r for r in csv.DictReader(f) if r["task"] == "Cashier"]
    grid = {"09:15", "10:45", "12:15", "13:45", "15:15"}
    assert all(r["start"] in grid and r["end"] in grid for r in cashier)
    assert sum(float(r["hours"]) for r in cashier) == 6


def test_the_planners_assignments_are_accepted_back_as_history(tmp_path: Path, capsys) -> None:
    assert plan(tmp_path, tasks=TIMED_TASKS, members=TIMED_MEMBERS) == 0
    last_week = (tmp_path / "out.csv").read_text()
    assert "week" not in last_week.splitlines()[0]
    capsys.readouterr()
    assert plan(tmp_path, "--week", "2026-W50", tasks=TIMED_TASKS, members=TIMED_MEMBERS, history=last_week) == 0
    err = capsys.readouterr().err
    assert "has no `week` column: its rows are counted as 2026-W49, the week before the planned 2026-W50" in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["rotation"]["weeks"] == 2
    # With its own `week` column, the file's weeks are used, and no note.
    lines = last_week.splitlines()
    dated = "\n".join([f"week,{lines[0]}", *(f"2026-W47,{line}" for line in lines[1:])]) + "\n"
    assert plan(tmp_path, "--week", "2026-W50", tasks=TIMED_TASKS, members=TIMED_MEMBERS, history=dated) == 0
    assert "no `week` column" not in capsys.readouterr().err
    assert json.loads((tmp_path / "report.json").read_text())["rotation"]["weeks"] == 2


FORMULAS = ('=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)")


def test_names_a_spreadsheet_would_run_as_formulas_are_written_as_text(tmp_path: Path) -> None:
    tasks = "task,hours\n" + "".join(f'"{name.replace(chr(34), chr(34) * 2)}",1\n' for name in FORMULAS)
    members = "member,hours\n=cmd|' /C calc'!A0,5\n@ana,5\n"
    assert plan(tmp_path, tasks=tasks, members=members) == 0
    with open(tmp_path / "out.csv") as f:
        rows = list(csv.DictReader(f))
    assert {r["task"] for r in rows} == {"'" + name for name in FORMULAS}  # OWASP: a leading quote
    assert {r["member"] for r in rows} <= {"'=cmd|' /C calc'!A0", "'@ana"}
    # and read back as history, the names are the tasks' and members' own again
    history = (tmp_path / "out.csv").read_text()
    assert plan(tmp_path, tasks=tasks, members=members, history=history) == 0
    assert json.loads((tmp_path / "report.json").read_text())["rotation"]["weeks"] == 2
    assert "history_rows_ignored" not in json.loads((tmp_path / "report.json").read_text())

    paths = write(tmp_path, tasks=tasks, members=members)
    out = tmp_path / "plan.xlsx"
    argv = ["plan", "--tasks", paths["tasks"], "--members", paths["members"], "--out", str(out)]
    assert main([*argv, "--time-limit", "1", "--week", "2026-W49"]) == 0
    book = openpyxl.load_workbook(out)
    cells = [c for row in book["Assignments"].iter_rows(min_row=2, max_col=2) for c in row]
    cells += [c for row in book["Members"].iter_rows(min_row=2) for c in (row[0], row[-1])]
    assert cells and all(c.data_type == "s" for c in cells)  # not one formula
    assert {c.value for c in cells[0:8:2]} == set(FORMULAS)
    assert all(c.quotePrefix for c in cells if c.value.startswith(("=", "+", "-", "@")))


def test_the_work_is_said_to_exceed_everyones_hours_only_when_it_does(tmp_path: Path, capsys) -> None:
    tasks = "task,hours,qualification\nDriving,6,driver\nDishes,1,\n"  # 7 h of work for 10 h
    members = "member,hours,qualifications\nana,5,driver\nben,5,\n"
    assert plan(tmp_path, tasks=tasks, members=members) == 0
    captured = capsys.readouterr()
    assert "exceeds everyone's hours" not in captured.err + captured.out
    assert "1 member(s) over their availability although the work (7 h) fits everyone's hours (10 h" in captured.err
