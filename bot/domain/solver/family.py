"""Organizations shaped like real co-ops and unions, for tests and the benchmark.

Real organizations are not uniform: they run the same kinds of work at several sites and days; a few
tasks are long and cannot be split (a night shift, a grant application); volunteers giving 4 h a week
work next to staff giving 35 h; about a quarter of the work needs a qualification only some members
have (drivers, first-aiders, bookkeepers); more hours are offered than needed. This module makes such
organizations, deterministically for a seed, as the solver's `Task` and `Member` objects or as the
planner's CSV files:

    python -m bot.domain.solver.family OUTDIR --members 34 --tasks 135 --seed 11
    python -m bot.domain.solver.family OUTDIR --members 31 --tasks 120 --seed 7 --weeks 8 --load 0.8
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.domain.solver.model import Member, Task, hours_text
from bot.domain.solver.timed import DAYS as TIMED_DAYS
from bot.domain.solver.timed import (
    WEEK_MINUTES,
    format_clock,
    format_days,
    format_windows,
    parse_clock,
    parse_days,
    parse_windows,
)

# Kind of work: hours (low, high), desirability, empowerment, qualification, chance of being
# splittable, shortest shift, slot choices.
KINDS: tuple[tuple[str, tuple[float, float], float, float, str | None, float, float, tuple[int, ...]], ...] = (
    ("cleaning the kitchen", (1, 4), 3.0, 2.0, None, 0.8, 1.0, (1, 1, 2)),
    ("cleaning the toilets", (0.5, 3), 1.8, 1.5, None, 0.6, 0.5, (1,)),
    ("washing up", (1, 4), 3.0, 1.8, None, 0.7, 1.0, (1, 2)),
    ("laundry", (1, 3), 3.4, 2.0, None, 0.5, 1.0, (1,)),
    ("sorting waste", (1, 3), 2.5, 2.4, None, 0.5, 1.0, (1,)),
    ("gardening", (2, 8), 6.6, 4.0, None, 0.8, 2.0, (1, 2)),
    ("repairs", (2, 8), 5.4, 5.2, None, 0.6, 2.0, (1,)),
    ("cooking the shared meal", (3, 8), 6.4, 5.0, None, 0.3, 2.0, (1, 2)),
    ("shopping run", (1.5, 4), 5.0, 3.0, "driver", 0.0, 1.5, (1,)),
    ("deliveries", (2, 10), 4.4, 3.0, "driver", 0.7, 2.0, (1, 2)),
    ("van transport", (3, 8), 4.0, 3.4, "driver", 0.3, 3.0, (1,)),
    ("first-aid duty", (2, 8), 4.6, 5.0, "first-aid", 0.8, 2.0, (1, 2)),
    ("IT support", (2, 10), 6.0, 7.0, "it", 0.7, 1.0, (1,)),
    ("updating the website", (1, 4), 6.4, 6.6, None, 0.5, 1.0, (1,)),
    ("bookkeeping", (2, 8), 4.0, 7.0, "bookkeeping", 0.7, 2.0, (1,)),
    ("payroll", (1, 4), 3.6, 6.4, "bookkeeping", 0.0, 1.0, (1,)),
    ("grant writing", (2, 16), 5.0, 8.0, None, 0.7, 2.0, (1,)),
    ("chairing the assembly", (1.5, 3), 6.6, 9.4, None, 0.0, 1.5, (1,)),
    ("taking minutes", (1.5, 3), 3.4, 5.0, None, 0.0, 1.5, (1,)),
    ("facilitating a working group", (1, 3), 6.0, 8.4, None, 0.0, 1.0, (1,)),
    ("outreach stall", (2, 6), 6.0, 6.4, None, 0.8, 2.0, (1, 2, 3)),
    ("canvassing", (2, 4), 4.0, 6.0, None, 0.7, 1.0, (2, 3)),
    ("press contact", (1, 4), 6.6, 9.0, None, 0.0, 1.0, (1,)),
    ("social media", (2, 6), 6.4, 6.4, None, 0.7, 1.0, (1,)),
    ("editing the newsletter", (2, 6), 6.0, 7.0, None, 0.6, 2.0, (1,)),
    ("translating", (1, 6), 5.6, 6.0, "translator", 0.6, 1.0, (1,)),
    ("childcare at meetings", (2, 4), 6.0, 4.0, "childcare", 0.0, 2.0, (1, 2)),
    ("reception", (2, 8), 4.0, 3.6, None, 0.9, 2.0, (1, 2, 3)),
    ("helpline", (2, 8), 4.0, 5.4, None, 0.9, 2.0, (1, 2)),
    ("warehouse sorting", (2, 8), 3.6, 2.4, None, 0.9, 2.0, (2, 3, 4)),
    ("food distribution", (2, 6), 6.0, 5.0, None, 0.8, 2.0, (2, 3)),
    ("night watch", (4, 12), 1.6, 2.4, None, 0.5, 4.0, (1,)),
    ("training newcomers", (2, 6), 7.0, 8.0, None, 0.3, 2.0, (1,)),
    ("mediation", (1, 4), 3.0, 7.6, "mediator", 0.0, 1.0, (1,)),
    ("purchasing", (1, 4), 4.6, 6.0, None, 0.4, 1.0, (1,)),
    ("filing the archive", (1, 4), 2.4, 2.6, None, 0.8, 1.0, (1,)),
    ("tool library desk", (2, 4), 6.0, 4.0, None, 0.6, 1.0, (1,)),
    ("bike workshop", (2, 4), 7.4, 5.4, None, 0.4, 2.0, (1,)),
    ("stocktaking", (2, 6), 2.6, 3.0, None, 0.9, 1.0, (1, 2)),
    ("clearing snow", (1, 4), 2.0, 2.0, None, 0.7, 1.0, (1, 2)),
)
QUALIFIED_SHARE = {
    "driver": 0.45,
    "first-aid": 0.25,
    "it": 0.10,
    "bookkeeping": 0.12,
    "childcare": 0.15,
    "translator": 0.10,
    "mediator": 0.08,
}
SITES = ("north hub", "east hub", "riverside", "old mill", "station road", "harbour", "market", "hillside")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Weekly hours offered, with weights: mostly volunteers, or a mixed body of staff and volunteers.
AVAILABILITY = {
    "volunteer": ((4, 5, 6, 8, 10, 12, 15, 16, 20, 24, 30, 32, 35, 40), (8, 6, 8, 12, 12, 10, 7, 7, 10, 5, 5, 3, 3, 4)),
    "mixed": ((4, 6, 8, 10, 12, 16, 20, 24, 30, 32, 35, 40), (3, 4, 5, 6, 6, 8, 12, 8, 10, 8, 8, 22)),
}
FIRST_NAMES = (  # noqa: SIM905 - a readable list of names
    "Amara Ben Chloe Dmitri Esra Farid Grace Hugo Ines Jonas Kofi Lena Mateo Nadia Omar Priya Quinn Rosa "
    "Sven Tamar Uma Victor Wen Ximena Yusuf Zoë José Aoife Bjørn Chidi Dalia Emil"
).split()


# -- work at set times (--timed, --windows) ---------------------------------------------------------
# Kind of work -> (how likely it is to happen at a set time, patterns). A pattern: (weight, its days
# from the most to the fewest, the starts it may have, its shortest realistic shift in hours). When
# the clock makes the week's work too big, a task steps down to fewer days (mon-fri -> mon,wed,fri).
# `wd` is one weekday drawn at random. MEETING: the site's general-meeting evening, shared by the
# chair, the minutes, the childcare and the interpreting, so that they clash.
MEETING = "meeting"
Pattern = tuple[int, tuple[str, ...], tuple[str, ...], float]
TIMED_KINDS: dict[str, tuple[int, tuple[Pattern, ...] | str]] = {
    "reception": (
        10,
        (
            (3, ("mon-fri", "mon,wed,fri", "tue,thu", "wd"), ("09:00", "14:00"), 2.0),
            (1, ("mon-sat", "sat"), ("10:00",), 2.0),
        ),
    ),
    "helpline": (
        10,
        (
            (3, ("mon-fri", "mon,wed,fri", "tue,thu", "wd"), ("09:00", "14:00", "18:00"), 2.0),
            (1, ("daily", "sat-mon", "sun"), ("18:00", "19:00"), 2.0),
        ),
    ),
    "night watch": (
        10,
        ((2, ("fri-sun", "sat,sun", "sat"), ("22:00",), 4.0), (1, ("thu-sun", "fri"), ("23:00",), 4.0)),
    ),
    "chairing the assembly": (10, MEETING),
    "taking minutes": (10, MEETING),
    "childcare at meetings": (10, MEETING),
    "translating": (3, MEETING),
    "facilitating a working group": (6, ((1, ("wd",), ("18:00", "18:30", "19:00"), 1.0),)),
    "cooking the shared meal": (10, ((2, ("fri",), ("16:00",), 2.0), (1, ("wed,sun", "sun"), ("11:00",), 2.0))),
    "washing up": (6, ((1, ("fri",), ("19:00",), 1.0), (1, ("mon-fri", "tue,thu", "wd"), ("13:30",), 1.0))),
    "food distribution": (10, ((1, ("wed,sat", "sat"), ("10:00",), 2.0),)),
    "outreach stall": (8, ((2, ("sat",), ("09:00",), 2.0), (1, ("sat,sun", "sun"), ("10:00",), 2.0))),
    "canvassing": (6, ((1, ("sat,sun", "sat"), ("10:00", "14:00"), 2.0), (1, ("tue,thu", "wd"), ("17:30",), 2.0))),
    "bike workshop": (10, ((2, ("thu",), ("18:00",), 2.0), (1, ("sat",), ("10:00",), 2.0))),
    "training newcomers": (10, ((1, ("wed",), ("18:30",), 2.0),)),
    "tool library desk": (8, ((1, ("sat",), ("10:00",), 2.0), (1, ("tue,thu", "thu"), ("17:00",), 2.0))),
    "warehouse sorting": (6, ((1, ("mon-fri", "mon,wed,fri", "tue,thu", "wd"), ("08:00", "13:00"), 2.0),)),
    "first-aid duty": (6, ((1, ("sat,sun", "sat"), ("10:00",), 2.0),)),
    "clearing snow": (6, ((1, ("daily", "mon-fri", "mon,wed,fri", "wd"), ("07:00",), 1.0),)),
    "cleaning the kitchen": (4, ((1, ("daily", "mon-fri", "mon,thu", "wd"), ("20:00", "14:00"), 1.0),)),
    "cleaning the toilets": (3, ((1, ("mon,thu", "mon"), ("08:00",), 0.5),)),
    "gardening": (4, ((1, ("sat",), ("10:00",), 2.0), (1, ("sun",), ("10:00",), 2.0))),
    "repairs": (3, ((1, ("sat",), ("09:00",), 2.0),)),
    "shopping run": (5, ((1, ("mon,thu", "fri"), ("10:00", "15:00"), 1.5),)),
    "deliveries": (5, ((1, ("mon-fri", "tue,thu", "wd"), ("09:00",), 2.0),)),
    "van transport": (4, ((1, ("wd",), ("08:00",), 3.0),)),
    "laundry": (3, ((1, ("mon,thu", "thu"), ("10:00",), 1.0),)),
    "sorting waste": (3, ((1, ("tue,fri", "fri"), ("17:00",), 1.0),)),
    "stocktaking": (3, ((1, ("sun",), ("10:00",), 2.0), (1, ("mon",), ("07:00",), 2.0))),
    "mediation": (3, ((1, ("wd",), ("19:00",), 1.0),)),
}
OTHER_TIMED: tuple[int, tuple[Pattern, ...]] = (
    1,
    ((2, ("wd",), ("10:00", "14:00"), 1.0), (1, ("sat",), ("10:00",), 1.0)),
)
MEETING_EVENINGS = tuple((d, s) for d in ("mon", "tue", "wed", "thu") for s in ("18:30", "19:00", "19:30"))
# Who can work when: (weight, windows). Staff keep office hours, volunteers evenings and weekends.
STAFF_WINDOWS = (
    (4, "mon-fri 08:00-18:00"),
    (2, "mon-fri 09:00-17:00"),
    (1, "mon-thu 08:00-18:00"),
    (1, "tue-sat 10:00-19:00"),
)
VOLUNTEER_WINDOWS = (
    (4, "mon-fri 18:00-22:00; sat-sun 09:00-18:00"),
    (3, "tue,thu 17:00-21:00; sat"),
    (3, "sat-sun"),
    (2, "mon,wed 18:00-22:00; sun 10:00-16:00"),
    (2, "mon-fri 09:00-13:00"),
    (2, "mon-fri 14:00-20:00"),
    (1, "wed 18:00-22:00; sat 09:00-14:00"),
    (2, "mon-fri 17:00-23:00"),
    (1, "fri 16:00-22:00; sat-sun"),
)
NIGHT_OWL_WINDOWS = ((2, "fri-sat 20:00-04:00"), (1, "daily 20:00-02:00"), (1, "thu-sun 21:00-06:00"))
QUARTER = 15  # minutes: the generator's cells; every time it writes is on the half hour
CELLS = WEEK_MINUTES // QUARTER


def _cells(start: int, minutes: float) -> int:
    """The week's quarter-hour cells from week minute `start` for `minutes`, as bits (wrapping at Monday)."""
    first, count = start // QUARTER, max(1, math.ceil(minutes / QUARTER - 1e-9))
    bits = ((1 << count) - 1) << first
    return (bits | (bits >> CELLS)) & ((1 << CELLS) - 1)


