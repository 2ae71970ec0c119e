"""The set-up checklist's rule: what blocks a first publication, and what only makes it fairer."""

from __future__ import annotations

from bot.domain.first_week import OrgFacts, first_week_steps, ready_to_publish


def facts(**changes) -> OrgFacts:
    values = dict(tasks=3, members=2, unrated_tasks=[], can_post=True, published=False)
    return OrgFacts(**(values | changes))


def test_a_new_organization_lacks_tasks_and_members_and_each_step_names_its_command() -> None:
    steps = first_week_steps(facts(tasks=0, members=0))
    missing = {s.key: s.command for s in steps if not s.done}
    assert missing == {
        "tasks": "/mod task add (or /mod task import)",
        "members": "/join",
        "ratings": "/rate",
        "publish": "/mod rota preview, then /mod rota publish",
    }
    assert not ready_to_publish(steps)


def test_one_member_is_not_enough_and_a_channel_the_bot_cannot_post_in_blocks() -> None:
    assert not ready_to_publish(first_week_steps(facts(members=1)))
    steps = first_week_steps(facts(can_post=False))
    assert not ready_to_publish(steps) and "Send Messages, Embed Links and Attach Files" in steps[0].text


def test_unrated_tasks_do_not_block_and_are_named_up_to_five() -> None:
    names = [f"Task {i}" for i in range(7)]
    steps = first_week_steps(facts(tasks=7, unrated_tasks=names))
    assert ready_to_publish(steps)
    ratings = next(s for s in steps if s.key == "ratings")
    assert not ratings.done and "7 task(s) have fewer than 2 ratings" in ratings.text
    assert ratings.text.endswith("Task 0, Task 1, Task 2, Task 3, Task 4 and 2 more")
    assert next(s for s in first_week_steps(facts()) if s.key == "ratings").done
