"""`/org` and `/mod org …`: the organization on this server, its schedule, settings and goals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import discord
from babel.dates import get_day_names
from discord import app_commands

from bot.app import organizations as app
from bot.app import report as report_app
from bot.app.languages import language_name
from bot.app.ledger import describe_rate
from bot.domain.errors import BadInput
from bot.domain.first_week import Step, ready_to_publish
from bot.domain.organizations import MAX_CLAIM_HOURS, MAX_HOURS
from bot.domain.schedule import DAY_NAMES, next_publication, timezone_names
from bot.domain.solver.model import MAX_GRANULARITY, MIN_GRANULARITY, hours_text
from bot.i18n import SOURCE_LANGUAGE, gettext, lazy_gettext, ngettext, render
from bot.i18n.formatting import number
from cogs.common import ModeratorGroup, clip, db, register, services
from cogs.languages import LANGUAGE_CHOICES, answer_language, answer_language_here

if TYPE_CHECKING:
    from bot.app.effects import GivenUp
    from cogs.host import RotaBot
    from storage.models import AuditEntry, Goal, Organization

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

org_group = ModeratorGroup(name="org", description="Set up this server's organization")


def day_name(day: int, language: str) -> str:
    """A day of the week by its number (0: Monday), in `language`."""
    return DAY_NAMES[day] if language == "en" else get_day_names("wide", locale=language)[day]


def schedule_text(org: Organization, language: str = "en") -> str:
    when = next_publication(datetime.now(UTC), org.timezone, org.publish_day, org.publish_time)
    return gettext(
        language,
        "Every {day} at {time} ({zone}); next {when} ({relative})",
        day=day_name(org.publish_day, language),
        time=f"{org.publish_time:%H:%M}",
        zone=org.timezone,
        when=discord.utils.format_dt(when, "F"),
        relative=discord.utils.format_dt(when, "R"),
    )


def org_embed(
    org: Organization, channel_id: int, goals: list[Goal], members: int, language: str = "en"
) -> discord.Embed:
    embed = discord.Embed(title=org.name, colour=discord.Colour.dark_green())
    embed.add_field(name=gettext(language, "Rota channel"), value=f"<#{channel_id}>")
    embed.add_field(name=gettext(language, "Members in the rota"), value=number(members, language))
    embed.add_field(name=gettext(language, "Merge code"), value=f"`{org.merge_code}`")
    embed.add_field(name=gettext(language, "Schedule"), value=schedule_text(org, language), inline=False)
    goal_lines = "\n".join(f"• {clip(g.text, 200)}" for g in goals) or gettext(
        language, "No goals yet (`/mod org goal-add`)."
    )
    embed.add_field(name=gettext(language, "Goals"), value=clip(goal_lines, 1024), inline=False)
    return embed


@app_commands.command(name="org", description="This server's organization: goals, schedule, members, merge code")
@app_commands.guild_only()
async def org_command(interaction: discord.Interaction) -> None:
    info = await app.org_info(db(interaction), interaction.guild_id)
    language = answer_language(interaction, info.org.language)
    embed = org_embed(info.org, info.channel_id, info.goals, info.members, language)
    await interaction.response.send_message(embed=embed, ephemeral=True)


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
    assert interaction.guild is not None  # guild-only: `/mod` refuses DMs
    me = interaction.guild.me
    if isinstance(channel, discord.TextChannel) and me is not None and not may_post(channel, me):
        raise BadInput(
            lazy_gettext(
                "I can't post the rota in {channel}: give me Send Messages, Embed Links and Attach Files there, or "
                "pick another channel.",
                channel=channel.mention,
            )
        )
    wanted = app.Schedule(channel.id, name, timezone, day, time)
    done = await app.set_up(
        db(interaction),
        interaction.guild.id,
        interaction.guild.name,
        interaction.user.id,
        wanted,
        services(interaction).now(),
    )
    org = done.org
    await services(interaction).schedule_changed(org.id)
    language = answer_language(interaction, org.language)
    guide = await app.first_week(db(interaction), interaction.guild_id, posting_check(interaction), language)
    if done.created:
        text = gettext(
            language,
            "**{org}** created. The rota goes to {channel}. {schedule}.",
            org=org.name,
            channel=channel.mention,
            schedule=schedule_text(org, language),
        )
    else:
        text = gettext(
            language,
            "**{org}** updated. The rota goes to {channel}. {schedule}.",
            org=org.name,
            channel=channel.mention,
            schedule=schedule_text(org, language),
        )
    await interaction.response.send_message(
        text,
        embeds=[first_week_embed(guide.steps, language)] if guide.steps else [],
        ephemeral=True,
    )


def may_post(channel: discord.abc.GuildChannel, me: discord.Member) -> bool:
    """Whether the bot can post a rota there: text, its embed, and the chart as a file."""
    allowed = channel.permissions_for(me)
    return allowed.send_messages and allowed.embed_links and allowed.attach_files


def posting_check(interaction: discord.Interaction) -> Callable[[int], bool]:
    def check(channel_id: int) -> bool:
        guild = interaction.guild
        channel = guild.get_channel(channel_id) if guild else None
        return guild is not None and channel is not None and may_post(channel, guild.me)

    return check


def first_week_embed(steps: list[Step], language: str = "en") -> discord.Embed:
    """The set-up checklist: what is done, what is missing and the command for each."""
    lines = [
        f"✅ {clip(step.text, 300)}" if step.done else f"⬜ {clip(step.text, 300)} → `{step.command}`" for step in steps
    ]
    if ready_to_publish(steps):
        ready = gettext(language, "Nothing blocks a publication now.")
    else:
        ready = gettext(language, "Before the first publication:")
    after = gettext(language, "`/mod org status` shows this until the first week is out; `/help` lists every command.")
    return discord.Embed(
        title=gettext(language, "Your first week"),
        description=clip(f"{ready}\n" + "\n".join(lines), 4000) + "\n\n" + after,
        colour=discord.Colour.blurple(),
    )


@org_group.command(name="status", description="The organization at a glance, and what is left before the first week")
async def org_status(interaction: discord.Interaction) -> None:
    info = await app.org_info(db(interaction), interaction.guild_id)
    language = answer_language(interaction, info.org.language)
    guide = await app.first_week(db(interaction), interaction.guild_id, posting_check(interaction), language)
    embeds = [org_embed(info.org, info.channel_id, info.goals, info.members, language)]
    if guide.steps:
        embeds.append(first_week_embed(guide.steps, language))
    await interaction.response.send_message(embeds=embeds, ephemeral=True)


@org_group.command(
    name="settings", description="Default hours for new members, the rules of merge votes, the shortest shift step"
)
@app_commands.describe(
    default_hours="Weekly hours a member gets on /join unless they say otherwise (default 10)",
    quorum="Percent of members who must vote for a merge vote to count (default 50)",
    threshold="Percent yes of yes+no needed to pass (default 67)",
    vote_hours="How long a merge vote stays open, in hours (default 72)",
    granularity="Shortest step splittable tasks are cut into, in hours: 0.25 = a quarter hour (default 0.25)",
    pings="Whether the rota post mentions (notifies) each member with work (default on)",
    claim_hours="How long a task someone can't do stays open to claims, in hours (default 24; never past its week)",
    reminder_day="Day of the mid-week reminder of work not yet done, or off (default thu)",
    reminder_time="Time of day of that reminder, 24-hour HH:MM (default 18:00)",
    shift_reminders="Hours before each shift at a set time that its holder gets a DM (default 12), or off",
    moderator_role="Role told when nobody claims a task given back (pick @everyone to mention no role)",
    hourly_rate="Equal pay per hour done, for the ledger's export, e.g. 18.50 (0 removes it)",
    currency="Currency shown with the pay, e.g. EUR, USD or £ (a space removes it)",
    language="Language of the rota post, votes and DMs (members may choose their own for their DMs)",
)
@app_commands.choices(language=LANGUAGE_CHOICES)
async def org_settings(
    interaction: discord.Interaction,
    default_hours: app_commands.Range[float, 0.25, MAX_HOURS] | None = None,
    quorum: app_commands.Range[int, 1, 100] | None = None,
    threshold: app_commands.Range[int, 1, 100] | None = None,
    vote_hours: app_commands.Range[int, 1, 720] | None = None,
    granularity: app_commands.Range[float, float(MIN_GRANULARITY), float(MAX_GRANULARITY)] | None = None,
    pings: Literal["on", "off"] | None = None,
    claim_hours: app_commands.Range[int, 1, MAX_CLAIM_HOURS] | None = None,
    reminder_day: Literal["off", "mon", "tue", "wed", "thu", "fri", "sat", "sun"] | None = None,
    reminder_time: str | None = None,
    moderator_role: discord.Role | None = None,
    hourly_rate: app_commands.Range[float, 0, 100000] | None = None,
    currency: app_commands.Range[str, 1, 8] | None = None,
    shift_reminders: app_commands.Range[str, 1, 10] | None = None,
    language: str | None = None,
) -> None:
    role_id = None
    if moderator_role is not None:  # @everyone's id is the server's: it means "no role"
        role_id = 0 if moderator_role.is_default() else moderator_role.id
    shown = await app.change_settings(
        db(interaction),
        interaction.guild_id,
        interaction.user.id,
        default_hours=default_hours,
        quorum=quorum,
        threshold=threshold,
        vote_hours=vote_hours,
        granularity=granularity,
        pings=None if pings is None else pings == "on",
        claim_hours=claim_hours,
        reminder_day=reminder_day,
        reminder_time=reminder_time,
        moderator_role_id=role_id,
        hourly_rate=hourly_rate,
        currency=currency,
        shift_reminder_hours=shift_reminders,
        language=language,
    )
    if reminder_day is not None or reminder_time is not None:
        await services(interaction).schedule_changed(shown.org.id)
    if shift_reminders is not None:  # the timers of the shifts to come, at the new time
        await services(interaction).shift_reminders.reschedule_org(shown.org.id)
    lang = answer_language(interaction, shown.org.language)
    embed = settings_embed(interaction, shown, lang)
    saved = (
        gettext(lang, "Saved. Use the options to change a setting.")
        if shown.changed
        else gettext(lang, "Use the options to change a setting.")
    )
    await interaction.response.send_message(saved, embed=embed, ephemeral=True)


def _hours(value: float | Decimal, language: str) -> str:
    """Hours as the settings show them: `0.25` (as typed) in English, `0,25` in German and Spanish."""
    return hours_text(value) if language == SOURCE_LANGUAGE else number(value, language)


def settings_embed(interaction: discord.Interaction, shown: app.SettingsShown, language: str) -> discord.Embed:
    """`/mod org settings`: every setting in `language`, recent moderator actions, failed deliveries."""
    org, recent = shown.org, shown.recent
    embed = discord.Embed(title=gettext(language, "{org}: settings", org=org.name), colour=discord.Colour.dark_green())
    embed.add_field(
        name=gettext(language, "Default hours"),
        value=gettext(language, "{hours} h/week", hours=_hours(org.default_hours, language)),
    )
    embed.add_field(
        name=gettext(language, "Shift granularity"),
        value=gettext(
            language,
            "{step} h: splittable tasks are cut into whole multiples of it",
            step=_hours(org.granularity, language),
        ),
    )
    embed.add_field(
        name=gettext(language, "Merge votes"),
        value=gettext(
            language,
            "quorum {quorum}%, threshold {threshold}%, open {hours} h",
            quorum=org.quorum_pct,
            threshold=org.threshold_pct,
            hours=org.vote_hours,
        ),
    )
    embed.add_field(
        name=gettext(language, "Rota post"),
        value=gettext(language, "mentions each member with work")
        if org.ping_holders
        else gettext(language, "mentions nobody (pings are off)"),
    )
    if shown.moderator_role_id:
        given_back = gettext(
            language,
            "open to claims for {hours} h (never past their week); if nobody claims one, {role} is told",
            hours=org.claim_hours,
            role=f"<@&{shown.moderator_role_id}>",
        )
    else:
        given_back = gettext(
            language,
            "open to claims for {hours} h (never past their week); if nobody claims one, moderators are "
            "told without a role mention",
            hours=org.claim_hours,
        )
    embed.add_field(name=gettext(language, "Tasks given back"), value=given_back)
    if org.reminder_day is not None:
        reminder = gettext(
            language,
            "{day} at {time} ({zone}): a DM of work not yet done",
            day=day_name(org.reminder_day, language),
            time=f"{org.reminder_time:%H:%M}",
            zone=org.timezone,
        )
    else:
        reminder = gettext(language, "off: a DM of work not yet done")
    embed.add_field(name=gettext(language, "Mid-week reminder"), value=reminder)
    before_shift = org.shift_reminder_hours
    embed.add_field(
        name=gettext(language, "Before each shift"),
        value=ngettext(language, "a DM {count} h before it starts", "a DM {count} h before it starts", before_shift)
        if before_shift is not None
        else gettext(language, "no reminder (off)"),
    )
    embed.add_field(name=gettext(language, "Hourly rate"), value=describe_rate(org, language))
    embed.add_field(
        name=gettext(language, "Language"),
        value=gettext(language, "{language}: the rota post, votes and DMs", language=language_name(org.language)),
    )
    embed.add_field(name=gettext(language, "Public report"), value=report_state(org, language))
    embed.add_field(
        name=gettext(language, "Recent moderator actions"),
        value=audit_lines(interaction, recent, language=language) or gettext(language, "none"),
        inline=False,
    )
    if shown.failed:
        embed.add_field(
            name=gettext(language, "Deliveries that failed"), value=failure_lines(shown.failed, language), inline=False
        )
    return embed


EFFECT_NAMES = {
    "rota.post": lazy_gettext("The rota post"),
    "rota.delete": lazy_gettext("Removing a replaced rota post"),
    "role": lazy_gettext("A role move"),
    "dm": lazy_gettext("A jobs DM"),
    "vote.post": lazy_gettext("A merge vote post"),
    "vote.end": lazy_gettext("A merge vote result"),
    "vote.retire": lazy_gettext("Retiring a vote's buttons"),
    "vote.remind": lazy_gettext("A reminder to vote"),
    "claim.post": lazy_gettext("A task given back"),
    "claim.close": lazy_gettext("Closing a task's offer"),
    "claim.expired": lazy_gettext("Telling moderators nobody claimed a task"),
    "remind": lazy_gettext("A mid-week reminder DM"),
    "swap.answer": lazy_gettext("A swap's answer DM"),
}


def failure_lines(effects: list[GivenUp], language: str = SOURCE_LANGUAGE) -> str:
    """What the bot gave up doing in Discord, and Discord's reason: for moderators to fix."""
    lines = []
    for effect in effects:
        facts = {
            "when": discord.utils.format_dt(effect.when, "f"),
            "what": render(EFFECT_NAMES.get(effect.kind, effect.kind), language),
            "channel": f"<#{effect.channel_id}>",
            "user": f"<@{effect.user_id}>",
            "reason": clip(effect.reason, 150),
        }
        if effect.channel_id is not None and effect.user_id is not None:
            line = gettext(language, "{when} {what} in {channel} for {user}: {reason}", **facts)
        elif effect.channel_id is not None:
            line = gettext(language, "{when} {what} in {channel}: {reason}", **facts)
        elif effect.user_id is not None:
            line = gettext(language, "{when} {what} for {user}: {reason}", **facts)
        else:
            line = gettext(language, "{when} {what}: {reason}", **facts)
        lines.append(line)
    return clip("\n".join(lines), 1024)


