"""Which language the bot writes in: the organization's (`/mod org settings language:`) for what it
posts and sends unasked, a member's own (`/language set`) for their DMs. The rule that picks one is
`bot.i18n.channel_language` / `private_language`; this module stores the choices."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadInput
from bot.i18n import available_languages, lazy_gettext
from storage import orgs
from storage.db import Database

from .lookups import require_member, require_org

# Each language by its own name, as a member looking for theirs reads it.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "de": "Deutsch"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def check_language(code: str) -> str:
    """A language the bot has a catalog for (its code: `en`, `es`, `de`)."""
    wanted = code.strip().lower().replace("_", "-").split("-")[0]
    if wanted not in available_languages():
        known = ", ".join(f"`{c}` ({language_name(c)})" for c in available_languages())
        raise BadInput(lazy_gettext("The bot does not speak `{code}` yet. It speaks {known}.", code=code, known=known))
    return wanted


@dataclass(frozen=True)
class LanguageChoice:
    org_name: str
    org_language: str
    own: str | None  # the member's choice; None: the organization's

    @property
    def effective(self) -> str:
        return self.own or self.org_language


async def org_language(db: Database, guild_id: int | None) -> str | None:
    """The language of the server's organization, or None where there is none."""
    if guild_id is None:
        return None
    async with db.session() as session:
        org = await orgs.org_for_guild(session, guild_id)
        return org.language if org is not None else None


async def my_language(db: Database, guild_id: int | None, user_id: int) -> LanguageChoice:
    async with db.session() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        return LanguageChoice(org.name, org.language, member.language)


async def set_my_language(db: Database, guild_id: int | None, user_id: int, code: str | None) -> LanguageChoice:
    """The member's own language for what the bot sends them alone (None: the organization's again)."""
    language = None if code is None else check_language(code)
    async with db.transaction() as session:
        org = await require_org(session, guild_id)
        member = await require_member(session, org.id, user_id, you=True)
        member.language = language
        return LanguageChoice(org.name, org.language, member.language)
