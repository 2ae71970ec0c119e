"""Organizations shaped like real co-ops and unions, for tests and the benchmark.

Real organizations are not uniform: they run the same kinds of work at several sites and days; a few
tasks are long and cannot be split (a night shift, a grant application); volunteers giving 4 h a week
work next to staff giving 35 h; about a quarter of the work needs a qualification only some members
have (drivers, first-aiders, bookkeepers); more hours are offered than needed. This module makes such
organizations, deterministically for a seed, as the solver's `Task` and `Member` objects or as the
planner's CSV files:

    python -m bot.solver.family OUTDIR --members 34 --tasks 135 --seed 11
    python -m bot.solver.family OUTDIR --members 31 --tasks 120 --seed 7 --weeks 8 --load 0.8
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.solver.model import Member, Task, hours_text

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
) -> Organization:
    """An organization of the family. `load` is the work over the active members' hours."""
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
        name = kind if plain_names else f"{kind}, {rng.choice(SITES)}, {rng.choice(DAYS)}"
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
            }
        )
    # Long tasks keep 8-16 h in one piece; the rest is scaled so that the work is `load` of the hours.
    for row in rows:
        if row["long"]:
            row.update(hours=_half_hours(rng.uniform(8, 16)), slots=1, splittable=False)
    long_work = sum(r["hours"] * r["slots"] for r in rows if r["long"])
    other_work = sum(r["hours"] * r["slots"] for r in rows if not r["long"]) or 1.0
    factor = max(0.05, (load * available - long_work) / other_work)
    for row in rows:
        if not row["long"]:
            row["hours"] = min(16.0, _half_hours(row["hours"] * factor))
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
        )
        for r in rows
    ]
    member_list = [
        Member(names[i], hours[i], frozenset(q for q in QUALIFIED_SHARE if i in held[q]), away=i in absent)
        for i in range(members)
    ]
    return Organization(task_list, member_list, _weeks(member_list, task_list, weeks, rng))


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
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ("task", "hours", "slots", "qualification", "splittable", "min_shift", "desirability", "empowerment")
        )
        for t in tasks:
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
                )
            )


def write_members(path: Path, members: Sequence[Member]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("member", "hours", "qualifications", "away"))
        for m in members:
            writer.writerow((m.name, hours_text(m.hours), ";".join(sorted(m.qualifications)), str(m.away).lower()))


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
    parser.add_argument("--availability", choices=sorted(AVAILABILITY), default="volunteer")
    parser.add_argument("--away", type=int, default=1, help="members away this week")
    parser.add_argument("--zero", type=int, default=0, help="members giving 0 hours")
    parser.add_argument("--load", type=float, default=0.85, help="work over the active members' hours")
    parser.add_argument("--long", type=float, default=0.02, help="share of long (8-16 h) indivisible tasks")
    parser.add_argument("--max-slots", type=int)
    parser.add_argument("--plain-names", action="store_true", help="task names without site and day")
    parser.add_argument("--weeks", type=int, default=0, help="also members_week1..N.csv for a rotation run")
    args = parser.parse_args(argv)
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
    )
    write(args.outdir, org)
    work = sum(t.total_hours for t in org.tasks)
    hours = sum(m.hours for m in org.members if m.active)
    print(f"{args.outdir}: {len(org.members)} members, {len(org.tasks)} tasks, {work:g} h of work, {hours:g} h offered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
