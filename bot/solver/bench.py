"""Benchmark of the job-complex solver against baselines and CP-SAT. Prints figures; asserts nothing.

    python -m bot.solver.bench            # everything (about 10 minutes on 2 cores)
    python -m bot.solver.bench --quick    # small and medium sizes only, one seed
    python -m bot.solver.bench --only large

Every figure is the spread-sum of the metric in `bot.solver.metrics` (lower is better, 0 perfect),
the median over seeds where several run. Peak memory is the process's maximum resident set size,
measured in a fresh process per large size.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from bot.solver import Problem, solve
from bot.solver.exact import resolve_group
from bot.solver.history import Held, carry_over
from bot.solver.metrics import Week, balance, rotation
from bot.solver.model import Member, Task
from bot.solver.search import State, greedy, local_search

QUALIFICATIONS = ("driver", "accounting", "first-aid")


def instance(members: int, tasks: int, seed: int = 0, splittable: float = 0.3) -> tuple[list[Task], list[Member]]:
    """Random tasks (1–8 h, 1–3 slots, 10% needing a qualification, a share splittable, ratings uniform
    on 1..10) and members whose availability adds up to a little more than the work (work ≈ 90%)."""
    rng = random.Random(seed)
    task_list = []
    for i in range(tasks):
        qualification = rng.choice(QUALIFICATIONS) if rng.random() < 0.1 else None
        task_list.append(
            Task(
                f"task-{i}",
                hours=rng.choice([1, 2, 2, 3, 4, 4, 6, 8]),
                slots=1 if qualification else rng.choice([1, 1, 1, 1, 2, min(3, members)]),
                qualification=qualification,
                splittable=rng.random() < splittable,
                min_shift=1.0,
                desirability=rng.randint(1, 10),
                empowerment=rng.randint(1, 10),
            )
        )
    work = sum(t.total_hours for t in task_list)
    weights = [rng.choice([0.5, 0.75, 1.0, 1.0, 1.25, 1.5]) for _ in range(members)]
    scale = work / 0.9 / sum(weights)
    member_list = []
    for i, weight in enumerate(weights):
        held = frozenset(q for q in QUALIFICATIONS if rng.random() < 0.35)
        if i < len(QUALIFICATIONS) * 3:  # a few qualified people for every qualification
            held |= {QUALIFICATIONS[i % len(QUALIFICATIONS)]}
        member_list.append(Member(f"member-{i}", round(weight * scale, 1), held))
    return task_list, member_list


# -- baselines ------------------------------------------------------------------------------------


def _baseline(tasks, members, choose: Callable[[State, int, np.ndarray], int], order_key) -> float:
    problem = Problem(tasks, members)
    units = Units.from_tasks(tasks)
    state = State(problem, units)
    for u in sorted(range(len(units)), key=lambda u: order_key(units, u)):
        mask = state.can_take(int(units.task[u]))
        state.assign(u, choose(state, u, mask))
    return balance(tasks, members, pieces_from(units, state.owner, tasks, problem.active)).spread_sum


def round_robin(tasks, members) -> float:
    turn = [0]

    def choose(state, _u, mask):
        for step in range(state.member_count):
            m = (turn[0] + step) % state.member_count
            if mask[m]:
                turn[0] = m + 1
                return m
        raise AssertionError("no eligible member")

    return _baseline(tasks, members, choose, lambda units, u: u)


def hardest_to_least_loaded(tasks, members) -> float:
    """The rule of existing chore bots: the most unpleasant job goes to whoever has the fewest hours."""

    def choose(state, _u, mask):
        hours = state.load[:, 0] / np.array([m.hours for m in state.problem.active])
        hours[~mask] = np.inf
        return int(np.argmin(hours))

    return _baseline(tasks, members, choose, lambda units, u: -units.weight[u, 1])


def cp_sat(tasks, members, seconds: float, *, warm: bool) -> tuple[float, bool]:
    """CP-SAT on the whole organization with its default parallel portfolio on both cores, from cold
    or from a good heuristic start (greedy + 1 s of local search)."""
    problem = Problem(tasks, members)
    units = Units.from_tasks(tasks)
    state = State(problem, units)
    greedy(state)
    if warm:
        local_search(state, time.perf_counter() + 1.0, powers=(2.0,))
    result = resolve_group(state, None, seconds, workers=2, hint=warm, deterministic=False)
    spread = balance(tasks, members, pieces_from(units, state.owner, tasks, problem.active)).spread_sum
    return spread, result.optimal


# -- sections -------------------------------------------------------------------------------------


def median(values) -> float:
    return round(statistics.median(values), 3)


def section_small(seeds) -> None:
    print("\n## Tiny organizations: ours (5 s) against the proven optimum (CP-SAT, up to 60 s)")
    print("| members × tasks | ours | optimum | ours / optimum | ours time (s) | proven |")
    print("|---|---|---|---|---|---|")
    for m, t in ((4, 12), (5, 15), (6, 18)):
        ours, best, times, proven = [], [], [], []
        for seed in seeds:
            tasks, members = instance(m, t, seed)
            plan = solve(Problem(tasks, members), time_limit=5, seed=seed)
            ours.append(plan.balance.spread_sum)
            times.append(plan.seconds)
            optimum, optimal = cp_sat(tasks, members, 60, warm=True)
            best.append(optimum)
            proven.append(optimal)
        ratio = median([o / b if b > 1e-9 else 1.0 for o, b in zip(ours, best, strict=True)])
        print(
            f"| {m} × {t} | {median(ours)} | {median(best)} | {ratio} | {median(times)} | {sum(proven)}/{len(proven)} |"
        )


def section_medium(seeds) -> None:
    print("\n## Medium organizations: ours (5 s) against CP-SAT (10 s) and chore-bot rules")
    print(
        "| members × tasks | ours | ours time (s) | CP-SAT 10 s from a heuristic start | CP-SAT 10 s cold "
        "| hardest→least loaded | round-robin | ours, nothing splittable |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for m, t in ((30, 120), (40, 160)):
        rows: dict[str, list[float]] = {k: [] for k in ("ours", "time", "warm", "cold", "chore", "rr", "nosplit")}
        for seed in seeds:
            tasks, members = instance(m, t, seed)
            plan = solve(Problem(tasks, members), time_limit=5, seed=seed)
            rows["ours"].append(plan.balance.spread_sum)
            rows["time"].append(plan.seconds)
            rows["warm"].append(cp_sat(tasks, members, 10, warm=True)[0])
            rows["cold"].append(cp_sat(tasks, members, 10, warm=False)[0])
            rows["chore"].append(hardest_to_least_loaded(tasks, members))
            rows["rr"].append(round_robin(tasks, members))
            whole = [replace(task, splittable=False) for task in tasks]
            rows["nosplit"].append(solve(Problem(whole, members), time_limit=5, seed=seed).balance.spread_sum)
        print(f"| {m} × {t} | " + " | ".join(str(median(rows[k])) for k in rows) + " |")


def run_one(m: int, t: int, limit: float, seed: int) -> dict:
    tasks, members = instance(m, t, seed)
    plan = solve(Problem(tasks, members), time_limit=limit, seed=seed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "spread_sum": plan.balance.spread_sum,
        "seconds": plan.seconds,
        "peak_mb": round(peak_mb),
        "baseline": hardest_to_least_loaded(tasks, members),
    }


def section_large() -> None:
    print("\n## Large organizations (one fresh process each)")
    print("| members × tasks | budget (s) | spread-sum | time (s) | peak memory (MB) | hardest→least loaded |")
    print("|---|---|---|---|---|---|")
    for m, t, limit in ((1000, 8000, 20), (2000, 20000, 60)):
        output = subprocess.run(
            [sys.executable, "-m", "bot.solver.bench", "--one", f"{m}x{t}x{limit}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(f"| {m} × {t} | {limit} | {r['spread_sum']} | {r['seconds']} | {r['peak_mb']} | {r['baseline']:.3f} |")


def simulate(tasks, members, weeks: int, *, memory: bool) -> dict:
    history: list[Held] = []
    published: list[Week] = []
    for week in range(1, weeks + 1):
        carry = carry_over(history, tasks, members) if memory else carry_over([], tasks, members)
        problem = Problem(tasks, members, past_load=carry.past_load, past_share=carry.past_share, spare=carry.spare)
        plan = solve(problem, time_limit=3, seed=0)
        label = f"2026-W{week:02d}"
        history += [Held(label, p.task, p.member, p.hours) for p in plan.pieces]
        published.append(Week(label, tasks, members, plan.pieces))
    result = rotation(published).to_dict()
    result["last_week_spread_sum"] = balance(tasks, members, published[-1].pieces).spread_sum
    return result


def section_rotation() -> None:
    print("\n## Rotation over 8 weeks (30 members × 120 tasks, 3 s a week)")
    print(
        "| solve | cumulative spread hours / unpleasantness / empowerment | longest unpleasant streak | week 8 alone |"
    )
    print("|---|---|---|---|")
    tasks, members = instance(30, 120, 0)
    for label, memory in (("with debt + no-repeat", True), ("memoryless", False)):
        r = simulate(tasks, members, 8, memory=memory)
        spread = " / ".join(f"{v:.3f}" for v in r["cumulative_spread"].values())
        print(f"| {label} | {spread} | {r['longest_unpleasant_streak']} | {r['last_week_spread_sum']:.3f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small and medium sizes, one seed")
    parser.add_argument("--only", choices=("small", "medium", "large", "rotation"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        m, t, limit = (float(x) for x in args.one.split("x"))
        print(json.dumps(run_one(int(m), int(t), limit, 0)))
        return 0
    seeds = range(1 if args.quick else args.seeds)
    started = time.perf_counter()
    sections = {
        "small": lambda: section_small(seeds),
        "medium": lambda: section_medium(seeds),
        "large": section_large,
        "rotation": section_rotation,
    }
    chosen = [args.only] if args.only else (["small", "medium"] if args.quick else list(sections))
    for name in chosen:
        sections[name]()
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
