"""The job-complex solver: divide an organization's work into balanced job complexes.

`solve()` runs, within a time budget: a greedy construction, local search (moves and swaps focused on
the worst-off members), then exact CP-SAT re-solving — of the whole organization when it is small,
else of small groups around the members at the extremes. Given the same input and seed, the result
is the same unless the time budget cuts the search short. It is CPU-bound and blocking: the bot calls
it in a worker process or thread, never on the event loop.
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
    deadline = started + max(0.05, time_limit)
    units = Units.from_tasks(problem.tasks)
    state = State(problem, units, seed=seed)
    if not len(units):
        return _plan(problem, units, state, started, "empty", True)
    greedy(state)
    method, optimal = "greedy", False
    small = state.member_count <= WHOLE_EXACT_MEMBERS and len(units) <= WHOLE_EXACT_UNITS * 4
    # Local search gets most of the budget on big organizations and a slice on small ones.
    share = 0.25 if small else 0.6
    local_search(state, started + share * (deadline - started), powers=(2.0,))
    method = "greedy+local"
    if small:
        result = resolve_group(state, None, deadline - time.perf_counter(), seed=seed, workers=2)
        method, optimal = "greedy+local+cp-sat", result.optimal
    elif state.member_count > 2:
        stale = 0
        while time.perf_counter() + GROUP_TIME < deadline and stale < 40:
            group = extreme_group(state, min(GROUP_SIZE, state.member_count))
            result = resolve_group(state, group, GROUP_TIME, seed=seed, workers=2)
            stale = 0 if result.improved else stale + 1
        method = "greedy+local+cp-sat groups"
    if time.perf_counter() < deadline:
        local_search(state, deadline, powers=(8.0,))
    return _plan(problem, units, state, started, method, optimal)


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
