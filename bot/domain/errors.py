"""Errors the user can act on. The command tree turns these into ephemeral replies."""

from __future__ import annotations

from bot.i18n import Message, lazy_gettext, render


class UserFacingError(Exception):
    """A problem the person who ran the command can fix; `str(error)` says how (in English, for logs),
    `text(language)` in the user's language when the message is a catalog `Message`."""

    def __init__(self, message: Message | str = "") -> None:
        super().__init__(message)

    def text(self, language: str) -> str:
        return render(self.args[0], language)


class NotSetUp(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            lazy_gettext(
                "This server has no organization yet. A moderator (Manage Server) can create one with "
                "`/mod org setup channel:#rota`."
            )
        )


class NotAllowed(UserFacingError):
    """The user lacks a permission the command needs."""


class BadInput(UserFacingError):
    """An option value the domain rules refuse (out of range, unknown name, wrong order…)."""