def audit_lines(
    interaction: discord.Interaction, entries: list[AuditEntry], limit: int = 1024, language: str = SOURCE_LANGUAGE
) -> str:
    """One line per action; in a federation, an action taken on another server says which."""

    def origin(guild_id: int | None) -> str:
        if guild_id is None or guild_id == interaction.guild_id:
            return ""
        guild = interaction.client.get_guild(guild_id)
        if guild:
            return gettext(language, " · on **{server}**", server=discord.utils.escape_markdown(guild.name))
        return gettext(language, " · on server {id}", id=guild_id)

    lines = [
        f"{discord.utils.format_dt(e.created_at, 'f')} <@{e.actor_id}> `{e.action}` "
        f"{discord.utils.escape_markdown(clip(e.detail, 120))}{origin(e.guild_id)}"
        for e in entries
    ]
    return clip("\n".join(lines), limit)


def report_state(org: Organization, language: str = SOURCE_LANGUAGE) -> str:
    if org.publish_report:
        return gettext(
            language,
            "on: written to the report site after each publication (`/mod org publish-report off` stops it)",
        )
    return gettext(
        language,
        "off (`/mod org publish-report on` publishes it; members are anonymous unless they choose otherwise)",
    )


@org_group.command(name="publish-report", description="Publish this organization's fairness report on the web (on/off)")
@app_commands.describe(state="on: the public report includes this organization; off: its page is removed")
async def publish_report(interaction: discord.Interaction, state: Literal["on", "off"]) -> None:
    org = await report_app.set_publishing(db(interaction), interaction.guild_id, interaction.user.id, state == "on")
    services(interaction).rewrite_report(org.id)  # where the bot writes the site: at once, in the background
    language = answer_language(interaction, org.language)
    if org.publish_report:
        text = gettext(
            language,
            "**{org}**'s fairness report will be public: its name, goals, merges and week-by-week figures. "
            'Members appear as "Member A", "Member B"… unless they choose to be named with `/report show-me on`. '
            "It is written after each publication where the bot's host set a report folder (`REPORT_DIR`).",
            org=org.name,
        )
    else:
        text = gettext(
            language,
            "**{org}**'s fairness report is no longer published: its page is taken down wherever the bot "
            "writes the site, and the next time `parecon-rota report` runs.",
            org=org.name,
        )
    await interaction.response.send_message(text, ephemeral=True)


