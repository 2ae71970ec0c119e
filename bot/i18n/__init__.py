"""The bot's words in the members' languages: one gettext catalog per language, named placeholders,
plural forms, and the one rule for which language a text is in.

Plain Python (Babel, no Discord). The source language is English: a text is written once, in English,
inside `gettext`/`ngettext` (or `lazy_gettext`/`lazy_ngettext` where the language is known only later,
as in an error raised by a use case), and `make translations` collects it into the catalogs in
`bot/i18n/locales/<language>/LC_MESSAGES/messages.po`. The catalogs are compiled when first used (from
the `.po`, with Babel's reader), so a fresh clone needs no build step and no `.mo` file is committed.

Placeholders are named, in braces: `gettext(lang, "Saved your rating of **{task}**.", task=name)`. A
sentence is translated whole, never glued from translated pieces, so that each language can order it
its own way.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

__all__ = [
    "LOCALES_DIR",
    "SOURCE_LANGUAGE",
    "Message",
    "Worded",
    "available_languages",
    "channel_language",
    "gettext",
    "language_of",
    "lazy_gettext",
    "lazy_ngettext",
    "ngettext",
    "pgettext",
    "private_language",
    "render",
    "translations",
    "worded",
]

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).parent / "locales"


def available_languages() -> tuple[str, ...]:
    """English and every language with a catalog in the repo."""
    found = sorted(p.parent.parent.name for p in LOCALES_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *found)


def language_of(locale: str | None) -> str | None:
    """The catalog language for a Discord locale (`es-ES`, `es-419` → `es`; `de` → `de`; `en-US` → `en`),
    or None when the bot has no catalog for it."""
    if not locale:
        return None
    base = str(locale).replace("_", "-").split("-")[0].lower()
    return base if base in available_languages() else None


def private_language(user_locale: str | None, org_language: str | None = None) -> str:
    """The language of an answer only the user sees: their Discord client's, when the bot speaks it;
    else the organization's; else English."""
    return language_of(user_locale) or language_of(org_language) or SOURCE_LANGUAGE


def channel_language(org_language: str | None, member_language: str | None = None) -> str:
    """The language of what the bot posts (the rota post, votes) or sends unasked (DMs, reminders): the
    member's own choice (`/language set`) for what goes to them alone, else the organization's, else
    English."""
    return language_of(member_language) or language_of(org_language) or SOURCE_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of a language (English: the source texts as they are).

    Compiled in memory from the `.po`: fuzzy (unreviewed) entries are left out, so they show in English.
    """
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = pofile.read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _fill(language: str, translated: str, source: str, params: dict[str, Any]) -> str:
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        # A translation with a broken placeholder must not break the reply (the catalog gate catches it).
        log.warning("translation of %r into %s has bad placeholders; using English", source, language)
        return source.format(**params)


def gettext(language: str, message: str, /, **params: Any) -> str:
    """`message` in `language`, its `{placeholders}` filled from `params`."""
    return _fill(language, translations(language).gettext(message), message, params)


def ngettext(language: str, singular: str, plural: str, count: float, /, **params: Any) -> str:
    """The form for `count`; `{count}` is filled with it, written the language's way (`1,5` in German),
    unless `params` give it."""
    from bot.i18n.formatting import number

    params.setdefault("count", number(count, language))
    translated = translations(language).ngettext(singular, plural, _plural_count(count))
    return _fill(language, translated, singular if _plural_count(count) == 1 else plural, params)


def pgettext(language: str, context: str, message: str, /, **params: Any) -> str:
    """`message` in `language` where the same English words need different translations (a command's
    name and a sentence, say): `context` tells them apart in the catalog."""
    return _fill(language, str(translations(language).pgettext(context, message)), message, params)


def _plural_count(count: float) -> int:
    # gettext's plural rules take whole numbers; a fraction (1.5 hours) takes the plural in
    # English, Spanish and German, as it does with 2.
    if float(count).is_integer():
        return int(count)
    return 2


@dataclass(frozen=True)
class Message:
    """A text whose language is chosen later: raised in an error by a use case, rendered by the cog that
    answers (in the user's language). `str()` gives English, for logs."""

    singular: str
    plural: str | None = None
    count: float | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        params = {k: render(v, language) if isinstance(v, Message) else v for k, v in self.params.items()}
        if self.plural is None or self.count is None:
            return gettext(language, self.singular, **params)
        return ngettext(language, self.singular, self.plural, self.count, **params)

    def __str__(self) -> str:
        return self.render(SOURCE_LANGUAGE)


@dataclass(frozen=True)
class Worded(Message):
    """Words built in the reader's language when the message they are part of is rendered (a day's
    name, a list of times, a number, another module's refusal): a placeholder like any other;
    `str()` gives English."""

    words: Callable[[str], str] = field(default=lambda _language: "", compare=False)

    def render(self, language: str) -> str:
        return self.words(language)


def worded(words: Callable[[str], str]) -> Worded:
    """`words(language)`, deferred until the language is known."""
    return Worded("", words=words)


def lazy_gettext(message: str, /, **params: Any) -> Message:
    return Message(message, params=params)


def lazy_ngettext(singular: str, plural: str, count: float, /, **params: Any) -> Message:
    return Message(singular, plural, count, params)


def render(text: Message | str, language: str) -> str:
    """A deferred message in `language`; a plain string (a name, a text not yet in the catalog) as it is."""
    return text.render(language) if isinstance(text, Message) else text
