"""How balanced an organization can be at best: lower bounds on the spread-sum, for the benchmark.

Three bounds, each valid alone, the largest is reported:
- the linear relaxation: every task may be shared out in any fractions (so a scarce qualification
  whose holders must carry one kind of work shows up, but the lumpiness of tasks does not). Work at
  set times enters with its clock: a share of a shift only for members available for it, and at every
  instant of the week a member holds at most one shift in all (fractions adding up to at most 1). A
  splittable window is cut for this at every point where any shift or anyone's window begins or
  ends, so a member available for part of a window may take that part (the solver's own cut of the
  window does not limit the bound);
- the long-task bound: an indivisible task (or a whole shift) must go to some qualified member who
  is available then, and whoever takes it holds at least that much; since someone is always at or
  under their fair share (x ≤ 1), the spread-sum is at least the smallest overshoot (summed over the
  dimensions) any such member would have;
- branching: the relaxation again, with the few most forcing indivisible tasks given whole to each
  possible holder in turn; the lowest of those is a bound (someone holds the task), and it sees what
  the relaxation alone does not: a long task's holder must then carry little else.
OR-Tools' GLOP solves the linear program (no extra dependency).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from bot.domain.solver.model import Grid, Problem, Task
from bot.domain.solver.search import State
from bot.domain.solver.timed import WEEK_MINUTES


def _spans(starts: int, length: int) -> list[tuple[int, int]]:
    """A week-minute span [a, a + length) as pieces inside the week (past Sunday: Monday)."""
    a = starts % WEEK_MINUTES
    b = a + length
    return [(a, b)] if b <= WEEK_MINUTES else [(a, WEEK_MINUTES), (0, b - WEEK_MINUTES)]


def _available(windows: tuple[tuple[int, int], ...] | None, spans: list[tuple[int, int]]) -> bool:
    if windows is None:
        return True
    return all(any(u <= a and b <= v for u, v in windows) for a, b in spans)


def relaxation_bound(problem: Problem, time_limit: float = 60.0) -> float | None:
    """The spread-sum of the best fractional division of the work (None if the LP did not finish)."""
    built = _relaxation(problem, time_limit)
    return None if built is None else _solve(built[0])


def _solve(solver: pywraplp.Solver) -> float | None:
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return max(0.0, solver.Objective().Value())


# An indivisible slot of a task held by one person, (task, day or None): each taker's share of it.
Slots = dict[tuple[int, int | None], dict[int, pywraplp.Variable]]


def _relaxation(problem: Problem, time_limit: float) -> tuple[pywraplp.Solver, Slots] | None:
    state = State(problem, Grid.from_problem(problem))
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        return None
    solver.SetTimeLimit(max(1, int(1000 * time_limit)))
    slots: Slots = {}
    active = problem.active
    count = len(active)
    qualified = np.array(
        [[t.qualification is None or t.qualification in m.qualifications for t in problem.tasks] for m in active],
        dtype=bool,
    ).reshape(count, len(problem.tasks))
    # Burden per member: (hours variable, burden per hour of its task).
    burden: list[list[tuple[pywraplp.Variable, Task]]] = [[] for _ in range(count)]
    # At each instant a member holds at most one shift: (member, elementary segment) -> share held.
    running: dict[tuple[int, int], list] = defaultdict(list)
    timed = [t for t in problem.tasks if t.timed and t.start is not None]
    cuts = {0, WEEK_MINUTES}
    for task in timed:
        length = round(task.hours * 60)
        for day in task.day:
            for a, b in _spans(day * 1440 + task.start, length):  # type: ignore[operator]
                cuts.update((a, b))
    for member in active:
        for a, b in member.windows or ():
            cuts.update((a, b))
    edges = np.array(sorted(cuts))

    def segments(a: int, b: int) -> range:
        return range(int(np.searchsorted(edges, a)), int(np.searchsorted(edges, b)))

    for i, task in enumerate(problem.tasks):
        takers = [m for m in range(count) if qualified[m, i]]
        if not task.timed or task.start is None:
            shares = []
            for m in takers:
                var = solver.NumVar(0.0, task.hours, "")
                burden[m].append((var, task))
                shares.append(var)
                if not task.splittable and task.slots == 1:
                    slots.setdefault((i, None), {})[m] = var
            solver.Add(solver.Sum(shares) == task.total_hours)
            continue
        length = round(task.hours * 60)
        for day in task.day:
            spans = _spans(day * 1440 + task.start, length)
            if not task.splittable:  # each slot whole: a share of the whole shift
                shares = []
                for m in takers:
                    if not _available(active[m].windows, spans):
                        continue
                    var = solver.NumVar(0.0, task.hours, "")
                    burden[m].append((var, task))
                    shares.append(var)
                    if task.slots == 1:
                        slots.setdefault((i, day), {})[m] = var
                    for a, b in spans:
                        for g in segments(a, b):
                            running[m, g].append(var * (1.0 / task.hours))
                solver.Add(solver.Sum(shares) == task.total_hours / task.occurrences)
                continue
            for a, b in spans:
                for g in segments(a, b):
                    hours = (edges[g + 1] - edges[g]) / 60
                    piece = [(int(edges[g]), int(edges[g + 1]))]
                    shares = []
                    for m in takers:
                        if not _available(active[m].windows, piece):
                            continue
                        var = solver.NumVar(0.0, hours, "")
                        burden[m].append((var, task))
                        shares.append(var)
                        running[m, g].append(var * (1.0 / hours))
                    solver.Add(solver.Sum(shares) == hours * task.slots)
    for shares in running.values():
        if len(shares) > 1:
            solver.Add(solver.Sum(shares) <= 1.0)
    spread = []
    for d in np.flatnonzero(state.live):
        high, low = solver.NumVar(0.0, solver.infinity(), ""), solver.NumVar(0.0, solver.infinity(), "")
        for m in range(count):
            scale = 1.0 / state.denominator[m, d]
            terms = [var * (task.burden_per_hour()[d] * scale) for var, task in burden[m]]
            ratio = state.offset[m, d] * scale + solver.Sum(terms)
            solver.Add(ratio <= high)
            solver.Add(ratio >= low)
        spread.append(high - low)
    solver.Minimize(solver.Sum(spread))
    return solver, slots


def _overshoots(problem: Problem) -> dict[tuple[int, int | None], dict[int, float]]:
    """For each indivisible slot, each possible holder's Σ over dimensions of how far the slot alone
    puts them over their fair share."""
    state = State(problem, Grid.from_problem(problem))
    found: dict[tuple[int, int | None], dict[int, float]] = {}
    for t, unit in enumerate(state.units):
        # A splittable window's shifts are the solver's cut, not the rule: anyone may hold less.
        if problem.tasks[unit.origin].splittable:
            continue
        takers = np.flatnonzero(state.member_qualified[:, state.task_column[t]])
        x = (state.offset[takers] + state.grid.weight[t]) / state.denominator[takers]
        over = (np.maximum(x - 1.0, 0.0) * state.live).sum(axis=1)
        found[unit.origin, unit.day] = {int(m): float(o) for m, o in zip(takers, over, strict=True)}
    return found


def long_task_bound(problem: Problem) -> float:
    """The overshoot the worst-placed indivisible task forces on whoever takes it at best."""
    return max((min(over.values()) for over in _overshoots(problem).values() if over), default=0.0)


def branching_bound(problem: Problem, time_limit: float = 60.0, *, tasks: int = 3) -> float | None:
    """The relaxation, with each of the `tasks` longest-forcing indivisible slots given whole to each
    of its possible holders in turn: the best of those relaxations bounds every plan (someone holds
    the slot), and it sees a long task's holder carrying little else, in every dimension at once.
    Holders whose overshoot alone exceeds the best found are skipped (their relaxation is no lower)."""
    built = _relaxation(problem, time_limit)
    if built is None:
        return None
    solver, slots = built
    best = _solve(solver)
    if best is None:
        return None
    forcing = sorted(
        ((min(over.values()), key, over) for key, over in _overshoots(problem).items() if over and key in slots),
        key=lambda item: -item[0],
    )
    for _, key, over in forcing[:tasks]:
        least = np.inf  # the best relaxation with this slot held whole by someone
        for m, alone in sorted(over.items(), key=lambda item: item[1]):
            if alone >= least or least <= best:
                break
            var = slots[key].get(m)
            if var is None:
                continue
            hours = var.ub()
            var.SetLb(hours)
            value = _solve(solver)
            var.SetLb(0.0)
            if value is None:
                return best
            least = min(least, value)
        if np.isfinite(least):
            best = max(best, least)
    return best


def lower_bound(problem: Problem, time_limit: float = 60.0) -> float:
    relaxed = branching_bound(problem, time_limit)
    return max(relaxed or 0.0, long_task_bound(problem))
