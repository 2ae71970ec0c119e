"""The catalogs: the gate on every language, which language a text is in, Babel's formats."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from babel.messages.catalog import Catalog

from bot.i18n import (
    channel_language,
    gettext,
    language_of,
    lazy_gettext,
    lazy_ngettext,
    ngettext,
    private_language,
)
from bot.i18n.check import check_all, check_catalog
from bot.i18n.formatting import currency, long_date, number, weekday_time
from bot.i18n.names import COMMAND_NAME, OPTION_NAME, why_not_command_name


def test_every_catalog_has_every_source_text_with_its_placeholders_and_valid_names() -> None:
    reports = check_all()
    assert {r.language for r in reports} >= {"es", "de"}
    for report in reports:
        assert report.problems == [], "\n".join(report.problems)
        assert report.translated == report.total > 250


def test_the_gate_finds_missing_texts_wrong_placeholders_and_names_discord_refuses() -> None:
    source = Catalog(locale="en")
    source.add("Saved your rating of **{task}**.")
    source.add("Skipped **{task}**.")
    source.add("Not translated yet")
    source.add(("{count} task left.", "{count} tasks left."))
    source.add("myjobs", context=COMMAND_NAME)
    source.add("start", context=OPTION_NAME)
    source.add("fuzzy one")
    translated = Catalog(locale="de")
    translated.add("Saved your rating of **{task}**.", "Bewertung von **{aufgabe}** gespeichert.")
    translated.add("Skipped **{task}**.", "Übersprungen.")  # a placeholder lost
    translated.add(("{count} task left.", "{count} tasks left."), ("Noch {count} Aufgabe.", "Noch {n} Aufgaben."))
    translated.add("myjobs", "Meine Aufgaben", context=COMMAND_NAME)  # capitals and a space
    translated.add("start", "beginn", context=OPTION_NAME)
    translated.add("fuzzy one", "unsicher", flags=["fuzzy"])
    report = check_catalog(source, translated)
    assert sorted(report.missing) == ["Not translated yet", "fuzzy one"]
    assert len(report.broken) == 4, report.broken
    broken = "\n".join(report.broken)
    assert "has placeholders ['aufgabe'], the English 'Saved your rating of **{task}**.' has ['task']" in broken
    assert "'Übersprungen.' has placeholders []" in broken
    assert "'Noch {n} Aufgaben.' has placeholders ['n']" in broken
    assert "command name 'Meine Aufgaben' has ' '" in broken
    assert report.translated == 5


@pytest.mark.parametrize(
    ("name", "fine"),
    [
        ("valorar", True),
        ("mis-tareas", True),
        ("ziel-hinzufügen", True),
        ("día_del_recordatorio", True),
        ("Meine", False),
        ("two words", False),
        ("x" * 33, False),
        ("", False),
        ("¿qué?", False),
    ],
)
def test_command_names_discord_accepts(name: str, fine: bool) -> None:
    assert (why_not_command_name(name) is None) is fine


def test_which_language() -> None:
    assert language_of("es-ES") == language_of("es-419") == "es"
    assert language_of("de") == "de" and language_of("en-GB") == "en"
    assert language_of("fr") is None and language_of(None) is None
    # A private answer: the user's client, else the organization's language, else English.
    assert private_language("es-419", "de") == "es"
    assert private_language("fr", "de") == "de"
    assert private_language("fr", None) == private_language("pt-BR", "fr") == "en"
    assert private_language("en-US", "de") == "en"  # the client says English: English
    # Posts and DMs: the member's own choice, else the organization's.
    assert channel_language("de") == "de"
    assert channel_language("de", member_language="es") == "es"
    assert channel_language(None, member_language="ja") == "en"


def test_named_placeholders_and_plural_forms() -> None:
    text = "Saved your rating of **{task}**: desirability {desirability}, empowerment {empowerment}."
    assert gettext("en", text, task="Bread", desirability=3, empowerment=7) == (
        "Saved your rating of **Bread**: desirability 3, empowerment 7."
    )
    assert gettext("es", text, task="Pan", desirability=3, empowerment=7) == (
        "Guardamos tu valoración de **Pan**: agrado 3, empoderamiento 7."
    )
    left = ("{count} task left to rate.", "{count} tasks left to rate.")
    assert ngettext("es", *left, 1) == "Queda 1 tarea por valorar."
    assert ngettext("es", *left, 3) == "Quedan 3 tareas por valorar."
    assert ngettext("de", *left, 1) == "Noch 1 Aufgabe zu bewerten."
    assert ngettext("de", *left, 1_000_000) == "Noch 1.000.000 Aufgaben zu bewerten."
    assert ngettext("es", *left, 1_000_000) == "Quedan 1.000.000 tareas por valorar."  # Spanish "many"
    assert ngettext("en", *left, 1.5) == "1.5 tasks left to rate."
    assert ngettext("de", *left, 1.5) == "Noch 1,5 Aufgaben zu bewerten."


def test_a_deferred_message_is_english_in_logs_and_translated_when_rendered() -> None:
    message = lazy_gettext("There is no task called `{task}`. Pick one from the list as you type.", task="Brot")
    assert str(message) == "There is no task called `Brot`. Pick one from the list as you type."
    assert message.render("de") == "Es gibt keine Aufgabe namens `Brot`. Wähl beim Tippen eine aus der Liste."
    plural = lazy_ngettext("{count} task left to rate.", "{count} tasks left to rate.", 2)
    assert plural.render("es") == "Quedan 2 tareas por valorar."
    assert gettext("es", "A text no catalog has, {x}", x=1) == "A text no catalog has, 1"  # English stands in


def test_numbers_money_and_dates_the_languages_way() -> None:
    assert number(2.5, "en") == "2.5" and number(2.5, "de") == number(2.5, "es") == "2,5"
    assert number(12345.25, "de") == "12.345,25" and number(10.0, "es") == "10"
    assert currency(1234.5, "EUR", "de") == "1.234,50\xa0€"
    saturday = datetime(2026, 12, 5, 9, 0)
    assert weekday_time(saturday, "es") == "sábado 09:00"
    assert weekday_time(saturday, "de") == "Samstag 09:00"
    assert weekday_time(saturday, "en") == "Saturday 09:00"
    assert long_date(date(2026, 12, 5), "es") == "sábado, 5 de diciembre de 2026"


def test_a_language_is_one_the_bot_has_a_catalog_for() -> None:
    from bot.app.languages import check_language
    from bot.domain.errors import BadInput

    assert check_language("es-419") == "es"
    assert check_language(" DE ") == "de"
    assert check_language("en") == "en"
    with pytest.raises(BadInput) as refused:
        check_language("fr")
    assert "does not speak `fr` yet. It speaks `en` (English), `de` (Deutsch), `es` (Español)." in str(refused.value)


def test_refusals_from_other_modules_are_worded_for_the_reader_where_they_are_shown() -> None:
    """A task import's row problems, the file's own problems, a task's time and a member's windows come
    from the planner's and the shifts' rules: the reader gets them in their language, not English."""
    from decimal import Decimal

    from bot.app.members import Availability
    from bot.app.tasks import check_import, describe, read_import
    from bot.domain.errors import BadInput
    from storage.models import TaskRow

    with pytest.raises(BadInput) as bad_row:
        check_import("task,hours\nDishes,-2\n", "tasks.csv")
    english, spanish = bad_row.value.text("en"), bad_row.value.text("es")
    assert english.startswith("Nothing was imported.") and "tasks.csv, line 2" in english
    assert spanish.startswith(gettext("es", "Nothing was imported.\n{error}", error="").strip())
    assert "tasks.csv" in spanish and "line 2" not in spanish and spanish != english

    with pytest.raises(BadInput) as bad_file:
        read_import(b"\xff\xfe\x00garbage", "tasks.csv", Decimal("0.25"), 100)
    assert bad_file.value.text("de") != bad_file.value.text("en")

    task = TaskRow(organization_id=1, name="Till", hours=4, day="sat", start=9 * 60)
    assert "Saturdays 09:00" in describe(task)
    assert "sábados" in describe(task, language="es").lower()
    shown = Availability("Co-op", "Europe/Berlin", ((18 * 60, 22 * 60),), "2026-W50", 1)
    assert shown.words() != shown.words("de")
