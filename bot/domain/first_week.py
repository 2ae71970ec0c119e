"""What a new organization still lacks before its first publication: the set-up checklist.

Plain facts in, steps out; `/mod org setup` and `/mod org status` show them until a week is out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ratings import MIN_RATINGS
from bot.domain.solver.model import NEUTRAL
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext
from bot.i18n.formatting import number

MIN_MEMBERS = 2  # one member has nobody to balance against
NAMES_SHOWN = 5  # unrated tasks named in the step (then "and N more")


@dataclass(frozen=True)
class OrgFacts:
    tasks: int
    members: int
    unrated_tasks: list[str]  # tasks with fewer than MIN_RATINGS ratings
    can_post: bool  # the bot may send messages, embeds and files in the rota channel
    published: bool  # a week's rota is out


@dataclass(frozen=True)
class Step:
    key: str
    done: bool
    text: str  # what is there, or what is missing
    command: str  # the command that does it
    blocks: bool  # a publication is not worth making until it is done


def first_week_steps(facts: OrgFacts, language: str = SOURCE_LANGUAGE) -> list[Step]:
    """The steps before the first publication, in the order to take them; the last is publishing."""
    if facts.can_post:
        posting = gettext(language, "I can post in the rota channel")
    else:
        posting = gettext(
            language, "I can't post in the rota channel: give me Send Messages, Embed Links and Attach Files there"
        )
    if facts.tasks:
        tasks = ngettext(language, "{count} task(s)", "{count} task(s)", facts.tasks)
    else:
        tasks = gettext(language, "No tasks yet")
    if facts.members < MIN_MEMBERS:
        members = ngettext(
            language,
            "{count} member(s) in the rota: at least {needed} are needed, each runs `/join`",
            "{count} member(s) in the rota: at least {needed} are needed, each runs `/join`",
            facts.members,
            needed=MIN_MEMBERS,
        )
    else:
        members = ngettext(language, "{count} member(s) in the rota", "{count} member(s) in the rota", facts.members)
    unrated = facts.unrated_tasks
    if not facts.tasks:
        ratings = gettext(language, "Members rate each task once there are tasks")
    elif unrated:
        shown = ", ".join(unrated[:NAMES_SHOWN])
        if len(unrated) > NAMES_SHOWN:
            shown = gettext(language, "{names} and {more} more", names=shown, more=len(unrated) - NAMES_SHOWN)
        ratings = ngettext(
            language,
            "{count} task(s) have fewer than {needed} ratings and count as neutral ({neutral}) until members rate "
            "them: {names}",
            "{count} task(s) have fewer than {needed} ratings and count as neutral ({neutral}) until members rate "
            "them: {names}",
            len(unrated),
            needed=MIN_RATINGS,
            neutral=f"{NEUTRAL:g}" if language == SOURCE_LANGUAGE else number(NEUTRAL, language),
            names=shown,
        )
    else:
        ratings = gettext(language, "Every task has at least {needed} ratings", needed=MIN_RATINGS)
    if facts.published:
        published = gettext(language, "The first week is out")
    else:
        published = gettext(language, "Preview the first week, then publish it")
    return [
        Step("channel", facts.can_post, posting, gettext(language, "/mod org setup channel:…"), blocks=True),
        Step("tasks", facts.tasks > 0, tasks, gettext(language, "/mod task add (or /mod task import)"), blocks=True),
        Step("members", facts.members >= MIN_MEMBERS, members, gettext(language, "/join"), blocks=True),
        Step("ratings", facts.tasks > 0 and not unrated, ratings, gettext(language, "/rate"), blocks=False),
        Step(
            "publish",
            facts.published,
            published,
            gettext(language, "/mod rota preview, then /mod rota publish"),
            blocks=False,
        ),
    ]


def ready_to_publish(steps: list[Step]) -> bool:
    """Whether nothing blocks a publication (ratings only make it fairer: a neutral 5.5 stands in)."""
    return all(step.done for step in steps if step.blocks)
