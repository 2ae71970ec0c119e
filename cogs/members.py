"""`/join`, `/leave`, `/hours`, `/away` and `/mod member …`: who is in the rota and how much they give."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app import members
from bot.domain.organizations import MAX_HOURS
from bot.domain.solver.model import hours_in
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext
from bot.i18n.formatting import short_date
from cogs.common import ModeratorGroup, bot_of, clip, db, literal, register
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot

Hours = app_commands.Range[float, 0.25, MAX_HOURS]

member_group = ModeratorGroup(name="member", description="Manage the rota's members")
availability_group = app_commands.Group(
    name="availability", description="When you can do work at set times (shifts)", guild_only=True
)
Windows = app_commands.Range[str, 1, 400]
WINDOWS_HELP = "e.g. mon-fri 18:00-22:00; sat-sun (a day alone: the whole day), in the organization's time"
MOMENTS_SHOWN = 14


def availability_text(shown: members.Availability, *, you: bool = True, language: str = SOURCE_LANGUAGE) -> str:
    """The windows in words and as Discord timestamps (each reader's own time), so a mistake shows."""
    org, member = literal(shown.org_name), f"<@{shown.user_id}>"
    if shown.windows is None:
        if you:
            return gettext(
                language,
                "Your times in **{org}**: any time (no windows set), so shifts at set times can fall at any hour. "
                "`/availability set windows:` narrows them.",
                org=org,
            )
        return gettext(
            language,
            "{member}'s times in **{org}**: any time (no windows set), so shifts at set times can fall at any hour. "
            "`/availability set windows:` narrows them.",
            member=member,
            org=org,
        )
    moments = shown.moments()
    lines = [
        f"• {discord.utils.format_dt(start, 'f')}–{discord.utils.format_dt(end, 't')}"
        for start, end in moments[:MOMENTS_SHOWN]
    ]
    if len(moments) > MOMENTS_SHOWN:
        more = len(moments) - MOMENTS_SHOWN
        lines.append("• " + ngettext(language, "and {count} more", "and {count} more", more))
    facts = {"org": org, "words": shown.words(language), "timezone": shown.timezone}
    heading = (
        gettext(language, "Your times for shifts in **{org}**: **{words}** ({timezone} time).", **facts)
        if you
        else gettext(
            language, "{member}'s times for shifts in **{org}**: **{words}** ({timezone} time).", member=member, **facts
        )
    )
    return clip(
        "\n".join(
            [
                heading,
                gettext(language, "Next week ({week}) in your own time:", week=shown.week),
                *lines,
                gettext(language, "Shifts at set times are only given within these; flexible work is not affected."),
            ]
        ),
        1900,
    )


@availability_group.command(name="set", description="Set when you can do work at set times")
@app_commands.describe(windows=WINDOWS_HELP)
async def availability_set(interaction: discord.Interaction, windows: Windows) -> None:
    bot = bot_of(interaction)
    shown = await members.set_availability(bot.db, interaction.guild_id, interaction.user.id, windows, bot.now())
    language = await answer_language_here(interaction)
    text = gettext(language, "Saved. {availability}", availability=availability_text(shown, language=language))
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


@availability_group.command(name="show", description="When you said you can do work at set times")
async def availability_show(interaction: discord.Interaction) -> None:
    bot = bot_of(interaction)
    shown = await members.availability(bot.db, interaction.guild_id, interaction.user.id, bot.now())
    language = await answer_language_here(interaction)
    await interaction.response.send_message(
        availability_text(shown, language=language), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


@availability_group.command(name="clear", description="Available any time again for work at set times")
async def availability_clear(interaction: discord.Interaction) -> None:
    bot = bot_of(interaction)
    shown = await members.set_availability(bot.db, interaction.guild_id, interaction.user.id, "", bot.now())
    language = await answer_language_here(interaction)
    text = gettext(language, "Cleared. {availability}", availability=availability_text(shown, language=language))
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


@app_commands.command(name="join", description="Join this organization's rota")
@app_commands.describe(hours="Hours a week you can give (default: the organization's default)")
@app_commands.guild_only()
async def join(interaction: discord.Interaction, hours: Hours | None = None) -> None:
    user = interaction.user
    joined = await members.join(
        db(interaction), interaction.guild_id, user.id, user.display_name, hours, bot_of(interaction).now()
    )
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "Welcome to **{org}**'s rota with {hours} h a week. Your first job complex comes with the next rota. "
        "Meanwhile, rate the tasks with `/rate`: your ratings shape what counts as a fair share.",
        org=joined.org_name,
        hours=hours_in(joined.hours, language),
    )
    await interaction.response.send_message(text, ephemeral=True)


@app_commands.command(name="leave", description="Leave this organization's rota (your history is kept)")
@app_commands.guild_only()
async def leave(interaction: discord.Interaction) -> None:
    org_name = await members.leave(db(interaction), interaction.guild_id, interaction.user.id)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "You left **{org}**'s rota; from the next rota you get no tasks. `/join` brings you back.",
        org=org_name,
    )
    await interaction.response.send_message(text, ephemeral=True)


