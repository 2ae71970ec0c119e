"""The error a solver instance raises when it cannot be solved as stated (its own module, so that
the model and the timed rules it checks share it without importing each other)."""

from __future__ import annotations

from collections.abc import Sequence


class ProblemError(ValueError):
    """The instance cannot be solved as stated (e.g. a qualification nobody has).

    `problems` lists every problem found (the message lists them all), `task` is the index of the
    task at fault when there is one problem about one task, `tasks` the task of each problem (or None).
    """

    def __init__(
        self,
        message: str | Sequence[str],
        *,
        task: int | None = None,
        tasks: Sequence[int | None] | None = None,
    ) -> None:
        problems = (message,) if isinstance(message, str) else tuple(message)
        super().__init__(problems[0] if len(problems) == 1 else "; ".join(problems))
        self.problems = problems
        self.tasks: tuple[int | None, ...] = tuple(tasks) if tasks is not None else (task,) * len(problems)
        self.task = task if task is not None else (self.tasks[0] if len(self.tasks) == 1 else None)
