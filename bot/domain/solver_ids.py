"""How the bot names its tasks and members to the solver, and back: one codec, used everywhere.

The solver knows tasks and members by string keys; the database by integer ids. A task with id 12
is `"t12"`, a member with id 7 is `"m7"`.
"""

from __future__ import annotations

TASK_PREFIX = "t"
MEMBER_PREFIX = "m"


def task_key(task_id: int) -> str:
    return f"{TASK_PREFIX}{task_id}"


def member_key(member_id: int) -> str:
    return f"{MEMBER_PREFIX}{member_id}"


def task_id(key: str) -> int:
    return _decode(key, TASK_PREFIX)


def member_id(key: str) -> int:
    return _decode(key, MEMBER_PREFIX)


def _decode(key: str, prefix: str) -> int:
    number = key.removeprefix(prefix)
    if number == key or not number.isdigit():
        raise ValueError(f"{key!r} is not a solver key of the form {prefix}<id>")
    return int(number)
