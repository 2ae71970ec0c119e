"""`/org`: what this server's organization is and when its rota comes out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotSetUp
from bot.schedule import WEEKDAYS, next_publication
from storage import orgs
from storage.models import Organization, utcnow

if TYPE_CHECKING:
    from bot.client import RotaBot


def org_embed(org: Organization) -> discord.Embed:
    when = next_publication(utcnow(), org.timezone, org.publish_day, org.publish_time)
    embed = discord.Embed(title=org.name, colour=discord.Colour.dark_green())
    embed.add_field(name="Rota channel", value=f"<#{org.channel_id}>")
    embed.add_field(
        name="Schedule",
        value=(
            f"Every {WEEKDAYS[org.publish_day]} at {org.publish_time:%H:%M} ({org.timezone})\n"
            f"Next: {discord.utils.format_dt(when, 'F')} ({discord.utils.format_dt(when, 'R')})"
        ),
        inline=False,
    )
    return embed


class OrgCog(commands.Cog):
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="org", description="Show this server's organization: name, schedule and rota channel"
    )
    @app_commands.guild_only()
    async def org(self, interaction: discord.Interaction) -> None:
        async with self.bot.db.session() as session:
            org = await orgs.org_for_guild(session, interaction.guild_id)
        if org is None:
            raise NotSetUp()
        await interaction.response.send_message(embed=org_embed(org), ephemeral=True)


async def setup(bot: RotaBot) -> None:
    await bot.add_cog(OrgCog(bot))
