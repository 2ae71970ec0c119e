"""The catalogs' gate: every text of the source catalog translated in every language, with the same
placeholders, and command names Discord accepts. `make translations` prints it; the tests fail on it.

`python -m bot.i18n.check` exits 1 when a catalog has a problem."""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages import pofile
from babel.messages.catalog import Catalog, Message

from bot.i18n import DOMAIN, LOCALES_DIR
from bot.i18n.names import MAX_DESCRIPTION, NAME_CONTEXTS, why_not_command_name

SOURCE_CATALOG = Path(__file__).parent / "messages.pot"
COMMAND_TREE = "discord-command-tree"  # the location bot.runtime.command_strings gives the tree's texts


@dataclass
class Report:
    language: str
    total: int = 0
    translated: int = 0
    missing: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"{self.language}: no translation of {m!r}" for m in self.missing] + [
            f"{self.language}: {b}" for b in self.broken
        ]


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return pofile.read_po(source, locale=language)


def placeholders(text: str) -> set[str]:
    """The `{names}` a text fills (`{{` is a brace, not a placeholder)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def _forms(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, list | tuple) else (message.id,)


def _translations(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, list | tuple) else (value or "",)


def check_language(language: str, source: Catalog | None = None) -> Report:
    source = source if source is not None else read(SOURCE_CATALOG)
    return check_catalog(source, read(LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", language))


def check_catalog(source: Catalog, catalog: Catalog) -> Report:
    """What `catalog` lacks of `source` (untranslated or fuzzy), and what it has wrong."""
    report = Report(str(catalog.locale))
    for wanted in source:
        if not wanted.id:
            continue  # the header
        report.total += 1
        english = _forms(wanted)
        found = catalog.get(wanted.id, context=wanted.context)
        if found is None or found.fuzzy or not all(_translations(found)):
            report.missing.append(english[0])
            continue
        report.translated += 1
        expected = set().union(*(placeholders(form) for form in english))
        for translated in _translations(found):
            if placeholders(translated) - expected or (len(english) == 1 and placeholders(translated) != expected):
                report.broken.append(
                    f"{translated!r} has placeholders {sorted(placeholders(translated))}, "
                    f"the English {english[0]!r} has {sorted(expected)}"
                )
            if wanted.context in NAME_CONTEXTS and (problem := why_not_command_name(translated)):
                report.broken.append(f"command name {problem}")
            is_description = wanted.context is None and any(COMMAND_TREE in loc for loc, _ in wanted.locations)
            if is_description and len(translated) > MAX_DESCRIPTION:
                report.broken.append(f"{translated!r} is longer than Discord's {MAX_DESCRIPTION} characters")
    return report


def check_all() -> list[Report]:
    from bot.i18n import SOURCE_LANGUAGE, available_languages

    source = read(SOURCE_CATALOG)
    return [check_language(language, source) for language in available_languages() if language != SOURCE_LANGUAGE]


def main() -> int:
    reports = check_all()
    for report in reports:
        print(f"{report.language}: {report.translated} of {report.total} texts translated")
        for problem in report.problems:
            print(f"  {problem}")
    return 1 if any(report.problems for report in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
