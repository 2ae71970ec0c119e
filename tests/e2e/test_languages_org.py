"""The organization's settings, its answers to moderators and the refusals of its rules in the members'
languages, through the fake Discord: a moderator whose client's language the bot does not speak, in
an organization set to Spanish, gets `/mod org settings`, the report, merge code, goal and audit answers
and the refusals in Spanish (a member with a Latin American Spanish client too) (no English sentence of the
catalog left, hours and dates written the Spanish way); a moderator and a member whose clients are in
German read them in German in an organization that speaks English."""

from __future__ import annotations

from tests.e2e.conftest import World
from tests.e2e.fake_discord import message_text
from tests.e2e.test_merge import make_org
from tests.english import english_runs

ORG_SOURCES = (
    "cogs/org.py",
    "cogs/tasks.py",
    "cogs/members.py",
    "cogs/options.py",
    "bot/app/organizations.py",
    "bot/app/tasks.py",
    "bot/app/members.py",
    "bot/app/ledger.py",
    "bot/domain/organizations.py",
    "bot/domain/ledger.py",
    "bot/domain/recurrence.py",
    "bot/domain/schedule.py",
)


def leftover(english: list[str], text: str) -> list[str]:
    return [run for run in english if run in text]


def fields_of(message: dict) -> dict[str, str]:
    return {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}


async def test_an_organization_set_to_spanish_gets_its_settings_and_refusals_in_spanish(
    world: World, start_bot
) -> None:
    fake, mod = world.fake, world.mod_a
    bot = await start_bot()
    await make_org(bot, world.a, [world.alice, world.bob], [("Amasar", 4, 7, 5)], ["Pan"])
    mod.locale, world.alice.locale = "fr", "es-419"  # French: no catalog, so the organization's language
    english = english_runs(*ORG_SOURCES)
    assert len(english) > 60

    settings = await fake.invoke(
        world.a,
        mod,
        "mod org settings",
        language="es",
        granularity=0.5,
        hourly_rate=18.5,
        currency="EUR",
        reminder_day="thu",
        reminder_time="18:00",
    )
    shown = await settings.wait_reply(30)
    text = message_text(shown)
    assert shown["content"] == "Guardado. Usa las opciones para cambiar un ajuste."
    assert shown["embeds"][0]["title"].endswith(": ajustes")
    fields = fields_of(shown)
    assert fields["Granularidad de los turnos"].startswith("0,5 h: las tareas divisibles")
    assert fields["Tarifa por hora"] == "18,50\xa0€ por hora, igual para cada miembro"
    assert fields["Recordatorio a mitad de semana"].startswith("jueves a las 18:00")
    assert fields["Antes de cada turno"] == "un mensaje directo 12 h antes de que empiece"
    assert fields["Idioma"].endswith(": la publicación del reparto, las votaciones y los mensajes directos")
    assert fields["Informe público"].startswith("desactivado (`/mod org publicar-informe activado`")
    assert leftover(english, text) == []

    answers = [
        await (await fake.invoke(world.a, mod, "mod org publish-report", state="on")).text(timeout=30),
        await (await fake.invoke(world.a, mod, "mod org new-merge-code")).text(timeout=30),
        await (await fake.invoke(world.a, mod, "mod org goal-add", text="Pan para todo el barrio")).text(timeout=30),
    ]
    assert answers[0].startswith("El informe de equidad de **") and "será público" in answers[0]
    assert answers[1].startswith("El código de fusión ahora es `")
    assert answers[2] == "Objetivo añadido: Pan para todo el barrio"
    audit = await (await fake.invoke(world.a, mod, "mod audit")).wait_reply(30)
    assert audit["embeds"][0]["title"].endswith(": acciones de la moderación")
    answers.append(message_text(audit))

    refusals = [
        await (await fake.invoke(world.a, mod, "mod org settings", reminder_time="25:00")).text(timeout=30),
        await (
            await fake.invoke(world.a, mod, "mod task add", name="Reparto", hours=1.25, splittable=True, min_shift=0.5)
        ).text(timeout=30),
        await (
            await fake.invoke(world.a, mod, "mod org setup", channel=world.a.channel("rota"), timezone="Marte/Base")
        ).text(timeout=30),
        await (await fake.invoke(world.a, world.alice, "away", start="2026-12-20", end="2026-12-10")).text(timeout=30),
    ]
    assert refusals[0] == "`25:00` no es una hora del día; usa HH:MM en formato de 24 horas, p. ej. 09:00 o 18:30."
    assert "divisible en tramos de 0,5 h" in refusals[1] and "pero 1,25 h no son" in refusals[1]
    assert "(p. ej. 1 o 1,5)" in refusals[1]
    assert refusals[2].startswith("No conozco la zona horaria `Marte/Base`.")
    assert refusals[3] == "El final (10 dic 2026) es anterior al inicio (20 dic 2026); intercámbialos."
    for said in answers + refusals:
        assert leftover(english, said) == [], said


