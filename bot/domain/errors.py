"""Errors the user can act on. The command tree turns these into ephemeral replies."""

from __future__ import annotations


class UserFacingError(Exception):
    """A problem the person who ran the command can fix; `str(error)` says how."""


class NotSetUp(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "This server has no organization yet. A moderator (Manage Server) can create one with "
            "`/mod org setup channel:#rota`."
        )


class NotAllowed(UserFacingError):
    """The user lacks a permission the command needs."""


class BadInput(UserFacingError):
    """An option value the domain rules refuse (out of range, unknown name, wrong order…)."""
