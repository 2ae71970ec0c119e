"""`/rate`: members judge each task's desirability and empowerment, one at a time or guided."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.app import ratings
from bot.app.tasks import describe
from bot.domain.errors import BadInput
from bot.i18n import Message, gettext, lazy_gettext, ngettext, render
from cogs.common import RATING_HELP, RotaView, answer_early, bot_of, clip, db, register, reply
from cogs.languages import answer_language
from cogs.tasks import task_choices

if TYPE_CHECKING:
    from cogs.host import RotaBot
    from storage.models import TaskRow

DESIRABILITY_WORDS = {
    1: lazy_gettext("1 — dreadful"),
    3: lazy_gettext("3 — unpleasant"),
    5: lazy_gettext("5 — so-so"),
    7: lazy_gettext("7 — pleasant"),
    10: lazy_gettext("10 — delightful"),
}
EMPOWERMENT_WORDS = {
    1: lazy_gettext("1 — builds nothing"),
    3: lazy_gettext("3 — a little"),
    5: lazy_gettext("5 — some"),
    7: lazy_gettext("7 — a lot"),
    10: lazy_gettext("10 — a great deal"),
}


async def save_rating(interaction: discord.Interaction, task_name: str, desirability: int, empowerment: int) -> str:
    saved = await ratings.rate(
        db(interaction), interaction.guild_id, interaction.user.id, task_name, desirability, empowerment
    )
    language = answer_language(interaction)
    facts = {"task": saved.task, "desirability": saved.desirability, "empowerment": saved.empowerment}
    if saved.replaced:
        return gettext(
            language,
            "Updated your rating of **{task}**: desirability {desirability}, empowerment {empowerment}.",
            **facts,
        )
    return gettext(
        language, "Saved your rating of **{task}**: desirability {desirability}, empowerment {empowerment}.", **facts
    )


def _options(words: dict[int, Message], language: str) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=words[n].render(language) if n in words else str(n), value=str(n))
        for n in range(1, 11)
    ]


class GuidedRating(RotaView):
    """One unrated task at a time: pick desirability and empowerment, then save or skip."""

    def __init__(self, bot: RotaBot, owner_id: int, queue: list[TaskRow], language: str) -> None:
        super().__init__(bot, timeout=900)
        self.owner_id, self.queue, self.language = owner_id, queue, language
        self.desirability: int | None = None
        self.empowerment: int | None = None
        self.saved = 0
        desirability, empowerment = self._selects()
        desirability.options = _options(DESIRABILITY_WORDS, language)
        empowerment.options = _options(EMPOWERMENT_WORDS, language)
        desirability.placeholder = gettext(language, "Desirability: how pleasant is it?")
        empowerment.placeholder = gettext(language, "Empowerment: how much does it build?")
        self.save.label = gettext(language, "Save & next")
        self.skip.label = gettext(language, "Skip")
        self.stop_rating.label = gettext(language, "Stop")

    def _selects(self) -> tuple[discord.ui.Select[Any], discord.ui.Select[Any]]:
        # discord.py's decorator leaves the selects' type unknown to a type checker: say it here, once.
        return cast("discord.ui.Select[Any]", self.desirability_select), cast(
            "discord.ui.Select[Any]", self.empowerment_select
        )

    def embed(self, note: str = "") -> discord.Embed:
        task, language = self.queue[0], self.language
        title = gettext(language, "Rate: {task}", task=clip(task.name, 200))
        embed = discord.Embed(title=title, colour=discord.Colour.blurple())
        left = ngettext(language, "{count} task left to rate.", "{count} tasks left to rate.", len(self.queue))
        about, rating_help = describe(task, language=language), render(RATING_HELP, language)
        embed.description = clip(f"{note}\n{about}\n{task.description or ''}\n\n{rating_help}.\n{left}", 4096)
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
        await self._advance(interaction, gettext(self.language, "Skipped **{task}**.", task=self.queue[0].name))

    @discord.ui.button(label="Stop", style=discord.ButtonStyle.danger, row=2)
    async def stop_rating(self, interaction: discord.Interaction, _button: discord.ui.Button[GuidedRating]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=ngettext(
                self.language,
                "Stopped. You rated {count} task; `/rate` picks up where you left off.",
                "Stopped. You rated {count} tasks; `/rate` picks up where you left off.",
                self.saved,
            ),
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
                content=ngettext(
                    self.language,
                    "{note}\nThat was the last one: you rated {count} task. Thank you!",
                    "{note}\nThat was the last one: you rated {count} tasks. Thank you!",
                    self.saved,
                    note=note,
                ),
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
                lazy_gettext(
                    "Give both `desirability` and `empowerment` (1–10), or leave out `task` for a guided session."
                )
            )
        await answer_early(interaction)
        await reply(interaction, await save_rating(interaction, task, desirability, empowerment))
        return
    await answer_early(interaction)
    queue = await ratings.unrated(db(interaction), interaction.guild_id, interaction.user.id)
    if not queue:
        text = gettext(
            answer_language(interaction),
            "You have rated every task. Change a rating with `/rate task:… desirability:… empowerment:…`.",
        )
        await reply(interaction, text)
        return
    view = GuidedRating(bot_of(interaction), interaction.user.id, queue, answer_language(interaction))
    await reply(interaction, embed=view.embed(), view=view)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[rate])
