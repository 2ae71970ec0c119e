"""`/join`, `/leave`, `/hours`, `/away` and `/mod member …`: who is in the rota and how much they give."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.app import members
from bot.domain.organizations import MAX_HOURS
from bot.domain.solver.model import hours_text
from cogs.common import ModeratorGroup, bot_of, clip, db, literal, register

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


def availability_text(shown: members.Availability, *, you: bool = True) -> str:
    """The windows in words and as Discord timestamps (each reader's own time), so a mistake shows."""
    whose = "Your" if you else f"<@{shown.user_id}>'s"
    if shown.windows is None:
        return (
            f"{whose} times in **{literal(shown.org_name)}**: any time (no windows set), so shifts at set times can "
            "fall at any hour. `/availability set windows:` narrows them."
        )
    moments = shown.moments()
    lines = [
        f"• {discord.utils.format_dt(start, 'f')}–{discord.utils.format_dt(end, 't')}"
        for start, end in moments[:MOMENTS_SHOWN]
    ]
    if len(moments) > MOMENTS_SHOWN:
        lines.append(f"• and {len(moments) - MOMENTS_SHOWN} more")
    return clip(
        "\n".join(
            [
                f"{whose} times for shifts in **{literal(shown.org_name)}**: **{shown.words}** "
                f"({shown.timezone} time).",
                f"Next week ({shown.week}) in your own time:",
                *lines,
                "Shifts at set times are only given within these; flexible work is not affected.",
            ]
        ),
        1900,
    )


@availability_group.command(name="set", description="Set when you can do work at set times")
@app_commands.describe(windows=WINDOWS_HELP)
async def availability_set(interaction: discord.Interaction, windows: Windows) -> None:
    bot = bot_of(interaction)
    shown = await members.set_availability(bot.db, interaction.guild_id, interaction.user.id, windows, bot.now())
    await interaction.response.send_message(
        "Saved. " + availability_text(shown), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


@availability_group.command(name="show", description="When you said you can do work at set times")
async def availability_show(interaction: discord.Interaction) -> None:
    bot = bot_of(interaction)
    shown = await members.availability(bot.db, interaction.guild_id, interaction.user.id, bot.now())
    await interaction.response.send_message(
        availability_text(shown), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


@availability_group.command(name="clear", description="Available any time again for work at set times")
async def availability_clear(interaction: discord.Interaction) -> None:
    bot = bot_of(interaction)
    shown = await members.set_availability(bot.db, interaction.guild_id, interaction.user.id, "", bot.now())
    await interaction.response.send_message(
        "Cleared. " + availability_text(shown), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


@app_commands.command(name="join", description="Join this organization's rota")
@app_commands.describe(hours="Hours a week you can give (default: the organization's default)")
@app_commands.guild_only()
async def join(interaction: discord.Interaction, hours: Hours | None = None) -> None:
    user = interaction.user
    joined = await members.join(
        db(interaction), interaction.guild_id, user.id, user.display_name, hours, bot_of(interaction).now()
    )
    await interaction.response.send_message(
        f"Welcome to **{joined.org_name}**'s rota with {hours_text(joined.hours)} h a week. Your first job "
        "complex comes with the next rota. Meanwhile, rate the tasks with `/rate`: your ratings shape what counts "
        "as a fair share.",
        ephemeral=True,
    )


@app_commands.command(name="leave", description="Leave this organization's rota (your history is kept)")
@app_commands.guild_only()
async def leave(interaction: discord.Interaction) -> None:
    org_name = await members.leave(db(interaction), interaction.guild_id, interaction.user.id)
    await interaction.response.send_message(
        f"You left **{org_name}**'s rota; from the next rota you get no tasks. `/join` brings you back.",
        ephemeral=True,
    )


@app_commands.command(name="hours", description="Change how many hours a week you can give")
@app_commands.describe(hours="Hours a week, more than 0 and at most 168")
@app_commands.guild_only()
async def hours(interaction: discord.Interaction, hours: Hours) -> None:
    weekly = await members.set_hours(db(interaction), interaction.guild_id, interaction.user.id, hours)
    await interaction.response.send_message(
        f"Your hours are now {hours_text(weekly)} a week, from the next rota.", ephemeral=True
    )


@app_commands.command(name="away", description="Tell the rota you are away (no tasks in weeks you are away)")
@app_commands.describe(start="First day away, YYYY-MM-DD", end="Last day away, YYYY-MM-DD")
@app_commands.guild_only()
async def away(interaction: discord.Interaction, start: str, end: str) -> None:
    today = datetime.now(UTC).date()
    first, last = await members.add_away(db(interaction), interaction.guild_id, interaction.user.id, start, end, today)
    await interaction.response.send_message(
        f"Noted: away from {first:%a %d %b %Y} to {last:%a %d %b %Y}. Rotas for weeks you are away give you no tasks.",
        ephemeral=True,
    )


@member_group.command(name="qualify", description="Record that a member has a qualification")
@app_commands.describe(member="The member", qualification="e.g. driver, first-aid, accounting")
async def qualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = await members.qualify(db(interaction), interaction.guild_id, interaction.user.id, member.id, qualification)
    await interaction.response.send_message(f"{member.mention} now has `{name}`.", ephemeral=True)


@member_group.command(name="unqualify", description="Remove a qualification from a member")
@app_commands.describe(member="The member", qualification="The qualification to remove")
async def unqualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = await members.unqualify(db(interaction), interaction.guild_id, interaction.user.id, member.id, qualification)
    await interaction.response.send_message(f"{member.mention} no longer has `{name}`.", ephemeral=True)


@member_group.command(name="hours", description="Set a member's weekly hours")
@app_commands.describe(member="The member", hours="Hours a week, more than 0 and at most 168")
async def member_hours(interaction: discord.Interaction, member: discord.Member, hours: Hours) -> None:
    weekly = await members.set_member_hours(
        db(interaction), interaction.guild_id, interaction.user.id, member.id, hours
    )
    await interaction.response.send_message(
        f"{member.mention} now gives {hours_text(weekly)} h a week.", ephemeral=True
    )


@member_group.command(name="availability", description="Set when a member can do work at set times")
@app_commands.describe(member="The member", windows=WINDOWS_HELP + "; - for any time")
async def member_availability(interaction: discord.Interaction, member: discord.Member, windows: Windows) -> None:
    bot = bot_of(interaction)
    text = "" if windows.strip() in ("-", "none") else windows
    shown = await members.set_member_availability(
        bot.db, interaction.guild_id, interaction.user.id, member.id, text, bot.now()
    )
    await interaction.response.send_message(
        "Saved. " + availability_text(shown, you=False), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


@member_group.command(name="remove", description="Take a member out of the rota (their history is kept)")
@app_commands.describe(member="The member")
async def member_remove(interaction: discord.Interaction, member: discord.Member) -> None:
    await members.remove_member(db(interaction), interaction.guild_id, interaction.user.id, member.id)
    await interaction.response.send_message(
        f"{member.mention} is out of the rota from the next week, and cannot `/join` again until a moderator "
        "lets them back with `/mod member readmit`.",
        ephemeral=True,
    )


@member_group.command(name="readmit", description="Let a member a moderator removed join the rota again")
@app_commands.describe(member="The member who was removed")
async def member_readmit(interaction: discord.Interaction, member: discord.Member) -> None:
    await members.readmit_member(db(interaction), interaction.guild_id, interaction.user.id, member.id)
    await interaction.response.send_message(
        f"{member.mention} may `/join` the rota again (their membership starts anew when they do).", ephemeral=True
    )


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[join, leave, hours, away, availability_group], moderator=[member_group])
