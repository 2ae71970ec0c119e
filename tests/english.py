"""What an untranslated text would look like: the English runs of the catalog's texts, for the tests
that render an answer in another language and find none of them left."""

from __future__ import annotations

import re


def english_runs(*sources: str) -> list[str]:
    """The English of every catalog text written in `sources`, cut at its placeholders and markup into the
    runs of three words or more a reader would recognize as English."""
    from bot.i18n.check import SOURCE_CATALOG, read

    runs = []
    for message in read(SOURCE_CATALOG):
        if not message.id or not any(location.startswith(sources) for location, _ in message.locations):
            continue
        for form in message.id if isinstance(message.id, tuple | list) else (message.id,):
            for run in re.split(r"\{[^}]*\}|\*\*|`[^`]*`|<[^>]*>", form):
                run = re.sub(r"^\W+|\W+$", "", re.sub(r"\s+", " ", run))
                if len(run.split()) >= 3:
                    runs.append(run)
    return runs
