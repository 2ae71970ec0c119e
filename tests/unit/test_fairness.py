"""Fairness in plain words: the thresholds, the "because" clause, the post's summary, the moderator's verdict."""

from __future__ import annotations

from bot.domain.fairness import Fairness, balance_words, because_of, level_of, summary, verdict
from bot.domain.report import MemberFigures, Report


def figures(key: str, ratio: tuple[float, float, float], past=None, hours: float = 8.5) -> MemberFigures:
    fair = (round(hours / ratio[0], 2), 40.0, 30.0)
    return MemberFigures(key, hours, hours / 10, 5.0, 5.0, available=10.0, fair=fair, ratio=ratio, past=past)


def report(*members: MemberFigures) -> Report:
    return Report(0.5, members, None, None, (5.5, 5.5))


def test_levels_have_named_thresholds() -> None:
    assert [level_of(r) for r in (1.0, 1.1, 0.9, 1.11, 1.25, 1.26, 0.8, 0.7)] == [
        "about",
        "about",
        "about",
        "little_above",
        "little_above",
        "well_above",
        "little_below",
        "well_below",
    ]


def test_the_because_clause_comes_from_the_carried_past_only_when_it_explains_the_week() -> None:
    assert because_of(1.2, 0.8) == "less"  # above the share now, after weeks below it
    assert because_of(0.8, 1.2) == "more"
    assert because_of(1.2, 1.2) is None  # above now and before: the past does not explain it
    assert because_of(1.05, 0.5) is None  # about the share: nothing to explain
    assert because_of(1.3, None) is None  # no history


def test_a_members_week_in_sentences() -> None:
    week = Fairness.of(figures("m1", (1.049, 1.0, 1.2), past=(1.0, 1.0, 0.8)))
    assert week.sentences() == [
        "8.5 h of your 10 h; your fair share is 8.1 h.",
        "Unpleasant work: about your share.",
        "Empowering work: a little above your share, because over the last weeks you had less empowering "
        "work than your share.",
    ]
    heavy = Fairness.of(figures("m2", (1.5, 0.6, 1.0), hours=6))
    assert heavy.sentences()[0] == "6 h of your 10 h; your fair share is 4 h (well above it)."
    assert heavy.sentences()[1] == "Unpleasant work: well below your share."
    old = Fairness(3.5, None, None, None, None)  # a week stored before fair shares were kept
    assert old.sentences(member_hours=3) == ["3.5 h of your 3 h."]


def test_after_a_swap_the_week_is_measured_against_the_same_fair_share() -> None:
    week = Fairness.of(figures("m1", (1.0, 1.0, 1.0), hours=8))
    after = week.holding((4.0, 40.0, 15.0))  # gave half the hours away, kept the unpleasant part
    assert after.ratio == (0.5, 1.0, 0.5) and verdict(after) == "hours well below; empowering work well below"


def test_the_post_names_only_who_is_off_and_stays_short_for_big_organizations() -> None:
    fair = [figures(f"m{i}", (1.0, 1.05, 0.95)) for i in range(200)]
    names = {f"m{i}": f"Member {i}" for i in range(200)}
    assert summary(report(*fair), names) == (
        "Everyone is within 10% of their fair share in hours, unpleasant work and empowering work."
    )
    off = [*fair[:190], *(figures(f"m{i}", (1.0, 1.3 + i / 1000, 1.0)) for i in range(190, 200))]
    text = summary(report(*off), names)
    assert text.startswith("Everyone is within 10% of their fair share except Member 199 (unpleasant work well above)")
    assert text.endswith("and 2 others.") and len(text) < 500
    most = [figures("m0", (1.0, 1.0, 1.0)), figures("m1", (1.3, 1.0, 1.0)), figures("m2", (0.8, 1.0, 1.0))]
    assert summary(report(*most), names) == (
        "2 of 3 members are more than 10% off their fair share: Member 1 (hours well above) and Member 2 (hours a "
        "little below)."
    )


def test_the_moderators_verdict_is_in_words() -> None:
    fair = [figures(f"m{i}", (1.0, 1.0, 1.0)) for i in range(10)]
    assert balance_words(report(*fair)) == "well balanced: everyone is within 10% of their fair share"
    some = [*fair[:8], figures("m8", (1.0, 1.2, 1.0)), figures("m9", (1.0, 0.7, 1.0))]
    assert balance_words(report(*some)) == (
        "unevenly balanced: 2 of 10 members are more than 10% off their fair share (at most 30%, in unpleasant work)"
    )
    old = Report(0.25, (MemberFigures("m1", 5, 0.5, 5.0, 5.0),), None, None, (5.5, 5.5))
    assert balance_words(old) == "well balanced"


def test_a_week_without_work_says_so() -> None:
    idle = report(figures("m1", (1.0, 1.0, 1.0), hours=0.0), figures("m2", (1.0, 1.0, 1.0), hours=0.0))
    assert summary(idle, {"m1": "Ana", "m2": "Ben"}) == "No task happens this week."
    assert balance_words(idle) == "empty: no task happens this week"


def test_the_words_in_spanish_and_german_are_whole_sentences_with_their_numbers() -> None:
    week = Fairness(8.5, 10.0, (8.1, 40.0, 30.0), (1.05, 1.0, 1.2), (1.0, 1.0, 0.8))
    assert week.sentences(language="es") == [
        "8,5 h de tus 10 h; tu parte justa es 8,1 h.",
        "Trabajo desagradable: más o menos tu parte.",
        "Trabajo que empodera: un poco por encima de tu parte, porque en las últimas semanas tuviste menos trabajo "
        "que empodera que tu parte.",
    ]
    assert week.sentences(language="de")[0] == "8,5 h von deinen 10 h; dein fairer Anteil ist 8,1 h."
    assert verdict(week, "de") == "ermächtigende Arbeit etwas darüber"
    most = [figures("m0", (1.0, 1.0, 1.0)), figures("m1", (1.3, 1.0, 1.0)), figures("m2", (0.8, 1.0, 1.0))]
    names = {"m0": "Ana", "m1": "Ben", "m2": "Cleo"}
    assert summary(report(*most), names, language="es") == (
        "2 de 3 miembros se alejan más de un 10\xa0% de su parte justa: Ben (horas muy por encima) y Cleo (horas un "
        "poco por debajo)."
    )
    assert balance_words(report(*most), "de").startswith("ungleich verteilt: 2 von 3 Mitgliedern liegen mehr als 10")
