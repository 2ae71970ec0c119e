"""The bot in the members' languages, through the fake Discord: the synced commands carry their
Spanish and German names, and a member whose Discord client is in Spanish (or German) gets /rate,
its buttons and its refusals in that language."""

from __future__ import annotations

import pytest

from tests.e2e.builders import create_org
from tests.e2e.conftest import World
from tests.e2e.fake_discord import message_buttons, message_text
from tests.english import english_runs

LOCALES = ("es-ES", "es-419", "de")


def _walk(definition: dict, path: str):
    yield path, definition
    for option in definition.get("options") or []:
        yield from _walk(option, f"{path} {option['name']}")


async def test_the_synced_commands_carry_spanish_and_german_names_and_descriptions(world: World, start_bot) -> None:
    await start_bot()
    synced = {c["name"]: c for c in world.fake.global_commands}
    assert synced["rate"]["name_localizations"] == {"es-ES": "valorar", "es-419": "valorar", "de": "bewerten"}
    assert (
        synced["myjobs"]["description_localizations"]["de"] == "Dein ausgewogener Arbeitskomplex diese Woche, und warum"
    )
    options = {o["name"]: o for o in synced["rate"]["options"]}
    assert options["desirability"]["name_localizations"]["es-419"] == "agrado"
    assert options["empowerment"]["name_localizations"]["de"] == "ermächtigung"
    for command in synced.values():
        for path, item in _walk(command, "/" + command["name"]):
            for locale in LOCALES:
                assert item["name_localizations"].get(locale), f"{path}: no {locale} name"
                assert item["description_localizations"].get(locale), f"{path}: no {locale} description"
            for choice in item.get("choices") or []:
                assert set(choice["name_localizations"]) >= set(LOCALES), f"{path} {choice['name']}"


async def test_a_member_whose_client_is_in_spanish_rates_in_spanish(world: World, start_bot) -> None:
    fake, alice, bob, carol = world.fake, world.alice, world.bob, world.carol
    alice.locale, bob.locale = "es-ES", "de"
    bot = await start_bot()

    no_org = await fake.invoke(world.a, alice, "rate")
    assert await no_org.is_ephemeral()
    assert "Este servidor aún no tiene organización" in await no_org.text()
    assert "/mod org configurar canal:#reparto" in await no_org.text()

    await create_org(bot, world.a)
    assert (
        "Todavía no estás en el reparto: primero usa `/unirme`."
        in await (await fake.invoke(world.a, alice, "rate")).text()
    )
    for user in (alice, bob, carol):
        await (await fake.invoke(world.a, user, "join")).wait_reply()
    for name in ("Amasar", "Barrer", "Compras"):
        await (await fake.invoke(world.a, world.mod_a, "mod task add", name=name, hours=2)).wait_reply()

    refused = await fake.invoke(world.a, alice, "rate", task="Amasar", desirability=5)
    assert "Indica `agrado` y `empoderamiento` (1–10)" in await refused.text()
    unknown = await fake.invoke(world.a, alice, "rate", task="Pan", desirability=5, empowerment=5)
    assert "No hay ninguna tarea llamada `Pan`" in await unknown.text()
    out_of_range = await fake.invoke(
        world.a, alice, "rate", task="Amasar", desirability=11, empowerment=1, validate=False
    )
    assert "El agrado tiene que estar entre 1 y 10 (pusiste 11)." in await out_of_range.text()
    saved = await fake.invoke(world.a, alice, "rate", task="Amasar", desirability=8, empowerment=6)
    assert "Guardamos tu valoración de **Amasar**: agrado 8, empoderamiento 6." in await saved.text()

    guided = await fake.invoke(world.a, alice, "rate")
    message = await guided.wait_reply()
    text = await guided.text()
    assert "Valorar: Barrer" in text and "Quedan 2 tareas por valorar." in text
    assert "agrado = qué tan agradable es el trabajo" in text
    assert {b["label"] for b in message_buttons(message)} == {"Guardar y seguir", "Saltar", "Terminar"}
    selects = [c for row in message["components"] for c in row["components"] if c["type"] == 3]
    assert selects[0]["placeholder"] == "Agrado: ¿qué tan agradable es?"
    assert selects[0]["options"][0]["label"] == "1 — horrible"
    skip = next(b for b in message_buttons(message) if b["label"] == "Saltar")
    await (await fake.click(world.a, alice, message, skip["custom_id"])).wait_response()
    assert "Saltaste **Barrer**." in await guided.text() and "Queda 1 tarea por valorar." in await guided.text()

    # The same command, the same moment: German for a German client, English for the others.
    german = await fake.invoke(world.a, bob, "rate")
    german_message = await german.wait_reply()
    assert "Noch 3 Aufgaben zu bewerten." in await german.text()
    assert "Speichern und weiter" in {b["label"] for b in message_buttons(german_message)}
    english = await fake.invoke(world.a, carol, "rate", task="Amasar", desirability=2)
    assert "Give both `desirability` and `empowerment`" in await english.text()


