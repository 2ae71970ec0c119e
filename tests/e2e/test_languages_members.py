"""Members' everyday commands in their own language, through the fake Discord: a member whose client is
in Spanish and one whose client is in German join, change their hours and read the task list, and get
no English sentence of those commands' texts back; English stays as it was."""

from __future__ import annotations

import pytest

from tests.e2e.builders import create_org
from tests.e2e.conftest import World
from tests.english import english_runs

SOURCES = ("cogs/members.py", "cogs/tasks.py", "bot/app/members.py", "bot/app/tasks.py", "bot/app/lookups.py")


@pytest.mark.parametrize(
    ("locale", "welcome", "hours", "listed"),
    [
        (
            "es-ES",
            "Te damos la bienvenida al reparto de",
            "Tus horas son ahora 7,5 por semana",
            "Las valoraciones van de 1 a 10",
        ),
        (
            "de",
            "Willkommen im Wochenplan von",
            "Deine Stunden sind jetzt 7,5 pro Woche",
            "Bewertungen gehen von 1 bis 10",
        ),
    ],
)
async def test_join_hours_and_tasks_in_the_members_language(
    world: World, start_bot, locale: str, welcome: str, hours: str, listed: str
) -> None:
    fake, alice, bob = world.fake, world.alice, world.bob
    alice.locale = locale
    bot = await start_bot()
    await create_org(bot, world.a)
    english = english_runs(*SOURCES)
    assert len(english) > 30

    def no_english(text: str) -> None:
        assert text and [run for run in english if run in text] == [], text

    joined = await fake.invoke(world.a, alice, "join", hours=5)
    assert await joined.is_ephemeral()
    text = await joined.text()
    assert welcome in text
    no_english(text)
    again = await fake.invoke(world.a, alice, "join")
    no_english(await again.text())

    changed = await fake.invoke(world.a, alice, "hours", hours=7.5)
    text = await changed.text()
    assert hours in text
    no_english(text)

    empty = await fake.invoke(world.a, alice, "tasks")
    no_english(await empty.text(timeout=30))
    await (await fake.invoke(world.a, world.mod_a, "mod task add", name="Amasar", hours=2, slots=2)).wait_reply()
    await (
        await fake.invoke(world.a, world.mod_a, "mod task add", name="Caja", hours=1.5, splittable=True, min_shift=0.5)
    ).wait_reply()
    listing = await fake.invoke(world.a, alice, "tasks")
    text = await listing.text(timeout=30)
    assert listing and listed in text and "Amasar" in text and "Caja" in text
    no_english(text)

    # The same commands in English for an English client, word for word as before.
    english_join = await fake.invoke(world.a, bob, "join", hours=5)
    assert "Welcome to **" in await english_join.text()
    assert "'s rota with 5 h a week. Your first job complex comes with the next rota." in await english_join.text()
    assert (
        "Your hours are now 7.5 a week, from the next rota."
        in await (await fake.invoke(world.a, bob, "hours", hours=7.5)).text()
    )
