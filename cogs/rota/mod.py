"""`/mod rota preview|publish`: moderators look at next week's rota or publish this week's now."""

from __future__ import annotations

import discord

from bot.app.publication import MARKER
from bot.fairness import balance_words
from bot.report import Report
from cogs.common import ModeratorGroup, bot_of, services

from .render import rota_embeds
from .views import RepublishView

rota_group = ModeratorGroup(name="rota", description="Preview or publish the weekly rota")


@rota_group.command(name="preview", description="Next week's rota as it would be published now (nothing is stored)")
async def preview(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    shown = await services(interaction).publication.preview(interaction.guild_id)
    notes = ["Preview: nothing is stored or posted."]
    footer = MARKER.format(week=shown.week, rota_id=0)
    embeds = rota_embeds(shown.org, shown.week, shown.report, shown.held, notes, footer, chart=False)
    await interaction.followup.send(embeds=embeds[:10], ephemeral=True)


@rota_group.command(name="publish", description="Publish this week's rota now (asks before replacing one)")
async def publish(interaction: discord.Interaction) -> None:
    bot = bot_of(interaction)
    publication = bot.services.publication
    now = await publication.this_week(interaction.guild_id)
    if now.published_at is not None:
        await interaction.response.send_message(
            f"The rota for week {now.week} was published {discord.utils.format_dt(now.published_at, 'R')}. "
            "Re-publishing solves again and replaces the post.",
            view=RepublishView(bot, now.org.id, now.week, interaction.user.id),
            ephemeral=True,
        )
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    result = await publication.publish_now(now.org.id, now.week, interaction.user.id)
    await interaction.followup.send(
        f"Published the rota for week {now.week}. It is {balance_words(Report.from_json(result.rota.report))}.",
        ephemeral=True,
    )