def _window_cells(windows: tuple[tuple[int, int], ...] | None) -> int:
    if windows is None:
        return (1 << CELLS) - 1
    bits = 0
    for start, end in windows:
        bits |= _cells(start, end - start)
    return bits


def _weighted(rng: random.Random, choices: Sequence[tuple[int, Any]]) -> Any:
    return rng.choices([c[1:] if len(c) > 2 else c[1] for c in choices], weights=[c[0] for c in choices])[0]


@dataclass
class _Clock:
    """A task's set time while the organization is drawn."""

    levels: tuple[str, ...]
    start: str
    shortest: float
    level: int = 0

    def days(self) -> tuple[int, ...]:
        return parse_days(self.levels[self.level])

    def fewer(self) -> int:
        """Occurrences one level down (0: there is none)."""
        return len(parse_days(self.levels[self.level + 1])) if self.level + 1 < len(self.levels) else 0


def set_times(rows: list[dict], share: float, rng: random.Random, members: int, plain_names: bool) -> None:
    """Give round(share × tasks) tasks, drawn by how likely their kind is at a set time, days and a start."""
    weights = [TIMED_KINDS.get(r["kind"], OTHER_TIMED)[0] for r in rows]
    keys = sorted(range(len(rows)), key=lambda i: -(rng.random() ** (1 / weights[i])))
    chosen = sorted(keys[: round(share * len(rows))])
    meeting_slots = sum(rows[i]["slots"] for i in chosen if TIMED_KINDS.get(rows[i]["kind"], OTHER_TIMED)[1] == MEETING)
    evenings = min(12, max(1, round(members / 150), math.ceil(meeting_slots / (0.3 * members))))
    nights = rng.sample(MEETING_EVENINGS, evenings)
    for i in chosen:
        row = rows[i]
        patterns = TIMED_KINDS.get(row["kind"], OTHER_TIMED)[1]
        if patterns == MEETING:
            day, start = nights[(0 if plain_names else SITES.index(row["site"])) % evenings]
            clock = _Clock((day,), start, 1.5)
            if row["long"]:  # a long one is a whole day's assembly
                clock = _Clock(("sat",), "09:00", 1.5)
        else:
            assert not isinstance(patterns, str)
            levels, starts, shortest = _weighted(rng, patterns)
            levels = tuple(TIMED_DAYS[rng.randrange(5)] if d == "wd" else d for d in levels)
            clock = _Clock(levels[-1:] if row["long"] else levels, rng.choice(starts), shortest)
        row["clock"] = clock


