"""Proposals, /org and /help in the members' languages, through the fake Discord: an organization set
to Spanish gets its proposal's post and result in Spanish (no English sentence of the catalog left), a
member whose client is in German reads /org and /help in German."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.fake_discord import message_buttons, message_text
from tests.e2e.test_merge import make_org
from tests.english import english_runs

PROPOSAL_SOURCES = ("cogs/decisions/", "bot/domain/decisions.py", "bot/app/ports.py")
ORG_SOURCES = ("cogs/org.py", "cogs/help.py", "bot/domain/first_week.py")


def leftover(english: list[str], text: str) -> list[str]:
    return [run for run in english if run in text]


async def test_a_proposal_in_an_organization_set_to_spanish(world: World, start_bot) -> None:
    fake, alice, bob, carol = world.fake, world.alice, world.bob, world.carol
    bot = await start_bot()
    await make_org(bot, world.a, [alice, bob, carol], [("Amasar", 4, 7, 5)], ["Pan"])
    await (await fake.invoke(world.a, world.mod_a, "mod org settings", language="es")).wait_reply()
    alice.locale = "es-ES"
    english = english_runs(*PROPOSAL_SOURCES)
    assert len(english) > 20

    asked = await fake.invoke(world.a, alice, "propose", title="Comprar un segundo horno", ballot="open")
    preview = await asked.wait_reply(30)
    assert "¿Abrir esta propuesta?" in message_text(preview)
    assert leftover(english, message_text(preview)) == []
    buttons = {b["label"]: b["custom_id"] for b in message_buttons(preview)}
    await fake.click(world.a, alice, preview, buttons["Abrir la propuesta"])
    await fake.wait_until(
        lambda: (preview.get("content") or "").startswith("La propuesta n.º 1 está abierta"),
        timeout=30,
        what="the proposal opening",
    )

    def post() -> dict | None:
        return next(
            (
                m
                for m in fake.channel_messages(world.a.channel("rota"))
                if m.get("embeds") and (m["embeds"][0].get("title") or "").startswith("Propuesta n.º 1")
            ),
            None,
        )

    await fake.wait_until(lambda: post() is not None, timeout=30, what="the proposal's post")
    posted = post()
    assert posted is not None
    text = message_text(posted)
    assert "**Quién decide**: todas las personas del reparto." in text
    assert leftover(english, text) == []
    labels = {b["label"]: b["custom_id"] for b in message_buttons(posted)}
    assert set(labels) == {"sí", "no", "abstención"}

    for user, choice in ((alice, "sí"), (bob, "sí"), (carol, "no")):
        answer = await fake.click(world.a, user, posted, labels[choice])
        await answer.text(timeout=30)

    def result() -> str | None:
        return next(
            (
                m["content"]
                for m in fake.channel_messages(world.a.channel("rota"))
                if m["content"].startswith("Se aprobó la propuesta n.º 1")
                or m["content"].startswith("No se aprobó la propuesta n.º 1")
            ),
            None,
        )

    await fake.wait_until(lambda: result() is not None, timeout=30, what="the result")
    said = result()
    assert said is not None
    print(said)
    assert "Participación:" in said and "sí 2 · no 1 · abstención 0" in said
    assert leftover(english, said) == []


async def test_a_member_with_a_german_client_reads_org_and_help_in_german(world: World, start_bot) -> None:
    fake, bob = world.fake, world.bob
    bot = await start_bot()
    await make_org(bot, world.a, [world.alice, bob], [("Backen", 4, 7, 5)], ["Brot"])
    bob.locale = "de"
    english = english_runs(*ORG_SOURCES)
    assert len(english) > 20

    org = await fake.invoke(world.a, bob, "org")
    shown = await org.text(timeout=30)
    assert "Kanal des Wochenplans" in shown and "Zeitplan" in shown and "Jeden Montag um" in shown
    assert leftover(english, shown) == []

    overview = await fake.invoke(world.a, bob, "help")
    shown = await overview.text(timeout=30)
    assert "Jede Antwort ist privat." in shown and "/beitreten" in shown and "Erste Schritte" in shown
    assert leftover(english, shown) == []

    topic = await fake.invoke(world.a, bob, "help", topic="decisions")
    shown = await topic.text(timeout=30)
    assert "Vorschläge" in shown and "/vorschlagen" in shown
    assert leftover(english, shown) == []

    world.mod_a.locale = "de"
    status = await fake.invoke(world.a, world.mod_a, "mod org status")
    shown = await status.text(timeout=30)
    assert "Deine erste Woche" in shown
    assert leftover(english, shown) == []
