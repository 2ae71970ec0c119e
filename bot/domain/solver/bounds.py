"""How balanced an organization can be at best: lower bounds on the spread-sum, for the benchmark.

Two bounds, each valid alone, the larger is reported:
- the linear relaxation: every task may be shared out in any fractions (so a scarce qualification
  whose holders must carry one kind of work shows up, but the lumpiness of tasks does not);
- the long-task bound: an indivisible task must go to some qualified member, and whoever takes it
  holds at least that much; since someone is always at or under their fair share (x ≤ 1), each
  dimension's spread is at least the smallest overshoot any qualified member would have.
OR-Tools' GLOP solves the linear program (no extra dependency).
"""

from __future__ import annotations

import numpy as np
from ortools.linear_solver import pywraplp

from bot.domain.solver.model import Grid, Problem
from bot.domain.solver.search import State


def relaxation_bound(problem: Problem, time_limit: float = 60.0) -> float | None:
    """The spread-sum of the best fractional division of the work (None if the LP did not finish)."""
    state = State(problem, Grid.from_problem(problem))
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        return None
    solver.SetTimeLimit(max(1, int(1000 * time_limit)))
    burden: list[list[tuple[int, pywraplp.Variable]]] = [[] for _ in range(state.member_count)]
    for t, task in enumerate(state.tasks):
        takers = []
        for m in np.flatnonzero(state.member_qualified[:, state.task_column[t]]):
            var = solver.NumVar(0.0, task.hours, "")
            burden[int(m)].append((t, var))
            takers.append(var)
        solver.Add(solver.Sum(takers) == task.total_hours)
    per_hour = state.grid.weight / state.grid.tick_hours[:, None]
    spread = []
    for d in np.flatnonzero(state.live):
        high, low = solver.NumVar(0.0, solver.infinity(), ""), solver.NumVar(0.0, solver.infinity(), "")
        for m in range(state.member_count):
            scale = 1.0 / state.denominator[m, d]
            ratio = state.offset[m, d] * scale + solver.Sum([var * (per_hour[t, d] * scale) for t, var in burden[m]])
            solver.Add(ratio <= high)
            solver.Add(ratio >= low)
        spread.append(high - low)
    solver.Minimize(solver.Sum(spread))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return max(0.0, solver.Objective().Value())


def long_task_bound(problem: Problem) -> float:
    """Σ over dimensions of the least overshoot that the worst-placed indivisible task forces."""
    state = State(problem, Grid.from_problem(problem))
    worst = np.zeros(3)
    for t, task in enumerate(state.tasks):
        if task.splittable:
            continue
        takers = state.member_qualified[:, state.task_column[t]]
        x = (state.offset[takers] + state.grid.weight[t]) / state.denominator[takers]
        worst = np.maximum(worst, x.min(axis=0) - 1.0)
    return float((np.maximum(worst, 0.0) * state.live).sum())


def lower_bound(problem: Problem, time_limit: float = 60.0) -> float:
    relaxed = relaxation_bound(problem, time_limit)
    return max(relaxed or 0.0, long_task_bound(problem))
