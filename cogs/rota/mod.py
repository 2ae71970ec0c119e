"""`/mod rota preview|publish [week]`: moderators look at a week's rota, or publish it after
seeing which week (and its dates) a click will publish."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app.publication import MARKER
from bot.domain.weeks import WEEK_EXAMPLES, local_date, week_name
from bot.i18n import gettext
from bot.i18n.formatting import number
from cogs.common import ModeratorGroup, bot_of, services
from cogs.cooldowns import retry_after
from cogs.languages import answer_language, answer_language_here

from .render import rota_embeds
from .views import PublishView, RepublishView

rota_group = ModeratorGroup(name="rota", description="Preview or publish the weekly rota")

WEEK_HELP = f"Which week: {WEEK_EXAMPLES} (default: the week the next scheduled post is for)"


@rota_group.command(name="preview", description="A week's rota as it would be published now (nothing is stored)")
@app_commands.describe(week=WEEK_HELP)
async def preview(interaction: discord.Interaction, week: str | None = None) -> None:
    bot = bot_of(interaction)
    wait = retry_after(bot, "preview", interaction.user.id)
    if wait is not None:
        language = await answer_language_here(interaction)
        await interaction.response.send_message(
            gettext(
                language,
                "A preview solves the whole week: one every {every} s per moderator. Try again in {wait} s.",
                every=number(bot.settings.preview_cooldown, language),
                wait=number(wait, language),
            ),
            ephemeral=True,
        )
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    shown = await services(interaction).publication.preview(interaction.guild_id, week)
    today = local_date(bot_of(interaction).now(), shown.org.timezone)
    language = answer_language(interaction, shown.org.language)
    notes = [
        gettext(
            language,
            "Preview of {week}: nothing is stored or posted.",
            week=week_name(shown.week, today, language),
        )
    ]
    footer = MARKER.format(week=shown.week, rota_id=0)
    embeds = rota_embeds(shown.org, shown.week, shown.report, shown.held, notes, footer, chart=False, language=language)
    await interaction.followup.send(embeds=embeds[:10], ephemeral=True)


@rota_group.command(name="publish", description="Publish a week's rota now: shows which week, then asks to confirm")
@app_commands.describe(week=WEEK_HELP)
async def publish(interaction: discord.Interaction, week: str | None = None) -> None:
    bot = bot_of(interaction)
    target = await bot.services.publication.target(interaction.guild_id, week)
    language = answer_language(interaction, target.org.language)
    name = week_name(target.week, local_date(bot.now(), target.org.timezone), language)
    if target.published_at is not None:
        await interaction.response.send_message(
            gettext(
                language,
                "The rota for **{week}** was published {when}. Re-publishing solves it again and replaces the post "
                "(claims and marks of done work go too).",
                week=name,
                when=discord.utils.format_dt(target.published_at, "R"),
            ),
            view=RepublishView(bot, target.org.id, target.week, name, interaction.user.id, language),
            ephemeral=True,
        )
        return
    await interaction.response.send_message(
        gettext(
            language,
            "Publish the rota for **{week}** now? It is posted in the rota channel, its holders are mentioned "
            "(unless pings are off), task roles move and members who asked get a DM.",
            week=name,
        ),
        view=PublishView(bot, target.org.id, target.week, name, interaction.user.id, language),
        ephemeral=True,
    )
