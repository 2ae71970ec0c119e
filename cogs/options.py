"""What Discord checks on an option before it sends an interaction, checked again by the bot: a
modified client can send any value (an integer of 2^63, a count of -1, a choice never offered), and
such a value deserves a clear refusal, not an apology with an error id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from discord import AppCommandOptionType, app_commands

DISCORD_INTEGER_RANGE = (-(2**53), 2**53)  # what Discord accepts for integer and number options
SUBCOMMANDS = (AppCommandOptionType.subcommand.value, AppCommandOptionType.subcommand_group.value)


class OptionRefused(app_commands.AppCommandError):
    """An option value Discord's own client would not have sent; `str(error)` says what is allowed."""


def leaf_options(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The options of the command actually run (below its group and subcommand)."""
    options: list[Mapping[str, Any]] = list(data.get("options", []))
    while len(options) == 1 and options[0].get("type") in SUBCOMMANDS:
        options = list(options[0].get("options", []))
    return options


def check_options(parameters: Iterable[app_commands.Parameter], options: Iterable[Mapping[str, Any]]) -> None:
    """Refuse a value Discord would not have let through (see `check_value`)."""
    by_name = {p.display_name: p for p in parameters}
    for option in options:
        parameter = by_name.get(option.get("name", ""))
        if parameter is None or option.get("focused"):
            continue
        check_value(parameter, option.get("value"))


def number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def check_value(parameter: app_commands.Parameter, value: Any) -> None:
    """Discord's own limits: a number's type and range, a choice among those offered. An option's
    declared range is the use case's to check (its rules say it better, e.g. "at most 168")."""
    name, kind = parameter.display_name, parameter.type
    if kind in (AppCommandOptionType.integer, AppCommandOptionType.number):
        whole = kind is AppCommandOptionType.integer
        low, high = DISCORD_INTEGER_RANGE
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) or not low <= value <= high:
            low_shown = low if parameter.min_value is None else parameter.min_value
            high_shown = high if parameter.max_value is None else parameter.max_value
            what = "a whole number" if whole else "a number"
            raise OptionRefused(f"`{name}` must be {what} from {number(low_shown)} to {number(high_shown)}.")
    if parameter.choices and value not in {c.value for c in parameter.choices}:
        allowed = ", ".join(f"`{c.value}`" for c in parameter.choices)
        raise OptionRefused(f"`{name}` must be one of {allowed}.")
