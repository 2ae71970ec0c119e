"""The public fairness report in the organization's language: every text of the page and the index
from the catalog (no English sentence left in a Spanish or German page), numbers, percentages and
dates the language's way, and `<html lang>` saying which."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest

from bot.domain.report import MemberFigures, Report
from bot.i18n import gettext
from bot.i18n.check import SOURCE_CATALOG, read
from bot.render.public_report import Event, PublicReport, WeekInput, build
from bot.render.site import render_index, render_page

TODAY = date(2026, 12, 7)
LANGUAGES = ("es", "de")


def member(key: str, hours: float, ratio: tuple[float, float, float] | None) -> MemberFigures:
    fair = None if ratio is None else (hours / ratio[0], 20.0, 30.0)
    return MemberFigures(key, hours, hours / 10, 5.5, 4.5, 10.0, fair, ratio)


def fair_week(week: str, *ratios: tuple[float, float, float]) -> WeekInput:
    members = tuple(member(f"m{i + 1}", 8.5 * r[0], r) for i, r in enumerate(ratios))
    return WeekInput(week, Report(0.4, members, (2, 9), (2, 9), (5.5, 4.5)), {})


EXACT = (1.0, 1.0, 1.0)


def sample_weeks(old: bool = False) -> list[WeekInput]:
    """Weeks of every kind the page words: empty, well, fairly and unevenly balanced, one and several
    members off, in each dimension. `old`: weeks stored before fair shares were kept."""
    if old:
        return [
            WeekInput(
                week,
                Report(spread, (member("m1", 4.5, None), member("m2", 6, None)), (3, 7), (4, 6), (5.4, 5.2)),
                {},
            )
            for week, spread in (("2026-W30", 0.2), ("2026-W31", 0.6), ("2026-W32", 1.4))
        ]
    return [
        WeekInput("2026-W43", Report(0, (member("m1", 0, EXACT),), (2, 9), (2, 9), (5.5, 4.5)), {}),  # empty
        fair_week("2026-W44", EXACT, EXACT, EXACT),
        fair_week("2026-W45", (1.0, 1.2, 1.0), EXACT, EXACT),  # fairly: one member, unpleasant work
        fair_week("2026-W46", (1.4, 1.0, 1.0), (0.7, 1.0, 1.0), (1.2, 1, 1)),  # unevenly: three, hours
        fair_week("2026-W47", (1.0, 1.0, 1.15), (1.0, 1.0, 0.85), EXACT),  # fairly: two, empowering work
        fair_week("2026-W48", (1.0, 1.5, 1.0), (1.0, 0.5, 1.0), EXACT),  # unevenly: unpleasant work
        fair_week("2026-W49", (1.0, 1.0, 1.35), EXACT, EXACT),  # unevenly: one, empowering work
        fair_week("2026-W50", (1.2, 1.0, 1.0), (0.85, 1, 1), EXACT),  # fairly: hours
    ]


def sample(language: str, *, old: bool = False) -> PublicReport:
    """An organization with `sample_weeks`, a named member and anonymous ones, a merge and a departure.
    `old`: only weeks stored before fair shares were kept (the other charts)."""
    weeks = sample_weeks(old)
    events = [
        Event(date(2026, 11, 2), gettext(language, "{group} left {organization} by a vote of its members.",
                                         group="Night Shift", organization="Bakery")),
        Event(date(2026, 10, 5), gettext(language, "{first} and {second} merged into {federation} by vote.",
                                         first="Bakery", second="Mill", federation="Bread Federation")),
    ]  # fmt: skip
    return build("Bakery", ["Share the dull work"], weeks, {1: None, 2: "bea", 3: None}, events, TODAY, language)


class Text(HTMLParser):
    """What a reader sees and hears: the text (not the style sheet) and the labels (`aria-label`,
    `data-label`, the charts' titles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.lang: str | None = None
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.parts += [value or "" for name, value in attrs if name in ("aria-label", "data-label", "title", "alt")]

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts).replace("\xa0", " "))

    @property
    def lower(self) -> str:
        return self.text.lower()


