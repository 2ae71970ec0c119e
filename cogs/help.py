"""`/help`: the commands, read from the registered command tree (names, descriptions and options come
from the commands themselves, so the help cannot drift from them), grouped by topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from cogs.common import bot_of, clip, register

if TYPE_CHECKING:
    from cogs.host import RotaBot

EMBED_TOTAL = 6000  # Discord's limit on all of an embed's text
FIELD_VALUE = 1024
DESCRIPTION = 4096
MAX_FIELDS = 25


@dataclass(frozen=True)
class Topic:
    title: str
    summary: str
    commands: tuple[str, ...]  # qualified names, or a group's name for all of it


# Where each command belongs. A command not listed lands in "other" (a test keeps that empty).
TOPICS: dict[str, Topic] = {
    "start": Topic(
        "Getting started",
        "Join the rota, say how many hours a week you give, when you are away, the language of your DMs.",
        ("help", "join", "leave", "hours", "away", "org", "language"),
    ),
    "rota": Topic(
        "The weekly rota",
        "Each week the bot publishes a rota that balances how pleasant and how empowering everyone's work is.",
        ("rota", "myjobs", "done", "notify", "mod rota"),
    ),
    "ratings": Topic(
        "Ratings",
        "Every member rates each task (desirability and empowerment, 1–10); the median of at least two "
        "ratings is the task's social rating.",
        ("rate", "tasks"),
    ),
    "swaps": Topic(
        "Swaps and giving work back",
        "Offer a task to someone else, or give it back for anyone able to claim it.",
        ("swap", "giveback"),
    ),
    "tasks": Topic("Tasks (moderators)", "The organization's tasks: weekly, every few weeks, or once.", ("mod task",)),
    "members": Topic("Members (moderators)", "Hours, qualifications, removing and readmitting.", ("mod member",)),
    "ledger": Topic(
        "Hours ledger", "Hours held and done, week by week, and the payroll export.", ("ledger", "mod ledger")
    ),
    "times": Topic(
        "Shifts at set times",
        "When you can work shifts at set times, and your shifts in a calendar.",
        ("availability", "calendar", "mod member availability"),
    ),
    "decisions": Topic(
        "Proposals and decisions",
        "Put a question to the organization, vote or delegate your vote, and read what was decided.",
        ("propose", "vote", "withdraw", "delegate", "decisions", "mod decisions"),
    ),
    "merge": Topic(
        "Merging organizations",
        "Two organizations can vote to merge into one federation (and a side can vote to leave); "
        "`/vote` (in Proposals and decisions) votes on both.",
        ("merge", "mod merge"),
    ),
    "settings": Topic(
        "Organization and settings (moderators)",
        "Set up, schedule, settings, goals, the public report and the audit log.",
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


def line(entry: Entry) -> str:
    return f"`/{entry.name}` {entry.description}"


def pack(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as they fit in (a longer line clipped)."""
    chunks: list[str] = []
    for text in (clip(line, limit) for line in lines):
        if chunks and len(chunks[-1]) + 1 + len(text) <= limit:
            chunks[-1] += "\n" + text
        else:
            chunks.append(text)
    return chunks


def overview(found: list[Entry], *, moderator: bool) -> discord.Embed:
    """Every command one can use, by topic, one line each (names only where the lines would not fit)."""
    shown = [e for e in found if moderator or not e.moderator]
    embed = discord.Embed(
        title="parecon-rota: commands",
        description="Every reply is private. `/help topic:` explains a topic with each command's options."
        + ("" if moderator else "\nModerators (Manage Server) also have `/mod …` commands."),
        colour=discord.Colour.blurple(),
    )
    groups = [(key, [e for e in shown if topic_of(e.name) == key]) for key in [*TOPICS, OTHER]]
    groups = [(key, group) for key, group in groups if group]
    for key, group in groups[:MAX_FIELDS]:
        title = TOPICS[key].title if key in TOPICS else "Other"
        embed.add_field(name=f"{title} · {key}", value=clip("\n".join(map(line, group)), FIELD_VALUE), inline=False)
    if len(embed) > EMBED_TOTAL:  # too long with descriptions: the names alone
        for index, (_key, group) in enumerate(groups[:MAX_FIELDS]):
            names = " ".join(f"`/{e.name}`" for e in group)
            embed.set_field_at(index, name=embed.fields[index].name, value=clip(names, FIELD_VALUE), inline=False)
    return embed


def topic_embed(found: list[Entry], key: str, *, moderator: bool) -> discord.Embed:
    """One topic: its commands with their options."""
    topic = TOPICS[key]
    shown = [e for e in found if topic_of(e.name) == key and (moderator or not e.moderator)]
    embed = discord.Embed(title=topic.title, description=topic.summary, colour=discord.Colour.blurple())
    hidden = sum(1 for e in found if topic_of(e.name) == key and e.moderator and not moderator)
    for entry in shown:
        lines = [entry.description] + [
            f"• `{name}`{'' if required else ' (optional)'}: {text}" for name, text, required in entry.options
        ]
        chunks = pack(lines, FIELD_VALUE)  # a command with many options continues in a second field
        size = sum(len(entry.name) + 12 + len(chunk) for chunk in chunks)
        if len(embed.fields) + len(chunks) > MAX_FIELDS or len(embed) + size > EMBED_TOTAL - 100:
            embed.add_field(name="…", value="More in this topic than fits here.", inline=False)
            break
        for index, chunk in enumerate(chunks):
            embed.add_field(name=f"/{entry.name}" + (" (continued)" if index else ""), value=chunk, inline=False)
    if hidden:
        embed.set_footer(text=f"{hidden} more command(s) here for moderators (Manage Server).")
    if not shown:
        embed.description = f"{topic.summary}\nThese commands are for moderators (Manage Server)."
    return embed


async def answer_help(interaction: discord.Interaction, topic: str | None) -> None:
    moderator = bool(interaction.permissions.manage_guild)
    found = entries(bot_of(interaction).tree)
    embed = overview(found, moderator=moderator) if topic is None else topic_embed(found, topic, moderator=moderator)
    await interaction.response.send_message(embed=embed, ephemeral=True)


def help_command(topics: list[str]) -> app_commands.Command[Any, ..., None]:
    """`/help`, its `topic` choices the topics that have commands on this bot (the last cog loaded)."""

    @app_commands.command(name="help", description="What the bot does and its commands (moderators see theirs too)")
    @app_commands.describe(topic="One topic's commands, with their options")
    @app_commands.choices(topic=[app_commands.Choice(name=TOPICS[key].title, value=key) for key in topics])
    @app_commands.guild_only()
    async def command(interaction: discord.Interaction, topic: TopicName | None = None) -> None:
        await answer_help(interaction, None if topic is None else topic.value)

    return command


async def setup(bot: RotaBot) -> None:
    present = {topic_of(entry.name) for entry in entries(bot.tree)} | {"start"}  # /help itself is in "start"
    register(bot, commands=[help_command([key for key in TOPICS if key in present])])
