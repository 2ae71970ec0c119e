"""`/join`, `/leave`, `/hours`, `/away` and `/mod member …`: who is in the rota and how much they give."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import organizations as rules
from bot.errors import BadInput
from cogs.common import ModeratorGroup, clip, db, org_here, register
from storage import members, orgs
from storage.models import Away, MemberRow, utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.client import RotaBot

member_group = ModeratorGroup(name="member", description="Manage the rota's members")


async def require_member(session: AsyncSession, org_id: int, user: discord.abc.User, *, you: bool) -> MemberRow:
    row = await members.member_for(session, org_id, user.id)
    if row is None or not row.active:
        raise BadInput(
            "You are not in the rota yet: `/join` first."
            if you
            else f"{user.mention} is not in the rota. They can join with `/join`."
        )
    return row


@app_commands.command(name="join", description="Join this organization's rota")
@app_commands.describe(hours="Hours a week you can give (default: the organization's default)")
@app_commands.guild_only()
async def join(interaction: discord.Interaction, hours: app_commands.Range[float, 0.25, 168.0] | None = None) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        weekly = rules.check_hours(hours if hours is not None else org.default_hours)
        row = await members.member_for(session, org.id, interaction.user.id)
        if row is not None and row.active:
            raise BadInput(f"You are already in the rota with {row.hours:g} h a week. Change that with `/hours`.")
        if row is None:
            row = MemberRow(
                organization_id=org.id,
                user_id=interaction.user.id,
                hours=weekly,
                display_name=clip(interaction.user.display_name, 100),
            )
            session.add(row)
        else:
            row.active, row.hours = True, weekly
    await interaction.response.send_message(
        f"Welcome to **{org.name}**'s rota with {weekly:g} h a week. Your first job complex comes with the next "
        "rota. Meanwhile, rate the tasks with `/rate`: your ratings shape what counts as a fair share.",
        ephemeral=True,
    )


@app_commands.command(name="leave", description="Leave this organization's rota (your history is kept)")
@app_commands.guild_only()
async def leave(interaction: discord.Interaction) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, interaction.user, you=True)
        row.active = False
    await interaction.response.send_message(
        f"You left **{org.name}**'s rota; from the next rota you get no tasks. `/join` brings you back.",
        ephemeral=True,
    )


@app_commands.command(name="hours", description="Change how many hours a week you can give")
@app_commands.describe(hours="Hours a week, more than 0 and at most 168")
@app_commands.guild_only()
async def hours(interaction: discord.Interaction, hours: app_commands.Range[float, 0.25, 168.0]) -> None:
    weekly = rules.check_hours(hours)
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, interaction.user, you=True)
        row.hours = weekly
    await interaction.response.send_message(
        f"Your hours are now {weekly:g} a week, from the next rota.", ephemeral=True
    )


@app_commands.command(name="away", description="Tell the rota you are away (no tasks in weeks you are away)")
@app_commands.describe(start="First day away, YYYY-MM-DD", end="Last day away, YYYY-MM-DD")
@app_commands.guild_only()
async def away(interaction: discord.Interaction, start: str, end: str) -> None:
    first, last = rules.check_away(start, end, utcnow().date())
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, interaction.user, you=True)
        session.add(Away(member_id=row.id, start=first, end=last))
    await interaction.response.send_message(
        f"Noted: away from {first:%a %d %b %Y} to {last:%a %d %b %Y}. Rotas for weeks you are away give you no tasks.",
        ephemeral=True,
    )


@member_group.command(name="qualify", description="Record that a member has a qualification")
@app_commands.describe(member="The member", qualification="e.g. driver, first-aid, accounting")
async def qualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = qualification.strip().lower()
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, member, you=False)
        if not await members.add_qualification(session, row.id, name):
            raise BadInput(f"{member.mention} already has `{name}`.")
        orgs.audit(session, org.id, interaction.user.id, "member.qualify", f"{member.id} +{name}")
    await interaction.response.send_message(f"{member.mention} now has `{name}`.", ephemeral=True)


@member_group.command(name="unqualify", description="Remove a qualification from a member")
@app_commands.describe(member="The member", qualification="The qualification to remove")
async def unqualify(
    interaction: discord.Interaction, member: discord.Member, qualification: app_commands.Range[str, 1, 50]
) -> None:
    name = qualification.strip().lower()
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, member, you=False)
        if not await members.remove_qualification(session, row.id, name):
            held = ", ".join(await members.qualifications(session, row.id)) or "none"
            raise BadInput(f"{member.mention} does not have `{name}` (they have: {held}).")
        orgs.audit(session, org.id, interaction.user.id, "member.unqualify", f"{member.id} -{name}")
    await interaction.response.send_message(f"{member.mention} no longer has `{name}`.", ephemeral=True)


@member_group.command(name="hours", description="Set a member's weekly hours")
@app_commands.describe(member="The member", hours="Hours a week, more than 0 and at most 168")
async def member_hours(
    interaction: discord.Interaction, member: discord.Member, hours: app_commands.Range[float, 0.25, 168.0]
) -> None:
    weekly = rules.check_hours(hours)
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, member, you=False)
        before, row.hours = row.hours, weekly
        orgs.audit(session, org.id, interaction.user.id, "member.hours", f"{member.id} {before:g} -> {weekly:g}")
    await interaction.response.send_message(f"{member.mention} now gives {weekly:g} h a week.", ephemeral=True)


@member_group.command(name="remove", description="Take a member out of the rota (their history is kept)")
@app_commands.describe(member="The member")
async def member_remove(interaction: discord.Interaction, member: discord.Member) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await require_member(session, org.id, member, you=False)
        row.active = False
        orgs.audit(session, org.id, interaction.user.id, "member.remove", str(member.id))
    await interaction.response.send_message(
        f"{member.mention} is out of the rota from the next week. They can `/join` again.", ephemeral=True
    )


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[join, leave, hours, away], moderator=[member_group])