def seen(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


EVENTS = (  # the page's texts the use case writes (bot/app/report.py)
    "{group} left {organization} by a vote of its members.",
    "{first} and {second} merged into {federation} by vote.",
)


def english_sentences() -> list[str]:
    """The English of every text the report's pages take from the catalog, cut at its placeholders
    into the runs of two words or more that a reader would recognize as English (lower case: a
    sentence may start a cell)."""
    runs = []
    for message in read(SOURCE_CATALOG):
        rendered = any(
            location.startswith(("bot/render/public_report.py", "bot/render/site.py", "bot/render/templates/"))
            for location, _ in message.locations
        )
        if not message.id or not (rendered or message.id in EVENTS):
            continue
        for form in message.id if isinstance(message.id, tuple | list) else (message.id,):
            for run in re.split(r"\{[^}]*\}|<[^>]*>", form):
                run = re.sub(r"\s+", " ", run).strip(" .,:;()“”…")
                if len(run.split()) >= 2:
                    runs.append(run.lower())
    return runs


def pages(language: str) -> list[str]:
    return [
        render_page(sample(language)),
        render_page(sample(language, old=True)),
        render_page(build("Empty", [], [], {}, [], TODAY, language)),
        render_index([("Bakery", "bakery-1/index.html")], language),
        render_index([], language),
    ]


def test_the_english_pages_show_the_catalogs_texts() -> None:
    """The check below looks for the right things: the English pages hold most of the texts it looks for."""
    shown = " ".join(seen(page).lower for page in pages("en"))
    runs = english_sentences()
    found = [run for run in runs if run in shown]
    assert len(runs) > 40 and len(found) > 0.9 * len(runs), sorted(set(runs) - set(found))
    assert "member a" in shown and "member b" in shown and "well balanced: everyone is within 10%" in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_in_spanish_or_german_has_no_english_sentence_left(language: str) -> None:
    for page in pages(language):
        reader = seen(page)
        assert reader.lang == language
        left = [run for run in english_sentences() if run in reader.lower]
        assert left == [], f"{language}: English left on the page: {left}"


def test_numbers_percentages_dates_and_labels_the_languages_way() -> None:
    spanish, german, english = (seen(render_page(sample(lang))).text for lang in ("es", "de", "en"))
    assert "Miembro A" in spanish and "Mitglied A" in german and "bea" in spanish  # a chosen name stays
    assert "Member A" not in spanish + german
    assert "109 %" in german and "109 %" in spanish and "109%" in english  # Babel's percentages
    assert "25,5" in german and "25,5" in spanish and "25.5" in english  # decimal commas: 3 × 8.5 hours
    assert "lunes, 7 de diciembre de 2026" in spanish and "Montag, 7. Dezember 2026" in german
    assert "2 nov 2026" in spanish and "02.11.2026" in german and "Nov 2, 2026" in english
    assert "Bread Federation" in german and "zusammengeschlossen" in german  # the events, in the language
    assert "equilibrado: 1 de 3 miembros se aleja más de un 10 % de su parte justa" in spanish
    assert "Ungleich verteilt: 3 von 3 Mitgliedern liegen mehr als 10 % neben ihrem fairen Anteil" in german
    for week in ("2026-W44", "2026-W50"):
        assert week in german  # ISO weeks as they are


def test_the_language_is_the_reports_and_user_texts_are_escaped_in_every_language() -> None:
    report = build("<b>Bäckerei</b> & Co", ["<i>teilen</i>"], [], {}, [], TODAY, "de")
    html = render_page(report)
    assert '<html lang="de">' in html and "&lt;b&gt;Bäckerei&lt;/b&gt; &amp; Co: wie wir unsere Arbeit teilen" in html
    assert "&lt;i&gt;teilen&lt;/i&gt;" in html and "<b>fairer Anteil</b>" not in html  # none: no week yet
    assert "Es wurde noch keine Woche veröffentlicht." in html
    assert '<html lang="en">' in render_page(build("Org", [], [], {}, [], TODAY))  # English by default


def test_the_weeks_words_are_the_projects_judgement_in_each_language() -> None:
    """The report's verdict on each week is `bot.domain.fairness.balance_words`, translated whole."""
    from bot.domain.fairness import balance_words

    inputs = [w for old in (False, True) for w in sample_weeks(old)]
    assert len({balance_words(w.report) for w in inputs}) >= 9
    for week in inputs:
        english = balance_words(week.report)
        for language in ("es", "de"):
            assert balance_words(week.report, language) != english, (language, english)