async def test_the_organizations_language_and_a_members_own(world: World, start_bot) -> None:
    """Moderators set the organization's language; a member picks their own for their DMs; a client in a
    language the bot does not speak gets its refusals in the organization's."""
    fake, alice, bob = world.fake, world.alice, world.bob
    bot = await start_bot()
    await create_org(bot, world.a)
    await (await fake.invoke(world.a, alice, "join")).wait_reply()

    saved = await fake.invoke(world.a, world.mod_a, "mod org settings", language="es")
    assert await saved.is_ephemeral()
    assert "Language\nEspañol: the rota post, votes and DMs" in await saved.text()

    shown = await fake.invoke(world.a, alice, "language show")
    assert "are in Español, the organization's language" in await shown.text()
    chosen = await fake.invoke(world.a, alice, "language set", language="de")
    assert "are in Deutsch (your choice; the organization's is Español)" in await chosen.text()
    alice.locale = "de"
    assert "sind auf Deutsch (deine Wahl" in await (await fake.invoke(world.a, alice, "language show")).text()
    cleared = await fake.invoke(world.a, alice, "language clear")
    assert "sind auf Español, der Sprache der Organisation" in await cleared.text()

    bob.locale = "fr"  # no French catalog: the organization's language, Spanish
    refused = await fake.invoke(world.a, bob, "language show")
    assert await refused.is_ephemeral()
    assert "Todavía no estás en el reparto: primero usa `/unirme`." in await refused.text()
    unknown = await fake.invoke(world.a, world.mod_a, "mod org settings", language="fr", validate=False)
    assert "must be one of" in await unknown.text()
    async with bot.db.session() as session:
        from storage import orgs

        org = await orgs.org_for_guild(session, world.a.id)
        assert org is not None and org.language == "es"


def org_name_of(message: dict) -> bool:
    return "**" in (message.get("content") or "")


POST_SOURCES = ("cogs/rota/render.py", "cogs/rota/views.py", "bot/domain/fairness.py", "bot/domain/weeks.py")


@pytest.mark.parametrize(
    ("language", "locale", "said"), [("es", "es-ES", "ya está el reparto"), ("de", "de", "ist da")]
)
async def test_the_post_my_jobs_and_the_dm_in_the_organizations_language(
    world: World, start_bot, language: str, locale: str, said: str
) -> None:
    """The week as members read it, in Spanish or German: the post (embeds, buttons), /myjobs in the
    member's client language, the weekly DM in the organization's; no English sentence left."""
    from storage.models import MemberRow
    from tests.e2e.builders import publish_by_hand, rows, seed

    fake, alice = world.fake, world.alice
    bot = await start_bot()
    org_id = await create_org(bot, world.a)
    await (await fake.invoke(world.a, world.mod_a, "mod org settings", language=language)).wait_reply()
    tasks = [("Amasar", 3, 6, 8), ("Fregar", 2, 2, 2), ("Caja", 4, 5, 5), ("Limpieza", 3, 1, 1)]
    await seed(bot, org_id, [world.alice, world.bob, world.carol], tasks, hours=5)
    async with bot.db.transaction() as session:
        for member in await rows(bot, MemberRow, MemberRow.user_id == alice.id):
            member.notify = True
            session.add(member)
    await publish_by_hand(fake, world.a, world.mod_a)
    post = await fake.wait_for_message(world.a.channel("rota"), lambda m: bool(m.get("embeds")), timeout=30)
    text = message_text(post)
    assert said in text
    english = english_runs(*POST_SOURCES)
    assert len(english) > 30
    assert [run for run in english if run in text] == []
    print(text)
    labels = {b["label"] for b in message_buttons(post)}
    assert labels.isdisjoint({"My jobs", "Done…", "Can't do…"}) and len(labels) == 3

    alice.locale = locale
    jobs = await fake.invoke(world.a, alice, "myjobs")
    shown = await jobs.text(timeout=30)
    assert shown and [run for run in english if run in shown] == []

    await fake.wait_until(lambda: fake.dm_messages(alice), timeout=30, what="the weekly DM")
    [dm] = fake.dm_messages(alice)
    assert org_name_of(dm) and [run for run in english if run in message_text(dm)] == []
