"""`/vote`, `/merge status`, and `/mod merge propose|leave|cancel`."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.decisions import choice_word, picked_choice
from bot.domain.errors import BadInput
from bot.domain.votes import CHOICES as MERGE_CHOICES
from bot.i18n import gettext, lazy_gettext, ngettext
from cogs.common import ModeratorGroup, answer_early, reply, services
from cogs.decisions.render import cast_text
from cogs.languages import answer_language_here

from .render import end_text, status_embed, vote_cast_text

merge_group = ModeratorGroup(name="merge", description="Propose or cancel a merge with another organization")
status_group = app_commands.Group(name="merge", description="Merge votes between organizations", guild_only=True)


@merge_group.command(name="propose", description="Propose merging with another organization (both vote)")
@app_commands.describe(
    code="The other organization's merge code (from its /org)",
    name="Name of the merged organization (default: both names)",
    vote_hours="How long the vote stays open (default: your organization's setting)",
)
async def propose(
    interaction: discord.Interaction,
    code: app_commands.Range[str, 4, 16],
    name: app_commands.Range[str, 1, 100] | None = None,
    vote_hours: app_commands.Range[int, 1, 720] | None = None,
) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    proposal = await services(interaction).merges.propose(
        interaction.guild_id, interaction.user.id, code, name, vote_hours
    )
    text = gettext(
        await answer_language_here(interaction),
        "Merge vote #{id} is open on both sides until {until}.",
        id=proposal.id,
        until=discord.utils.format_dt(proposal.closes_at, "F"),
    )
    await interaction.followup.send(text, ephemeral=True)


@merge_group.command(name="leave", description="Open a vote among this server's side on leaving the federation")
@app_commands.describe(vote_hours="How long the vote stays open (default: your side's setting from before the merge)")
async def leave(
    interaction: discord.Interaction,
    vote_hours: app_commands.Range[int, 1, 720] | None = None,
) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    proposal = await services(interaction).merges.propose_leave(interaction.guild_id, interaction.user.id, vote_hours)
    text = ngettext(
        await answer_language_here(interaction),
        "Vote #{id} is open among the {count} member who came from **{side}** until {until}. Everyone in the "
        "federation hears the result.",
        "Vote #{id} is open among the {count} members who came from **{side}** until {until}. Everyone in the "
        "federation hears the result.",
        proposal.proposer_electorate,
        id=proposal.id,
        side=proposal.name,
        until=discord.utils.format_dt(proposal.closes_at, "F"),
    )
    await interaction.followup.send(text, ephemeral=True)


@merge_group.command(name="cancel", description="Withdraw a merge vote (either side's moderators)")
@app_commands.describe(proposal="The vote's number, from /merge status")
async def cancel(interaction: discord.Interaction, proposal: int) -> None:
    withdrawn = await services(interaction).merges.cancel(interaction.guild_id, interaction.user.id, proposal)
    await interaction.response.send_message(
        end_text(withdrawn, await answer_language_here(interaction)), ephemeral=True
    )


async def vote_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The choices of the proposal typed in `proposal:` (yes / no / abstain for a merge vote)."""
    number = getattr(interaction.namespace, "proposal", None)
    language = await answer_language_here(interaction)
    found: list[tuple[str, str]] = [(choice_word(c, language), c) for c in MERGE_CHOICES]
    if isinstance(number, int):
        try:
            if await services(interaction).decisions.which(interaction.guild_id, number) == "proposal":
                found = [(c, c) for c in await services(interaction).decisions.choices(interaction.guild_id, number)]
        except BadInput:
            pass
    return [
        app_commands.Choice(name=name[:100], value=value[:100])
        for name, value in found
        if current.lower() in name.lower() or current.lower() in value.lower()
    ][:25]


@app_commands.command(name="vote", description="Vote on a proposal or a merge (you can change it until the close)")
@app_commands.describe(proposal="Its number, from /decisions or /merge status", choice="Your vote")
@app_commands.autocomplete(choice=vote_choices)
@app_commands.guild_only()
async def vote(interaction: discord.Interaction, proposal: int, choice: app_commands.Range[str, 1, 80]) -> None:
    await answer_early(interaction)  # everyone votes at once when a vote opens: the vote row lock queues them
    decisions = services(interaction).decisions
    if await decisions.which(interaction.guild_id, proposal) == "proposal":
        ballot = await decisions.vote(interaction.guild_id, interaction.user.id, proposal, choice)
        await reply(interaction, cast_text(ballot, await answer_language_here(interaction)))
        return
    language = await answer_language_here(interaction)
    picked = picked_choice(MERGE_CHOICES, choice)  # `yes`, or its word in a language the bot speaks (`sí`)
    if picked is None:
        raise BadInput(lazy_gettext("A merge vote takes `yes`, `no` or `abstain`."))
    cast = await services(interaction).merges.vote(interaction.guild_id, interaction.user.id, proposal, picked)
    await reply(interaction, vote_cast_text(cast, language))


@status_group.command(name="status", description="Open and recent merge votes, with turnout")
async def status(interaction: discord.Interaction) -> None:
    found = await services(interaction).merges.status(interaction.guild_id, interaction.user.id)
    language = await answer_language_here(interaction)
    await interaction.response.send_message(embed=status_embed(found, language), ephemeral=True)
