"""The job-complex solver: divide an organization's work into balanced job complexes.

`solve()` runs, within a time budget: a greedy construction, local search (moves and swaps focused on
the worst-off members), then exact CP-SAT re-solving: of the whole organization when it is small,
else of small groups around the members at the extremes.

Given the same input, seed and time limit, a plan is the same on every run, unless the clock stops the
search first (a slow or busy machine; large organizations, whose local search uses the whole budget).
Small organizations are solved by CP-SAT's parallel portfolio: the same balance, when proven optimal,
but possibly another of several equally balanced plans. The solver is CPU-bound and blocking: the bot
calls it in a worker, never on the event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.solver.exact import extreme_group, resolve_group
from bot.solver.metrics import Balance, balance
from bot.solver.model import Member, Piece, Problem, ProblemError, Task, Units, pieces_from
from bot.solver.search import State, greedy, local_search

__all__ = ["Member", "Piece", "Plan", "Problem", "ProblemError", "Task", "solve"]

WHOLE_EXACT_MEMBERS = 8  # CP-SAT can prove optimality on organizations about this small
WHOLE_EXACT_UNITS = 200
GROUP_SIZE = 7
GROUP_TIME = 0.4
GROUP_ROUNDS_PER_SECOND = 1.2
MAX_STALE_GROUPS = 12


@dataclass(frozen=True)
class Plan:
    pieces: list[Piece]
    balance: Balance
    seconds: float
    method: str
    optimal: bool
    overload: float  # how far the work exceeds everyone's hours (0.1 = everyone 10% over)


def solve(problem: Problem, *, time_limit: float = 5.0, seed: int = 0) -> Plan:
    started = time.perf_counter()
    # Keep a few percent of the budget for turning units into pieces and measuring the balance.
    deadline = started + max(0.05, 0.97 * time_limit - 0.05)
    units = Units.from_tasks(problem.tasks)
    state = State(problem, units, seed=seed)
    if not len(units):
        return _plan(problem, units, state, started, "empty", True)
    greedy(state)
    method, optimal = "greedy", False
    small = state.member_count <= WHOLE_EXACT_MEMBERS and len(units) <= WHOLE_EXACT_UNITS
    # Local search gets most of the budget on big organizations and a slice on small ones.
    local_search(state, started + (0.25 if small else 0.6) * (deadline - started), powers=(2.0,))
    _pull_in_extremes(state, started + (0.3 if small else 0.7) * (deadline - started))
    method = "greedy+local"
    if small:
        remaining = deadline - time.perf_counter()
        # CP-SAT's parallel portfolio proves small organizations optimal far sooner than its
        # deterministic mode; the balance it proves is the same on every run, though the plan may
        # be another among equally balanced ones.
        result = resolve_group(state, None, remaining, seed=seed, workers=2, deterministic=False)
        method, optimal = "greedy+local+cp-sat", result.optimal
    elif state.member_count > 2:
        # A number of group re-solves fixed by the budget, not by the clock, so that a plan does not
        # depend on how fast the machine is (the clock only stops a search that would overrun).
        stale = 0
        for _ in range(max(2, int(GROUP_ROUNDS_PER_SECOND * time_limit))):
            remaining = deadline - time.perf_counter()
            if remaining < 0.1 or stale >= MAX_STALE_GROUPS:
                break
            group = extreme_group(state, min(GROUP_SIZE, state.member_count))
            result = resolve_group(
                state, group, GROUP_TIME, seed=seed, workers=2, wall_limit=min(remaining, 4 * GROUP_TIME)
            )
            stale = 0 if result.improved else stale + 1
        method = "greedy+local+cp-sat groups"
    if not optimal:
        _pull_in_extremes(state, deadline)
    return _plan(problem, units, state, started, method, optimal)


def _pull_in_extremes(state: State, deadline: float) -> None:
    """Local search on a steep potential; kept only if the spread-sum really went down."""
    if time.perf_counter() >= deadline:
        return
    before, owner = state.spread_sum(), state.owner.copy()
    local_search(state, deadline, powers=(8.0,))
    if state.spread_sum() > before:
        state.load_owner(owner)


def _plan(problem: Problem, units: Units, state: State, started: float, method: str, optimal: bool) -> Plan:
    pieces = pieces_from(units, state.owner, problem.tasks, problem.active)
    return Plan(
        pieces=pieces,
        balance=balance(problem.tasks, problem.members, pieces),
        seconds=round(time.perf_counter() - started, 3),
        method=method,
        optimal=optimal,
        overload=round(problem.overload(), 4),
    )
