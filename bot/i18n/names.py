"""What Discord accepts as a command's, group's or option's name, in any language, and the catalog
contexts those names are kept under (a name is not translated like a sentence)."""

from __future__ import annotations

import unicodedata

COMMAND_NAME = "command name"  # msgctxt of a command's or group's name
OPTION_NAME = "option name"  # msgctxt of an option's name
NAME_CONTEXTS = (COMMAND_NAME, OPTION_NAME)
MAX_NAME = 32
MAX_DESCRIPTION = 100


def why_not_command_name(name: str) -> str | None:
    """Why Discord would refuse `name` for a command or option (`^[-_\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`,
    lower case where the letter has a lower case), or None when it is fine."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"{name!r} has {len(name)} characters (1 to {MAX_NAME})"
    for char in name:
        if char in "-_" or unicodedata.category(char)[0] in "LN" or unicodedata.category(char) in ("Mn", "Mc"):
            continue
        return f"{name!r} has {char!r}, which Discord refuses in a name (letters, digits, - and _)"
    if name != name.lower():
        return f"{name!r} has capitals (Discord wants names in lower case)"
    return None
