"""`/org` and `/mod org …`: the organization on this server, its schedule, settings and goals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands

from bot import organizations as rules
from bot.errors import BadInput
from bot.schedule import WEEKDAYS, next_publication, timezone_names
from cogs.common import ModeratorGroup, clip, db, org_here, register, services
from storage import orgs
from storage.models import Goal, Organization, utcnow

if TYPE_CHECKING:
    from bot.client import RotaBot

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

org_group = ModeratorGroup(name="org", description="Set up this server's organization")


def schedule_text(org: Organization) -> str:
    when = next_publication(utcnow(), org.timezone, org.publish_day, org.publish_time)
    return (
        f"Every {WEEKDAYS[org.publish_day]} at {org.publish_time:%H:%M} ({org.timezone}); next "
        f"{discord.utils.format_dt(when, 'F')} ({discord.utils.format_dt(when, 'R')})"
    )


def org_embed(org: Organization, channel_id: int, goals: list[Goal], members: int) -> discord.Embed:
    embed = discord.Embed(title=org.name, colour=discord.Colour.dark_green())
    embed.add_field(name="Rota channel", value=f"<#{channel_id}>")
    embed.add_field(name="Members in the rota", value=str(members))
    embed.add_field(name="Merge code", value=f"`{org.merge_code}`")
    embed.add_field(name="Schedule", value=schedule_text(org), inline=False)
    goal_lines = "\n".join(f"• {clip(g.text, 200)}" for g in goals) or "No goals yet (`/mod org goal-add`)."
    embed.add_field(name="Goals", value=clip(goal_lines, 1024), inline=False)
    return embed


@app_commands.command(name="org", description="This server's organization: goals, schedule, members, merge code")
@app_commands.guild_only()
async def org_command(interaction: discord.Interaction) -> None:
    async with db(interaction).session() as session:
        org = await org_here(session, interaction)
        server = await orgs.server(session, interaction.guild_id)
        goals = await orgs.goals(session, org.id)
        members = await orgs.active_member_count(session, org.id)
    await interaction.response.send_message(embed=org_embed(org, server.channel_id, goals, members), ephemeral=True)


async def timezone_choices(_interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower().replace(" ", "_")
    names = [n for n in timezone_names() if needle in n.lower()] if needle else ["UTC", *timezone_names()]
    return [app_commands.Choice(name=n, value=n) for n in names[:25]]


@org_group.command(name="setup", description="Create or update this server's organization and its weekly schedule")
@app_commands.describe(
    channel="Where the weekly rota is posted",
    name="The organization's name (default: the server's name)",
    timezone="IANA timezone of the schedule, e.g. Europe/Berlin (default UTC)",
    day="Day of the week the rota is published (default mon)",
    time="Time of day it is published, 24-hour HH:MM (default 09:00)",
)
@app_commands.autocomplete(timezone=timezone_choices)
async def org_setup(
    interaction: discord.Interaction,
    channel: discord.TextChannel,
    name: app_commands.Range[str, 1, 100] | None = None,
    timezone: str | None = None,
    day: Day | None = None,
    time: str | None = None,
) -> None:
    me = interaction.guild.me
    if isinstance(channel, discord.TextChannel) and me is not None:
        allowed = channel.permissions_for(me)
        if not (allowed.send_messages and allowed.embed_links and allowed.attach_files):
            raise BadInput(
                f"I can't post the rota in {channel.mention}: give me Send Messages, Embed Links and Attach Files "
                "there, or pick another channel."
            )
    tz = rules.check_timezone(timezone) if timezone else None
    weekday = rules.parse_day(day) if day else None
    at = rules.parse_clock(time) if time else None
    clean_name = rules.check_name(name, "organization name") if name else None
    async with db(interaction).transaction() as session:
        org = await orgs.org_for_guild(session, interaction.guild_id)
        if org is None:
            org = await orgs.create_org(
                session,
                guild_id=interaction.guild_id,
                channel_id=channel.id,
                name=clean_name or rules.check_name(interaction.guild.name, "organization name"),
                timezone=tz or "UTC",
                day=0 if weekday is None else weekday,
                at=at or rules.parse_clock("09:00"),
                merge_code=rules.new_merge_code(),
            )
            action = "org.create"
        else:
            server = await orgs.server(session, interaction.guild_id)
            server.channel_id = channel.id
            org.name = clean_name or org.name
            org.timezone = tz or org.timezone
            org.publish_day = org.publish_day if weekday is None else weekday
            org.publish_time = at or org.publish_time
            action = "org.update"
        orgs.audit(
            session,
            org.id,
            interaction.user.id,
            action,
            f"name={org.name} channel={channel.id} schedule={WEEKDAYS[org.publish_day]} "
            f"{org.publish_time:%H:%M} {org.timezone}",
        )
    await services(interaction).schedule_changed(org.id)
    verb = "created" if action == "org.create" else "updated"
    await interaction.response.send_message(
        f"**{org.name}** {verb}. The rota goes to {channel.mention}. {schedule_text(org)}.\n"
        "Next: add tasks with `/mod task add` (or `/mod task import`), and ask members to `/join` and `/rate`.",
        ephemeral=True,
    )


@org_group.command(name="settings", description="Default hours for new members and the rules of merge votes")
@app_commands.describe(
    default_hours="Weekly hours a member gets on /join unless they say otherwise (default 10)",
    quorum="Percent of members who must vote for a merge vote to count (default 50)",
    threshold="Percent yes of yes+no needed to pass (default 67)",
    vote_hours="How long a merge vote stays open, in hours (default 72)",
)
async def org_settings(
    interaction: discord.Interaction,
    default_hours: app_commands.Range[float, 0.25, 168.0] | None = None,
    quorum: app_commands.Range[int, 1, 100] | None = None,
    threshold: app_commands.Range[int, 1, 100] | None = None,
    vote_hours: app_commands.Range[int, 1, 720] | None = None,
) -> None:
    changes = {
        "default_hours": None if default_hours is None else rules.check_hours(default_hours, "default_hours"),
        "quorum_pct": None if quorum is None else rules.check_percent(quorum, "quorum"),
        "threshold_pct": None if threshold is None else rules.check_percent(threshold, "threshold"),
        "vote_hours": None if vote_hours is None else rules.check_vote_hours(vote_hours),
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        for key, value in changes.items():
            setattr(org, key, value)
        if changes:
            orgs.audit(
                session,
                org.id,
                interaction.user.id,
                "org.settings",
                " ".join(f"{k}={v:g}" for k, v in changes.items()),
            )
        recent = await orgs.recent_audit(session, org.id, limit=5)
    embed = discord.Embed(title=f"{org.name}: settings", colour=discord.Colour.dark_green())
    embed.add_field(name="Default hours", value=f"{org.default_hours:g} h/week")
    embed.add_field(
        name="Merge votes",
        value=f"quorum {org.quorum_pct}%, threshold {org.threshold_pct}%, open {org.vote_hours} h",
    )
    embed.add_field(name="Recent moderator actions", value=audit_lines(recent) or "none", inline=False)
    await interaction.response.send_message(
        ("Saved. " if changes else "") + "Use the options to change a setting.", embed=embed, ephemeral=True
    )


def audit_lines(entries) -> str:
    lines = [
        f"{discord.utils.format_dt(e.created_at, 'f')} <@{e.actor_id}> `{e.action}` {clip(e.detail, 120)}"
        for e in entries
    ]
    return clip("\n".join(lines), 1024)


@org_group.command(name="goal-add", description="Add one of the organization's goals")
@app_commands.describe(text="The goal, in a sentence")
async def goal_add(interaction: discord.Interaction, text: app_commands.Range[str, 1, 300]) -> None:
    text = " ".join(text.split())
    if not text:
        raise BadInput("The goal is empty.")
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        session.add(Goal(organization_id=org.id, text=text))
        orgs.audit(session, org.id, interaction.user.id, "goal.add", text)
    await interaction.response.send_message(f"Goal added: {text}", ephemeral=True)


async def goal_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    async with db(interaction).session() as session:
        org = await orgs.org_for_guild(session, interaction.guild_id)
        goals = await orgs.goals(session, org.id) if org else []
    needle = current.lower()
    return [app_commands.Choice(name=clip(g.text, 100), value=str(g.id)) for g in goals if needle in g.text.lower()][
        :25
    ]


@org_group.command(name="goal-remove", description="Remove one of the organization's goals")
@app_commands.describe(goal="The goal to remove")
@app_commands.autocomplete(goal=goal_choices)
async def goal_remove(interaction: discord.Interaction, goal: str) -> None:
    async with db(interaction).transaction() as session:
        org = await org_here(session, interaction)
        row = await session.get(Goal, int(goal)) if goal.isdigit() else None
        if row is None or row.organization_id != org.id:
            raise BadInput("I can't find that goal. Pick one from the list as you type.")
        await session.delete(row)
        orgs.audit(session, org.id, interaction.user.id, "goal.remove", row.text)
    await interaction.response.send_message(f"Goal removed: {row.text}", ephemeral=True)


@app_commands.command(name="audit", description="Recent moderator actions: who did what, when")
@app_commands.describe(count="How many entries (default 15)")
async def audit(interaction: discord.Interaction, count: app_commands.Range[int, 1, 25] = 15) -> None:
    async with db(interaction).session() as session:
        org = await org_here(session, interaction)
        entries = await orgs.recent_audit(session, org.id, limit=count)
    embed = discord.Embed(title=f"{org.name}: moderator actions", description=audit_lines(entries) or "none yet")
    await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[org_command], moderator=[org_group, audit])
