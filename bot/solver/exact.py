"""Exact re-solving with OR-Tools CP-SAT: a whole small organization, or a small group of members.

The model counts how many units of each task each member takes (interchangeable units need no
symmetry breaking), scales every member's burden ratio x_md to integers, and minimises the sum over
dimensions of max_m x − min_m x. For a group, everyone outside it keeps their work and their ratios
enter the max and min as constants, so the group's best answer is the best for the whole rota.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from bot.solver.search import State

SCALE = 100_000  # resolution of x in the integer model: 1e-5
DETERMINISTIC_PER_SECOND = 0.25  # CP-SAT deterministic time per budgeted second (interleaved, 2 cores)


@dataclass(frozen=True)
class ExactResult:
    improved: bool
    optimal: bool
    objective: float  # spread-sum of the model (scaled back)


def resolve_group(
    state: State,
    group: list[int] | None,
    time_limit: float,
    *,
    seed: int = 0,
    workers: int = 1,
    hint: bool = True,
    wall_limit: float | None = None,
    deterministic: bool = True,
) -> ExactResult:
    """Re-divide the work of `group` (None: everyone) among its members, optimally within the time limit."""
    members = list(range(state.member_count)) if group is None else sorted(set(group))
    inside = np.zeros(state.member_count, dtype=bool)
    inside[members] = True
    units = state.units
    free = [u for m in members for u in state.units_of[m]]
    if not free:
        return ExactResult(False, True, state.spread_sum())
    by_task: dict[int, list[int]] = defaultdict(list)
    for u in free:
        by_task[int(units.task[u])].append(u)

    model = cp_model.CpModel()
    count: dict[tuple[int, int], cp_model.IntVar] = {}
    for t, task_units in by_task.items():
        cap = int(units.cap[t])
        spared = state.spared.get(t)
        takers = []
        for m in members:
            if not state.member_qualified[m, state.task_column[t]] or (spared is not None and spared[m]):
                continue
            var = model.new_int_var(0, min(cap, len(task_units)), f"n_{t}_{m}")
            count[t, m] = var
            takers.append(var)
        if not takers:
            return ExactResult(False, False, state.spread_sum())
        model.add(sum(takers) == len(task_units))

    live = [d for d in range(3) if state.live[d]]
    objective_terms = []
    outside = ~inside
    for d in live:
        ratios = []
        for m in members:
            base = int(round(SCALE * state.offset[m, d] / state.denominator[m, d]))
            terms = [
                int(round(SCALE * units.weight[by_task[t][0], d] / state.denominator[m, d])) * var
                for (t, mm), var in count.items()
                if mm == m
            ]
            ratios.append(base + sum(terms))
        upper = 10 * SCALE * (1 + int(np.ceil(state.x[:, d].max())))
        high = model.new_int_var(0, upper, f"max_{d}")
        low = model.new_int_var(0, upper, f"min_{d}")
        fixed = state.x[outside, d]
        if len(fixed):
            ratios_high = [*ratios, int(round(SCALE * fixed.max()))]
            ratios_low = [*ratios, int(round(SCALE * fixed.min()))]
        else:
            ratios_high = ratios_low = ratios
        model.add_max_equality(high, ratios_high)
        model.add_min_equality(low, ratios_low)
        objective_terms.append(high - low)
    model.minimize(sum(objective_terms))

    current: dict[tuple[int, int], int] = defaultdict(int)
    for u in free:
        current[int(units.task[u]), int(state.owner[u])] += 1
    if hint:  # start from the current assignment
        for key, var in count.items():
            model.add_hint(var, current.get(key, 0))

    solver = cp_model.CpSolver()
    # Interleaved search bounded by deterministic time gives the same answer on every run; the
    # wall-clock limit is only a safety net for a slow or busy machine.
    solver.parameters.num_workers = workers
    if deterministic:
        solver.parameters.interleave_search = workers > 1
        solver.parameters.max_deterministic_time = max(0.01, time_limit) * DETERMINISTIC_PER_SECOND
        solver.parameters.max_time_in_seconds = max(0.05, wall_limit if wall_limit is not None else 2 * time_limit)
    else:
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(False, False, state.spread_sum())

    before = state.spread_sum()
    previous = {u: int(state.owner[u]) for u in free}
    for u in free:
        state.unassign(u)
    for t, task_units in by_task.items():
        pool = list(task_units)
        for m in members:
            var = count.get((t, m))
            for _ in range(solver.value(var) if var is not None else 0):
                state.assign(pool.pop(), m)
    after = state.spread_sum()
    if after > before + 1e-9:  # rounding in the integer model can make it a hair worse: keep the old one
        for u in free:
            state.unassign(u)
        for u, m in previous.items():
            state.assign(u, m)
        return ExactResult(False, status == cp_model.OPTIMAL, before)
    return ExactResult(after < before - 1e-9, status == cp_model.OPTIMAL, after)


def extreme_group(state: State, size: int) -> list[int]:
    """The members at the max and min of each dimension, filled up with their best complements."""
    group: list[int] = []
    for d in range(3):
        if state.live[d]:
            for m in (int(np.argmax(state.x[:, d])), int(np.argmin(state.x[:, d]))):
                if m not in group:
                    group.append(m)
    deviation = state.x - 1.0
    pull = -deviation[group].sum(axis=0)  # what the group needs
    score = deviation @ pull
    score[group] = -np.inf
    for m in np.argsort(-score, kind="stable"):
        # Leave two places to random members, so repeated calls explore different groups.
        if len(group) >= size - 2 or not np.isfinite(score[m]):
            break
        group.append(int(m))
    extra = [m for m in range(state.member_count) if m not in group]
    state.rng.shuffle(extra)
    while len(group) < size and extra:
        group.append(extra.pop())
    return group[:size]
