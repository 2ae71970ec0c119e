"""Delegations, votes, refusals and the log of decisions in the members' languages, through the fake
Discord: members whose clients are in Spanish or German (their organization set to the same language)
delegate, vote, are refused and read `/decisions`, all in their language, with no English sentence of
the proposals' sources left, and hours and percentages written the language's way (`1,5 h`, `100 %`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.weeks import iso_week
from bot.i18n import gettext, pgettext
from bot.i18n.formatting import percent
from storage.models import Assignment, MemberRow, Rota, TaskRow
from tests.e2e.builders import rows
from tests.e2e.conftest import World
from tests.e2e.fake_discord import message_buttons, message_text
from tests.e2e.test_merge import make_org, say
from tests.english import english_runs

pytestmark = pytest.mark.slow

SOURCES = ("cogs/decisions/", "bot/app/decisions.py", "bot/domain/decisions.py", "bot/domain/votes.py")

# What each language must say (whole phrases of the catalog, as a member reads them).
SAID = {
    "es": {
        "opened": "La propuesta n.º 1 está abierta",
        "logged": "**n.º 1** Hornear los domingos · aprobada (",
        "delegated": "Tu voto pasa a",
        "all": "todas las propuestas",
        "yourself": "no puedes delegar en ti",
        "loop": "sería un círculo",
        "options": "Indica al menos dos opciones",
        "cast_for_you": "(aún puedes votar tú)",
        "shown_title": "Tus delegaciones",
        "closed": "está cerrada",
        "passed": "aprobada (",
        "turnout": "participación",
        "ended": "Has terminado tu delegación",
        "nothing_to_end": "No tienes ninguna delegación que terminar",
        "nothing_matches": "No hay coincidencias.",
        "settings": "como máximo 2 abiertas por miembro",
        "not_a_date": "no es una fecha",
    },
    "de": {
        "opened": "Vorschlag Nr. 1 ist offen bis",
        "logged": "**Nr. 1** Hornear los domingos · angenommen (",
        "delegated": "Deine Stimme geht an",
        "all": "alle Vorschläge",
        "yourself": "nicht an dich selbst übertragen",
        "loop": "Das wäre ein Kreis",
        "options": "Gib mindestens zwei Optionen an",
        "cast_for_you": "(du kannst noch selbst abstimmen)",
        "shown_title": "Deine Delegationen",
        "closed": "ist beendet",
        "passed": "angenommen (",
        "turnout": "Beteiligung",
        "ended": "Deine Delegation ist beendet",
        "nothing_to_end": "Du hast keine Delegation, die du beenden könntest",
        "nothing_matches": "Nichts gefunden.",
        "settings": "höchstens 2 offene pro Mitglied",
        "not_a_date": "ist kein Datum",
    },
}


def leftover(english: list[str], text: str) -> list[str]:
    return [run for run in english if run in text]


async def held_last_week(bot, hours: dict[int, float], task: str) -> None:
    """Last week's rota: each user held `task` for so many hours (what `weighted by hours` counts)."""
    now = datetime.now(UTC)
    [member] = await rows(bot, MemberRow, MemberRow.user_id == next(iter(hours)))
    [row] = await rows(bot, TaskRow, TaskRow.name == task)
    members = {m.user_id: m.id for m in await rows(bot, MemberRow, MemberRow.organization_id == member.organization_id)}
    async with bot.db.transaction() as session:
        rota = Rota(
            organization_id=member.organization_id,
            week=iso_week((now - timedelta(days=7)).date()),
            spread_sum=0,
            report="{}",
            published_at=now,
        )
        session.add(rota)
        await session.flush()
        for user_id, held in hours.items():
            session.add(
                Assignment(
                    rota_id=rota.id,
                    task_id=row.id,
                    member_id=members[user_id],
                    assigned_member_id=members[user_id],
                    hours=held,
                )
            )


