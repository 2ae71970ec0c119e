"""The week's own answers in the members' languages, through the fake Discord: in an organization set to
Spanish or German, with members whose clients are in that language, giving a task back and claiming it,
Done… and `/done`, a swap and its answer, `/notify`, the refusals on the way and the preview's cooldown
are all in that language (no English sentence of their sources left), hours written the language's way
(`1,5 h`). The take rule's reasons (`bot.domain.holdings`) name days and times in the reader's words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.holdings import Candidate, Shift, take_refusal, why_not_take
from bot.domain.rota import MemberInfo, TaskInfo
from bot.domain.shifts import days_words, parse_when, windows_words
from bot.domain.solver.timed import parse_windows
from bot.domain.weeks import target_week
from bot.i18n import render
from storage.models import Assignment, TaskRow
from tests.e2e.builders import Clock, create_org, rows, seed
from tests.e2e.conftest import World
from tests.e2e.fake_discord import message_buttons, message_text
from tests.english import english_runs

pytestmark = pytest.mark.slow

ROTA_SOURCES = (
    "cogs/rota/",
    "bot/app/claims.py",
    "bot/app/swaps.py",
    "bot/app/week.py",
    "bot/app/done.py",
    "bot/app/publication.py",
    "bot/domain/holdings.py",
    "bot/domain/shifts.py",
    "bot/domain/weeks.py",
)
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # week 2026-W49
TASKS = [("Fregar", 1.5, 2, 1), ("Amasar", 3, 7, 6), ("Barrer", 2, 3, 2), ("Cuentas", 2, 4, 8)]

WORDS = {
    "es": {
        "cant": "No puedo…",
        "done": "Hecho…",
        "claim": "Tomar",
        "question": "¿Cuál no puedes hacer?",
        "offered": "**Fregar** (1,5 h) se ofrece a los 2 miembros que pueden tomarla.",
        "own": "Esa es la tarea que devolviste: tiene que tomarla otra persona.",
        "took": "**Fregar** (1,5 h) es tuya en 2026-W49",
        "which": "¿Cuál está hecha?",
        "marked": "**Fregar** marcada como hecha. ¡Gracias!",
        "again": "**Fregar** ya está marcada como hecha.",
        "swap": "te ofrece **Fregar** (1,5 h) esta semana. ¿Aceptas?",
        "accept": "Aceptar",
        "decline": "Rechazar",
        "refused": "**Fregar** ya está marcada como hecha, así que ya no puede cambiar de manos.",
        "notify": "No más recordatorios a mitad de semana.",
        "nonsense": "No tienes `Nonsense` esta semana.",
        "preview": "Una vista previa calcula toda la semana: una cada 60 s por persona de moderación.",
        "nothing": "No te queda nada por marcar como hecho en 2026-W49. ✓",
        "full": "No puedes tomar **Fregar** (serían ",
        "of one hour": " h de tus 1 h de esa semana).",
        "self": "Ofrécesela a otra persona.",
    },
    "de": {
        "cant": "Schaffe ich nicht…",
        "done": "Erledigt…",
        "claim": "Übernehmen",
        "question": "Welche kannst du nicht machen?",
        "offered": "**Fregar** (1,5 h) wird den 2 Mitgliedern angeboten, die sie übernehmen können.",
        "own": "Das ist die Aufgabe, die du zurückgegeben hast: Jemand anderes muss sie übernehmen.",
        "took": "Du übernimmst **Fregar** (1,5 h) in 2026-W49 von",
        "which": "Welche ist erledigt?",
        "marked": "**Fregar** als erledigt markiert. Danke!",
        "again": "**Fregar** ist schon als erledigt markiert.",
        "swap": "bietet dir diese Woche **Fregar** (1,5 h) an. Annehmen?",
        "accept": "Annehmen",
        "decline": "Ablehnen",
        "refused": "**Fregar** ist schon als erledigt markiert und kann deshalb nicht mehr weitergegeben werden.",
        "notify": "Keine Erinnerungen zur Wochenmitte mehr.",
        "nonsense": "Du hast diese Woche keine Aufgabe `Nonsense`.",
        "preview": "Eine Vorschau berechnet die ganze Woche: eine alle 60 s pro Person aus der Moderation.",
        "nothing": "Du hast in 2026-W49 nichts mehr als erledigt zu markieren. ✓",
        "full": "Du kannst **Fregar** nicht übernehmen (das wären ",
        "of one hour": " h von deinen 1 h in der Woche).",
        "self": "Biete sie jemand anderem an.",
    },
}


def button(message: dict, label: str) -> str:
    return next(b["custom_id"] for b in message_buttons(message) if b["label"] == label)


async def pick(world: World, user, record, choice: str) -> tuple[dict, str]:
    """Answer the select menu of an ephemeral reply; the reply (its question) and the edited text."""
    reply = await record.wait_reply(timeout=15)
    question = reply.get("content") or ""
    [menu] = [c for row in reply["components"] for c in row["components"] if c["type"] == 3]
    picked = await world.fake.select(world.a, user, reply, menu["custom_id"], [choice])
    await picked.wait_response()
    await world.fake.wait_until(lambda: not (reply.get("content") or "").endswith("…"), timeout=15, what="the pick")
    return {"question": question, "menu": menu}, reply["content"]


@pytest.mark.parametrize(("language", "locale"), [("es", "es-ES"), ("de", "de")])
async def test_giving_back_claiming_done_swap_and_notify_in_the_members_language(
    world: World, start_bot, language: str, locale: str
) -> None:
    fake, w, words = world.fake, world, WORDS[language]
    clock = Clock(MONDAY)
    bot = await start_bot(before_start=lambda b: setattr(b, "clock", clock))
    org_id = await create_org(bot, w.a)
    await (await fake.invoke(w.a, w.mod_a, "mod org settings", language=language)).wait_reply()
    ids = await seed(bot, org_id, [w.alice, w.bob, w.carol], TASKS)
    for user in (w.alice, w.bob, w.carol, w.mod_a):
        user.locale = locale
    english = english_runs(*ROTA_SOURCES)
    assert len(english) > 60

    def no_english(text: str) -> None:
        assert text and [run for run in english if run in text] == [], text

    await bot.services.publication.publish(org_id, "2026-W49")
    post = await fake.wait_for_message(w.a.channel("rota"), lambda m: bool(m.get("embeds")), timeout=30)
    [piece] = await rows(bot, Assignment, Assignment.task_id == ids["Fregar"])
    holder = await member_user(bot, piece.member_id)
    [giver] = [u for u in (w.alice, w.bob, w.carol) if u.id == holder]
    taker, other = [u for u in (w.alice, w.bob, w.carol) if u.id != holder]

    # Can't do… → the question and the picker in the reader's language; the answer with 1,5 h.
    cant = await fake.click(w.a, giver, post, button(post, words["cant"]))
    shown, answer = await pick(w, giver, cant, "Fregar")
    assert shown["question"].startswith(words["question"])
    no_english(shown["question"])
    assert words["offered"] in answer
    no_english(answer)
    [offer] = [m for m in fake.channel_messages(w.a.channel("rota")) if message_buttons(m) and not m.get("embeds")]
    assert [b["label"] for b in message_buttons(offer)] == [words["claim"]]

    # A member without room is refused by the take rule, its reason in their words and hours.
    await set_hours(bot, other, 1)
    full = await fake.click(w.a, other, offer, button(offer, words["claim"]))
    said = await full.text(timeout=15)
    assert said.startswith(words["full"]) and words["of one hour"] in said, said
    no_english(said)
    await set_hours(bot, other, 10)

    # The giver cannot claim their own; the taker can.
    own = await fake.click(w.a, giver, offer, button(offer, words["claim"]))
    said = await own.text(timeout=15)
    assert said == words["own"]
    took = await fake.click(w.a, taker, offer, button(offer, words["claim"]))
    said = await took.text(timeout=15)
    assert words["took"] in said
    no_english(said)

    # Done… marks it; /done again is refused; nothing is left to mark for the taker.
    done = await fake.click(w.a, taker, post, button(post, words["done"]))
    shown, answer = await pick(w, taker, done, "Fregar")
    assert shown["question"] == words["which"]
    assert any(o["description"] == "1,5 h" for o in shown["menu"]["options"])
    assert answer == words["marked"]
    again = await fake.invoke(w.a, taker, "done", task="Fregar")
    assert await again.text(timeout=15) == words["again"]
    left = [  # the taker's other work, marked done too: Done… has nothing left
        p for p in await rows(bot, Assignment) if await member_user(bot, p.member_id) == taker.id and p.done_at is None
    ]
    for item in left:
        [task] = await rows(bot, TaskRow, TaskRow.id == item.task_id)
        marked = await fake.invoke(w.a, taker, "done", task=task.name)
        no_english(await marked.text(timeout=15))
    nothing = await fake.click(w.a, taker, post, button(post, words["done"]))
    assert await nothing.text(timeout=15) == words["nothing"]

    # A swap: offered to oneself it is refused; the offer in the channel in the organization's language,
    # its refusal and its answer.
    selfish = await fake.invoke(w.a, taker, "swap", task="Fregar", member=taker)
    assert await selfish.text(timeout=15) == words["self"]
    offered = await fake.invoke(w.a, taker, "swap", task="Fregar", member=other)
    message = await offered.wait_reply()
    assert words["swap"] in message_text(message)
    no_english(message_text(message))
    assert [b["label"] for b in message_buttons(message)] == [words["accept"], words["decline"]]
    accepted = await fake.click(w.a, other, message, button(message, words["accept"]))
    said = await accepted.text(timeout=15)
    assert said == words["refused"]
    declined = await fake.click(w.a, other, message, button(message, words["decline"]))
    await declined.wait_response()
    await fake.wait_until(lambda: not message_buttons(message), timeout=15, what="the swap's answer")
    no_english(message_text(message))
    assert "Fregar" in message_text(message)

    # /notify and a refusal raised by a use case.
    notify = await fake.invoke(w.a, giver, "notify", setting="off", about="reminders")
    assert await notify.text(timeout=15) == words["notify"]
    refused = await fake.invoke(w.a, giver, "giveback", task="Nonsense")
    said = await refused.text(timeout=15)
    assert said.startswith(words["nonsense"])
    no_english(said)

    # The preview's cooldown, for a moderator whose client is in the language.
    first = await fake.invoke(w.a, w.mod_a, "mod rota preview", week="this")
    await first.wait_reply(60)
    second = await fake.invoke(w.a, w.mod_a, "mod rota preview", week="this")
    said = await second.text(timeout=15)
    assert said.startswith(words["preview"])
    no_english(said)


async def set_hours(bot, user, hours: float) -> None:
    from storage.models import MemberRow

    async with bot.db.transaction() as session:
        for member in await rows(bot, MemberRow, MemberRow.user_id == user.id):
            member.hours = hours
            session.add(member)


async def member_user(bot, member_id: int) -> int:
    from storage.models import MemberRow

    [member] = await rows(bot, MemberRow, MemberRow.id == member_id)
    return member.user_id


WEEK = "2026-W49"
ZONE = "Europe/Berlin"
STALL = TaskInfo(1, "Stall", 4, 1, False, 1, None, (), None, (5,), 9 * 60)
SATURDAY_MORNING = Shift("Stall", 5, 9 * 60, 13 * 60)


def candidate(windows: str = "", held: float = 0.0, hours: float = 10.0) -> Candidate:
    member = MemberInfo(1, "Ana", hours, frozenset(), (), parse_windows(windows))
    return Candidate(member, held, frozenset())


def test_the_take_rules_reasons_name_days_times_and_hours_in_the_readers_words() -> None:
    outside = take_refusal(candidate("mon-fri 18:00-22:00"), STALL, 4, WEEK, SATURDAY_MORNING, tz_name=ZONE)
    assert outside is not None
    assert render(outside, "es") == (
        "no tienes disponibilidad el sábado 09:00–13:00 (Europe/Berlin): tus horarios son de lunes a viernes "
        "18:00–22:00"
    )
    assert render(outside, "de") == (
        "du bist am Samstag 09:00–13:00 (Europe/Berlin) nicht verfügbar: deine Zeiten sind montags bis freitags "
        "18:00–22:00"
    )
    assert str(outside).startswith("you are not available on Saturday 09:00–13:00 (Europe/Berlin)")
    full = why_not_take(candidate(held=8.5), STALL, 4, WEEK, tz_name=ZONE, you=False, language="de")
    assert full == "das wären 12,5 h von ihren 10 h in der Woche"
    assert windows_words(parse_windows("sat-sun"), "es") == "sábados y domingos (todo el día)"
    assert days_words((1, 3), language="de") == "dienstags und donnerstags"


def test_refusals_of_weeks_and_times_in_the_readers_words() -> None:
    from bot.domain.errors import BadInput

    with pytest.raises(BadInput) as past:
        target_week("2026-W40", MONDAY, "UTC")
    assert past.value.text("es").startswith("La semana 40, lun 28 sept – dom 4 oct de 2026 ya terminó")
    assert past.value.text("de").startswith("Die Woche 40, Mo. 28. Sept. – So. 4. Okt. 2026 ist vorbei")
    with pytest.raises(BadInput) as when:
        parse_when("09:00")
    assert when.value.text("de").startswith("Bei `09:00` fehlen die Tage und die Anfangszeit: Schreib `wann:sat 09:00`")
    assert "every" not in when.value.text("es") and "cualquier momento de la semana" in when.value.text("es")
