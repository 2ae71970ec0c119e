"""What a new organization still lacks before its first publication: the set-up checklist.

Plain facts in, steps out; `/mod org setup` and `/mod org status` show them until a week is out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.ratings import MIN_RATINGS
from bot.domain.solver.model import NEUTRAL

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


def first_week_steps(facts: OrgFacts) -> list[Step]:
    """The steps before the first publication, in the order to take them; the last is publishing."""
    posting = (
        "I can post in the rota channel"
        if facts.can_post
        else "I can't post in the rota channel: give me Send Messages, Embed Links and Attach Files there"
    )
    tasks = f"{facts.tasks} task(s)" if facts.tasks else "No tasks yet"
    members = f"{facts.members} member(s) in the rota"
    if facts.members < MIN_MEMBERS:
        members += f": at least {MIN_MEMBERS} are needed, each runs `/join`"
    unrated = facts.unrated_tasks
    if not facts.tasks:
        ratings = "Members rate each task once there are tasks"
    elif unrated:
        shown = ", ".join(unrated[:NAMES_SHOWN])
        if len(unrated) > NAMES_SHOWN:
            shown += f" and {len(unrated) - NAMES_SHOWN} more"
        ratings = (
            f"{len(unrated)} task(s) have fewer than {MIN_RATINGS} ratings and count as neutral ({NEUTRAL:g}) "
            f"until members rate them: {shown}"
        )
    else:
        ratings = f"Every task has at least {MIN_RATINGS} ratings"
    published = "The first week is out" if facts.published else "Preview the first week, then publish it"
    return [
        Step("channel", facts.can_post, posting, "/mod org setup channel:…", blocks=True),
        Step("tasks", facts.tasks > 0, tasks, "/mod task add (or /mod task import)", blocks=True),
        Step("members", facts.members >= MIN_MEMBERS, members, "/join", blocks=True),
        Step("ratings", facts.tasks > 0 and not unrated, ratings, "/rate", blocks=False),
        Step("publish", facts.published, published, "/mod rota preview, then /mod rota publish", blocks=False),
    ]


def ready_to_publish(steps: list[Step]) -> bool:
    """Whether nothing blocks a publication (ratings only make it fairer: a neutral 5.5 stands in)."""
    return all(step.done for step in steps if step.blocks)