def timed_factor(rows: list[dict], target: float, untimed: float, rng: random.Random) -> float:
    """The factor scaling the tasks' hours with every occurrence counted; tasks step down to fewer
    days while it would shrink shifts below 3/4 of their size without the clock."""
    scaled = [r for r in rows if not r["long"]]

    def work() -> float:
        return sum(r["hours"] * r["slots"] * (len(r["clock"].days()) if "clock" in r else 1) for r in scaled) or 1.0

    factor = target / work()
    while factor < 0.75 * untimed:
        gains = [
            (len(r["clock"].days()) - r["clock"].fewer()) * r["hours"] * r["slots"]
            if "clock" in r and r["clock"].fewer()
            else 0.0
            for r in scaled
        ]
        if not any(gains):
            break
        rng.choices(scaled, weights=gains)[0]["clock"].level += 1
        factor = target / work()
    return max(0.05, factor)


def place_shifts(
    rows: list[dict],
    hours: list[float],
    active: list[int],
    held: dict[str, set[int]],
    windows: list[str],
    rng: random.Random,
) -> None:
    """Make sure a valid plan exists: every slot of every occurrence held whole by a qualified member
    whose windows cover it and who is free then (a window is widened, or a qualification granted,
    where none is; a task needing more people at once than there are loses its clock), and every
    occurrence has one more member who could take it than it needs."""
    cover = {i: _window_cells(parse_windows(windows[i])) for i in active}
    busy = dict.fromkeys(active, 0)
    load = dict.fromkeys(active, 0.0)

    def widen(member: int, day: int, row: dict) -> None:
        start = parse_clock(row["clock"].start)
        low, high = start // 60 * 60, math.ceil((start + row["hours"] * 60) / 60) * 60
        item = f"{TIMED_DAYS[day]} {format_clock(low % 1440)}-{format_clock(high % 1440)}"
        windows[member] = f"{windows[member]}; {item}" if windows[member] else item
        cover[member] |= _cells(day * 1440 + low, high - low)

    occurrences = []
    for t, row in enumerate(rows):
        if "clock" in row:
            for day in row["clock"].days():
                cells = _cells(day * 1440 + parse_clock(row["clock"].start), row["hours"] * 60)
                qualified = [i for i in active if not row["qualification"] or i in held[row["qualification"]]]
                free = sum(1 for i in qualified if cover[i] & cells == cells)
                occurrences.append((free, -row["hours"], t, day, cells))
    occurrences.sort()
    dropped: set[int] = set()
    placed: dict[int, list[tuple[int, int]]] = {}
    for _, _, t, day, cells in occurrences:
        row = rows[t]
        if t in dropped:
            continue
        for _slot in range(row["slots"]):
            quals = held[row["qualification"]] if row["qualification"] else None
            free = [i for i in active if not busy[i] & cells]
            able = [i for i in free if quals is None or i in quals]
            ready = [i for i in able if cover[i] & cells == cells]
            if ready:
                member = min(ready, key=lambda i: ((load[i] + row["hours"]) / max(1.0, hours[i]), i))
            elif able:
                member = rng.choice(able)
                widen(member, day, row)
            elif free and quals is not None:
                member = rng.choice(free)
                quals.add(member)
                widen(member, day, row)
            else:  # more people at once than there are: done any time instead
                dropped.add(t)
                for member, bits in placed.pop(t, []):
                    busy[member] &= ~bits
                    load[member] -= row["hours"]
                break
            busy[member] |= cells
            load[member] += row["hours"]
            placed.setdefault(t, []).append((member, cells))
    for t in dropped:
        del rows[t]["clock"]
    for _, _, t, day, cells in occurrences:
        row = rows[t]
        if "clock" not in row:
            continue
        qualified = [i for i in active if not row["qualification"] or i in held[row["qualification"]]]
        short = [i for i in qualified if cover[i] & cells != cells]
        while len(qualified) - len(short) < row["slots"] + 1 and short:
            widen(short.pop(rng.randrange(len(short))), day, row)


