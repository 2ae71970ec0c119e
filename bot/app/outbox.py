"""The outbox with every feature's effects plugged in: the one place that names them. The core
(`bot.app.effects`) knows no feature; each feature's `*_effects` module registers its effect types
with their handlers and the port they use. A new feature (decisions, languages) adds its module and
one line in `FEATURES`."""

from __future__ import annotations

from collections.abc import Callable

from storage.db import Database

from . import (
    audit_effects,
    claims_effects,
    decisions_effects,
    merges_effects,
    publication_effects,
    reminders_effects,
    shift_reminders_effects,
    swaps_effects,
)
from .effects import MAX_ATTEMPTS, REFUSED_ATTEMPTS, Delivery, Outbox, Outcome, backoff
from .ports import Clock, DecisionEffects, RotaEffects, Runner, VoteEffects

__all__ = ["FEATURES", "MAX_ATTEMPTS", "REFUSED_ATTEMPTS", "Delivery", "Dispatcher", "Outcome", "backoff"]


class Dispatcher(Outbox):
    """The bot's outbox: the rota's, the merge votes' and the proposals' Discord ports, the runner that
    draws charts. Without a proposals' port (tests of other features) their effects are not
    registered: none is queued there."""

    def __init__(
        self,
        db: Database,
        rota: RotaEffects,
        votes: VoteEffects,
        runner: Runner,
        clock: Clock,
        *,
        decisions: DecisionEffects | None = None,
    ) -> None:
        super().__init__(db, clock)
        self.rota, self.votes, self.runner, self.decisions = rota, votes, runner, decisions
        for plug in FEATURES:
            plug(self)


FEATURES: tuple[Callable[[Dispatcher], None], ...] = (
    lambda d: publication_effects.register(d, d.rota, d.runner, d.clock),
    lambda d: claims_effects.register(d, d.rota),
    lambda d: reminders_effects.register(d, d.rota),
    lambda d: shift_reminders_effects.register(d, d.rota),
    lambda d: swaps_effects.register(d, d.rota),
    lambda d: audit_effects.register(d, d.rota),
    lambda d: merges_effects.register(d, d.votes),
    lambda d: decisions_effects.register(d, d.decisions, d.clock),
)