@app_commands.command(name="hours", description="Change how many hours a week you can give")
@app_commands.describe(hours="Hours a week, more than 0 and at most 168")
@app_commands.guild_only()
async def hours(interaction: discord.Interaction, hours: Hours) -> None:
    weekly = await members.set_hours(db(interaction), interaction.guild_id, interaction.user.id, hours)
    language = await answer_language_here(interaction)
    text = gettext(language, "Your hours are now {hours} a week, from the next rota.", hours=hours_in(weekly, language))
    await interaction.response.send_message(text, ephemeral=True)


@app_commands.command(name="away", description="Tell the rota you are away (no tasks in weeks you are away)")
@app_commands.describe(start="First day away, YYYY-MM-DD", end="Last day away, YYYY-MM-DD")
@app_commands.guild_only()
async def away(interaction: discord.Interaction, start: str, end: str) -> None:
    today = datetime.now(UTC).date()
    first, last = await members.add_away(db(interaction), interaction.guild_id, interaction.user.id, start, end, today)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "Noted: away from {first} to {last}. Rotas for weeks you are away give you no tasks.",
        first=f"{first:%a %d %b %Y}" if language == SOURCE_LANGUAGE else short_date(first, language),
        last=f"{last:%a %d %b %Y}" if language == SOURCE_LANGUAGE else short_date(last, language),
    )
    await interaction.response.send_message(text, ephemeral=True)


@member_group.command(name="qualify", description="Record that a member has a qualification")
@app_commands.describe(member="The member", qualification="e.g. driver, first-aid, accounting")
async def qualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = await members.qualify(db(interaction), interaction.guild_id, interaction.user.id, member.id, qualification)
    language = await answer_language_here(interaction)
    text = gettext(language, "{member} now has `{qualification}`.", member=member.mention, qualification=name)
    await interaction.response.send_message(text, ephemeral=True)


@member_group.command(name="unqualify", description="Remove a qualification from a member")
@app_commands.describe(member="The member", qualification="The qualification to remove")
async def unqualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = await members.unqualify(db(interaction), interaction.guild_id, interaction.user.id, member.id, qualification)
    language = await answer_language_here(interaction)
    text = gettext(language, "{member} no longer has `{qualification}`.", member=member.mention, qualification=name)
    await interaction.response.send_message(text, ephemeral=True)


@member_group.command(name="hours", description="Set a member's weekly hours")
@app_commands.describe(member="The member", hours="Hours a week, more than 0 and at most 168")
async def member_hours(interaction: discord.Interaction, member: discord.Member, hours: Hours) -> None:
    weekly = await members.set_member_hours(
        db(interaction), interaction.guild_id, interaction.user.id, member.id, hours
    )
    language = await answer_language_here(interaction)
    text = gettext(
        language, "{member} now gives {hours} h a week.", member=member.mention, hours=hours_in(weekly, language)
    )
    await interaction.response.send_message(text, ephemeral=True)


@member_group.command(name="availability", description="Set when a member can do work at set times")
@app_commands.describe(member="The member", windows=WINDOWS_HELP + "; - for any time")
async def member_availability(interaction: discord.Interaction, member: discord.Member, windows: Windows) -> None:
    bot = bot_of(interaction)
    text = "" if windows.strip() in ("-", "none") else windows
    shown = await members.set_member_availability(
        bot.db, interaction.guild_id, interaction.user.id, member.id, text, bot.now()
    )
    language = await answer_language_here(interaction)
    shown_text = availability_text(shown, you=False, language=language)
    text = gettext(language, "Saved. {availability}", availability=shown_text)
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


@member_group.command(name="remove", description="Take a member out of the rota (their history is kept)")
@app_commands.describe(member="The member")
async def member_remove(interaction: discord.Interaction, member: discord.Member) -> None:
    await members.remove_member(db(interaction), interaction.guild_id, interaction.user.id, member.id)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "{member} is out of the rota from the next week, and cannot `/join` again until a moderator lets them "
        "back with `/mod member readmit`.",
        member=member.mention,
    )
    await interaction.response.send_message(text, ephemeral=True)


@member_group.command(name="readmit", description="Let a member a moderator removed join the rota again")
@app_commands.describe(member="The member who was removed")
async def member_readmit(interaction: discord.Interaction, member: discord.Member) -> None:
    await members.readmit_member(db(interaction), interaction.guild_id, interaction.user.id, member.id)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "{member} may `/join` the rota again (their membership starts anew when they do).",
        member=member.mention,
    )
    await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[join, leave, hours, away, availability_group], moderator=[member_group])