def draw_windows(members: int, active: list[int], hours: list[int], share: float, rng: random.Random) -> list[str]:
    windows = [""] * members
    for i in sorted(rng.sample(active, round(share * len(active)))):
        if hours[i] >= 30:
            group = STAFF_WINDOWS if rng.random() < 0.8 else VOLUNTEER_WINDOWS
        else:
            group = NIGHT_OWL_WINDOWS if rng.random() < 0.08 else VOLUNTEER_WINDOWS
        windows[i] = _weighted(rng, group)
    return windows


@dataclass(frozen=True)
class Organization:
    tasks: list[Task]
    members: list[Member]
    weeks: list[list[Member]]  # for a rotation run: who is there, and who is away, each week


def _half_hours(value: float) -> float:
    return max(0.5, round(value * 2) / 2)


def _clip(value: float, low: float = 1.0, high: float = 10.0) -> float:
    return round(min(high, max(low, value)), 1)


def organization(
    members: int,
    tasks: int,
    seed: int,
    *,
    load: float = 0.85,
    availability: str = "volunteer",
    away: int = 1,
    zero: int = 0,
    long_share: float = 0.02,
    max_slots: int | None = None,
    plain_names: bool = False,
    weeks: int = 0,
    timed: float = 0.0,
    windows: float = 0.0,
) -> Organization:
    """An organization of the family. `load` is the work over the active members' hours; `timed` the
    share of tasks at set times, `windows` the share of active members with availability windows (both
    0: the organization is exactly what it was before these existed)."""
    if weeks and (timed or windows):
        raise ValueError("a rotation run (weeks) has no set times or windows yet")
    rng = random.Random(seed)
    offered, weights = AVAILABILITY[availability]
    hours = rng.choices(offered, weights=weights, k=members)
    held = {q: {i for i in range(members) if rng.random() < share} for q, share in QUALIFIED_SHARE.items()}
    names: list[str] = []
    for i in range(members):
        name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}."
        names.append(name if name not in names and members <= 300 else f"{name[:-1]}{i:04d}")
    absent = set(rng.sample(range(members), min(away, members - 1))) if not weeks else set()
    without_hours = set(rng.sample(sorted(set(range(members)) - absent), min(zero, members - len(absent) - 1)))
    for i in without_hours:
        hours[i] = 0
    active = [i for i in range(members) if i not in absent and hours[i] > 0]
    available = sum(hours[i] for i in active)

    rows = []
    used: set[str] = set()
    for _ in range(tasks):
        kind, (low, high), desirability, empowerment, qualification, split, shortest, slot_choices = rng.choice(KINDS)
        noise = rng.gauss(0, 1)
        site = None if plain_names else rng.choice(SITES)
        name = kind if site is None else f"{kind}, {site}, {rng.choice(DAYS)}"
        unique, k = name, 1
        while unique in used:
            k += 1
            unique = f"{name} #{k}"
        used.add(unique)
        slots = rng.choice(slot_choices)
        rows.append(
            {
                "name": unique,
                "hours": _half_hours(rng.uniform(low, high)),
                "slots": min(slots, max_slots) if max_slots else slots,
                "qualification": qualification,
                "splittable": rng.random() < split,
                "min_shift": shortest,
                "desirability": _clip(desirability + 0.9 * noise),
                "empowerment": _clip(empowerment + 0.45 * noise + 0.8 * rng.gauss(0, 1)),
                "long": rng.random() < long_share,
                "kind": kind,
                "site": site,
            }
        )
    # Long tasks keep 8-16 h in one piece; the rest is scaled so that the work is `load` of the hours.
    for row in rows:
        if row["long"]:
            row.update(hours=_half_hours(rng.uniform(8, 16)), slots=1, splittable=False)
    long_work = sum(r["hours"] * r["slots"] for r in rows if r["long"])
    other_work = sum(r["hours"] * r["slots"] for r in rows if not r["long"]) or 1.0
    factor = max(0.05, (load * available - long_work) / other_work)
    clock_rng = random.Random(f"{seed}:timed")  # its own draws: without times, nothing above changes
    if timed > 0:
        set_times(rows, timed, clock_rng, members, plain_names)
        factor = timed_factor(rows, load * available - long_work, factor, clock_rng)
    for row in rows:
        if not row["long"]:
            row["hours"] = min(16.0, _half_hours(row["hours"] * factor))
            if "clock" in row:
                row["hours"] = min(16.0, max(row["clock"].shortest, row["hours"]))
        row["min_shift"] = min(row["min_shift"], row["hours"])
        if row["min_shift"] >= row["hours"]:
            row["splittable"] = False
    # Every qualified task has more qualified active members than slots (else no rota exists); in a
    # rotation run, among those there every week (the last member joins late, the one before leaves).
    steady = [i for i in active if not weeks or i < members - 2]
    for row in rows:
        qualification = row["qualification"]
        if qualification:
            have = [i for i in steady if i in held[qualification]]
            lacking = [i for i in steady if i not in held[qualification]]
            rng.shuffle(lacking)
            for i in lacking[: max(0, row["slots"] + 1 - len(have))]:
                held[qualification].add(i)
        row["slots"] = min(row["slots"], len(active))
    available_text = [""] * members
    if timed > 0 or windows > 0:
        available_text = draw_windows(members, active, hours, windows, clock_rng)
        place_shifts(rows, [float(h) for h in hours], steady, held, available_text, clock_rng)
        _name_timed(rows)

    task_list = [
        Task(
            r["name"],
            r["hours"],
            r["slots"],
            r["qualification"],
            r["splittable"],
            r["min_shift"] if r["splittable"] else r["hours"],
            r["desirability"],
            r["empowerment"],
            day=r["clock"].days() if "clock" in r else (),
            start=parse_clock(r["clock"].start) if "clock" in r else None,
        )
        for r in rows
    ]
    member_list = [
        Member(
            names[i],
            hours[i],
            frozenset(q for q in QUALIFIED_SHARE if i in held[q]),
            away=i in absent,
            windows=parse_windows(available_text[i]),
        )
        for i in range(members)
    ]
    return Organization(task_list, member_list, _weeks(member_list, task_list, weeks, rng))