async def test_a_moderator_and_a_member_with_german_clients_read_german(world: World, start_bot) -> None:
    fake, mod, alice = world.fake, world.mod_a, world.alice
    bot = await start_bot()
    await make_org(bot, world.a, [alice, world.bob], [("Backen", 4, 7, 5)], ["Brot"])
    mod.locale, alice.locale = "de", "de"
    english = english_runs(*ORG_SOURCES)

    settings = await (await fake.invoke(world.a, mod, "mod org settings", default_hours=7.5)).wait_reply(30)
    fields = fields_of(settings)
    assert settings["content"] == "Gespeichert. Mit den Optionen änderst du eine Einstellung."
    assert fields["Standardstunden"] == "7,5 h/Woche"
    assert fields["Granularität der Schichten"].startswith("0,25 h: teilbare Aufgaben")
    assert fields["Stundensatz"] == "keiner (der Export zeigt nur Stunden)"
    assert fields["Erinnerung zur Wochenmitte"].startswith("Donnerstag um 18:00")
    assert leftover(english, message_text(settings)) == []

    added = await (await fake.invoke(world.a, mod, "mod task add", name="Dachrinne", hours=1.5, every_weeks=4)).text(
        timeout=30
    )
    assert added.startswith("**Dachrinne** hinzugefügt: 1,5 h, alle 4 Wochen ab 2026-W")
    listing = await (await fake.invoke(world.a, alice, "tasks")).text(timeout=30)
    assert "1,5 h, **alle 4 Wochen, das nächste Mal in Woche 2026-W" in listing

    await (await fake.invoke(world.a, alice, "hours", hours=6.5)).text(timeout=30)
    refusals = [
        await (await fake.invoke(world.a, alice, "join")).text(timeout=30),
        await (
            await fake.invoke(
                world.a, mod, "mod ledger correct", member=alice, week="2026-W49", hours=0.125, reason="x"
            )
        ).text(timeout=30),
        await (
            await fake.invoke(
                world.a, mod, "mod task add", name="Lager", hours=2, every_weeks=4, once_in_week="2026-W50"
            )
        ).text(timeout=30),
        await (await fake.invoke(world.a, mod, "mod org goal-remove", goal="999")).text(timeout=30),
    ]
    garden = {"name": "Garten", "hours": 3.25, "splittable": True, "min_shift": 0.25}
    await (await fake.invoke(world.a, mod, "mod task add", **garden)).text(timeout=30)
    refusals.append(await (await fake.invoke(world.a, mod, "mod org settings", granularity=0.5)).text(timeout=30))
    assert refusals[0] == "Du bist schon im Wochenplan, mit 6,5 h pro Woche. Ändern kannst du das mit `/stunden`."
    assert refusals[1] == (
        "Gib `stunden` mit höchstens zwei Nachkommastellen an (z. B. 1.25); du hast 0,125 angegeben."
    )
    assert refusals[2] == "Gib entweder `einmalig_in_woche` (einmalig) oder `alle_wochen` an, nicht beides."
    assert refusals[3] == "Ich finde dieses Ziel nicht. Wähle beim Tippen eines aus der Liste."
    assert refusals[4].startswith(
        "Eine Granularität von 0,5 h passt nicht zu 1 teilbaren Aufgabe: `Garten` (3,25 h). Mach ihre Stunden zuerst"
    )
    for said in [added, listing, *refusals]:
        assert leftover(english, said) == [], said