@pytest.mark.parametrize(("language", "locale", "task"), [("es", "es-ES", "Amasar"), ("de", "de", "Backen")])
async def test_delegation_votes_and_the_log_in_the_members_language(
    world: World, start_bot, language: str, locale: str, task: str
) -> None:
    fake, alice, bob, carol = world.fake, world.alice, world.bob, world.carol
    said = SAID[language]
    bot = await start_bot()
    await make_org(bot, world.a, [alice, bob, carol], [(task, 4, 7, 5)], ["Pan"])
    await (await fake.invoke(world.a, world.mod_a, "mod org settings", language=language)).wait_reply()
    for user in (alice, bob, carol, world.mod_a):
        user.locale = locale
    await held_last_week(bot, {alice.id: 6, bob.id: 1.5}, task)
    english = english_runs(*SOURCES)
    assert len(english) > 60

    # /delegate to: the answer, and the use case's and the domain's refusals, in the member's language.
    until = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    given = await say(world, world.a, bob, "delegate to", member=alice, until=until)
    assert said["delegated"] in given and said["all"] in given and f"<@{alice.id}>" in given
    assert "<t:" in given  # the last day as a Discord timestamp: each client writes it in its language
    assert leftover(english, given) == []
    for refused, expected in (
        (await say(world, world.a, bob, "delegate to", member=bob), said["yourself"]),
        (await say(world, world.a, alice, "delegate to", member=bob), said["loop"]),
        (await say(world, world.a, carol, "delegate to", member=alice, until="soon"), said["not_a_date"]),
        (await say(world, world.a, carol, "propose", title="Hornear", choices="solo una"), said["options"]),
    ):
        assert expected in refused, refused
        assert leftover(english, refused) == [], refused

    # A proposal weighted by hours: alice (6 h) and bob (1.5 h) decide.
    asked = await fake.invoke(
        world.a, alice, "propose", title="Hornear los domingos", who="weighted by hours", tasks=task
    )
    preview = await asked.wait_reply(30)
    assert leftover(english, message_text(preview)) == []
    buttons = {b["label"]: b["custom_id"] for b in message_buttons(preview)}
    await fake.click(world.a, alice, preview, buttons[gettext(language, "Open the proposal")])
    await fake.wait_until(
        lambda: (preview.get("content") or "").startswith(said["opened"]), timeout=30, what="the opening"
    )

    def post() -> dict | None:
        return next((m for m in fake.channel_messages(world.a.channel("rota")) if message_buttons(m)), None)

    await fake.wait_until(lambda: post() is not None, timeout=30, what="the proposal's post")
    posted = post()
    assert posted is not None
    labels = {b["label"]: b["custom_id"] for b in message_buttons(posted)}
    yes, no = pgettext(language, "vote choice", "yes"), pgettext(language, "vote choice", "no")
    abstain = pgettext(language, "vote choice", "abstain")
    # /vote with a word that is no choice: the choices are listed in her language.
    refused = await say(world, world.a, alice, "vote", proposal=1, choice="quizás")
    assert f"`{yes}`, `{no}`, `{abstain}`" in refused and leftover(english, refused) == []
    # She types yes in her own language (the answer of /vote itself is cogs/merge's: not checked here).
    await say(world, world.a, alice, "vote", proposal=1, choice=yes.upper())

    # Bob's vote was cast for him by alice, and he still may vote himself.
    shown = await say(world, world.a, bob, "delegate show")
    assert said["shown_title"] in shown and said["cast_for_you"] in shown and f"**{yes}**" in shown
    assert leftover(english, shown) == []

    # Bob votes himself: everyone voted directly, so it closes at once.
    await (await fake.click(world.a, bob, posted, labels[no])).text(timeout=30)

    async def logged() -> str:
        return await say(world, world.a, bob, "decisions")

    log = ""
    for _ in range(60):
        log = await logged()
        if said["passed"] in log:
            break
    assert said["passed"] in log, log
    # The totals by hours and the turnout written the language's way: 1,5 h and 100 %.
    assert said["logged"] in log
    assert f"{yes} 6 h · {no} 1,5 h" in log
    assert f"{said['turnout']} {percent(1.0, language)}" in log
    assert leftover(english, log) == []

    closed = await say(world, world.a, carol, "vote", proposal=1, choice="yes")
    assert said["closed"] in closed and leftover(english, closed) == []
    nothing = await say(world, world.a, bob, "decisions", search="piscina")
    assert said["nothing_matches"] in nothing and leftover(english, nothing) == []

    # /delegate end, then again: nothing left to end.
    ended = await say(world, world.a, bob, "delegate end")
    assert said["ended"] in ended and leftover(english, ended) == []
    again = await say(world, world.a, bob, "delegate end")
    assert said["nothing_to_end"] in again and leftover(english, again) == []

    # The moderators' settings of proposals, in the moderator's language.
    settings = await say(world, world.a, world.mod_a, "mod decisions settings", per_member=2)
    assert said["settings"] in settings and leftover(english, settings) == []