def _name_timed(rows: list[dict]) -> None:
    """A task at a set time is named by when it is (`reception, harbour, mon-fri 09:00`), not by a day."""
    used = {r["name"] for r in rows if "clock" not in r}
    for row in rows:
        if "clock" in row:
            when = f"{format_days(row['clock'].days())} {row['clock'].start}"
            name = row["kind"] if row["site"] is None else f"{row['kind']}, {row['site']}, {when}"
            unique, k = name, 1
            while unique in used:
                k += 1
                unique = f"{name} #{k}"
            used.add(unique)
            row["name"] = unique


def _weeks(members: list[Member], tasks: list[Task], count: int, rng: random.Random) -> list[list[Member]]:
    """Who is there each week: one member joins in week 4, one leaves after week 6, some are away."""
    if not count:
        return []
    joiner, leaver = members[-1].name, members[-2].name
    weeks = []
    for week in range(1, count + 1):
        present = [
            replace(m, away=rng.random() < 0.08)
            for m in members
            if not (m.name == joiner and week < 4) and not (m.name == leaver and week > 6)
        ]
        # Bring people back from being away until every task can be staffed.
        while not _staffable(tasks, present):
            back = [i for i, m in enumerate(present) if m.away]
            i = back[rng.randrange(len(back))]
            present[i] = replace(present[i], away=False)
        weeks.append(present)
    return weeks


