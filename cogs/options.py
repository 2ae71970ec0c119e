"""What Discord checks on an option before it sends an interaction, checked again by the bot: a
modified client can send any value (an integer of 2^63, a count of -1, a choice never offered), and
such a value deserves a clear refusal, not an apology with an error id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from discord import AppCommandOptionType, app_commands

from bot.i18n import Message, lazy_gettext, render

DISCORD_INTEGER_RANGE = (-(2**53), 2**53)  # what Discord accepts for integer and number options
SUBCOMMANDS = (AppCommandOptionType.subcommand.value, AppCommandOptionType.subcommand_group.value)


class OptionRefused(app_commands.AppCommandError):
    """An option value Discord's own client would not have sent; `str(error)` says what is allowed (in
    English), `text(language)` in the user's language."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(message)

    def text(self, language: str) -> str:
        return render(self.args[0], language)


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
            facts = {"name": name, "low": number(low_shown), "high": number(high_shown)}
            raise OptionRefused(
                lazy_gettext("`{name}` must be a whole number from {low} to {high}.", **facts)
                if whole
                else lazy_gettext("`{name}` must be a number from {low} to {high}.", **facts)
            )
    if parameter.choices and value not in {c.value for c in parameter.choices}:
        allowed = ", ".join(f"`{c.value}`" for c in parameter.choices)
        raise OptionRefused(lazy_gettext("`{name}` must be one of {allowed}.", name=name, allowed=allowed))