@org_group.command(name="new-merge-code", description="Replace the merge code: the old one stops working at once")
async def new_merge_code(interaction: discord.Interaction) -> None:
    code = await app.new_merge_code(db(interaction), interaction.guild_id, interaction.user.id)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "The merge code is now `{code}`; the old one no longer works. Give it only to an organization you mean "
        "to merge with (members see it in `/org`).",
        code=code,
    )
    await interaction.response.send_message(text, ephemeral=True)


@org_group.command(name="goal-add", description="Add one of the organization's goals")
@app_commands.describe(text="The goal, in a sentence")
async def goal_add(interaction: discord.Interaction, text: app_commands.Range[str, 1, 300]) -> None:
    text = await app.add_goal(db(interaction), interaction.guild_id, interaction.user.id, text)
    language = await answer_language_here(interaction)
    await interaction.response.send_message(gettext(language, "Goal added: {goal}", goal=text), ephemeral=True)


async def goal_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    goals = await app.goals_here(db(interaction), interaction.guild_id)
    needle = current.lower()
    return [app_commands.Choice(name=clip(g.text, 100), value=str(g.id)) for g in goals if needle in g.text.lower()][
        :25
    ]


@org_group.command(name="goal-remove", description="Remove one of the organization's goals")
@app_commands.describe(goal="The goal to remove")
@app_commands.autocomplete(goal=goal_choices)
async def goal_remove(interaction: discord.Interaction, goal: str) -> None:
    text = await app.remove_goal(db(interaction), interaction.guild_id, interaction.user.id, goal)
    language = await answer_language_here(interaction)
    await interaction.response.send_message(gettext(language, "Goal removed: {goal}", goal=text), ephemeral=True)


@app_commands.command(name="audit", description="Recent moderator actions: who did what, when")
@app_commands.describe(count="How many entries, 1 to 100 (default 15)")
async def audit(interaction: discord.Interaction, count: app_commands.Range[int, 1, 100] = 15) -> None:
    org, entries = await app.audit_log(db(interaction), interaction.guild_id, count)
    language = answer_language(interaction, org.language)
    embed = discord.Embed(
        title=gettext(language, "{org}: moderator actions", org=org.name),
        description=audit_lines(interaction, entries, 4096, language) or gettext(language, "none yet"),
    )
    await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[org_command], moderator=[org_group, audit])