def _staffable(tasks: Sequence[Task], members: Sequence[Member]) -> bool:
    active = [m for m in members if m.active]
    return all(
        sum(1 for m in active if t.qualification is None or t.qualification in m.qualifications) >= t.slots
        for t in tasks
    )


def write_tasks(path: Path, tasks: Sequence[Task]) -> None:
    timed = any(t.timed for t in tasks)  # the `day,start` columns only when some task has a time
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ("task", "hours", "slots", "qualification", "splittable", "min_shift", "desirability", "empowerment")
            + (("day", "start") if timed else ())
        )
        for t in tasks:
            when = (format_days(t.day), format_clock(t.start)) if t.timed and t.start is not None else ("", "")
            writer.writerow(
                (
                    t.name,
                    hours_text(t.hours),
                    t.slots,
                    t.qualification or "",
                    "true" if t.splittable else "false",
                    hours_text(t.min_shift),
                    f"{t.desirability:.1f}",
                    f"{t.empowerment:.1f}",
                    *(when if timed else ()),
                )
            )


def write_members(path: Path, members: Sequence[Member]) -> None:
    windows = any(m.windows is not None for m in members)  # `available` only when someone has windows
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("member", "hours", "qualifications", "away") + (("available",) if windows else ()))
        for m in members:
            writer.writerow(
                (m.name, hours_text(m.hours), ";".join(sorted(m.qualifications)), str(m.away).lower())
                + ((format_windows(m.windows) if m.windows is not None else "",) if windows else ())
            )


