"""Work at set times: shifts at their hours, members' availability, no clashes, hours as a limit,
balance between the extremes, and refusals that say why."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from fractions import Fraction

import pytest

from bot.domain.solver import Member, Problem, ProblemError, Task, solve
from bot.domain.solver.model import Piece, hours_text
from bot.domain.solver.timed import (
    WEEK_MINUTES,
    TimedError,
    format_clock,
    format_days,
    format_windows,
    parse_clock,
    parse_days,
    parse_windows,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(clock: str) -> int:
    return parse_clock(clock)


def assert_timed_plan(problem: Problem, pieces: list[Piece]) -> None:
    """The rules of a valid plan with times, checked minute by minute in exact arithmetic."""
    tasks = {t.name: t for t in problem.tasks}
    members = {m.name: m for m in problem.members}
    step = round(float(problem.granularity) * 60)
    busy: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    running: dict[tuple[str, int], list[int]] = {}
    for piece in pieces:
        task, member = tasks[piece.task], members[piece.member]
        assert member.active
        if task.qualification:
            assert task.qualification in member.qualifications
        if not task.timed:
            assert piece.day is None
            continue
        assert piece.day in task.day and piece.start is not None and piece.end is not None, piece
        assert Fraction(hours_text(piece.hours)) == Fraction(piece.end - piece.start, 60), piece
        assert task.start is not None
        offset, length, window = piece.start - task.start, piece.end - piece.start, round(task.hours * 60)
        assert offset >= 0 and offset + length <= window, f"{piece} outside its occurrence"
        if not task.splittable:
            assert (offset, length) == (0, window), f"{piece} is not the whole shift"
        else:
            for end in (offset, offset + length):
                assert end % step == 0 or end == window, f"{piece} is off the grid"
            shortest = -(-round(task.min_shift * 60) // step) * step
            assert length >= shortest or length == window, f"{piece} is shorter than the shortest shift"
        a = piece.day * 1440 + piece.start
        if member.windows is not None:
            assert inside(member.windows, a, a + length), f"{piece} outside {member.name}'s windows"
        busy[member.name].append((a, a + length, piece.task))
        minutes = running.setdefault((piece.task, piece.day), [0] * window)
        for minute in range(offset, offset + length):
            minutes[minute] += 1
    for name, spans in busy.items():
        spans.sort()
        for (_, b1, t1), (a2, _, t2) in itertools.pairwise(spans):
            assert b1 <= a2, f"{name} holds {t1} and {t2} at once"
        first, last = spans[0], spans[-1]  # across Sunday midnight
        if last[1] > WEEK_MINUTES:
            assert last[1] - WEEK_MINUTES <= first[0], f"{name} holds {last[2]} and {first[2]} at once"
    for task in problem.tasks:
        for day in task.day:
            minutes = running.get((task.name, day), [0] * round(task.hours * 60))
            assert set(minutes) == {task.slots}, f"{task.name} on day {day} is not covered by {task.slots} at once"


def inside(windows: tuple[tuple[int, int], ...], a: int, b: int) -> bool:
    minutes = set()
    for start, end in windows:
        minutes.update(range(start, end))
    return all(m % WEEK_MINUTES in minutes for m in range(a, b))


# -- reading days, times and windows -------------------------------------------------------------


def test_days_times_and_windows_are_read_as_people_write_them() -> None:
    assert parse_days("mon") == (MON,)
    assert parse_days(" Mon, WED ,fri") == (MON, WED, FRI)
    assert parse_days("mon-fri") == (MON, TUE, WED, THU, FRI)
    assert parse_days("sat - mon") == (MON, SAT, SUN)
    assert parse_days("daily") == tuple(range(7))
    assert parse_clock("9:05") == 545 and parse_clock("24:00", allow_end_of_day=True) == 1440
    assert parse_windows("") is None
    assert parse_windows("mon-fri 18:00-22:00; sat") == (
        *((d * 1440 + 1080, d * 1440 + 1320) for d in range(5)),
        (SAT * 1440, SUN * 1440),
    )
    # Past midnight, and past Sunday midnight into the same week's Monday.
    assert parse_windows("sun 22:00-02:00") == ((0, 120), (SUN * 1440 + 1320, WEEK_MINUTES))
    assert parse_windows("fri 20:00-24:00; sat 00:00-01:00") == ((FRI * 1440 + 1200, SAT * 1440 + 60),)
    assert format_days((MON, SAT, SUN)) == "sat-mon" and format_days((MON, WED, FRI)) == "mon,wed,fri"
    assert format_clock(1500) == "01:00"
    assert format_windows(parse_windows("tue 09:00-12:00; sat")) == "tue 09:00-12:00; sat"


@pytest.mark.parametrize(
    ("text", "parser", "says"),
    [
        ("mon-xyz", parse_days, "'xyz' in 'mon-xyz' is not a day: write days as mon"),
        ("", parse_days, "no day given"),
        ("25:00", parse_clock, "not a time of day: hours go from 00:00 to 23:59"),
        ("24:00", parse_clock, "not a time of day"),
        ("9am", parse_clock, "write it as HH:MM"),
        ("mon 18-22", parse_windows, "cannot read the window 'mon 18-22': write windows like"),
        ("moon 18:00-22:00", parse_windows, "'moon' in 'moon' is not a day"),
        ("18:00-22:00", parse_windows, "has no day"),
        ("mon 18:00-25:00", parse_windows, "hours go from 00:00 to 24:00"),
    ],
)
def test_what_cannot_be_read_is_refused_with_how_to_write_it(text, parser, says) -> None:
    with pytest.raises(TimedError, match=None) as error:
        parser(text)
    assert says in str(error.value)
    assert isinstance(error.value, ProblemError)


# -- shifts at their times -----------------------------------------------------------------------


def test_two_cashiers_all_saturday_morning_are_at_the_till_at_every_minute() -> None:
    tasks = [
        Task("cashier", 6, slots=2, splittable=True, min_shift=2, day=(SAT,), start=at("09:00")),
        Task("bookkeeping", 4, splittable=True),
        Task("delivery", 3, day=(TUE,), start=at("08:00")),
    ]
    members = [Member(n, h) for n, h in [("ana", 5), ("ben", 5), ("cy", 5), ("dee", 5)]]
    problem = Problem(tasks, members)
    plan = solve(problem, time_limit=1, seed=1)
    assert_timed_plan(problem, plan.pieces)
    till = [p for p in plan.pieces if p.task == "cashier"]
    assert all(p.day == SAT and p.start is not None for p in till)
    assert sum(Fraction(hours_text(p.hours)) for p in till) == 12
    assert plan.balance.spread["hours"] < 0.3


def test_a_night_shift_runs_past_midnight_and_past_sunday_into_monday() -> None:
    tasks = [
        Task("night security", 8, day=(SAT, SUN), start=at("22:00")),
        Task("breakfast", 2, day=(MON,), start=at("05:00")),  # overlaps Sunday's night shift
        Task("cleaning", 6, splittable=True),
    ]
    members = [Member("ana", 8), Member("ben", 8), Member("cy", 8, windows=parse_windows("mon 04:00-08:00"))]
    problem = Problem(tasks, members)
    plan = solve(problem, time_limit=1)
    assert_timed_plan(problem, plan.pieces)
    nights = sorted((p.day, p.start, p.end) for p in plan.pieces if p.task == "night security")
    assert nights == [(SAT, 1320, 1800), (SUN, 1320, 1800)]
    sunday_night = next(p.member for p in plan.pieces if p.task == "night security" and p.day == SUN)
    breakfast = next(p.member for p in plan.pieces if p.task == "breakfast")
    assert breakfast != sunday_night


def test_the_chair_and_the_childcare_at_the_same_hour_go_to_different_people() -> None:
    meeting = dict(day=(TUE,), start=at("19:00"))
    tasks = [
        Task("chair", 2, desirability=8, empowerment=10, **meeting),
        Task("minutes", 2, empowerment=7, **meeting),
        Task("childcare", 2, slots=2, qualification="childcare", **meeting),
        Task("accounts", 3),
    ]
    members = [
        Member("ana", 4, frozenset({"childcare"})),
        Member("ben", 4, frozenset({"childcare"})),
        Member("cy", 4, frozenset({"childcare"})),
        Member("dee", 4),
    ]
    problem = Problem(tasks, members)
    plan = solve(problem, time_limit=1)
    assert_timed_plan(problem, plan.pieces)
    at_meeting = [p.member for p in plan.pieces if p.day == TUE]
    assert len(at_meeting) == len(set(at_meeting)) == 4


def random_timed_organization(seed: int) -> Problem:
    """A small organization with shifts at set times, qualifications and windows; the windows are
    widened until a witness plan (each shift whole, greedily) exists, so a valid plan always does."""
    rng = random.Random(seed)
    members = []
    for i in range(rng.randint(6, 14)):
        windows = rng.choice(
            ["", "", "mon-fri 17:00-23:00; sat-sun", "mon-fri 08:00-18:00", "sat-sun", "daily 06:00-22:00"]
        )
        quals = frozenset(q for q in ("driver", "childcare") if rng.random() < 0.4)
        members.append(Member(f"m{i}", rng.choice([4, 6, 8, 10, 12]), quals, windows=parse_windows(windows)))
    tasks = []
    for i in range(rng.randint(8, 20)):
        timed = rng.random() < 0.6
        split = rng.random() < 0.4
        hours = rng.choice([1, 1.5, 2, 3, 4, 6])
        tasks.append(
            Task(
                f"t{i}",
                hours,
                slots=rng.choice([1, 1, 2]),
                qualification=rng.choice([None, None, None, "driver", "childcare"]),
                splittable=split,
                min_shift=min(hours, rng.choice([0.5, 1, 2])),
                desirability=rng.uniform(1, 10),
                empowerment=rng.uniform(1, 10),
                day=tuple(sorted(rng.sample(range(7), rng.choice([1, 1, 2])))) if timed else (),
                start=rng.choice([at("07:00"), at("09:30"), at("18:00"), at("22:00")]) if timed else None,
            )
        )
    # Everyone qualified for what needs more people than have the qualification.
    for task in tasks:
        if task.qualification and sum(task.qualification in m.qualifications for m in members) < task.slots + 1:
            members = [
                Member(m.name, m.hours, m.qualifications | {task.qualification}, windows=m.windows) for m in members
            ]
    # Windows open (one member at a time) until every shift can go whole to someone free then.
    while True:
        try:
            problem = Problem(tasks, members)
            solve(problem, time_limit=0.05)
            return problem
        except ProblemError:
            narrow = [i for i, m in enumerate(members) if m.windows is not None]
            i = rng.choice(narrow)
            members[i] = Member(members[i].name, members[i].hours, members[i].qualifications)


@pytest.mark.parametrize("seed", range(12))
def test_every_plan_with_times_keeps_every_rule(seed: int) -> None:
    problem = random_timed_organization(seed)
    plan = solve(problem, time_limit=0.5, seed=seed)
    assert_timed_plan(problem, plan.pieces)
    held = defaultdict(Fraction)
    for piece in plan.pieces:
        held[piece.task] += Fraction(hours_text(piece.hours))
    for task in problem.tasks:
        assert held[task.name] == Fraction(hours_text(task.hours)) * task.slots * task.occurrences


def test_the_grid_counts_from_the_shifts_start() -> None:
    tasks = [Task("desk", 3, splittable=True, min_shift=1, day=(MON,), start=at("09:10")), Task("x", 3)]
    problem = Problem(tasks, [Member("ana", 3), Member("ben", 3)], granularity="0.5")
    plan = solve(problem, time_limit=0.5)
    assert_timed_plan(problem, plan.pieces)
    assert all((p.start - at("09:10")) % 30 == 0 for p in plan.pieces if p.task == "desk")  # type: ignore[operator]


# -- hours are a limit when the work fits ---------------------------------------------------------


def rated(spec: list[tuple[float, float, float]]) -> list[Task]:
    return [Task(f"t{i}", h, desirability=d, empowerment=e) for i, (h, d, e) in enumerate(spec)]


def test_nobody_goes_over_their_hours_when_the_work_fits_everyone() -> None:
    # 36 h of work for 49 h: balance alone put two 4-hour members at 5 h (their share of the
    # unpleasant and empowering work); the work fits everyone's hours, so nobody may go over.
    tasks = rated(
        [
            *[(5, 9.5, 5.3), (5, 2.3, 8.3), (5, 9.3, 1.2), (3, 6.1, 9.1), (6, 4.2, 9.6)],
            *[(3, 6.2, 1.0), (4, 3.2, 6.0), (2, 5.7, 4.2), (3, 1.6, 3.5)],
        ]
    )
    members = [Member(f"m{i}", h) for i, h in enumerate([8, 8, 8, 3, 4, 10, 4, 4])]
    problem = Problem(tasks, members)
    assert problem.hours_cap()
    plan = solve(problem, time_limit=1)
    hours: dict[str, float] = defaultdict(float)
    for piece in plan.pieces:
        hours[piece.member] += piece.hours
    assert all(hours[m.name] <= m.hours + 1e-9 for m in members), dict(hours)
    assert plan.over_hours == ()


def test_over_hours_only_when_nothing_else_is_possible() -> None:
    # Only ana can drive and the drive is longer than her hours: she is over, and the plan says so.
    tasks = [Task("drive", 5, qualification="driver"), Task("desk", 2)]
    members = [Member("ana", 4, frozenset({"driver"})), Member("ben", 6)]
    plan = solve(Problem(tasks, members), time_limit=0.5)
    assert plan.over_hours == ("ana",) and plan.overload == 0


# -- balance between the extremes ----------------------------------------------------------------


def test_nobody_holds_two_pieces_while_someone_who_could_take_one_holds_none() -> None:
    tasks = rated(
        [
            *[(3.5, 1.4, 9.7), (3.5, 4.6, 8.1), (3, 9.7, 4.2), (2.5, 5.5, 3.5), (2, 6.6, 3.3)],
            *[(4, 9.8, 8.3), (2.5, 3.8, 7.6), (3, 5.2, 1.9), (3.5, 3.8, 6.8), (2.5, 9.7, 5.3)],
        ]
    )
    members = [Member(f"m{i}", h) for i, h in enumerate([10, 6, 4, 10, 4, 4, 8, 4, 10, 8, 6, 5])]
    plan = solve(Problem(tasks, members), time_limit=1)
    count: dict[str, int] = defaultdict(int)
    for piece in plan.pieces:
        count[piece.member] += 1
    assert max(count.values()) == 1, dict(count)


def test_a_merged_organizations_first_week_gives_nobody_two_tasks_while_others_have_none() -> None:
    tasks = [
        Task(n, h)
        for n, h in [("chair", 3), ("minutes", 2), ("treasury", 4), ("cleaning", 3), ("kitchen", 4), ("press", 2)]
    ]
    hours = [10, 8, 6, 5, 4, 9, 7, 6, 5, 4, 4]
    members = [Member(f"{'ab'[i >= 6]}{i}", h) for i, h in enumerate(hours)]
    problem = Problem(tasks, members)
    plan = solve(problem, time_limit=1)
    count = defaultdict(int)
    for piece in plan.pieces:
        count[piece.member] += 1
    assert max(count.values()) == 1, dict(count)
    # The longest tasks with the members who have the most hours.
    share = {r.member: r.hours_share for r in plan.balance.members}
    assert max(share.values()) <= 1.0


def test_when_there_is_less_work_than_people_those_who_did_most_before_are_left_out() -> None:
    tasks = [Task("chair", 2), Task("dishes", 2)]
    members = [Member(n, 5) for n in ("ana", "ben", "cy", "dee")]
    past = {"ana": (6.0, 30.0, 30.0), "ben": (6.0, 30.0, 30.0), "cy": (1.0, 5.0, 5.0), "dee": (1.0, 5.0, 5.0)}
    share = dict.fromkeys(past, (3.5, 17.5, 17.5))
    problem = Problem(tasks, members, past_load=past, past_share=share)
    plan = solve(problem, time_limit=1)
    assert sorted(p.member for p in plan.pieces) == ["cy", "dee"]


def test_among_equally_spread_plans_everyone_is_close_to_their_share() -> None:
    tasks = [Task(f"t{i}", h) for i, h in enumerate([4, 4, 3, 3, 2, 2, 2, 1, 1, 1])]
    members = [Member(f"m{i}", h) for i, h in enumerate([8, 6, 5, 4, 23 - 8 - 6 - 5 - 4 + 2])]
    plan = solve(Problem(tasks, members), time_limit=1, seed=2)
    off = [abs(r.ratio[0] - 1) for r in plan.balance.members]
    assert sum(o * o for o in off) < 0.1


# -- refusals that say why -----------------------------------------------------------------------


def test_every_shift_nobody_can_take_is_named_with_the_reason_at_once() -> None:
    tasks = [
        Task("drive", 4, qualification="driver", day=(SAT,), start=at("09:00")),
        Task("night", 8, day=(SUN,), start=at("22:00")),
        Task("desk", 2),
    ]
    members = [
        Member("Ana", 10, frozenset({"driver"}), away=True),
        Member("Ben", 10, frozenset({"driver"}), windows=parse_windows("mon-fri")),
        Member("Chidi", 10, frozenset({"driver"}), windows=parse_windows("mon-fri")),
        Member("Dee", 10, windows=parse_windows("sat")),
    ]
    with pytest.raises(ProblemError) as error:
        Problem(tasks, members)
    first, second = error.value.problems
    assert first.startswith("task 'drive': nobody with `driver` is available on sat 09:00–13:00 (3 with `driver`: ")
    assert "Ana is away" in first and "Ben is available mon-fri" in first
    assert "night" in second and "sun 22:00–06:00" in second
    assert error.value.tasks == (0, 1)


def test_shifts_that_clash_for_the_only_people_who_can_take_them_are_refused_by_name() -> None:
    tasks = [
        Task("drive north", 3, qualification="driver", day=(SAT,), start=at("09:00")),
        Task("drive south", 3, qualification="driver", day=(SAT,), start=at("10:00")),
        Task("desk", 2),
    ]
    members = [Member("ana", 10, frozenset({"driver"})), Member("ben", 10)]
    with pytest.raises(ProblemError) as error:
        solve(Problem(tasks, members), time_limit=0.5)
    (problem,) = error.value.problems
    assert "sat 1" in problem and "on other shifts then" in problem and "ana has 'drive" in problem
