"""Merge and leave votes in the members' languages, through the fake Discord: a Spanish organization and a
German one vote on merging (each side's post, buttons, reminder and result in its own language, the answers
in the reader's client language, hours and percentages written the language's way, no English sentence of
the merge sources left); a federation's side leaves it by a vote told in German, the side going back to its
own Spanish."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.app.merges import remind_key
from bot.i18n.formatting import percent, short_date, time_of_day
from storage.models import MergeProposal, Organization
from tests.e2e.builders import Clock, rows
from tests.e2e.conftest import World, bot_settings
from tests.e2e.fake_discord import FakeGuild, message_buttons, message_text
from tests.e2e.test_merge import make_org, say
from tests.english import english_runs

pytestmark = pytest.mark.slow

MERGE_SOURCES = ("cogs/merge/", "bot/app/merges.py")


def leftover(english: list[str], text: str) -> list[str]:
    return [run for run in english if run in text]


def channel(world: World, guild: FakeGuild) -> list[dict]:
    return world.fake.channel_messages(guild.channel("rota"))


def vote_post(world: World, guild: FakeGuild, number: int) -> dict | None:
    """The vote message of vote `number` on that server (its title names it, in any language)."""
    found = [
        m
        for m in channel(world, guild)
        if m.get("embeds") and re.search(rf"(n\.º|Nr\.) {number}\b", m["embeds"][0].get("title") or "")
    ]
    return found[-1] if found else None


def posts_with(world: World, guild: FakeGuild, words: str) -> list[str]:
    return [m["content"] for m in channel(world, guild) if words in (m.get("content") or "")]


async def set_language(bot, org_id: int, language: str) -> None:
    async with bot.db.transaction() as session:
        org = await session.get_one(Organization, org_id)
        org.language = language


async def press(world: World, guild: FakeGuild, user, message: dict, label: str) -> str:
    custom_id = next(b["custom_id"] for b in message_buttons(message) if b["label"] == label)
    return await (await world.fake.click(guild, user, message, custom_id)).text(timeout=30)


@pytest.fixture
async def started(world: World, start_bot, fake, db_url):
    clock = Clock()
    bot = await start_bot(
        settings=bot_settings(fake, db_url, scheduler_enabled=True, solver_time_limit=1),
        before_start=lambda b: setattr(b, "clock", clock),
    )
    return bot, clock


async def test_a_spanish_and_a_german_organization_vote_on_merging(world: World, started) -> None:
    bot, clock = started
    w = world
    a = await make_org(bot, w.a, [w.alice, w.bob, w.carol], [("Amasar", 2.5, 7, 5), ("Fregar", 1.25, 2, 2)], ["Pan"])
    b = await make_org(bot, w.b, [w.dave, w.carol], [("Reparar", 3.5, 6, 8), ("Fregar", 2, 2, 1)], ["Bicis"])
    await set_language(bot, a.id, "es")
    await set_language(bot, b.id, "de")
    clock.now = datetime.now(UTC)  # members joined before the votes open
    w.mod_a.locale, w.alice.locale = "es-ES", "es-419"
    w.mod_b.locale, w.dave.locale = "de", "de"
    english = english_runs(*MERGE_SOURCES)
    assert len(english) > 40

    refused = await say(w, w.a, w.mod_a, "mod merge propose", code="NOPE1234")
    assert "Ninguna organización tiene el código de fusión `NOPE1234`" in refused
    assert leftover(english, refused) == []
    refused = await say(w, w.a, w.mod_a, "mod merge propose", code=a.merge_code)
    assert "Ese es el código de fusión de tu propia organización" in refused
    blank = await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="   ")
    assert "El nombre de la organización fusionada no puede estar vacío." in blank
    opened = await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=72)
    assert "La votación de fusión n.º 1 está abierta en ambas partes" in opened
    assert leftover(english, opened) == []
    busy = await say(w, w.b, w.mod_b, "mod merge propose", code=a.merge_code)
    assert "ist schon in einer Fusionsabstimmung (Nr. 1)" in busy and "`/mod fusion absagen`" in busy
    assert leftover(english, busy) == []

    # Each side's post in its organization's language, with the other side's figures written its way.
    await w.fake.wait_until(lambda: vote_post(w, w.a, 1) and vote_post(w, w.b, 1), timeout=30, what="the posts")
    on_a, on_b = vote_post(w, w.a, 1), vote_post(w, w.b, 1)
    assert on_a is not None and on_b is not None
    text_a, text_b = message_text(on_a), message_text(on_b)
    assert "Votación de fusión n.º 1: ¿unirse con Bike Co-op?" in text_a
    assert "**Bike Co-op**: 2 miembros, 5,5 h de tareas por semana. Objetivos: Bicis" in text_a
    assert "tiene que votar el 50 % de sus 3 miembros" in text_a and "Simulación para los miembros de" in text_a
    assert "**Fregar (Bakery Collective)** y **Fregar (Bike Co-op)**" in text_a
    assert "Fusionsabstimmung Nr. 1: mit Bakery Collective fusionieren?" in text_b
    assert "**Bakery Collective**: 3 Mitglieder, 3,75 h Aufgaben pro Woche. Ziele: Pan" in text_b
    assert "pro Mitglied nach der Fusion" in text_b and "/abstimmen vorschlag:1" in text_b
    for text in (text_a, text_b):
        assert not re.search(r"\d\.\d", text.split("\n<t:")[0]), "a number written the English way"
        assert leftover(english, text) == []
    assert [x["label"] for x in message_buttons(on_a)] == ["Sí", "No", "Abstención"]
    assert [x["label"] for x in message_buttons(on_b)] == ["Ja", "Nein", "Enthaltung"]

    # The answers in the reader's client language; a word of it is a vote too.
    cast = await press(w, w.a, w.alice, on_a, "Sí")
    assert "Tu voto en n.º 1 para **Bakery Collective**: **sí**. Solo tú puedes verlo" in cast
    assert "**nein**" in await say(w, w.b, w.dave, "vote", proposal=1, choice="nein")
    changed = await say(w, w.b, w.dave, "vote", proposal=1, choice="ja")
    assert "Deine Stimme zu Nr. 1 für **Bike Co-op**: **ja** (vorher: nein)" in changed
    assert leftover(english, cast + changed) == []
    [proposal] = await rows(bot, MergeProposal)
    opened_at = f"{short_date(proposal.created_at, 'es')} {time_of_day(proposal.created_at, 'es')} UTC"
    not_counted = await press(w, w.a, w.mod_a, on_a, "Sí")  # not in the rota
    assert "Tu voto no se contó: no estás en su reparto." in not_counted and opened_at in not_counted
    assert leftover(english, not_counted) == []
    status = await say(w, w.b, w.dave, "merge status")
    assert "Fusionsabstimmungen" in status and "**offen**" in status and "deine Stimme: ja" in status
    assert "Bakery Collective: 1/3 abgestimmt" in status and leftover(english, status) == []

    # A day before the close, each side is reminded in its own language.
    clock.now += timedelta(hours=48, minutes=1)
    bot.services.scheduler.fire_key_now(remind_key(1))
    await w.fake.wait_until(
        lambda: posts_with(w, w.a, "Aún no has votado") and posts_with(w, w.b, "Du hast noch nicht abgestimmt"),
        timeout=30,
        what="the reminders",
    )
    [reminder_a], [reminder_b] = posts_with(w, w.a, "Aún no has votado"), posts_with(w, w.b, "noch nicht abgestimmt")
    assert "`/fusión estado`" in reminder_a and "`/fusion stand`" in reminder_b
    assert leftover(english, reminder_a + reminder_b) == []

    # Withdrawn by B's moderator: told in German to them, on each server in its organization's language.
    withdrawn = await say(w, w.b, w.mod_b, "mod merge cancel", proposal=1)
    assert "Jemand aus der Moderation von **Bike Co-op** hat die Fusionsabstimmung Nr. 1 zurückgezogen." in withdrawn
    await w.fake.wait_until(
        lambda: posts_with(w, w.a, "retiró la votación de fusión n.º 1") and posts_with(w, w.b, "zurückgezogen"),
        timeout=30,
        what="the withdrawals",
    )
    again = await say(w, w.b, w.mod_b, "mod merge cancel", proposal=1)
    assert "Die Fusionsabstimmung Nr. 1 wurde schon zurückgezogen." in again

    # A vote that fails on quorum: each side reads the tally in its language, percentages its way.
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, vote_hours=24)
    await say(w, w.a, w.alice, "vote", proposal=2, choice="sí")
    await say(w, w.b, w.dave, "vote", proposal=2, choice="ja")
    clock.now += timedelta(hours=25)
    bot.services.scheduler.fire_key_now("close-merge:2")
    await w.fake.wait_until(
        lambda: posts_with(w, w.a, "n.º 2 está cerrada") and posts_with(w, w.b, "Nr. 2 ist beendet"),
        timeout=30,
        what="the results",
    )
    [result_a], [result_b] = posts_with(w, w.a, "n.º 2 está cerrada"), posts_with(w, w.b, "Nr. 2 ist beendet")
    third = percent(1 / 3, "es")
    assert f"**Bakery Collective**: sí 1, no 0, abstención 0 de 3 (participación: {third})" in result_a
    assert f"no se alcanzó el quórum (votó el {third}; hacía falta el 50 %)" in result_a
    assert "La fusión no se hace" in result_a
    half = percent(0.5, "de")
    assert f"**Bike Co-op**: ja 1, nein 0, Enthaltung 0 von 2 (Beteiligung {half}): angenommen" in result_b
    assert "Die Fusion findet nicht statt" in result_b
    assert leftover(english, result_a + result_b) == []
    closed = await say(w, w.a, w.alice, "vote", proposal=2, choice="no")
    assert "La votación de fusión n.º 2 está cerrada." in closed

    # Both pass: the merged organization speaks the proposer's language, on both servers.
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Pan y Bicis")
    for guild, users in ((w.a, (w.alice, w.bob, w.carol)), (w.b, (w.dave, w.carol))):
        for user in users:
            await say(w, guild, user, "vote", proposal=3, choice="yes")
    await w.fake.wait_until(
        lambda: posts_with(w, w.a, "n.º 3 está cerrada") and posts_with(w, w.b, "n.º 3 está cerrada"),
        timeout=30,
        what="the merge",
    )
    [merged_result] = posts_with(w, w.b, "n.º 3 está cerrada")
    assert "Ambas partes la aprobaron: **Pan y Bicis**" in merged_result and "`/valorar`" in merged_result
    assert leftover(english, merged_result) == []
    [merged] = await rows(bot, Organization, Organization.archived_at.is_(None))
    assert merged.language == "es"


async def test_a_side_leaves_a_german_federation(world: World, started) -> None:
    bot, clock = started
    w = world
    a = await make_org(bot, w.a, [w.alice, w.bob, w.carol], [("Backen", 3, 7, 5)], ["Brot"])
    b = await make_org(bot, w.b, [w.dave, w.carol], [("Reparar", 1.5, 6, 8), ("Barrer", 2, 2, 1)], ["Bicis"])
    await set_language(bot, a.id, "de")
    await set_language(bot, b.id, "es")
    clock.now = datetime.now(UTC)
    await say(w, w.a, w.mod_a, "mod merge propose", code=b.merge_code, name="Föderation")
    for guild, users in ((w.a, (w.alice, w.bob, w.carol)), (w.b, (w.dave, w.carol))):
        for user in users:
            await say(w, guild, user, "vote", proposal=1, choice="yes")
    await w.fake.wait_until(lambda: posts_with(w, w.b, "Nr. 1 ist beendet"), timeout=30, what="the merge")
    english = english_runs(*MERGE_SOURCES)

    w.mod_b.locale, w.dave.locale, w.alice.locale = "de", "de", "de"
    opened = await say(w, w.b, w.mod_b, "mod merge leave", vote_hours=24)
    assert "Die Abstimmung Nr. 2 läuft unter den 2 Mitgliedern aus **Bike Co-op**" in opened
    assert leftover(english, opened) == []
    await w.fake.wait_until(lambda: vote_post(w, w.b, 2) is not None, timeout=30, what="the leave vote")
    post = vote_post(w, w.b, 2)
    assert post is not None and vote_post(w, w.a, 2) is None  # only the leaving side votes
    shown = message_text(post)
    assert "Abstimmung Nr. 2: Soll Bike Co-op aus Föderation austreten?" in shown
    assert "(3,5 h Aufgaben pro Woche; Ziele: Bicis)" in shown and "50 % der 2 Mitglieder müssen abstimmen" in shown
    assert leftover(english, shown) == []
    assert [x["label"] for x in message_buttons(post)] == ["Ja", "Nein", "Enthaltung"]

    refused = await say(w, w.a, w.alice, "vote", proposal=2, choice="ja")
    assert "ist für die Mitglieder aus **Bike Co-op**: nur sie entscheiden" in refused
    assert leftover(english, refused) == []
    assert "**ja**" in await press(w, w.b, w.dave, post, "Ja")
    await say(w, w.a, w.carol, "vote", proposal=2, choice="yes")  # in both: votes too; now it closes early

    # The federation's servers read it in German; the side that left speaks its own Spanish again.
    await w.fake.wait_until(
        lambda: posts_with(w, w.a, "über den Austritt ist beendet") and posts_with(w, w.b, "sobre la salida"),
        timeout=30,
        what="the result",
    )
    [told_a], [told_b] = posts_with(w, w.a, "über den Austritt"), posts_with(w, w.b, "sobre la salida")
    assert f"ja 2, nein 0, Enthaltung 0 von 2 (Beteiligung {percent(1, 'de')}): angenommen" in told_a
    assert "**Bike Co-op** ist aus **Föderation** ausgetreten" in told_a
    assert "**Bike Co-op** salió de **Föderation**" in told_b
    assert leftover(english, told_a + told_b) == []
    [left] = await rows(bot, Organization, Organization.left_from_id.is_not(None))
    assert left.language == "es"
    status = await say(w, w.a, w.alice, "merge status")
    assert "**Nr. 2** Bike Co-op tritt aus Föderation aus: **angenommen**" in status
    assert leftover(english, status) == []
