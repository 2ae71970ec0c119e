"""Test data built straight in the database, and a clock tests can move."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlmodel import select

from storage import orgs
from storage.models import Goal, MemberRow, Rating, TaskRow
from tests.e2e.fake_discord import FakeGuild


class Killed(BaseException):
    """The process dying at this point: nothing in the bot catches it (as nothing survives a kill)."""


class Clock:
    """Stands in for `bot.clock`: tests set `now` to move through weeks and deadlines."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def create_org(bot, guild: FakeGuild, *, tz: str = "UTC", day: int = 0, at: time = time(9)) -> int:
    async with bot.db.transaction() as session:
        org = await orgs.create_org(
            session,
            guild_id=guild.id,
            channel_id=guild.channel("rota").id,
            name=guild.name,
            timezone=tz,
            day=day,
            at=at,
            merge_code=f"C{guild.id % 10**7:07d}",
            now=bot.now(),
        )
    return org.id


async def seed(
    bot,
    org_id: int,
    users,
    tasks: list[tuple[str, float, int, int]],
    *,
    goals=(),
    hours: float = 10,
    role_task: str | None = None,
    role_id: int | None = None,
) -> dict[str, int]:
    """Members (`hours` each), goals, and tasks (name, hours, desirability, empowerment) rated so by everyone."""
    async with bot.db.transaction() as session:
        members = []
        for user in users:
            member = MemberRow(organization_id=org_id, user_id=user.id, display_name=user.name, hours=hours)
            session.add(member)
            members.append(member)
        for text in goals:
            session.add(Goal(organization_id=org_id, text=text))
        await session.flush()
        ids = {}
        for name, task_hours, d, e in tasks:
            task = TaskRow(
                organization_id=org_id, name=name, hours=task_hours, role_id=role_id if name == role_task else None
            )
            session.add(task)
            await session.flush()
            ids[name] = task.id
            for member in members:
                session.add(Rating(member_id=member.id, task_id=task.id, desirability=d, empowerment=e))
    return ids


async def rows(bot, model, *where):
    async with bot.db.session() as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def publish_by_hand(fake, guild: FakeGuild, moderator, timeout: float = 60, **options) -> str:
    """`/mod rota publish [week]` and its Publish button, as a moderator does; the reply's last words."""
    from tests.e2e.fake_discord import message_buttons

    asked = await fake.invoke(guild, moderator, "mod rota publish", **options)
    question = await asked.wait_reply(timeout)
    buttons = {b["label"]: b["custom_id"] for b in message_buttons(question)}
    if "Publish" not in buttons:
        return question.get("content") or ""  # refused, or out already
    await fake.click(guild, moderator, question, buttons["Publish"])

    def finished() -> bool:
        content = question.get("content") or ""
        return bool(content) and not content.startswith("Publishing") and "now?" not in content

    await fake.wait_until(finished, timeout=timeout, what="the publication")
    return question["content"]
