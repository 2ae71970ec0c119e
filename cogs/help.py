"""`/help`: the commands, read from the registered command tree (names, descriptions and options come
from the commands themselves, so the help cannot drift from them), grouped by topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.i18n import Message, gettext, lazy_gettext, ngettext, translations
from cogs.common import bot_of, clip, register
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot

EMBED_TOTAL = 6000  # Discord's limit on all of an embed's text
FIELD_VALUE = 1024
DESCRIPTION = 4096
MAX_FIELDS = 25


@dataclass(frozen=True)
class Topic:
    title: Message
    summary: Message
    commands: tuple[str, ...]  # qualified names, or a group's name for all of it


# Where each command belongs. A command not listed lands in "other" (a test keeps that empty).
TOPICS: dict[str, Topic] = {
    "start": Topic(
        lazy_gettext("Getting started"),
        lazy_gettext("Join the rota, say how many hours a week you give, when you are away, the language of your DMs."),
        ("help", "join", "leave", "hours", "away", "org", "language"),
    ),
    "rota": Topic(
        lazy_gettext("The weekly rota"),
        lazy_gettext(
            "Each week the bot publishes a rota that balances how pleasant and how empowering everyone's work is."
        ),
        ("rota", "myjobs", "done", "notify", "mod rota"),
    ),
    "ratings": Topic(
        lazy_gettext("Ratings"),
        lazy_gettext(
            "Every member rates each task (desirability and empowerment, 1–10); the median of at least two "
            "ratings is the task's social rating."
        ),
        ("rate", "tasks"),
    ),
    "swaps": Topic(
        lazy_gettext("Swaps and giving work back"),
        lazy_gettext("Offer a task to someone else, or give it back for anyone able to claim it."),
        ("swap", "giveback"),
    ),
    "tasks": Topic(
        lazy_gettext("Tasks (moderators)"),
        lazy_gettext("The organization's tasks: weekly, every few weeks, or once."),
        ("mod task",),
    ),
    "members": Topic(
        lazy_gettext("Members (moderators)"),
        lazy_gettext("Hours, qualifications, removing and readmitting."),
        ("mod member",),
    ),
    "ledger": Topic(
        lazy_gettext("Hours ledger"),
        lazy_gettext("Hours held and done, week by week, and the payroll export."),
        ("ledger", "mod ledger"),
    ),
    "times": Topic(
        lazy_gettext("Shifts at set times"),
        lazy_gettext("When you can work shifts at set times, and your shifts in a calendar."),
        ("availability", "calendar", "mod member availability"),
    ),
    "decisions": Topic(
        lazy_gettext("Proposals and decisions"),
        lazy_gettext("Put a question to the organization, vote or delegate your vote, and read what was decided."),
        ("propose", "vote", "withdraw", "delegate", "decisions", "mod decisions"),
    ),
    "merge": Topic(
        lazy_gettext("Merging organizations"),
        lazy_gettext(
            "Two organizations can vote to merge into one federation (and a side can vote to leave); "
            "`/vote` (in Proposals and decisions) votes on both."
        ),
        ("merge", "mod merge"),
    ),
    "settings": Topic(
        lazy_gettext("Organization and settings (moderators)"),
        lazy_gettext("Set up, schedule, settings, goals, the public report and the audit log."),
        ("mod org", "mod audit", "report"),
    ),
}
OTHER = "other"
MODERATOR_ROOT = "mod"

TopicName = app_commands.Choice[str]


@dataclass(frozen=True)
class Entry:
    name: str  # qualified, e.g. "mod task add"
    description: str
    options: list[tuple[str, str, bool]]  # name, description, required
    moderator: bool


def entries(tree: app_commands.CommandTree[Any]) -> list[Entry]:
    """Every slash command (leaf) of the tree, in the order registered."""
    found: list[Entry] = []

    def walk(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> None:
        if isinstance(command, app_commands.Group):
            for child in command.commands:
                walk(child)
            return
        options = [(p.display_name, p.description, p.required) for p in command.parameters]
        root = command.qualified_name.split()[0]
        found.append(Entry(command.qualified_name, command.description, options, root == MODERATOR_ROOT))

    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        if isinstance(command, app_commands.Command | app_commands.Group):
            walk(command)
    return found


def topic_of(name: str) -> str:
    """The topic of a command: the longest listed name it is, or starts with."""
    best, length = OTHER, -1
    for key, topic in TOPICS.items():
        for prefix in topic.commands:
            if (name == prefix or name.startswith(prefix + " ")) and len(prefix) > length:
                best, length = key, len(prefix)
    return best


def command_name(name: str, language: str) -> str:
    """A command's qualified name as the reader's Discord shows it (`mod tarea añadir`)."""
    catalog = translations(language)
    return " ".join(str(catalog.pgettext("command name", part)) or part for part in name.split())


def option_name(name: str, language: str) -> str:
    return str(translations(language).pgettext("option name", name)) or name


def described(text: str, language: str) -> str:
    """A command's or option's description in the reader's language (the catalog has them all)."""
    return str(translations(language).gettext(text)) if text else text


def line(entry: Entry, language: str = "en") -> str:
    return f"`/{command_name(entry.name, language)}` {described(entry.description, language)}"


