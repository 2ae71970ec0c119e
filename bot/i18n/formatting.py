"""Numbers, hours, dates and times written the way a language writes them (Babel's CLDR data):
`2,5` in German and Spanish, "sábado 09:00", "Samstag, 5. Dezember 2026". Discord timestamps
(`<t:…>`) are not formatted here: each client shows them in its own language."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from babel import dates, lists, numbers

__all__ = [
    "currency",
    "day",
    "format_list",
    "long_date",
    "number",
    "percent",
    "short_date",
    "time_of_day",
    "weekday",
    "weekday_day",
    "weekday_time",
]


def number(value: float | Decimal, language: str, *, places: int = 2) -> str:
    """A number with at most `places` decimals, none if it is whole: `2.5` → "2,5" in German."""
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return numbers.format_decimal(value, format=pattern, locale=language)


def percent(ratio: float | Decimal, language: str) -> str:
    """A ratio as a whole percentage: `1.25` → "125%" in English, "125 %" in German and Spanish."""
    return numbers.format_percent(ratio, locale=language)


def currency(amount: float | Decimal, code: str, language: str) -> str:
    """An amount of money: `1234.5, "EUR"` → "1.234,50 €" in German, "€1,234.50" in English."""
    return numbers.format_currency(amount, code, locale=language)


def weekday(moment: date, language: str) -> str:
    """The day's name: "Saturday", "sábado", "Samstag"."""
    return dates.format_date(moment, "EEEE", locale=language)


def time_of_day(moment: time | datetime, language: str) -> str:
    """A clock time on the 24-hour clock the bot's schedules use: "09:00"."""
    return dates.format_time(moment, "HH:mm", locale=language)


def weekday_time(moment: datetime, language: str) -> str:
    """ "Saturday 09:00", "sábado 09:00", "Samstag 09:00"."""
    return f"{weekday(moment, language)} {time_of_day(moment, language)}"


def day(moment: date, language: str) -> str:
    """A day without its year, for weeks on a post: "Dec 5", "5 dic", "5. Dez."."""
    return dates.format_skeleton("MMMd", moment, locale=language)


def short_date(moment: date, language: str) -> str:
    """ "Dec 5, 2026", "5 dic 2026", "05.12.2026"."""
    return dates.format_date(moment, "medium", locale=language)


def long_date(moment: date, language: str) -> str:
    """ "Saturday, December 5, 2026", "sábado, 5 de diciembre de 2026", "Samstag, 5. Dezember 2026"."""
    return dates.format_date(moment, "full", locale=language)


def format_list(items: list[str], language: str) -> str:
    """Items joined the language's way: "A, B and C" ("A, B y C", "A, B und C")."""
    if len(items) <= 1:
        return "".join(items)
    return lists.format_list(items, style="standard", locale=language)


def weekday_day(moment: date, language: str) -> str:
    """A day with its weekday, short, for a week's span: "Mon 30 Nov", "lun 30 nov", "Mo. 30. Nov."."""
    return dates.format_skeleton("MMMEd", moment, locale=language).replace(",", "")
