"""Greedy construction and local search over unit assignments, vectorised with numpy.

The search minimises a potential Φ = Σ_m Σ_d |x_md − 1|^p over members m and dimensions d, where
x_md = (past_md + load_md) / (past_share_md + share_md) is the member's (cumulative) burden against
their fair share. p = 2 spreads the work evenly; a final phase with a high p pulls in the extremes,
which is what the max − min spread measures.
"""

from __future__ import annotations

import random
import time

import numpy as np

from bot.solver.model import Problem, Units

EPS = 1e-12
PARTNERS = 24  # members whose deviation best complements the focused member's, for swaps
RANDOM_PARTNERS = 8


class State:
    """A (partial) assignment of units to active members, with the loads kept up to date."""

    def __init__(self, problem: Problem, units: Units, seed: int = 0) -> None:
        self.problem = problem
        self.units = units
        self.rng = random.Random(seed)
        active = problem.active
        self.member_count = m_count = len(active)
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
        self.denominator = np.where(denominator > EPS, denominator, 1.0)
        self.offset = past_load
        self.load = np.zeros((m_count, 3))
        self.owner = np.full(len(units), -1, dtype=np.int64)
        self.units_of: list[list[int]] = [[] for _ in range(m_count)]
        self.held: list[dict[int, int]] = [{} for _ in range(len(problem.tasks))]  # task -> member -> units

        # Eligibility: qualification columns, plus a last column for "no qualification needed".
        qualifications = sorted({t.qualification for t in problem.tasks if t.qualification})
        column = {q: i for i, q in enumerate(qualifications)}
        self.member_qualified = np.ones((m_count, len(qualifications) + 1), dtype=bool)
        for i, member in enumerate(active):
            for q, c in column.items():
                self.member_qualified[i, c] = q in member.qualifications
        self.task_column = np.array(
            [column[t.qualification] if t.qualification else len(qualifications) for t in problem.tasks],
            dtype=np.int64,
        )
        # Members to spare on a task (they carried it, unpleasant, last week), when enough others can.
        self.spared: dict[int, np.ndarray] = {}
        for t, task in enumerate(problem.tasks):
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

    # -- the potential -------------------------------------------------------------------------

    def _refresh(self) -> None:
        self.x = (self.offset + self.load) / self.denominator
        self.potential = self._phi(self.x)

    def _phi(self, x: np.ndarray) -> np.ndarray:
        return (np.abs(x - 1.0) ** self.p * self.live).sum(axis=-1)

    def set_power(self, p: float) -> None:
        self.p = p
        self.potential = self._phi(self.x)

    def spread_sum(self) -> float:
        return float(((self.x.max(axis=0) - self.x.min(axis=0)) * self.live).sum())

    # -- feasibility ---------------------------------------------------------------------------

    def can_take(self, t: int) -> np.ndarray:
        """Members who may take one more unit of task t (qualified, under the cap, not spared)."""
        mask = self.member_qualified[:, self.task_column[t]].copy()
        cap = self.units.cap[t]
        for member, count in self.held[t].items():
            if count >= cap:
                mask[member] = False
        spared = self.spared.get(t)
        if spared is not None:
            mask &= ~spared
        return mask

    def may_hold(self, member: int, t: int, *, giving_up: int | None = None) -> bool:
        if not self.member_qualified[member, self.task_column[t]]:
            return False
        spared = self.spared.get(t)
        if spared is not None and spared[member]:
            return False
        count = self.held[t].get(member, 0) - (1 if giving_up is not None and self.units.task[giving_up] == t else 0)
        return count < self.units.cap[t]

    # -- changes -------------------------------------------------------------------------------

    def assign(self, u: int, member: int) -> None:
        t = int(self.units.task[u])
        self.owner[u] = member
        self.units_of[member].append(u)
        self.held[t][member] = self.held[t].get(member, 0) + 1
        self.load[member] += self.units.weight[u]
        self._touch(member)

    def unassign(self, u: int) -> None:
        member = int(self.owner[u])
        t = int(self.units.task[u])
        self.owner[u] = -1
        self.units_of[member].remove(u)
        count = self.held[t][member] - 1
        if count:
            self.held[t][member] = count
        else:
            del self.held[t][member]
        self.load[member] -= self.units.weight[u]
        self._touch(member)

    def _touch(self, member: int) -> None:
        self.x[member] = (self.offset[member] + self.load[member]) / self.denominator[member]
        self.potential[member] = self._phi(self.x[member])

    def load_owner(self, owner: np.ndarray) -> None:
        for u in np.flatnonzero(self.owner >= 0):
            self.unassign(int(u))
        for u, member in enumerate(owner):
            self.assign(u, int(member))


