"""`/rate`: members judge each task's desirability and empowerment, one at a time or guided."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.app import ratings
from bot.app.tasks import describe
from bot.domain.errors import BadInput
from cogs.common import RATING_HELP, RotaView, answer_early, bot_of, clip, db, register, reply
from cogs.tasks import task_choices

if TYPE_CHECKING:
    from cogs.host import RotaBot
    from storage.models import TaskRow

DESIRABILITY_WORDS = {1: "dreadful", 3: "unpleasant", 5: "so-so", 7: "pleasant", 10: "delightful"}
EMPOWERMENT_WORDS = {1: "builds nothing", 3: "a little", 5: "some", 7: "a lot", 10: "a great deal"}


async def save_rating(interaction: discord.Interaction, task_name: str, desirability: int, empowerment: int) -> str:
    saved = await ratings.rate(
        db(interaction), interaction.guild_id, interaction.user.id, task_name, desirability, empowerment
    )
    verb = "Updated" if saved.replaced else "Saved"
    return (
        f"{verb} your rating of **{saved.task}**: desirability {saved.desirability}, empowerment {saved.empowerment}."
    )


def _options(words: dict[int, str]) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=f"{n}" + (f" — {words[n]}" if n in words else ""), value=str(n))
        for n in range(1, 11)
    ]


class GuidedRating(RotaView):
    """One unrated task at a time: pick desirability and empowerment, then save or skip."""

    def __init__(self, bot: RotaBot, owner_id: int, queue: list[TaskRow]) -> None:
        super().__init__(bot, timeout=900)
        self.owner_id, self.queue = owner_id, queue
        self.desirability: int | None = None
        self.empowerment: int | None = None
        self.saved = 0
        desirability, empowerment = self._selects()
        desirability.options = _options(DESIRABILITY_WORDS)
        empowerment.options = _options(EMPOWERMENT_WORDS)

    def _selects(self) -> tuple[discord.ui.Select[Any], discord.ui.Select[Any]]:
        # discord.py's decorator leaves the selects' type unknown to a type checker: say it here, once.
        return cast("discord.ui.Select[Any]", self.desirability_select), cast(
            "discord.ui.Select[Any]", self.empowerment_select
        )

    def embed(self, note: str = "") -> discord.Embed:
        task = self.queue[0]
        embed = discord.Embed(title=f"Rate: {clip(task.name, 200)}", colour=discord.Colour.blurple())
        embed.description = clip(
            f"{note}\n{describe(task)}\n{task.description or ''}\n\n{RATING_HELP}.\n"
            f"{len(self.queue)} task(s) left to rate.",
            4096,
        )
        return embed

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    def _ready(self) -> None:
        self.save.disabled = self.desirability is None or self.empowerment is None

    @discord.ui.select(placeholder="Desirability: how pleasant is it?", row=0)
    async def desirability_select(
        self, interaction: discord.Interaction, select: discord.ui.Select[GuidedRating]
    ) -> None:
        self.desirability = int(select.values[0])
        self._ready()
        await interaction.response.edit_message(view=self)

    @discord.ui.select(placeholder="Empowerment: how much does it build?", row=1)
    async def empowerment_select(
        self, interaction: discord.Interaction, select: discord.ui.Select[GuidedRating]
    ) -> None:
        self.empowerment = int(select.values[0])
        self._ready()
        await interaction.response.edit_message(view=self)

    @discord.ui.button(label="Save & next", style=discord.ButtonStyle.success, row=2, disabled=True)
    async def save(self, interaction: discord.Interaction, _button: discord.ui.Button[GuidedRating]) -> None:
        assert self.desirability is not None and self.empowerment is not None  # Save is enabled only then
        note = await save_rating(interaction, self.queue[0].name, self.desirability, self.empowerment)
        self.saved += 1
        await self._advance(interaction, note)

    @discord.ui.button(label="Skip", style=discord.ButtonStyle.secondary, row=2)
    async def skip(self, interaction: discord.Interaction, _button: discord.ui.Button[GuidedRating]) -> None:
        await self._advance(interaction, f"Skipped **{self.queue[0].name}**.")

    @discord.ui.button(label="Stop", style=discord.ButtonStyle.danger, row=2)
    async def stop_rating(self, interaction: discord.Interaction, _button: discord.ui.Button[GuidedRating]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=f"Stopped. You rated {self.saved} task(s); `/rate` picks up where you left off.",
            embed=None,
            view=None,
        )

    async def _advance(self, interaction: discord.Interaction, note: str) -> None:
        self.queue.pop(0)
        self.desirability = self.empowerment = None
        for select in self._selects():
            for option in select.options:
                option.default = False
        self._ready()
        if not self.queue:
            self.stop()
            await interaction.response.edit_message(
                content=f"{note}\nThat was the last one: you rated {self.saved} task(s). Thank you!",
                embed=None,
                view=None,
            )
            return
        await interaction.response.edit_message(content=None, embed=self.embed(note), view=self)


@app_commands.command(
    name="rate",
    description="Rate a task 1–10: desirability (1 dreadful–10 delightful), empowerment (1 none–10 a great deal)",
)
@app_commands.describe(
    task="The task (leave empty for a guided session through the tasks you have not rated)",
    desirability="How pleasant the work is: 1 = dreadful, 10 = delightful",
    empowerment="How much it builds skills, information, confidence and say over decisions: 1 = none, 10 = a lot",
)
@app_commands.autocomplete(task=task_choices)
@app_commands.guild_only()
async def rate(
    interaction: discord.Interaction,
    task: str | None = None,
    desirability: app_commands.Range[int, 1, 10] | None = None,
    empowerment: app_commands.Range[int, 1, 10] | None = None,
) -> None:
    if task is not None:
        if desirability is None or empowerment is None:
            raise BadInput(
                "Give both `desirability` and `empowerment` (1–10), or leave out `task` for a guided session."
            )
        await answer_early(interaction)
        await reply(interaction, await save_rating(interaction, task, desirability, empowerment))
        return
    await answer_early(interaction)
    queue = await ratings.unrated(db(interaction), interaction.guild_id, interaction.user.id)
    if not queue:
        await reply(
            interaction, "You have rated every task. Change a rating with `/rate task:… desirability:… empowerment:…`."
        )
        return
    view = GuidedRating(bot_of(interaction), interaction.user.id, queue)
    await reply(interaction, embed=view.embed(), view=view)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[rate])
