"""The source catalog holds every text the code marks and every text of the command tree, and the tree's
definitions carry valid Spanish and German names (what `make translations` and a sync produce)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface

from bot.i18n.check import SOURCE_CATALOG, read
from bot.i18n.names import MAX_DESCRIPTION, why_not_command_name
from bot.runtime.command_strings import add_to_catalog, command_texts, loaded_tree, translated_payloads
from cogs.translator import CatalogTranslator

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("es-ES", "es-419", "de")


def _keys(path: Path) -> set[tuple[str | None, str]]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read(path) if m.id}


async def test_the_source_catalog_is_up_to_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails when a text was added or changed without `make translations` (then translate what it lists)."""
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(fresh), "."])
    add_to_catalog(fresh, await command_texts())
    committed, current = _keys(SOURCE_CATALOG), _keys(fresh)
    assert current - committed == set(), "texts not in bot/i18n/messages.pot: run `make translations`"
    assert committed - current == set(), "texts no longer used: run `make translations`"


def _walk(definition: dict, path: str):
    yield path, definition
    for option in definition.get("options") or []:
        yield from _walk(option, f"{path} {option['name']}")


async def test_every_command_option_and_choice_is_localized_with_names_discord_accepts() -> None:
    tree = await loaded_tree()
    payloads = await translated_payloads(tree, CatalogTranslator())
    assert len(payloads) >= 15
    for locale in LOCALES:
        top = Counter(p["name_localizations"][locale] for p in payloads)
        assert [n for n, c in top.items() if c > 1] == [], f"two top-level commands share a {locale} name"
    for payload in payloads:
        for path, item in _walk(payload, "/" + payload["name"]):
            for locale in LOCALES:
                name = item["name_localizations"].get(locale)
                assert name, f"{path} has no {locale} name"
                assert why_not_command_name(name) is None, f"{path}: {why_not_command_name(name)}"
                description = item["description_localizations"].get(locale)
                assert description and len(description) <= MAX_DESCRIPTION, f"{path}: {locale} description"
                siblings = Counter(o["name_localizations"][locale] for o in item.get("options") or [])
                assert [n for n, c in siblings.items() if c > 1] == [], f"{path}: {locale} names repeat"
                for choice in item.get("choices") or []:
                    assert choice["name_localizations"].get(locale), f"{path} {choice['name']}: no {locale}"
