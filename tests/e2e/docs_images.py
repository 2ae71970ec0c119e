"""The README's pictures, made by the bot itself (`make docs-images`): a new organization's first week
driven through the tests' fake Discord with the real commands (set up, tasks, members join and rate,
publish), then the rota post as it was posted: its chart (the attachment, byte for byte) and the post
drawn as Discord shows it (its text and embeds, mentions as names).

    make docs-images        # writes docs/img/rota-post.png and docs/img/chart.png
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import tempfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from bot.runtime.client import RotaBot, point_discord_at
from bot.runtime.settings import Settings
from storage.db import Database, migrate
from tests.e2e.builders import publish_by_hand
from tests.e2e.fake_discord import FakeDiscord, FakeUser

TASKS = (  # name, hours, slots, splittable
    ("Chair the meeting", 2, 1, True),
    ("Clean the kitchen", 3, 2, True),
    ("Accounts", 4, 1, True),
    ("Deliveries", 6, 1, True),
    ("Dishes", 2, 2, False),
    ("Press contact", 1, 1, False),
)
# How each member rates each task (desirability, empowerment): people differ, the median decides.
RATINGS = {
    "Chair the meeting": ((8, 10), (7, 9), (6, 10), (8, 9)),
    "Clean the kitchen": ((2, 1), (3, 2), (2, 1), (4, 1)),
    "Accounts": ((4, 7), (5, 8), (3, 6), (4, 7)),
    "Deliveries": ((4, 3), (6, 3), (5, 2), (3, 3)),
    "Dishes": ((2, 1), (1, 1), (3, 2), (2, 1)),
    "Press contact": ((7, 9), (6, 8), (8, 9), (7, 10)),
}
MEMBERS = (("Ana", 6), ("Ben", 7), ("Cy", 5), ("Dee", 6))


async def first_week() -> tuple[dict, bytes, dict[str, str]]:
    """The first week's rota post, its chart and the names of the people it mentions."""
    fake = await FakeDiscord().start()
    try:
        guild = fake.add_guild("Bakery Collective")
        moderator = fake.add_user("Mo")
        fake.add_member(guild, moderator, "Moderator")
        people: list[FakeUser] = []
        for name, _ in MEMBERS:
            people.append(fake.add_user(name))
            fake.add_member(guild, people[-1])
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/docs.db"
            await asyncio.to_thread(migrate, url)
            settings = Settings(
                _env_file=None,
                discord_token=fake.token,
                database_url=url,
                discord_api_base=fake.api_base,
                discord_gateway_url=fake.gateway_url,
                scheduler_enabled=False,
            )
            bot = RotaBot(settings, Database(url), guild_ready_timeout=0.05)
            running = asyncio.create_task(bot.start(fake.token))
            ready = asyncio.create_task(bot.wait_until_ready())  # runs once `start` has set the client up
            await asyncio.wait({ready, running}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if not ready.done():
                ready.cancel()
                running.result()  # what stopped the bot
            try:
                message = await publish_first_week(fake, guild, moderator, people)
            finally:
                await bot.close()
                await asyncio.wait({running}, timeout=30)
    finally:
        await fake.stop()
        point_discord_at(None, None)
    chart = next(a for a in message["attachments"] if a["filename"] == "balance.png")
    return message, fake.attachment_bytes(chart), {str(u.id): u.name for u in [moderator, *people]}


async def publish_first_week(fake: FakeDiscord, guild, moderator: FakeUser, people: list[FakeUser]) -> dict:
    async def run(user: FakeUser, command: str, **options) -> str:
        record = await fake.invoke(guild, user, command, **options)
        return await record.text(timeout=30)

    await run(moderator, "mod org setup", channel=guild.channel("rota"), timezone="Europe/Berlin")
    for name, hours, slots, splittable in TASKS:
        await run(moderator, "mod task add", name=name, hours=hours, slots=slots, splittable=splittable)
    for person, (_, hours) in zip(people, MEMBERS, strict=True):
        await run(person, "join", hours=hours)
    for task, ratings in RATINGS.items():
        for person, (desirability, empowerment) in zip(people, ratings, strict=True):
            await run(person, "rate", task=task, desirability=desirability, empowerment=empowerment)
    answer = await publish_by_hand(fake, guild, moderator)
    assert "published" in answer.lower(), answer
    return await fake.wait_for_message(guild.channel("rota"), lambda m: bool(m.get("embeds")), timeout=30)


def discord_text(text: str, names: dict[str, str]) -> str:
    """Markdown as Discord shows it, roughly: mentions as @name, timestamps as dates, no `**` or escapes."""
    text = re.sub(r"<@!?(\d+)>", lambda m: "@" + names.get(m.group(1), "someone"), text)
    text = re.sub(r"<t:(\d+):[dDfFtTR]>", lambda m: f"{datetime.fromtimestamp(int(m.group(1)), UTC):%-d %B %Y}", text)
    return re.sub(r"\\([*_`~|>])", r"\1", text.replace("**", "").replace("__", ""))


def draw_post(message: dict, names: dict[str, str]) -> bytes:
    """The message drawn like Discord's dark theme: its text, then each embed with its colour bar."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    width_chars = 86
    blocks: list[tuple[str, str, float]] = []  # (text, style, indent)
    for line in discord_text(message.get("content") or "", names).splitlines():
        blocks += [(part, "text", 0) for part in textwrap.wrap(line, width_chars) or [""]]
    for embed in message.get("embeds") or []:
        blocks.append(("", "gap", 0))
        if embed.get("title"):
            blocks.append((discord_text(embed["title"], names), "title", 1))
        for line in discord_text(embed.get("description") or "", names).splitlines():
            blocks += [(part, "body", 1) for part in textwrap.wrap(line, width_chars - 4) or [""]]
        for field in embed.get("fields") or []:
            blocks.append((discord_text(field["name"], names), "name", 1))
            for line in discord_text(field["value"], names).splitlines():
                blocks += [(part, "body", 1) for part in textwrap.wrap(line, width_chars - 4) or [""]]
        if embed.get("image"):
            blocks.append(("[the balance chart: below]", "muted", 1))
        if embed.get("footer"):
            blocks.append((discord_text(embed["footer"]["text"], names), "footer", 1))
    buttons = [c["label"] for row in message.get("components") or [] for c in row.get("components", [])]
    if buttons:
        blocks += [("", "gap", 0), ("", "buttons", 0)]
    line_height = 0.23
    height = 0.4 + line_height * len(blocks)
    figure = pyplot.figure(figsize=(9.2, height), dpi=110)
    figure.patch.set_facecolor("#313338")
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 9.2)
    axes.set_ylim(height, 0)
    axes.axis("off")
    styles = {
        "text": ("#dbdee1", 10, "normal"),
        "title": ("#ffffff", 11, "bold"),
        "name": ("#ffffff", 10, "bold"),
        "body": ("#dbdee1", 9.5, "normal"),
        "muted": ("#949ba4", 9, "normal"),
        "footer": ("#949ba4", 8.5, "normal"),
        "gap": ("#dbdee1", 5, "normal"),
        "buttons": ("#ffffff", 9.5, "normal"),
    }
    y, top = 0.25, None
    for index, (text, style, indent) in enumerate(blocks):
        colour, size, weight = styles[style]
        if style == "buttons":  # the post's buttons, grey as Discord draws secondary ones
            x = 0.2
            for label in buttons:
                box = 0.3 + 0.085 * len(label)
                axes.add_patch(pyplot.Rectangle((x, y - 0.13), box, 0.3, color="#4e5058"))
                axes.text(x + box / 2, y + 0.02, label, color=colour, fontsize=size, ha="center", va="center")
                x += box + 0.12
            y += line_height
            continue
        if indent and top is None:
            top = y - line_height * 0.7
        axes.text(0.25 + 0.3 * indent, y, text, color=colour, fontsize=size, fontweight=weight, va="center")
        ends = index + 1 == len(blocks) or blocks[index + 1][1] == "gap"
        if top is not None and ends:  # an embed: its dark panel and its colour bar
            axes.add_patch(pyplot.Rectangle((0.2, top), 8.8, y - top + line_height * 0.7, color="#2b2d31", zorder=-1))
            axes.add_patch(pyplot.Rectangle((0.2, top), 0.05, y - top + line_height * 0.7, color="#2e7d32"))
            top = None
        y += line_height
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=figure.get_facecolor())
    pyplot.close(figure)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="the folder (default docs/img)")
    out = parser.parse_args().out
    message, chart, names = asyncio.run(first_week())
    out.mkdir(parents=True, exist_ok=True)
    (out / "chart.png").write_bytes(chart)
    (out / "rota-post.png").write_bytes(draw_post(message, names))
    print(f"wrote {out / 'rota-post.png'} and {out / 'chart.png'}")


if __name__ == "__main__":
    main()
