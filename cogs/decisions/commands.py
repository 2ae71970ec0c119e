"""`/propose`, `/withdraw`, `/delegate to|show|end`, `/decisions`, and `/mod decisions settings`."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.app.decisions import Draft, update_settings
from bot.i18n import gettext, ngettext, render
from cogs.common import ModeratorGroup, answer_early, bot_of, db, reply, services
from cogs.languages import answer_language_here

from .render import delegations_embed, log_embed, preview_embed
from .views import ConfirmProposal

WHO = {"everyone": "everyone", "affected by": "affected", "weighted by hours": "weighted"}


@app_commands.command(name="propose", description="Put a question to the organization (you confirm who decides first)")
@app_commands.describe(
    title="What is proposed, e.g. Buy a second oven",
    text="The details (optional)",
    choices="Up to 5 options separated by ; (default: yes / no / abstain)",
    hours="How long the vote stays open (default: the organization's setting; at most 30 days)",
    who="Who decides: everyone, those affected (by tasks, a qualification or a role), or weighted by hours",
    tasks="For affected by / weighted by hours: task names separated by commas",
    qualification="For affected by: those holding this qualification",
    role="For affected by: those holding this role on this server",
    weeks="Tasks held or hours worked over the last N weeks (default 8)",
    ballot="Secret (totals only, the default) or open (the result names who voted what)",
    quorum="This proposal's quorum in % (within the bounds moderators set)",
    threshold="This proposal's threshold in % (within the bounds moderators set)",
)
@app_commands.guild_only()
async def propose(
    interaction: discord.Interaction,
    title: app_commands.Range[str, 1, 100],
    text: app_commands.Range[str, 0, 2000] | None = None,
    choices: app_commands.Range[str, 0, 450] | None = None,
    hours: app_commands.Range[int, 1, 720] | None = None,
    who: Literal["everyone", "affected by", "weighted by hours"] = "everyone",
    tasks: app_commands.Range[str, 0, 300] | None = None,
    qualification: app_commands.Range[str, 0, 50] | None = None,
    role: discord.Role | None = None,
    weeks: app_commands.Range[int, 1, 52] = 8,
    ballot: Literal["secret", "open"] = "secret",
    quorum: app_commands.Range[int, 0, 100] | None = None,
    threshold: app_commands.Range[int, 1, 100] | None = None,
) -> None:
    await answer_early(interaction)  # the role lookup and the hours may take a moment
    draft = Draft(
        title=title,
        text=text or "",
        choices=choices,
        hours=hours,
        who=WHO[who],  # type: ignore[arg-type]
        tasks=tasks,
        qualification=qualification,
        role_id=role.id if role else None,
        weeks=weeks,
        secret=ballot == "secret",
        quorum=quorum,
        threshold=threshold,
    )
    preview = await services(interaction).decisions.preview(interaction.guild_id, interaction.user.id, draft)
    language = await answer_language_here(interaction)
    await reply(
        interaction,
        embed=preview_embed(preview, language),
        view=ConfirmProposal(bot_of(interaction), draft, interaction.user.id, language),
    )


@app_commands.command(
    name="withdraw", description="Withdraw a proposal (yours before any vote; moderators with a reason)"
)
@app_commands.describe(
    proposal="The proposal's number, from /decisions", reason="Why (shown to everyone; needed once votes are cast)"
)
@app_commands.guild_only()
async def withdraw(
    interaction: discord.Interaction, proposal: int, reason: app_commands.Range[str, 0, 300] | None = None
) -> None:
    await answer_early(interaction)
    moderator = interaction.permissions.manage_guild
    done = await services(interaction).decisions.withdraw(
        interaction.guild_id, interaction.user.id, proposal, reason, moderator=moderator
    )
    language = await answer_language_here(interaction)
    await reply(
        interaction,
        gettext(language, "Withdrawn. Everyone sees: “Proposal #{id} was withdrawn.”", id=done.proposal_id),
    )


delegate_group = app_commands.Group(name="delegate", description="Give your vote to another member", guild_only=True)


@delegate_group.command(name="to", description="Give your vote to a member; your own vote always overrides")
@app_commands.describe(
    member="Who votes for you when you do not",
    until="The last day, e.g. 2026-12-31 (default: until you end it)",
    scope="A task or a qualification: only proposals naming it (default: all proposals)",
)
async def delegate_to(
    interaction: discord.Interaction,
    member: discord.Member,
    until: app_commands.Range[str, 0, 10] | None = None,
    scope: app_commands.Range[str, 0, 100] | None = None,
) -> None:
    line = await services(interaction).decisions.delegate(
        interaction.guild_id, interaction.user.id, member.id, until, scope
    )
    language = await answer_language_here(interaction)
    params = {"who": f"<@{line.user_id}>", "scope": render(line.scope, language)}
    if line.until:
        text = gettext(
            language,
            "Your vote goes to {who}: {scope} until {until}. It counts when you do not vote yourself; in a secret "
            "vote they never see how you voted. `/delegate show` tells you how it was cast for you.",
            until=discord.utils.format_dt(line.until, "D"),
            **params,
        )
    else:
        text = gettext(
            language,
            "Your vote goes to {who}: {scope}. It counts when you do not vote yourself; in a secret vote they never "
            "see how you voted. `/delegate show` tells you how it was cast for you.",
            **params,
        )
    await reply(interaction, text)


@delegate_group.command(name="show", description="Your delegations, and how your vote was cast for you")
async def delegate_show(interaction: discord.Interaction) -> None:
    found = await services(interaction).decisions.delegations(interaction.guild_id, interaction.user.id)
    await reply(interaction, embed=delegations_embed(found, await answer_language_here(interaction)))


@delegate_group.command(name="end", description="End your delegations (all, or one scope)")
@app_commands.describe(scope="Only the delegation for this task or qualification (default: all of yours)")
async def delegate_end(interaction: discord.Interaction, scope: app_commands.Range[str, 0, 100] | None = None) -> None:
    ended = await services(interaction).decisions.end_delegation(interaction.guild_id, interaction.user.id, scope)
    text = ngettext(
        await answer_language_here(interaction),
        "Ended your delegation: from now on only your own vote counts for you.",
        "Ended your {count} delegations: from now on only your own vote counts for you.",
        ended,
    )
    await reply(interaction, text)


@app_commands.command(name="decisions", description="Open proposals and the organization's decisions, searchable")
@app_commands.describe(search="Words in a decision's title, text or outcome")
@app_commands.guild_only()
async def decisions(interaction: discord.Interaction, search: app_commands.Range[str, 0, 100] | None = None) -> None:
    found = await services(interaction).decisions.log(interaction.guild_id, interaction.user.id, search)
    await reply(interaction, embed=log_embed(found, search, await answer_language_here(interaction)))


settings_group = ModeratorGroup(name="decisions", description="Rules for members' proposals")


@settings_group.command(name="settings", description="Open proposals per member, and bounds of quorum and threshold")
@app_commands.describe(
    per_member="How many proposals one member may have open at once (default 3)",
    quorum_min="The lowest quorum a proposal may ask for, in %",
    quorum_max="The highest quorum a proposal may ask for, in %",
    threshold_min="The lowest threshold a proposal may ask for, in %",
    threshold_max="The highest threshold a proposal may ask for, in %",
)
async def settings(
    interaction: discord.Interaction,
    per_member: app_commands.Range[int, 1, 20] | None = None,
    quorum_min: app_commands.Range[int, 0, 100] | None = None,
    quorum_max: app_commands.Range[int, 0, 100] | None = None,
    threshold_min: app_commands.Range[int, 1, 100] | None = None,
    threshold_max: app_commands.Range[int, 1, 100] | None = None,
) -> None:
    org = await update_settings(
        db(interaction),
        interaction.guild_id,
        interaction.user.id,
        per_member=per_member,
        quorum_min=quorum_min,
        quorum_max=quorum_max,
        threshold_min=threshold_min,
        threshold_max=threshold_max,
    )
    text = gettext(
        await answer_language_here(interaction),
        "Proposals in **{org}**: at most {per_member} open per member; a proposal may ask for a quorum of "
        "{quorum_min}-{quorum_max}% and a threshold of {threshold_min}-{threshold_max}% (default: the "
        "organization's {quorum}% and {threshold}%).",
        org=org.name,
        per_member=org.proposals_per_member,
        quorum_min=org.proposal_quorum_min,
        quorum_max=org.proposal_quorum_max,
        threshold_min=org.proposal_threshold_min,
        threshold_max=org.proposal_threshold_max,
        quorum=org.quorum_pct,
        threshold=org.threshold_pct,
    )
    await reply(interaction, text)
