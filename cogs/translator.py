"""The slash commands in the members' languages: discord.py asks this translator for every command,
group, option and choice name and description when it syncs the tree (it wraps them all in
`locale_str`), so no cog needs to change for its commands to be localized."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n import SOURCE_LANGUAGE, language_of, translations
from bot.i18n.names import COMMAND_NAME, MAX_DESCRIPTION, OPTION_NAME, why_not_command_name

log = logging.getLogger(__name__)

NAME_CONTEXTS = {
    Where.command_name: COMMAND_NAME,
    Where.group_name: COMMAND_NAME,
    Where.parameter_name: OPTION_NAME,
}


class CatalogTranslator(app_commands.Translator):
    """Command texts from the catalogs (`bot/i18n/locales`): `es-ES` and `es-419` get Spanish, `de` German."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        language = language_of(locale.value)
        if language is None or language == SOURCE_LANGUAGE:
            return None
        return translate_command_text(string.message, language, context.location)


def translate_command_text(text: str, language: str, where: Where) -> str | None:
    """The translation of one command text (the English where the language writes it the same, `org`),
    or None to leave Discord showing the English."""
    catalog = translations(language)
    name_context = NAME_CONTEXTS.get(where)
    translated = str(catalog.pgettext(name_context, text) if name_context else catalog.gettext(text))
    if not translated:
        return None
    # A name Discord refuses would make it refuse the whole sync: keep the English one instead.
    problem = why_not_command_name(translated) if name_context else None
    if problem is None and not name_context and len(translated) > MAX_DESCRIPTION:
        problem = f"{len(translated)} characters (at most {MAX_DESCRIPTION})"
    if problem is not None:
        log.warning("not using the %s translation of %r: %s", language, text, problem)
        return None
    return translated