def greedy(state: State) -> None:
    """Largest units first (the hardest to place), each onto the member it balances best."""
    units = state.units
    eligible_count = state.member_qualified[:, state.task_column[units.task]].sum(axis=0)
    order = np.lexsort((np.arange(len(units)), eligible_count, -units.hours))
    for u in order:
        t = int(units.task[u])
        mask = state.can_take(t)
        if not mask.any():  # only the "spare last week's holder" preference blocks it: drop that
            state.spared.pop(t, None)
            mask = state.can_take(t)
        step = units.weight[u] / state.denominator
        delta = state._phi(state.x + step) - state.potential
        delta[~mask] = np.inf
        state.assign(int(u), int(np.argmin(delta)))


def local_search(state: State, deadline: float, *, powers: tuple[float, ...] = (2.0, 8.0)) -> int:
    """Moves and swaps, worst-off members first, until no move helps or the deadline passes.

    Returns the number of improving changes made.
    """
    changes = 0
    for p in powers:
        state.set_power(p)
        while time.perf_counter() < deadline:
            improved = 0
            scale = float(state.potential.sum()) or 1.0
            for member in np.argsort(-state.potential, kind="stable"):
                if time.perf_counter() >= deadline:
                    break
                if state.potential[member] <= 1e-9 * scale:
                    break
                improved += _improve_member(state, int(member), scale)
            changes += improved
            if not improved:
                break
    return changes


def _improve_member(state: State, a: int, scale: float) -> int:
    """Try every unit of member a: the best move to anyone, or the best swap with a partner."""
    units = state.units
    made = 0
    partners = _partners(state, a)
    for u in list(state.units_of[a]):
        if state.owner[u] != a:
            continue
        w = units.weight[u]
        t = int(units.task[u])
        base_a = state.potential[a]
        # Move u from a to any member b.
        xa_move = state.x[a] - w / state.denominator[a]
        gain_a = state._phi(xa_move) - base_a
        xb = state.x + w / state.denominator
        delta = state._phi(xb) - state.potential + gain_a
        mask = state.can_take(t)
        mask[a] = False
        delta[~mask] = np.inf
        best_move = int(np.argmin(delta))
        best = (float(delta[best_move]), best_move, -1)
        # Swap u with a unit v of a partner b.
        candidates = [v for b in partners for v in state.units_of[b] if units.task[v] != t]
        if candidates:
            v = np.array(candidates, dtype=np.int64)
            b = state.owner[v]
            dw = w - units.weight[v]
            xa_new = state.x[a] - dw / state.denominator[a]
            xb_new = state.x[b] + dw / state.denominator[b]
            delta_swap = state._phi(xa_new) + state._phi(xb_new) - base_a - state.potential[b]
            take = state.can_take(t)
            ok = take[b]
            order = np.argsort(delta_swap, kind="stable")
            for k in order[:16]:
                if delta_swap[k] >= best[0] or delta_swap[k] >= -1e-12 * scale:
                    break
                vk = int(v[k])
                if ok[k] and state.may_hold(a, int(units.task[vk]), giving_up=u):
                    best = (float(delta_swap[k]), int(b[k]), vk)
                    break
        gain, b, v = best
        if gain >= -1e-12 * scale:
            continue
        state.unassign(u)
        if v >= 0:
            state.unassign(v)
            state.assign(v, a)
        state.assign(u, b)
        made += 1
    return made


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
    others = [m for m in range(state.member_count) if m != a and m not in set(chosen)]
    chosen += state.rng.sample(others, min(RANDOM_PARTNERS, len(others)))
    return [int(m) for m in chosen]
