"""Exact re-solving with OR-Tools CP-SAT: a whole small organization, or a small group of members.

The model counts how many ticks of each task each member takes (0, or between the shortest shift and
one slot's worth), scales every member's burden ratio x_md to integers, and minimises the sum over
dimensions of max_m x − min_m x. For a group, everyone outside it keeps their work and their ratios
enter the max and min as constants, so the group's best answer is the best for the whole rota.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model
from ortools.util.python import sorted_interval_list

from bot.domain.solver.search import State

SCALE = 100_000  # resolution of x in the integer model: 1e-5
HOURS_SCALE = 1000  # resolution of hours in the limit on members' hours
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
    grid = state.grid
    members = list(range(state.member_count)) if group is None else sorted(set(group))
    inside = np.zeros(state.member_count, dtype=bool)
    inside[members] = True
    pool: dict[int, int] = defaultdict(int)  # task -> ticks the group holds together
    for m in members:
        for t, ticks in state.held[m].items():
            pool[t] += ticks
    if not pool:
        return ExactResult(False, True, state.spread_sum())

    model = cp_model.CpModel()
    count: dict[tuple[int, int], cp_model.IntVar] = {}
    for t, ticks in pool.items():
        least, most = int(grid.least[t]), min(int(grid.most[t]), ticks)
        domain = sorted_interval_list.Domain.from_intervals([[0, 0], [least, most]] if least <= most else [[0, 0]])
        takers = []
        for m in members:
            if not state.static_ok(m, t):
                continue
            var = model.new_int_var_from_domain(domain, f"n_{t}_{m}")
            count[t, m] = var
            takers.append(var)
        if not takers:
            return ExactResult(False, False, state.spread_sum())
        model.add(sum(takers) == ticks)
    by_member: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (t, m), var in count.items():
        by_member[m].append((t, var))
    # No two shifts of one member overlap: at each shift's start, at most one of those running then.
    shifts = [t for t in pool if state.cols[t]]
    for t in shifts:
        running = [v for v in shifts if _runs_at(state, v, state.cols[t][0][0])]
        if len(running) > 1:
            for m in members:
                held = [count[v, m] for v in running if (v, m) in count]
                if len(held) > 1:
                    model.add(sum(held) <= 1)
    # Members' hours are a hard limit (when the work fits everyone's, see Problem.hours_cap); someone
    # already over keeps at most what they hold.
    limits = []
    if np.isfinite(state.cap).any():
        for m in members:
            terms = [int(round(HOURS_SCALE * grid.tick_hours[t])) * var for t, var in by_member[m]]
            if terms and np.isfinite(state.cap[m]):
                limits.append((sum(terms), state.cap[m], max(state.cap[m], state.load[m, 0])))
    # Within everyone's hours when that is possible (far above any balance in the objective); else
    # nobody further over than now.
    within = model.new_bool_var("within_hours")
    for total, cap, loose in limits:
        model.add(total <= int(np.floor(HOURS_SCALE * cap + 1e-6))).only_enforce_if(within)
        model.add(total <= int(np.floor(HOURS_SCALE * loose + 1e-6)))

    live = [d for d in range(3) if state.live[d]]
    objective_terms = []
    outside = ~inside
    for d in live:
        ratios = []
        for m in members:
            base = int(round(SCALE * state.offset[m, d] / state.denominator[m, d]))
            terms = [int(round(SCALE * grid.weight[t, d] / state.denominator[m, d])) * var for t, var in by_member[m]]
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
        # Bounds rather than an exact max/min: the same optimum, and a linear relaxation CP-SAT uses.
        for ratio in ratios_high:
            model.add(high >= ratio)
        for ratio in ratios_low:
            model.add(low <= ratio)
        objective_terms.append(high - low)
    outside_hours = 0 if not limits else 100 * SCALE * max(1, len(live)) * (1 - within)
    model.minimize(sum(objective_terms) + outside_hours)

    if hint:  # start from the current assignment
        for (t, m), var in count.items():
            model.add_hint(var, state.held[m].get(t, 0))

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
    previous = {(t, m): state.held[m][t] for m in members for t in list(state.held[m])}
    _apply(state, members, {key: solver.value(var) for key, var in count.items()})
    after = state.spread_sum()
    if after > before + 1e-9:  # rounding in the integer model can make it a hair worse: keep the old one
        _apply(state, members, previous)
        return ExactResult(False, status == cp_model.OPTIMAL, before)
    return ExactResult(after < before - 1e-9, status == cp_model.OPTIMAL, after)


def _apply(state: State, members: list[int], ticks: dict[tuple[int, int], int]) -> None:
    for m in members:
        for t in list(state.held[m]):
            state.set_ticks(t, m, 0)
    for (t, m), value in ticks.items():
        if value:
            state.set_ticks(t, m, int(value))


def _runs_at(state: State, t: int, column: int) -> bool:
    return any(a <= column < b for a, b in state.cols[t])
