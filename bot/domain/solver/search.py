"""Greedy construction and local search over who holds how many ticks of each task, vectorised with numpy.

The search minimises a potential Φ = Σ_m Σ_d |x_md − 1|^p over members m and dimensions d, where
x_md = (past_md + load_md) / (past_share_md + share_md) is the member's (cumulative) burden against
their fair share. p = 2 spreads the work evenly; a phase with a high p pulls in the extremes, which is
what the max − min spread measures.

A move hands some ticks of one task from one member to another: a whole indivisible task (a slot),
a whole piece of a splittable one, or part of it (the amount chosen to balance both members best, on
the granularity grid, never leaving a piece shorter than the task's shortest shift). A swap exchanges
two members' pieces of two tasks. A shift at a set time moves only whole, and only to a member who
is available then and free of other shifts (`State.busy`); nobody takes on more than their hours
(`State.cap`) when the work fits everyone's.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

import numpy as np

from bot.domain.solver.model import Grid, Problem

EPS = 1e-12
PARTNERS = 24  # members whose deviation best complements the focused member's, for swaps
RANDOM_PARTNERS = 8
SWAPS_TRIED = 16
FOCUS = 0.05  # members whose potential is below this share of the worst one's are left alone


class State:
    """An assignment of ticks of tasks to active members, with the loads kept up to date."""

    def __init__(self, problem: Problem, grid: Grid, seed: int = 0) -> None:
        self.problem = problem
        self.grid = grid
        self.seed = seed
        self.rng = random.Random(seed)
        active = problem.active
        self.member_count = m_count = len(active)
        # What is handed out: flexible tasks as they are, timed tasks as their shifts (model.Unit).
        self.units = problem.units
        self.tasks = problem.unit_tasks
        self.task_count = len(self.tasks)
        index = {m.name: i for i, m in enumerate(active)}

        past_load = np.zeros((m_count, 3))
        past_share = np.zeros((m_count, 3))
        for name, vector in problem.past_load.items():
            if name in index:
                past_load[index[name]] = vector
        for name, vector in problem.past_share.items():
            if name in index:
                past_share[index[name]] = vector
        denominator = problem.fair_shares() + past_share
        # A dimension nobody has a share of (no empowering work at all, say) cannot be unbalanced.
        self.live = (denominator > EPS).any(axis=0).astype(float)
        self.all_live = bool(self.live.all())
        self.denominator = np.where(denominator > EPS, denominator, 1.0)
        self.offset = past_load
        self.load = np.zeros((m_count, 3))
        self.holders: list[dict[int, int]] = [{} for _ in range(self.task_count)]  # task -> member -> ticks
        self.held: list[dict[int, int]] = [{} for _ in range(m_count)]  # member -> task -> ticks
        # Each member's pieces as arrays (tasks, ticks) for the swap search, rebuilt only after they change.
        self._pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = [None] * m_count

        # Eligibility: qualification columns, plus a last column for "no qualification needed", plus
        # a column for each qualification and time of a shift (qualified and available then).
        qualifications = sorted({t.qualification for t in self.tasks if t.qualification})
        column = {q: i for i, q in enumerate(qualifications)}
        qualified = np.ones((m_count, len(qualifications) + 1), dtype=bool)
        for i, member in enumerate(active):
            for q, c in column.items():
                qualified[i, c] = q in member.qualifications
        task_column = [column[t.qualification] if t.qualification else len(qualifications) for t in self.tasks]
        shift_columns: dict[tuple[int, tuple[int, int] | None], int] = {}
        extra: list[int] = []
        for t, unit in enumerate(self.units):
            if unit.span is None or problem.available[:, t].all():
                continue
            key = (task_column[t], unit.span)
            if key not in shift_columns:
                shift_columns[key] = qualified.shape[1] + len(extra)
                extra.append(t)
            task_column[t] = shift_columns[key]
        if extra:
            base = np.array(
                [
                    column[self.tasks[t].qualification] if self.tasks[t].qualification else len(qualifications)
                    for t in extra
                ]
            )
            qualified = np.concatenate([qualified, qualified[:, base] & problem.available[:, extra]], axis=1)
        self.member_qualified = qualified
        self.task_column = np.array(task_column, dtype=np.int64)
        self._init_clock()
        # Members' hours are a hard limit when the work fits them all (see Problem.hours_cap).
        hours = np.array([m.hours for m in active], dtype=float)
        self.cap = hours + 1e-9 if problem.hours_cap() else np.full(m_count, np.inf)
        # Members to spare on a task (they carried it, unpleasant, last week), when enough others can.
        self.spared: dict[int, np.ndarray] = {}
        for t, task in enumerate(self.tasks):
            names = problem.spare.get(task.name)
            if not names:
                continue
            mask = np.zeros(m_count, dtype=bool)
            for name in names:
                if name in index:
                    mask[index[name]] = True
            eligible = self.member_qualified[:, self.task_column[t]]
            if (eligible & ~mask).sum() >= task.slots:
                self.spared[t] = mask
        self.p = 2.0
        self._refresh()

    def reseed(self, seed: int) -> None:
        """Another seed for the rest of the search (a second search from the same start)."""
        self.seed = seed
        self.rng = random.Random(seed)

    # -- time: who is busy when --------------------------------------------------------------------

    def _init_clock(self) -> None:
        """Each shift's columns on a week clock fine enough for every shift's ends, and each member's
        busy columns: two shifts of one member never overlap."""
        spans = [unit.span for unit in self.units]
        ends = [v for span in spans if span is not None for v in span]
        self.timed = np.array([span is not None for span in spans], dtype=bool)
        self.cols: list[tuple[tuple[int, int], ...]] = [() for _ in spans]
        if not ends:
            self.busy = np.zeros((self.member_count, 0), dtype=np.int16)
            return
        week = 7 * 1440
        step = math.gcd(week, *ends)
        width = week // step
        self.busy = np.zeros((self.member_count, width), dtype=np.int16)
        for t, span in enumerate(spans):
            if span is None:
                continue
            a, b = span[0] // step, span[1] // step
            a, b = a % width, a % width + (b - a)
            self.cols[t] = ((a, b),) if b <= width else ((a, width), (0, b - width))

    def free(self, t: int) -> np.ndarray:
        """Members with no shift overlapping task t's time (everyone, for a flexible task)."""
        ok = np.ones(self.member_count, dtype=bool)
        for a, b in self.cols[t]:
            ok &= ~self.busy[:, a:b].any(axis=1)
        return ok

    def is_free(self, member: int, t: int) -> bool:
        return not any(self.busy[member, a:b].any() for a, b in self.cols[t])

    def may_swap(self, a: int, t: int, b: int, v: int) -> bool:
        """Whether a may hand its piece of t to b and take b's piece of v (shifts at the same time
        may change hands: each is free once the other is gone)."""
        if not (self.static_ok(b, t) and self.static_ok(a, v)):
            return False
        if not (self.cols[t] or self.cols[v]):
            return True
        for a_, b_ in self.cols[t]:
            self.busy[a, a_:b_] -= 1
        for a_, b_ in self.cols[v]:
            self.busy[b, a_:b_] -= 1
        ok = self.is_free(b, t) and self.is_free(a, v)
        for a_, b_ in self.cols[t]:
            self.busy[a, a_:b_] += 1
        for a_, b_ in self.cols[v]:
            self.busy[b, a_:b_] += 1
        return ok

    def static_ok(self, member: int, t: int) -> bool:
        """Qualified, available then, and not spared (whatever else the member holds)."""
        if not self.member_qualified[member, self.task_column[t]]:
            return False
        spared = self.spared.get(t)
        return spared is None or not spared[member]

    def fits(self, member: int, hours: float) -> bool:
        """Whether the member may take on `hours` more (a member already over may still give work away)."""
        return bool(self.load[member, 0] + hours <= self.cap[member])

    # -- the potential -------------------------------------------------------------------------

    def _refresh(self) -> None:
        self.x = (self.offset + self.load) / self.denominator
        self.potential = self._phi(self.x)

    def _phi(self, x: np.ndarray) -> np.ndarray:
        squared = x - 1.0
        squared *= squared
        if self.p == 2.0:
            powered = squared
        elif self.p == 4.0:
            powered = squared * squared
        elif self.p == 8.0:  # repeated squaring: several times faster than a float power
            powered = squared * squared
            powered *= powered
        else:
            powered = squared ** (self.p / 2)
        if not self.all_live:
            powered *= self.live
        return powered.sum(axis=-1)

    def set_power(self, p: float) -> None:
        self.p = p
        self.potential = self._phi(self.x)

    def spread_sum(self) -> float:
        return float(((self.x.max(axis=0) - self.x.min(axis=0)) * self.live).sum())

    def squares(self) -> float:
        """Σ (x − 1)²: how far everyone, not only the extremes, is from their fair share."""
        deviation = (self.x - 1.0) * self.live
        return float((deviation * deviation).sum())

    # -- feasibility ---------------------------------------------------------------------------

    def eligible(self, t: int) -> np.ndarray:
        """Members who may hold task t at all (qualified, not spared)."""
        mask = self.member_qualified[:, self.task_column[t]].copy()
        spared = self.spared.get(t)
        if spared is not None:
            mask &= ~spared
        if self.cols[t]:
            mask &= self.free(t)
        return mask

    def may_hold(self, member: int, t: int) -> bool:
        return self.static_ok(member, t) and (not self.cols[t] or self.is_free(member, t))

    def ticks_of(self, t: int) -> np.ndarray:
        """How many ticks of task t each member holds."""
        ticks = np.zeros(self.member_count, dtype=np.int64)
        for member, count in self.holders[t].items():
            ticks[member] = count
        return ticks

    # -- changes -------------------------------------------------------------------------------

    def set_ticks(self, t: int, member: int, ticks: int) -> None:
        before = self.held[member].get(t, 0)
        if ticks == before:
            return
        self._pieces[member] = None
        if ticks:
            self.held[member][t] = ticks
            self.holders[t][member] = ticks
        else:
            del self.held[member][t]
            del self.holders[t][member]
        for a, b in self.cols[t]:  # a shift is held whole: its ticks go from 0 to 1 or back
            self.busy[member, a:b] += 1 if ticks else -1
        self.load[member] += (ticks - before) * self.grid.weight[t]
        self.x[member] = (self.offset[member] + self.load[member]) / self.denominator[member]
        self.potential[member] = self._phi(self.x[member])

    def transfer(self, t: int, giver: int, taker: int, ticks: int) -> None:
        self.set_ticks(t, giver, self.held[giver][t] - ticks)
        self.set_ticks(t, taker, self.held[taker].get(t, 0) + ticks)

    def pieces(self, member: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The member's tasks, their ticks and the member (once per piece), as arrays."""
        cached = self._pieces[member]
        if cached is None:
            held = self.held[member]
            cached = (
                np.fromiter(held.keys(), dtype=np.int64, count=len(held)),
                np.fromiter(held.values(), dtype=np.int64, count=len(held)),
                np.full(len(held), member, dtype=np.int64),
            )
            self._pieces[member] = cached
        return cached

    def snapshot(self) -> list[dict[int, int]]:
        return [dict(h) for h in self.holders]

    def restore(self, holders: list[dict[int, int]]) -> None:
        # Only the tasks that changed hands since the snapshot: after a kick that is a handful.
        for t, wanted in enumerate(holders):
            now = self.holders[t]
            if now == wanted:
                continue
            for member in [m for m in now if m not in wanted]:
                self.set_ticks(t, member, 0)
            for member, ticks in wanted.items():
                self.set_ticks(t, member, ticks)


class Unplaced(Exception):
    """Shifts the greedy start could not give to anyone free at their time."""

    def __init__(self, shifts: list[tuple[int, int]]) -> None:
        super().__init__(f"{len(shifts)} shift(s) could not be placed")
        self.shifts = shifts  # (unit, slots missing)


def greedy(state: State) -> None:
    """A starting point: shifts at set times first (the most constrained), then indivisible slots,
    largest first, each to the qualified member with the most room left relative to their fair share
    of hours ("worst fit": long tasks go to members who can carry them, who then balance with the
    rest); then splittable slots, whole, each onto the member it balances best. The local search cuts
    them where cutting balances. Nobody is put over their hours while someone else can take the work;
    a shift whose every possible holder is busy then is placed by moving one of their shifts on.

    Raises Unplaced when some shift cannot be given to anyone."""
    grid = state.grid
    slot_hours = grid.tick_hours * grid.most
    indivisible = grid.most == 1
    # The hardest first: the largest slots against the hours of the members who may hold them.
    capacity = state.denominator[:, 0] @ state.member_qualified[:, state.task_column]
    order = np.lexsort(
        (np.arange(state.task_count), -slot_hours / np.maximum(capacity, EPS), ~indivisible, ~state.timed)
    )
    unplaced: list[tuple[int, int]] = []
    for t in order:
        t = int(t)
        mask = state.eligible(t)
        if mask.sum() < state.tasks[t].slots and t in state.spared:  # "spare last week's holder" blocks it: drop that
            state.spared.pop(t, None)
            mask = state.eligible(t)
        step = grid.weight[t] * grid.most[t] / state.denominator
        for placed in range(int(grid.total[t] // grid.most[t])):
            if indivisible[t]:
                share = state.denominator[:, 0]
                score = (state.load[:, 0] + state.offset[:, 0] + slot_hours[t] - share) / share
            else:
                score = state._phi(state.x + step) - state.potential
            room = mask & (state.load[:, 0] + slot_hours[t] <= state.cap)
            chosen = room if room.any() else mask
            if not chosen.any():
                if state.timed[t] and _make_room(state, t):
                    mask = state.eligible(t)
                    mask[list(state.holders[t])] = False
                    room = mask & (state.load[:, 0] + slot_hours[t] <= state.cap)
                    chosen = room if room.any() else mask
                if not chosen.any():
                    unplaced.append((t, int(grid.total[t] // grid.most[t]) - placed))
                    break
            member = int(np.argmin(np.where(chosen, score, np.inf)))
            state.set_ticks(t, member, int(grid.most[t]))
            mask[member] = False
    if unplaced:
        raise Unplaced(unplaced)


def _overlapping(state: State, member: int, t: int) -> list[int]:
    """The member's shifts that overlap shift t."""
    found = []
    for v in state.held[member]:
        if v != t and state.cols[v]:
            for a, b in state.cols[v]:
                if any(a < d and c < b for c, d in state.cols[t]):
                    found.append(v)
                    break
    return found


def _make_room(state: State, t: int) -> bool:
    """Free a member who could take shift t by handing their overlapping shifts to others who are
    free then; False when no such chain of one step exists."""
    able = state.member_qualified[:, state.task_column[t]].copy()
    able[list(state.holders[t])] = False
    spared = state.spared.get(t)
    if spared is not None:
        able &= ~spared
    for member in np.flatnonzero(able):
        member = int(member)
        moved: list[tuple[int, int]] = []
        for v in _overlapping(state, member, t):
            takers = state.eligible(v)
            takers[list(state.holders[v])] = False
            room = takers & (state.load[:, 0] + state.grid.tick_hours[v] <= state.cap)
            takers = room if room.any() else takers
            if not takers.any():
                break
            share = state.denominator[:, 0]
            score = (state.load[:, 0] + state.offset[:, 0] - share) / share
            taker = int(np.argmin(np.where(takers, score, np.inf)))
            state.transfer(v, member, taker, 1)
            moved.append((v, taker))
        else:
            if state.is_free(member, t):
                return True
        for v, taker in reversed(moved):
            state.transfer(v, taker, member, 1)
    return False


def local_search(state: State, deadline: float, *, powers: tuple[float, ...] = (2.0, 8.0)) -> int:
    """Transfers and swaps, worst-off members first, until no change helps or the deadline passes.

    Returns the number of improving changes made.
    """
    changes = 0
    for p in powers:
        state.set_power(p)
        while time.perf_counter() < deadline:
            improved = 0
            scale = float(state.potential.sum()) or 1.0
            # Members far from the worst add little to the potential: with a steep p the search
            # focuses on the extremes, which is what the spread measures.
            focus = FOCUS * float(state.potential.max())
            for member in np.argsort(-state.potential, kind="stable"):
                if time.perf_counter() >= deadline:
                    break
                if state.potential[member] <= max(focus, 1e-9 * scale):
                    break
                improved += improve_member(state, int(member), scale)
            changes += improved
            if not improved:
                break
    return changes


def improve_member(state: State, a: int, scale: float) -> int:
    """For every piece member a holds: the best transfer (all or part) to anyone, or the best swap."""
    made = 0
    partners = _partners(state, a)
    candidates: SwapCandidates | None = None
    for t, ticks in list(state.held[a].items()):
        if state.held[a].get(t) != ticks:
            continue
        gain, taker, amount = best_transfer(state, a, t)
        if candidates is None:
            candidates = swap_candidates(state, a, partners)
        swap_gain, partner, other, back = _best_swap(state, a, t, candidates, gain)
        if min(gain, swap_gain) >= -1e-12 * scale:
            continue
        if swap_gain < gain:
            state.transfer(t, a, partner, ticks)
            state.transfer(other, partner, a, back)
        else:
            state.transfer(t, a, taker, amount)
        candidates = None  # pieces changed hands
        made += 1
    return made


def best_transfer(state: State, a: int, t: int) -> tuple[float, int, int]:
    """The change of potential, taker and ticks of the best hand-over of (part of) a's piece of t."""
    grid = state.grid
    held = state.held[a][t]
    least, most = int(grid.least[t]), int(grid.most[t])
    y = state.ticks_of(t)
    w = grid.weight[t]
    da = w / state.denominator[a]  # (3,) change of a's x per tick given away
    db = w / state.denominator  # (M, 3) change of each taker's x per tick taken
    low = np.where(y > 0, 1, least)  # a taker ends with at least the shortest shift
    high = most - y  # and at most one slot's worth
    ok = state.eligible(t) & (high >= low)
    ok[a] = False
    if not ok.any():
        return np.inf, -1, 0
    candidates = [np.full(state.member_count, held)]  # the whole piece
    valid = [ok & (low <= held) & (held <= high)]
    if held - least >= 1:  # part of it, leaving a at least the shortest shift
        part_low, part_high = np.maximum(low, 1), np.minimum(high, held - least)
        can_split = ok & (part_low <= part_high)
        if can_split.any():
            # The amount that balances a and b best for p = 2, rounded both ways and clipped.
            live = state.live
            numerator = ((state.x[a] - 1.0) * da * live).sum() - ((state.x - 1.0) * db * live).sum(axis=1)
            denominator = (da * da * live).sum() + (db * db * live).sum(axis=1)
            best = np.clip(numerator / np.maximum(denominator, EPS), part_low, part_high)
            for amount in (np.floor(best), np.ceil(best), part_low, part_high):
                candidates.append(amount.astype(np.int64))
                valid.append(can_split)
    amounts = np.stack(candidates)  # (K, M)
    mask = np.stack(valid) & (state.load[None, :, 0] + amounts * grid.tick_hours[t] <= state.cap[None, :])
    xa = state.x[a] - amounts[..., None] * da  # (K, M, 3)
    xb = state.x[None, :, :] + amounts[..., None] * db[None, :, :]
    delta = state._phi(xa) - state.potential[a] + state._phi(xb) - state.potential[None, :]
    delta[~mask] = np.inf
    k, b = np.unravel_index(int(np.argmin(delta)), delta.shape)
    return float(delta[k, b]), int(b), int(amounts[k, b])


@dataclass(frozen=True)
class SwapCandidates:
    """The partners' pieces a member might swap for: owner, task, ticks, and the member's own ticks of it."""

    owner: np.ndarray
    task: np.ndarray
    ticks: np.ndarray
    mine: np.ndarray


def swap_candidates(state: State, a: int, partners: list[int]) -> SwapCandidates:
    pieces = [state.pieces(b) for b in partners]
    tasks = [task for task, _, _ in pieces]
    ticks = [count for _, count, _ in pieces]
    owners = [owner for _, _, owner in pieces]
    own = np.zeros(state.task_count, dtype=np.int64)
    for t, count in state.held[a].items():
        own[t] = count
    task = np.concatenate(tasks) if tasks else np.zeros(0, dtype=np.int64)
    return SwapCandidates(
        owner=np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64),
        task=task,
        ticks=np.concatenate(ticks) if ticks else np.zeros(0, dtype=np.int64),
        mine=own[task],
    )


def _best_swap(state: State, a: int, t: int, candidates: SwapCandidates, bar: float) -> tuple[float, int, int, int]:
    """The best exchange of a's whole piece of t for (part of) a partner's piece of another task.

    Returns the change of potential, the partner, the other task and how many of its ticks a gets:
    all of the partner's piece, or, for a splittable task, the part that balances both best (this is
    what lets a long indivisible task change hands: its new holder gives back a part of a shift).
    """
    grid = state.grid
    held = state.held[a][t]
    keep = candidates.task != t
    if not keep.any():
        return np.inf, -1, -1, 0
    b, v, y, mine = candidates.owner[keep], candidates.task[keep], candidates.ticks[keep], candidates.mine[keep]
    least, most = grid.least[v], grid.most[v]
    # After a hands over its piece of t: both members' x before anything comes back.
    xa0 = state.x[a] - held * grid.weight[t] / state.denominator[a]
    xb0 = state.x[b] + held * grid.weight[t] / state.denominator[b]
    da = grid.weight[v] / state.denominator[a]  # (C, 3) per tick of v coming to a
    db = grid.weight[v] / state.denominator[b]
    live = state.live
    amounts = [np.where(mine + y <= most, y, 0)]  # the whole piece
    low, high = np.maximum(1, least - mine), np.minimum(most - mine, y - least)
    if (low <= high).any():
        numerator = ((xb0 - 1.0) * db * live).sum(axis=1) - ((xa0 - 1.0) * da * live).sum(axis=1)
        denominator = ((da * da + db * db) * live).sum(axis=1)
        best = np.clip(numerator / np.maximum(denominator, EPS), low, np.maximum(low, high))
        for amount in (np.floor(best), np.ceil(best)):
            amounts.append(np.where(low <= high, amount, 0).astype(np.int64))
    amount = np.stack(amounts)  # (K, C)
    xa = xa0 + amount[..., None] * da
    xb = xb0 - amount[..., None] * db
    delta = state._phi(xa) + state._phi(xb) - state.potential[a] - state.potential[b]
    delta[amount <= 0] = np.inf
    if np.isfinite(state.cap).any():  # neither may end over their hours (or further over than now)
        given, taken = held * grid.tick_hours[t], amount * grid.tick_hours[v]
        hours_a, hours_b = state.load[a, 0] - given + taken, state.load[b, 0] + given - taken
        over = (hours_a > np.maximum(state.cap[a], state.load[a, 0])) | (
            hours_b > np.maximum(state.cap[b], state.load[b, 0])
        )
        delta[over] = np.inf
    # Only swaps that beat the best transfer and lower the potential are worth sorting.
    flat = np.flatnonzero(delta < min(bar, 0.0))
    flat = flat[np.argsort(delta.ravel()[flat], kind="stable")]
    for index in flat[:SWAPS_TRIED]:
        k, c = np.unravel_index(int(index), delta.shape)
        partner, other = int(b[c]), int(v[c])
        if state.held[partner].get(t, 0) + held <= grid.most[t] and state.may_swap(a, t, partner, other):
            return float(delta[k, c]), partner, other, int(amount[k, c])
    return np.inf, -1, -1, 0


def kick(state: State, members: list[int]) -> None:
    """A perturbation: each of `members` hands one of its pieces, at random, whole to a random member
    who may take it, so that the search can leave a local optimum."""
    for a in members:
        if not state.held[a]:
            continue
        t = state.rng.choice(sorted(state.held[a]))
        takers = np.flatnonzero(_can_take_whole(state, a, t))
        if len(takers):
            state.transfer(t, a, int(takers[state.rng.randrange(len(takers))]), state.held[a][t])


def hand_over(state: State, a: int, *, choices: int = 3) -> bool:
    """A directed perturbation: one of a's pieces, at random, whole to one of the few members whom
    receiving it would suit best (on their own potential), so the search explores a move that helps
    one side even though it hurts a for now. False when nobody may take the piece."""
    if not state.held[a]:
        return False
    t = state.rng.choice(sorted(state.held[a]))
    ticks = state.held[a][t]
    allowed = _can_take_whole(state, a, t)
    if not allowed.any():
        return False
    received = state._phi(state.x + ticks * state.grid.weight[t] / state.denominator) - state.potential
    best = np.argsort(np.where(allowed, received, np.inf), kind="stable")[: min(choices, int(allowed.sum()))]
    state.transfer(t, a, int(best[state.rng.randrange(len(best))]), ticks)
    return True


def _can_take_whole(state: State, a: int, t: int) -> np.ndarray:
    ticks = state.held[a][t]
    room = state.eligible(t) & (state.ticks_of(t) + ticks <= state.grid.most[t])
    room &= state.load[:, 0] + ticks * state.grid.tick_hours[t] <= state.cap
    room[a] = False
    return room


def extremes(state: State) -> list[int]:
    """The members at the max and min of each dimension that counts."""
    found: list[int] = []
    for d in range(3):
        if state.live[d]:
            for m in (int(np.argmax(state.x[:, d])), int(np.argmin(state.x[:, d]))):
                if m not in found:
                    found.append(m)
    return found


def _partners(state: State, a: int) -> list[int]:
    """Members whose deviation from their fair share most complements a's, plus a few at random."""
    deviation = state.x - 1.0
    complement = (deviation * deviation[a]).sum(axis=1)
    complement[a] = np.inf
    count = min(PARTNERS, state.member_count - 1)
    if count <= 0:
        return []
    chosen = (
        list(np.argpartition(complement, count - 1)[:count])
        if count < state.member_count - 1
        else [m for m in range(state.member_count) if m != a]
    )
    taken = set(chosen)
    others = [m for m in range(state.member_count) if m != a and m not in taken]
    chosen += state.rng.sample(others, min(RANDOM_PARTNERS, len(others)))
    return [int(m) for m in chosen]


def spread_out(state: State) -> None:
    """Nobody holds two pieces while someone who could take one of them holds none: such a piece goes
    whole to the member without work it suits best (the one furthest below their share, e.g. who did
    least in past weeks), free then and within their hours."""
    while True:
        empty = np.array([not held for held in state.held], dtype=bool)
        if not empty.any():
            return
        best: tuple[float, int, int, int] | None = None
        for a in range(state.member_count):
            if len(state.held[a]) < 2:
                continue
            for t, ticks in state.held[a].items():
                takers = _can_take_whole(state, a, t) & empty
                if not takers.any():
                    continue
                gained = state._phi(state.x + ticks * state.grid.weight[t] / state.denominator) - state.potential
                b = int(np.argmin(np.where(takers, gained, np.inf)))
                lost = state._phi(state.x[a] - ticks * state.grid.weight[t] / state.denominator[a]) - state.potential[a]
                change = float(gained[b] + lost)
                if best is None or change < best[0]:
                    best = (change, a, t, b)
        if best is None:
            return
        _, a, t, b = best
        state.transfer(t, a, b, state.held[a][t])


def shed_overload(state: State) -> None:
    """Members over their hours (state.cap) hand work to members with room: each time the hand-over
    (a whole piece, or enough of a splittable one) that keeps the balance best, until nobody is over
    or nobody over can hand anything on."""
    grid = state.grid
    for a in np.flatnonzero(state.load[:, 0] > state.cap):
        a = int(a)
        while state.load[a, 0] > state.cap[a]:
            excess = state.load[a, 0] - state.cap[a]
            best: tuple[float, int, int, int] | None = None
            for t, held in state.held[a].items():
                least, most = int(grid.least[t]), int(grid.most[t])
                # Just enough ticks to come within the limit (all of them if the rest is too short).
                amount = min(held, max(1, int(np.ceil(excess / grid.tick_hours[t] - 1e-9))))
                if 0 < held - amount < least:
                    amount = held
                y = state.ticks_of(t)
                ok = state.eligible(t) & (y + amount <= most) & ((y > 0) | (amount >= least))
                ok &= state.load[:, 0] + amount * grid.tick_hours[t] <= state.cap
                ok[a] = False
                if not ok.any():
                    continue
                step = amount * grid.weight[t]
                gained = state._phi(state.x + step / state.denominator) - state.potential
                b = int(np.argmin(np.where(ok, gained, np.inf)))
                lost = state._phi(state.x[a] - step / state.denominator[a]) - state.potential[a]
                change = float(gained[b] + lost)
                if best is None or change < best[0]:
                    best = (change, t, b, amount)
            if best is None:
                if not _shed_by_swap(state, a):
                    break
                continue
            _, t, b, amount = best
            state.transfer(t, a, b, amount)


def _shed_by_swap(state: State, a: int) -> bool:
    """An over member a swaps a piece for a shorter one of a member who then still has room."""
    grid = state.grid
    hours = state.load[:, 0]
    best: tuple[float, int, int, int] | None = None
    for t, held in state.held[a].items():
        given = held * grid.tick_hours[t]
        takers = state.member_qualified[:, state.task_column[t]] & (state.ticks_of(t) == 0)
        for b in np.flatnonzero(takers):
            b = int(b)
            for v, back in state.held[b].items():
                taken = back * grid.tick_hours[v]
                if v == t or v in state.held[a] or taken >= given or hours[b] + given - taken > state.cap[b]:
                    continue
                if not state.may_swap(a, t, b, v):
                    continue
                change = given - taken  # the most hours off a
                if best is None or change > best[0]:
                    best = (change, t, b, v)
    if best is None:
        return False
    _, t, b, v = best
    back = state.held[b][v]
    state.transfer(t, a, b, state.held[a][t])
    state.transfer(v, b, a, back)
    return True
