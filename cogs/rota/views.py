"""Buttons of the weekly rota: under the post (My jobs, Done…, Can't do…) and on a task given back
(Claim), answering a swap offer (all working across restarts: their state is in the custom id and
the database), confirming a publication or a re-publication."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord

from bot.app import swaps
from bot.app.claims import GivenBack
from bot.app.done import mark_done
from bot.app.week import my_chart, my_jobs, open_tasks, rota_week
from bot.domain.errors import UserFacingError
from bot.domain.fairness import balance_words
from bot.domain.report import Report
from bot.domain.solver.model import hours_in
from bot.i18n import SOURCE_LANGUAGE, channel_language, gettext, ngettext
from cogs.common import RotaView, answer_early, bot_of, clip, db, reply, services
from cogs.cooldowns import retry_after
from cogs.languages import answer_language_here
from cogs.replies import answer_error

from .render import my_jobs_embed, swap_answer_text, when

if TYPE_CHECKING:
    from cogs.host import RotaBot


class SwapButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"swap:(?P<offer>\d+):(?P<choice>accept|decline)"
):
    """Accept / Decline on a swap offer. Its state lives in the custom id and the database, so the
    buttons keep working after a restart."""

    def __init__(self, offer_id: int, choice: str, language: str = SOURCE_LANGUAGE) -> None:
        accept = choice == "accept"
        super().__init__(
            discord.ui.Button(
                label=gettext(language, "Accept") if accept else gettext(language, "Decline"),
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"swap:{offer_id}:{choice}",
            )
        )
        self.offer_id, self.choice = offer_id, choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> SwapButton:
        return cls(int(match["offer"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs a dynamic item's errors: answer them like a command's.
        try:
            answer = await swaps.answer(
                db(interaction),
                self.offer_id,
                interaction.user.id,
                accept=self.choice == "accept",
                clock=bot_of(interaction).now,
            )
            text = swap_answer_text(answer, channel_language(answer.language))  # the channel's message
            await interaction.response.edit_message(content=text, view=None)
        except Exception as error:
            await answer_error(interaction, error)


def swap_view(offer_id: int, language: str = SOURCE_LANGUAGE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SwapButton(offer_id, "accept", language))
    view.add_item(SwapButton(offer_id, "decline", language))
    return view


class PublishView(RotaView):
    """Confirms a first publication, naming the week and its dates on the button's message."""

    def __init__(
        self, bot: RotaBot, org_id: int, week: str, name: str, owner_id: int, language: str = SOURCE_LANGUAGE
    ) -> None:
        super().__init__(bot, timeout=300)
        self.org_id, self.week, self.name, self.owner_id = org_id, week, name, owner_id
        self.language = language
        self.confirm.label = gettext(language, "Publish")
        self.cancel.label = gettext(language, "Cancel")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Publish", style=discord.ButtonStyle.success)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        self.stop()
        language = self.language
        await interaction.response.edit_message(
            content=gettext(language, "Publishing the rota for **{week}**…", week=self.name), view=None
        )
        try:
            result = await services(interaction).publication.publish_now(
                self.org_id, self.week, interaction.user.id, interaction.guild_id
            )
        except UserFacingError as error:  # e.g. the week cannot be solved: say why where the question was
            await interaction.edit_original_response(content=error.text(language))
            return
        balance = balance_words(Report.from_json(result.rota.report), language)
        if result.created:
            text = gettext(
                language,
                "Published the rota for **{week}**. It is {balance}. `/rota week:{code}` shows it.",
                week=self.name,
                balance=balance,
                code=self.week,
            )
        else:
            text = gettext(
                language,
                "It was already out: the rota for **{week}**. It is {balance}. `/rota week:{code}` shows it.",
                week=self.name,
                balance=balance,
                code=self.week,
            )
        await interaction.edit_original_response(content=text)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=gettext(self.language, "Nothing was published."), view=None)


class RepublishView(RotaView):
    def __init__(
        self, bot: RotaBot, org_id: int, week: str, name: str, owner_id: int, language: str = SOURCE_LANGUAGE
    ) -> None:
        super().__init__(bot, timeout=300)
        self.org_id, self.week, self.name, self.owner_id = org_id, week, name, owner_id
        self.language = language
        self.confirm.label = gettext(language, "Re-publish (replaces it)")
        self.cancel.label = gettext(language, "Keep it")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Re-publish (replaces it)", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=gettext(self.language, "Re-publishing…"), view=None)
        await services(interaction).publication.publish_now(
            self.org_id, self.week, interaction.user.id, interaction.guild_id, replace=True
        )
        await interaction.edit_original_response(
            content=gettext(self.language, "Re-published the rota for **{week}**.", week=self.name)
        )
        self.stop()

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content=gettext(self.language, "Kept the published rota."), view=None)
        self.stop()


