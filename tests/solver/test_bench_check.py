"""The benchmark's own checker catches every kind of broken rule of shifts at set times."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.solver.model import Member, Piece, Task
from bot.domain.solver.timed import parse_windows
from bot.runtime.bench import violations

SAT, SUN = 5, 6
TASKS = [
    Task("cashier", 4, slots=2, splittable=True, min_shift=2, day=(SAT,), start=9 * 60),
    Task("night", 4, day=(SUN,), start=22 * 60),
    Task("books", 3, splittable=True, min_shift=1),
]
MEMBERS = [Member("ana", 10, windows=parse_windows("sat")), Member("ben", 10), Member("cy", 10)]
GOOD = [
    Piece("cashier", "ana", 4, day=SAT, start=540, end=780),
    Piece("cashier", "ben", 2, day=SAT, start=540, end=660),
    Piece("cashier", "cy", 2, day=SAT, start=660, end=780),
    Piece("night", "ben", 4, day=SUN, start=1320, end=1560),  # past midnight, into Monday
    Piece("books", "cy", 3),
]


def kinds(pieces: list[Piece]) -> set[str]:
    return {kind for kind, _ in violations(TASKS, MEMBERS, pieces)}


def test_a_valid_plan_breaks_no_rule() -> None:
    assert violations(TASKS, MEMBERS, GOOD) == []


@pytest.mark.parametrize(
    ("index", "change", "kind"),
    [
        (3, {"member": "ana"}, "available"),  # ana works Saturdays only
        (0, {"member": "ben", "hours": 4}, "overlap"),  # ben is already on 09:00-11:00
        (1, {"start": 600, "end": 660, "hours": 1}, "coverage"),  # 09:00-10:00 has one person
        (1, {"end": 670, "hours": 2 + 1 / 6}, "grid"),  # 11:10 is off the quarter-hour grid
        (3, {"start": 1380, "hours": 3}, "whole"),  # night watch is indivisible
        (4, {"day": SAT, "start": 540, "end": 720}, "timing"),  # a flexible task given a time
        (3, {"day": SAT}, "timing"),  # not a day of the task
        (3, {"hours": 3}, "hours"),  # 22:00-02:00 is 4 h
        (3, {"end": 1620, "hours": 5}, "outside"),  # past the occurrence's end
    ],
)
def test_each_broken_rule_is_caught(index: int, change: dict, kind: str) -> None:
    pieces = list(GOOD)
    pieces[index] = replace(pieces[index], **change)
    assert kind in kinds(pieces)


def test_a_short_piece_of_a_splittable_shift_is_under_min_shift() -> None:
    pieces = [
        *GOOD[:1],
        Piece("cashier", "ben", 1, day=SAT, start=540, end=600),
        Piece("cashier", "cy", 3, day=SAT, start=600, end=780),
        *GOOD[3:],
    ]
    assert kinds(pieces) == {"min_shift"}
