"""`parecon-rota plan`: the CSV contract, the report, and clear messages for bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main

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
    out = capsys.readouterr().out
    assert "spread-sum" in out and "over their availability" in out  # 20 h of work, 17 h available


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
        ({"members": "member,hours,away\nana,5,maybe\n"}, "`away` must be true or false"),
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
