"""The texts of the real command tree (names, descriptions, choices) added to the source catalog,
beside the ones `pybabel extract` finds in the code: `make translations` runs it as
`python -m bot.runtime.command_strings bot/i18n/messages.pot`."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path

import discord
from babel.messages import pofile
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where
from discord.ext import commands

from bot.i18n.names import COMMAND_NAME, OPTION_NAME
from bot.runtime.client import EXTENSIONS, RotaTree

WHERE_CONTEXT = {Where.command_name: COMMAND_NAME, Where.group_name: COMMAND_NAME, Where.parameter_name: OPTION_NAME}
LOCATION = "discord-command-tree"


@dataclass(frozen=True)
class CommandText:
    context: str | None  # COMMAND_NAME, OPTION_NAME, or None for descriptions and choices
    text: str
    where: str  # e.g. "/mod org settings: option name"


class _Recorder(app_commands.Translator):
    """Translates nothing; notes what discord.py asks for (asked once per locale: noted for one)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str | None, str], CommandText] = {}

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContextTypes
    ) -> str | None:
        if locale is discord.Locale.german:
            kind = WHERE_CONTEXT.get(context.location)
            owner = getattr(context.data, "qualified_name", None) or getattr(context.data, "name", "")
            where = f"/{owner}: {context.location.name.replace('_', ' ')}"
            self.seen.setdefault((kind, string.message), CommandText(kind, string.message, where))
        return None


async def loaded_tree() -> app_commands.CommandTree:
    """The command tree as the bot registers it (every extension loaded), without connecting anywhere."""
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.none(), tree_cls=RotaTree)
    for extension in EXTENSIONS:
        await bot.load_extension(extension)
    return bot.tree


async def translated_payloads(
    tree: app_commands.CommandTree, translator: app_commands.Translator
) -> list[dict[str, object]]:
    """The definitions the tree would sync with this translator."""
    return [await command.get_translated_payload(tree, translator) for command in tree.get_commands()]


async def command_texts() -> list[CommandText]:
    recorder = _Recorder()
    await translated_payloads(await loaded_tree(), recorder)
    return list(recorder.seen.values())


def add_to_catalog(pot: Path, texts: list[CommandText]) -> None:
    with pot.open("rb") as source:
        catalog = pofile.read_po(source)
    for text in texts:
        existing = catalog.get(text.text, context=text.context)
        if existing is None:
            catalog.add(text.text, context=text.context, locations=[(LOCATION, 0)], auto_comments=[text.where])
        elif text.where not in existing.auto_comments:
            existing.auto_comments.append(text.where)
    with pot.open("wb") as target:
        pofile.write_po(target, catalog, width=120, sort_output=False, include_lineno=False)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bot.runtime.command_strings PATH.pot", file=sys.stderr)
        return 2
    add_to_catalog(Path(argv[0]), asyncio.run(command_texts()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