async def show_my_jobs(interaction: discord.Interaction, week: str | None = None) -> None:
    """The member's job complex, privately: `/myjobs` and the post's My jobs button alike."""
    await answer_early(interaction)
    bot = bot_of(interaction)
    language = await answer_language_here(interaction)
    jobs = await my_jobs(bot.db, bot.now, interaction.guild_id, interaction.user.id, week, language)
    if jobs is None:
        none = (
            gettext(language, "You have no tasks this week.")
            if week is None
            else gettext(language, "You have no tasks in {week}.", week=week)
        )
        await reply(interaction, none)
        return
    wait = retry_after(bot, "chart", interaction.user.id)
    if wait is not None:  # the jobs, without drawing the chart again so soon
        again = gettext(
            language,
            "Your chart again in {wait} s (one every {every} s).",
            wait=wait,
            every=f"{bot.settings.chart_cooldown:g}",
        )
        await reply(interaction, again, embed=my_jobs_embed(jobs, language=language))
        return
    chart = await my_chart(services(interaction).workers, jobs)  # the week's chart, your row marked
    if chart is None:
        await reply(interaction, embed=my_jobs_embed(jobs, language=language))
        return
    embed = my_jobs_embed(jobs, chart=True, language=language)
    await reply(interaction, embed=embed, file=discord.File(io.BytesIO(chart), "you.png"))


POST_BUTTONS = {
    "mine": discord.ButtonStyle.primary,
    "done": discord.ButtonStyle.success,
    "cant": discord.ButtonStyle.secondary,
}


def post_label(action: str, language: str) -> str:
    """A post button's label in the post's language (its custom id, what the bot reads, stays the same)."""
    if action == "mine":
        return gettext(language, "My jobs")
    if action == "done":
        return gettext(language, "Done…")
    return gettext(language, "Can't do…")


PICKER_LIMIT = 25  # options in one select menu


POST_ID = r"rota:(?P<rota>\d+):(?P<action>mine|done|cant)"


class PostButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=POST_ID):
    """The buttons under a rota post: the member's jobs of that week, privately; mark one done; give
    one back."""

    def __init__(self, rota_id: int, action: str, language: str = SOURCE_LANGUAGE) -> None:
        label, style = post_label(action, language), POST_BUTTONS[action]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"rota:{rota_id}:{action}"))
        self.rota_id, self.action = rota_id, action

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> PostButton:
        return cls(int(match["rota"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await answer_early(interaction)
            bot = bot_of(interaction)
            week = await rota_week(bot.db, interaction.guild_id, self.rota_id)
            if self.action == "mine":
                await show_my_jobs(interaction, week)
                return
            if self.action == "done":
                tasks = await open_tasks(
                    bot.db, bot.now, interaction.guild_id, interaction.user.id, week,
                    to_mark=True, moderator=is_moderator(interaction),
                )  # fmt: skip
            else:
                tasks = await services(interaction).claims.returnable(interaction.guild_id, interaction.user.id, week)
            language = await answer_language_here(interaction)
            if not tasks:
                nothing = (
                    gettext(language, "You have nothing left to mark done in {week}. ✓", week=week)
                    if self.action == "done"
                    else gettext(language, "You have nothing left to give back in {week}. ✓", week=week)
                )
                await reply(interaction, nothing)
                return
            options = [(h.task.name, h.assignment.hours) for h in tasks]
            picker = TaskPicker(bot, self.action, week, options, interaction.user.id, language)
            question = (
                gettext(language, "Which one is done?")
                if self.action == "done"
                else gettext(
                    language,
                    "Which one can't you do? It is offered to the members who can take it; "
                    "it stays yours until someone claims it.",
                )
            )
            if len(tasks) > PICKER_LIMIT:
                question += " " + gettext(
                    language,
                    "(The first {count} are listed; `/done` finds the others as you type.)",
                    count=PICKER_LIMIT,
                )
            await reply(interaction, question, view=picker)
        except Exception as error:
            await answer_error(interaction, error)


def is_moderator(interaction: discord.Interaction) -> bool:
    """Who may correct an old week's done marks: those who may use `/mod` (Manage Server)."""
    return interaction.permissions.manage_guild


class TaskPicker(RotaView):
    """A member's open tasks of a week in a select menu: Done… marks the one picked done, Can't do…
    gives it back."""

    def __init__(
        self,
        bot: RotaBot,
        action: str,
        week: str,
        tasks: list[tuple[str, float]],
        owner_id: int,
        language: str = SOURCE_LANGUAGE,
    ) -> None:
        super().__init__(bot, timeout=300)
        self.action, self.week, self.owner_id, self.language = action, week, owner_id, language
        select: discord.ui.Select[TaskPicker] = discord.ui.Select(
            placeholder=gettext(language, "Pick a task"),
            options=[
                discord.SelectOption(
                    label=clip(name, 100),
                    value=name,
                    description=gettext(language, "{hours} h", hours=hours_in(hours, language)),
                )
                for name, hours in tasks[:PICKER_LIMIT]
            ],
        )
        select.callback = self.picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    async def picked(self, interaction: discord.Interaction) -> None:
        self.stop()
        task = self.select.values[0]
        bot = bot_of(interaction)
        if self.action == "done":
            name = await mark_done(
                bot.db, bot.now, interaction.guild_id, interaction.user.id, task, self.week,
                moderator=is_moderator(interaction),
            )  # fmt: skip
            await interaction.response.edit_message(content=done_text(name, self.language), view=None)
            return
        giving = gettext(self.language, "Giving back **{task}**…", task=clip(task, 100))
        await interaction.response.edit_message(content=giving, view=None)
        try:
            claims = services(interaction).claims
            given = await claims.give_back(interaction.guild_id, interaction.user.id, task, self.week)
        except UserFacingError as error:
            await interaction.edit_original_response(content=error.text(self.language))
            return
        await interaction.edit_original_response(content=given_back_text(given, self.language))


def done_text(task: str, language: str) -> str:
    """`/done` and the Done… picker's answer."""
    return gettext(language, "Marked **{task}** done. Thank you!", task=task)


def given_back_text(given: GivenBack, language: str = SOURCE_LANGUAGE) -> str:
    """`/giveback` and Can't do…'s answer: to how many it was offered, and until when."""
    hours, deadline = hours_in(given.hours, language), when(given.deadline)
    if given.offered:
        return ngettext(
            language,
            "**{task}** ({hours} h) is offered to the {count} member(s) who can take it. It stays yours until "
            "someone claims it; if nobody does by {deadline}, the moderators are told.",
            "**{task}** ({hours} h) is offered to the {count} member(s) who can take it. It stays yours until "
            "someone claims it; if nobody does by {deadline}, the moderators are told.",
            given.offered,
            task=given.task,
            hours=hours,
            deadline=deadline,
        )
    return gettext(
        language,
        "**{task}** ({hours} h) is posted for anyone who can make room (nobody can take it right now). It stays "
        "yours until someone claims it; if nobody does by {deadline}, the moderators are told.",
        task=given.task,
        hours=hours,
        deadline=deadline,
    )


class ClaimButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"claim:(?P<claim>\d+)"):
    """Claim a task given back: the first to press takes it."""

    def __init__(self, claim_id: int, language: str = SOURCE_LANGUAGE) -> None:
        label = gettext(language, "Claim")
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.success, custom_id=f"claim:{claim_id}")
        )
        self.claim_id = claim_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any) -> ClaimButton:
        return cls(int(match["claim"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await answer_early(interaction)
            took = await services(interaction).claims.claim(interaction.guild_id, interaction.user.id, self.claim_id)
            language = await answer_language_here(interaction)
            text = gettext(
                language,
                "**{task}** ({hours} h) is yours in {week}, from <@{giver}>. Thank you! `/myjobs` shows it.",
                task=took.task,
                hours=hours_in(took.hours, language),
                week=took.week,
                giver=took.giver_user_id,
            )
            await reply(interaction, text)
        except Exception as error:
            await answer_error(interaction, error)


def post_view(rota_id: int, language: str = SOURCE_LANGUAGE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in POST_BUTTONS:
        view.add_item(PostButton(rota_id, action, language))
    return view


def claim_view(claim_id: int, language: str = SOURCE_LANGUAGE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ClaimButton(claim_id, language))
    return view