def write(directory: Path, org: Organization) -> None:
    """tasks.csv and members.csv (and members_week1..N.csv for a rotation run) in the planner's formats."""
    directory.mkdir(parents=True, exist_ok=True)
    write_tasks(directory / "tasks.csv", org.tasks)
    write_members(directory / "members.csv", org.members)
    for week, members in enumerate(org.weeks, 1):
        write_members(directory / f"members_week{week}.csv", members)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--availability", "--avail", choices=sorted(AVAILABILITY), default="volunteer")
    parser.add_argument("--away", type=int, default=1, help="members away this week")
    parser.add_argument("--zero", type=int, default=0, help="members giving 0 hours")
    parser.add_argument("--load", type=float, default=0.85, help="work over the active members' hours")
    parser.add_argument("--long", type=float, default=0.02, help="share of long (8-16 h) indivisible tasks")
    parser.add_argument("--max-slots", type=int)
    parser.add_argument("--plain-names", action="store_true", help="task names without site and day")
    parser.add_argument("--weeks", type=int, default=0, help="also members_week1..N.csv for a rotation run")
    parser.add_argument(
        "--timed", type=float, default=0.0, metavar="P", help="share of tasks at set times (day, start)"
    )
    parser.add_argument(
        "--windows", type=float, default=0.0, metavar="P", help="share of active members with windows (available)"
    )
    args = parser.parse_args(argv)
    if not (0 <= args.timed <= 1 and 0 <= args.windows <= 1):
        parser.error("--timed and --windows are shares from 0 to 1")
    if args.weeks and (args.timed or args.windows):
        parser.error("--weeks cannot be combined with --timed or --windows yet")
    org = organization(
        args.members,
        args.tasks,
        args.seed,
        load=args.load,
        availability=args.availability,
        away=args.away,
        zero=args.zero,
        long_share=args.long,
        max_slots=args.max_slots,
        plain_names=args.plain_names,
        weeks=args.weeks,
        timed=args.timed,
        windows=args.windows,
    )
    write(args.outdir, org)
    work = sum(t.total_hours for t in org.tasks)
    hours = sum(m.hours for m in org.members if m.active)
    print(f"{args.outdir}: {len(org.members)} members, {len(org.tasks)} tasks, {work:g} h of work, {hours:g} h offered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
