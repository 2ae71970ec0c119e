"""The bot's own contracts: solver keys and the stored balance report (old rows must still read)."""

from __future__ import annotations

import json

import pytest

from bot.domain.report import SCHEMA_VERSION, MemberFigures, Report
from bot.domain.solver import Member, Problem, Task, solve
from bot.domain.solver_ids import member_id, member_key, task_id, task_key

# A report as version 1 stored it (before `schema_version`): `asdict(Balance)` plus extras.
VERSION_1_ROW = json.dumps(
    {
        "members": [
            {
                "member": "m3",
                "available": 10.0,
                "hours": 6.0,
                "unpleasantness": 30.0,
                "empowerment": 24.0,
                "ratio": [1.0, 1.1, 0.9],
                "average_desirability": 6.0,
                "average_empowerment": 4.0,
                "hours_share": 0.6,
            },
            {
                "member": "m4",
                "available": 10.0,
                "hours": 0.0,
                "unpleasantness": 0.0,
                "empowerment": 0.0,
                "ratio": [0.0, 0.0, 0.0],
                "average_desirability": None,
                "average_empowerment": None,
                "hours_share": 0.0,
            },
        ],
        "spread": {"hours": 0.1, "unpleasantness": 0.2, "empowerment": 0.3},
        "spread_sum": 0.6,
        "desirability_range": [6.0, 6.0],
        "empowerment_range": [4.0, 4.0],
        "total_hours": 6.0,
        "available_hours": 20.0,
        "average": [6.0, 4.0],
        "method": "exact",
        "seconds": 0.4,
        "overload": 0.0,
        "flagged": 2,
    }
)


def test_solver_keys_round_trip_and_refuse_the_wrong_kind() -> None:
    assert task_key(12) == "t12" and task_id("t12") == 12
    assert member_key(7) == "m7" and member_id("m7") == 7
    for wrong in ("m12", "t", "tx1", "12"):
        with pytest.raises(ValueError):
            task_id(wrong)


def test_a_version_1_report_still_reads() -> None:
    report = Report.from_json(VERSION_1_ROW)
    assert report.spread_sum == 0.6 and report.flagged == 2 and report.method == "exact"
    assert report.desirability_range == (6.0, 6.0) and report.average == (6.0, 4.0)
    # Version 1 kept the availability and this week's ratios too; the fair share and the past came in 3.
    assert report.members[0] == MemberFigures("m3", 6.0, 0.6, 6.0, 4.0, available=10.0, ratio=(1.0, 1.1, 0.9))
    assert [m.member for m in report.working] == ["m3"]  # m4 holds nothing


def test_a_report_from_a_plan_round_trips_with_its_version() -> None:
    tasks = [Task("t1", 3, desirability=2, empowerment=1), Task("t2", 3, desirability=8, empowerment=9)]
    plan = solve(Problem(tasks, [Member("m1", 5), Member("m2", 5)]), time_limit=1)
    report = Report.from_plan(plan, flagged=1)
    stored = json.loads(report.to_json())
    assert stored["schema_version"] == SCHEMA_VERSION
    assert Report.from_json(report.to_json()) == report
    assert {m.member for m in report.members} == {"m1", "m2"}
    assert report.average == (5.0, 5.0)  # hours-weighted over all work: (2 + 8) / 2, (1 + 9) / 2
    # Equal availability: each fair share is half the hours, unpleasant and empowering work.
    assert all(m.fair == (3.0, 18.0, 15.0) for m in report.members)  # 3·(11−2) + 3·(11−8) = 36 unpleasant
    with_past = Report.from_plan(plan, flagged=1, past={"m1": (1.2, 0.8, 1.0)})
    pasts = {m.member: m.past for m in Report.from_json(with_past.to_json()).members}
    assert pasts == {"m1": (1.2, 0.8, 1.0), "m2": None}


def test_a_report_from_a_newer_bot_is_refused_rather_than_misread() -> None:
    with pytest.raises(ValueError, match="newer"):
        Report.from_json(json.dumps({"schema_version": SCHEMA_VERSION + 1, "spread_sum": 0}))