def pack(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as they fit in (a longer line clipped)."""
    chunks: list[str] = []
    for text in (clip(line, limit) for line in lines):
        if chunks and len(chunks[-1]) + 1 + len(text) <= limit:
            chunks[-1] += "\n" + text
        else:
            chunks.append(text)
    return chunks


def overview(found: list[Entry], *, moderator: bool, language: str = "en") -> discord.Embed:
    """Every command one can use, by topic, one line each (names only where the lines would not fit)."""
    shown = [e for e in found if moderator or not e.moderator]
    help_name, topic_name = command_name("help", language), option_name("topic", language)
    if moderator:
        description = gettext(
            language,
            "Every reply is private. `/{help} {topic}:` explains a topic with each command's options.",
            help=help_name,
            topic=topic_name,
        )
    else:
        description = gettext(
            language,
            "Every reply is private. `/{help} {topic}:` explains a topic with each command's options.\n"
            "Moderators (Manage Server) also have `/{mod} …` commands.",
            help=help_name,
            topic=topic_name,
            mod=command_name("mod", language),
        )
    embed = discord.Embed(
        title=gettext(language, "parecon-rota: commands"), description=description, colour=discord.Colour.blurple()
    )
    groups = [(key, [e for e in shown if topic_of(e.name) == key]) for key in [*TOPICS, OTHER]]
    groups = [(key, group) for key, group in groups if group]
    for key, group in groups[:MAX_FIELDS]:
        title = TOPICS[key].title.render(language) if key in TOPICS else gettext(language, "Other")
        lines = "\n".join(line(e, language) for e in group)
        embed.add_field(name=f"{title} · {key}", value=clip(lines, FIELD_VALUE), inline=False)
    if len(embed) > EMBED_TOTAL:  # too long with descriptions: the names alone
        for index, (_key, group) in enumerate(groups[:MAX_FIELDS]):
            names = " ".join(f"`/{command_name(e.name, language)}`" for e in group)
            embed.set_field_at(index, name=embed.fields[index].name, value=clip(names, FIELD_VALUE), inline=False)
    return embed


def option_line(name: str, text: str, required: bool, language: str) -> str:
    if required:
        return gettext(language, "• `{name}`: {text}", name=option_name(name, language), text=described(text, language))
    return gettext(
        language, "• `{name}` (optional): {text}", name=option_name(name, language), text=described(text, language)
    )


def topic_embed(found: list[Entry], key: str, *, moderator: bool, language: str = "en") -> discord.Embed:
    """One topic: its commands with their options."""
    topic = TOPICS[key]
    summary = topic.summary.render(language)
    shown = [e for e in found if topic_of(e.name) == key and (moderator or not e.moderator)]
    embed = discord.Embed(title=topic.title.render(language), description=summary, colour=discord.Colour.blurple())
    hidden = sum(1 for e in found if topic_of(e.name) == key and e.moderator and not moderator)
    for entry in shown:
        lines = [described(entry.description, language)] + [
            option_line(name, text, required, language) for name, text, required in entry.options
        ]
        chunks = pack(lines, FIELD_VALUE)  # a command with many options continues in a second field
        size = sum(len(entry.name) + 12 + len(chunk) for chunk in chunks)
        if len(embed.fields) + len(chunks) > MAX_FIELDS or len(embed) + size > EMBED_TOTAL - 100:
            embed.add_field(name="…", value=gettext(language, "More in this topic than fits here."), inline=False)
            break
        for index, chunk in enumerate(chunks):
            name = command_name(entry.name, language)
            title = gettext(language, "/{command} (continued)", command=name) if index else f"/{name}"
            embed.add_field(name=title, value=chunk, inline=False)
    if hidden:
        embed.set_footer(
            text=ngettext(
                language,
                "{count} more command(s) here for moderators (Manage Server).",
                "{count} more command(s) here for moderators (Manage Server).",
                hidden,
            )
        )
    if not shown:
        embed.description = gettext(
            language, "{summary}\nThese commands are for moderators (Manage Server).", summary=summary
        )
    return embed


async def answer_help(interaction: discord.Interaction, topic: str | None) -> None:
    moderator = bool(interaction.permissions.manage_guild)
    found = entries(bot_of(interaction).tree)
    language = await answer_language_here(interaction)
    if topic is None:
        embed = overview(found, moderator=moderator, language=language)
    else:
        embed = topic_embed(found, topic, moderator=moderator, language=language)
    await interaction.response.send_message(embed=embed, ephemeral=True)


def help_command(topics: list[str]) -> app_commands.Command[Any, ..., None]:
    """`/help`, its `topic` choices the topics that have commands on this bot (the last cog loaded)."""

    @app_commands.command(name="help", description="What the bot does and its commands (moderators see theirs too)")
    @app_commands.describe(topic="One topic's commands, with their options")
    @app_commands.choices(topic=[app_commands.Choice(name=str(TOPICS[key].title), value=key) for key in topics])
    @app_commands.guild_only()
    async def command(interaction: discord.Interaction, topic: TopicName | None = None) -> None:
        await answer_help(interaction, None if topic is None else topic.value)

    return command


async def setup(bot: RotaBot) -> None:
    present = {topic_of(entry.name) for entry in entries(bot.tree)} | {"start"}  # /help itself is in "start"
    register(bot, commands=[help_command([key for key in TOPICS if key in present])])
