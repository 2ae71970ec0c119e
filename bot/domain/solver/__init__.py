"""The job-complex solver: divide an organization's work into balanced job complexes.

`solve()` runs, within a time budget: a starting point that gives long indivisible tasks to the
members with room for them, local search (transfers of whole or partial pieces and swaps, focused on
the members furthest from their fair share), then either exact CP-SAT solving of the whole
organization when it is small, or iterated local search that kicks the members at the extremes out
of their local optimum. Among plans as balanced at the extremes it keeps the one where everyone is
closest to their share, and nobody ends with two pieces while someone who could take one has none.

Work at set times is handed out as shifts (model.Unit): a timed slot whole, or a splittable window
cut on its grid; every move keeps each shift inside its holder's availability and off their other
shifts. Members' hours are a hard limit when the week's work fits everyone's: the search walks
without it first, then whoever is over hands work on and the search goes on within it.

Given the same input, seed and time limit, a plan is the same on every run, unless the clock stops the
search first (a slow or busy machine; most organizations of more than a dozen members, whose search
uses the whole budget). Small organizations are solved by CP-SAT's parallel portfolio: the same
balance, when proven optimal, but possibly another of several equally balanced plans. The solver is
CPU-bound and blocking: the bot calls it in a worker, never on the event loop.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from bot.domain.solver.exact import resolve_group
from bot.domain.solver.metrics import Balance, balance
from bot.domain.solver.model import Grid, Member, Piece, Problem, ProblemError, Task
from bot.domain.solver.search import (
    State,
    Unplaced,
    extremes,
    greedy,
    hand_over,
    kick,
    local_search,
    shed_overload,
    spread_out,
)
from bot.i18n import Message, lazy_gettext, lazy_ngettext

__all__ = ["Member", "Piece", "Plan", "Problem", "ProblemError", "Task", "solve"]

WHOLE_EXACT_MEMBERS = 8  # CP-SAT can prove optimality on organizations about this small
WHOLE_EXACT_TASKS = 60
CP_SAT_OVERRUN = 0.1  # CP-SAT checks its clock now and then: it may run this much past its limit
KICKS_PER_SECOND = 1000
FREE_WALK_SHARE = 0.7  # of the budget and the kicks, searched before members' hours become a limit
KICK_POWER = 4.0  # the potential searched after a kick: steep enough to favour the extremes
DIRECTED_SHARE = 0.5  # of the kicks, those handing an extreme member's piece to whom it suits best
STALE_BEFORE_SHAKE = 80  # kicks in a row that found nothing better
SHAKES_WITHOUT_GAIN = 5
OTHER_SEED = 7919  # the forked search's seed, from the plan's own
OTHER_GRACE = 0.5  # seconds past the deadline the forked search's plan is waited for
# Shifts at set times leave the search fewer moves: it keeps shaking for longer before it stops.
TIMED_SHAKES_WITHOUT_GAIN = 40


@dataclass(frozen=True)
class Plan:
    pieces: list[Piece]
    balance: Balance
    seconds: float
    method: str
    optimal: bool
    overload: float  # how far the work exceeds everyone's hours (0.1 = everyone 10% over)
    # Members over their hours although the work fits everyone's: their tasks could not be split
    # otherwise (empty when the work exceeds everyone's hours: then `overload` says it).
    over_hours: tuple[str, ...] = ()


def solve(
    problem: Problem, *, time_limit: float = 5.0, seed: int = 0, kicks: int | None = None, workers: int = 1
) -> Plan:
    """The most balanced plan found within `time_limit` seconds.

    `kicks` bounds the iterated search by a number of rounds instead of the clock (by default the
    budget allows far more than the clock does): with a bound the clock never reaches, the same input
    and seed give the same plan on any machine. With `workers` = 2 a second process searches from the
    same start with another seed, on the other core, and the better plan is kept (the same plan for
    the same seed, as each search is)."""
    started = time.perf_counter()
    # Keep a few percent of the budget for turning ticks into pieces and measuring the balance.
    deadline = started + max(0.05, 0.97 * time_limit - 0.05)
    grid = Grid.from_problem(problem)
    state = State(problem, grid, seed=seed)
    if not problem.tasks:
        return _plan(problem, state, started, "empty", True)
    # Members' hours are a hard limit when the work fits (state.cap), but the search first walks
    # without it: a limit on every step blocks the way to good plans that keep it. Then whoever is
    # over hands work on, and the search goes on within the limit.
    cap, state.cap = state.cap, np.full(state.member_count, np.inf)
    try:
        greedy(state)
    except Unplaced as error:
        raise unplaced_error(state, error) from None
    small = state.member_count <= WHOLE_EXACT_MEMBERS and state.task_count <= WHOLE_EXACT_TASKS
    if small or state.member_count <= 2 or workers < 2:
        method, optimal = _search(state, cap, small, started, deadline, time_limit, kicks)
    else:
        method, optimal = _search_in_parallel(state, cap, started, deadline, time_limit, kicks, seed)
    return _plan(problem, state, started, method, optimal)


def _search(
    state: State,
    cap: np.ndarray,
    small: bool,
    started: float,
    deadline: float,
    time_limit: float,
    kicks: int | None,
) -> tuple[str, bool]:
    """From the greedy start to the final plan (within members' hours, spread out)."""
    local_search(state, started + (0.25 if small else 0.5) * (deadline - started), powers=(2.0,))
    _pull_in_extremes(state, started + (0.3 if small else 0.6) * (deadline - started))
    method, optimal = "greedy+local", False
    if small:
        state.cap = cap
        shed_overload(state)
        remaining = deadline - time.perf_counter() - CP_SAT_OVERRUN
        # CP-SAT's parallel portfolio proves small organizations optimal far sooner than its
        # deterministic mode; the balance it proves is the same on every run, though the plan may
        # be another among equally balanced ones.
        result = resolve_group(state, None, remaining, seed=state.seed, workers=2, deterministic=False)
        method, optimal = "greedy+local+cp-sat", result.optimal
    elif state.member_count > 2:
        rounds = kicks if kicks is not None else max(4, int(KICKS_PER_SECOND * time_limit))
        if np.isfinite(cap).any():
            free_walk = int(FREE_WALK_SHARE * rounds)
            _iterate(state, started + FREE_WALK_SHARE * (deadline - started), rounds=free_walk)
            state.cap = cap
            shed_overload(state)
            local_search(state, deadline, powers=(2.0,))
            rounds -= free_walk
        _iterate(state, deadline, rounds=rounds)
        method = "greedy+local+kicks"
    state.cap = cap
    shed_overload(state)
    if not optimal:
        _pull_in_extremes(state, deadline)
    spread_out(state)
    return method, optimal


def _quality(state: State) -> tuple[float, float, float]:
    """What makes one finished plan better than another: hours over the limit, spread, squares."""
    over = float(np.maximum(state.load[:, 0] - state.cap, 0.0).sum())
    return round(over, 6), round(state.spread_sum(), 9), round(state.squares(), 9)


def _search_in_parallel(
    state: State,
    cap: np.ndarray,
    started: float,
    deadline: float,
    time_limit: float,
    kicks: int | None,
    seed: int,
) -> tuple[str, bool]:
    """The search twice from the same start: here, and in a forked process with another seed; the
    better plan is kept (ours on a tie). Where processes cannot be forked, or the other one fails or
    is late, it is our own."""
    if not hasattr(os, "fork"):  # pragma: no cover - every platform the bot runs on forks
        return _search(state, cap, False, started, deadline, time_limit, kicks)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the other search: its plan back through the pipe, nothing else
        code = 1
        try:
            os.close(read)
            state.reseed(seed + OTHER_SEED)
            _search(state, cap, False, started, deadline, time_limit, kicks)
            data = pickle.dumps((_quality(state), state.snapshot()), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    method, optimal = _search(state, cap, False, started, deadline, time_limit, kicks)
    other = _receive(read, child, deadline + OTHER_GRACE)
    if other is not None:
        quality, holders = other
        if quality < _quality(state):
            state.restore(holders)
            method += " (2 processes)"
    return method, optimal


def _receive(read: int, child: int, until: float) -> tuple | None:
    """The forked search's result, if it comes before `until`; the process is reaped either way."""
    chunks: list[bytes] = []
    try:
        while True:
            wait = until - time.perf_counter()
            ready, _, _ = select.select([read], [], [], max(0.0, wait))
            if not ready:
                break
            chunk = os.read(read, 1 << 20)
            if not chunk:
                return pickle.loads(b"".join(chunks)) if chunks else None
            chunks.append(chunk)
        return None
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    finally:
        os.close(read)
        try:
            if os.waitpid(child, os.WNOHANG) == (0, 0):
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
        except ChildProcessError:
            pass


def _iterate(state: State, deadline: float, *, rounds: int) -> None:
    """Iterated local search: kick one extreme member (and one other) out of their local optimum (half
    the time the extreme member's piece goes to whom it suits best, else anywhere), search again on
    the steep potential, keep the result unless the spread-sum went up (ties are
    kept: that lets the search walk along plateaus of equal spread). When kicks stop helping, a
    quarter of the members are shaken at once and the walk goes on from there; the best plan seen
    is the one returned.

    The number of rounds is fixed by the budget, not the clock, so that a plan does not depend on how
    fast the machine is (the clock only stops a search that would overrun)."""
    best = current = state.spread_sum()
    best_squares = state.squares()
    best_plan = walk = state.snapshot()
    stale = shakes = 0  # kicks since the walk last improved; shakes since the best last improved
    for _ in range(rounds):
        if time.perf_counter() >= deadline:
            break
        if stale >= STALE_BEFORE_SHAKE:
            shakes += 1
            # Converged: what is left of the budget would change nothing.
            if shakes > (TIMED_SHAKES_WITHOUT_GAIN if state.problem.timed else SHAKES_WITHOUT_GAIN):
                break
            kick(state, state.rng.sample(range(state.member_count), max(2, state.member_count // 4)))
            local_search(state, deadline, powers=(2.0, KICK_POWER))
            current, walk, stale = state.spread_sum(), state.snapshot(), 0
            continue
        extreme, other = state.rng.choice(extremes(state)), state.rng.randrange(state.member_count)
        if state.rng.random() < DIRECTED_SHARE and hand_over(state, extreme):
            kick(state, [other])
        else:
            kick(state, [extreme, other])
        local_search(state, deadline, powers=(KICK_POWER,))
        spread = state.spread_sum()
        if spread <= current + 1e-12:
            stale = 0 if spread < current - 1e-9 else stale + 1
            current, walk = spread, state.snapshot()
            if spread < best - 1e-9:
                best, best_plan, shakes, best_squares = spread, walk, 0, state.squares()
            elif spread <= best + 1e-9 and (squares := state.squares()) < best_squares - 1e-9:
                # As balanced at the extremes, and everyone in between is closer to their share.
                best, best_plan, best_squares = min(best, spread), walk, squares
        else:
            state.restore(walk)
            stale += 1
    state.restore(best_plan)


def _pull_in_extremes(state: State, deadline: float) -> None:
    """Local search on a steep potential; kept only if the spread-sum really went down."""
    if time.perf_counter() >= deadline:
        return
    before, holders = state.spread_sum(), state.snapshot()
    local_search(state, deadline, powers=(8.0,))
    if state.spread_sum() > before:
        state.restore(holders)


def pieces_of(state: State) -> list[Piece]:
    """Each member's holding of each task as one piece, with exact hours; a timed task's shifts held
    by one member back to back as one piece. Sorted by task, member and time."""
    tasks, members = state.problem.tasks, state.problem.active
    flexible: list[Piece] = []
    shifts: dict[tuple[int, int, int], list[tuple[int, int, Decimal]]] = {}  # (task, member, day) -> spans
    for t, holders in enumerate(state.holders):
        unit = state.units[t]
        for m, ticks in holders.items():
            if unit.day is None or unit.start is None or unit.end is None:
                flexible.append(Piece(tasks[unit.origin].name, members[m].name, state.grid.piece_hours(t, ticks)))
            else:
                hours = unit.hours_exact if unit.hours_exact is not None else Decimal(unit.end - unit.start) / 60
                shifts.setdefault((unit.origin, m, unit.day), []).append((unit.start, unit.end, hours))
    timed = []
    for (origin, m, day), spans in shifts.items():
        spans.sort()
        merged = [list(spans[0])]
        for start, end, hours in spans[1:]:
            if start == merged[-1][1]:
                merged[-1][1], merged[-1][2] = end, merged[-1][2] + hours
            else:
                merged.append([start, end, hours])
        for start, end, hours in merged:
            timed.append(Piece(tasks[origin].name, members[m].name, float(hours), day, int(start), int(end)))
    return sorted(
        flexible + timed,
        key=lambda piece: (piece.task, piece.member, piece.day or 0, piece.start or 0),
    )


def unplaced_error(state: State, error: Unplaced) -> ProblemError:
    """Why shifts could not be given to anyone: everyone who could is on another shift then."""
    from bot.domain.solver.timed import Refusal, format_span, joined

    problems: list[str] = []
    at, seen = [], set()
    names = [m.name for m in state.problem.active]
    for t, missing in error.shifts:
        unit = state.units[t]
        if (unit.origin, unit.day) in seen or unit.span is None:
            continue
        seen.add((unit.origin, unit.day))
        able = [int(m) for m in np.flatnonzero(state.member_qualified[:, state.task_column[t]])]
        busy: list[Message | str] = []
        for m in able[:4]:
            clash = [v for v in state.held[m] if state.units[v].span is not None and v != t and _overlap(state, v, t)]
            if clash:
                other = state.units[clash[0]]
                span = format_span(*other.span)  # type: ignore[misc]
                busy.append(
                    lazy_gettext(
                        "{member} has {task} {span}", member=names[m], task=repr(state.tasks[clash[0]].name), span=span
                    )
                )
        why: Message = joined(busy) if busy else lazy_gettext("their shifts overlap")
        if len(able) > 4:
            why = lazy_gettext("{reasons}, and {count} more", reasons=why, count=len(able) - 4)
        problems.append(
            Refusal(
                lazy_ngettext(
                    "task {task} on {span}: {count} more people needed, but all {able} who could take it are on "
                    "other shifts then ({reasons}); move one of those tasks, or widen someone's availability",
                    "task {task} on {span}: {count} more people needed, but all {able} who could take it are on "
                    "other shifts then ({reasons}); move one of those tasks, or widen someone's availability",
                    missing,
                    task=repr(state.tasks[t].name),
                    span=format_span(*unit.span),
                    able=len(able),
                    reasons=why,
                )
            )
        )
        at.append(unit.origin)
    return ProblemError(problems, tasks=at)


def _overlap(state: State, v: int, t: int) -> bool:
    return any(a < d and c < b for a, b in state.cols[v] for c, d in state.cols[t])


def _plan(problem: Problem, state: State, started: float, method: str, optimal: bool) -> Plan:
    pieces = pieces_of(state)
    return Plan(
        pieces=pieces,
        balance=balance(problem.tasks, problem.members, pieces),
        seconds=round(time.perf_counter() - started, 3),
        method=method,
        optimal=optimal,
        overload=round(problem.overload(), 4),
        over_hours=tuple(
            m.name for m, hours in zip(problem.active, state.load[:, 0], strict=True) if hours > m.hours + 1e-6
        )
        if problem.hours_cap()
        else (),
    )
