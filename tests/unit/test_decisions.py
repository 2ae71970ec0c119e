"""Proposal rules: electorates and weights, quorum over weight, choices, delegation, early close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from bot.domain.decisions import (
    YES_NO,
    Bounds,
    Candidate,
    Delegation,
    Elector,
    Rule,
    ballot_visible,
    check_proposal,
    check_rule,
    choices_of,
    electorate,
    parse_options,
    tally,
    weight_text,
    why_not_delegate,
)
from bot.domain.errors import BadInput
from bot.domain.votes import Side

OPEN = datetime(2026, 12, 7, 12, tzinfo=UTC)
BEFORE = OPEN - timedelta(days=30)


def people() -> list[Candidate]:
    return [
        Candidate(1, 101, "Ana", True, BEFORE, frozenset({"First aid"}), frozenset({900})),
        Candidate(2, 102, "Ben", True, BEFORE),
        Candidate(3, 103, "Cy", True, BEFORE, frozenset(), frozenset({900})),
        Candidate(4, 104, "Di", False, BEFORE),  # left the rota
        Candidate(5, 105, "Ed", True, OPEN + timedelta(minutes=1)),  # joined after the opening
    ]


def test_everyone_is_each_active_member_since_before_the_opening_one_vote_each() -> None:
    chosen = electorate(Rule(), people(), {}, OPEN)
    assert [(e.name, e.weight) for e in chosen] == [("Ana", 1), ("Ben", 1), ("Cy", 1)]


def test_affected_by_tasks_a_qualification_or_a_role() -> None:
    hours = {2: Fraction(3), 4: Fraction(5)}  # Di held it but left
    assert [e.name for e in electorate(Rule("affected", task_ids=(7,)), people(), hours, OPEN)] == ["Ben"]
    by_qualification = electorate(Rule("affected", qualification="first aid"), people(), {}, OPEN)
    assert [e.name for e in by_qualification] == ["Ana"]  # the case does not matter
    assert [e.name for e in electorate(Rule("affected", role_id=900), people(), {}, OPEN)] == ["Ana", "Cy"]
    either = electorate(Rule("affected", task_ids=(7,), qualification="First aid"), people(), hours, OPEN)
    assert sorted(e.name for e in either) == ["Ana", "Ben"]


def test_weighted_by_hours_with_a_floor_and_at_least_an_hour() -> None:
    hours = {1: Fraction(12), 2: Fraction(1), 3: Fraction(1, 2)}  # Cy has half an hour: not affected
    chosen = electorate(Rule("weighted", task_ids=(7,)), people(), hours, OPEN)
    assert [(e.name, e.weight) for e in chosen] == [("Ana", 12), ("Ben", 1)]


def test_rules_naming_nothing_or_unknown_tasks_are_refused() -> None:
    with pytest.raises(BadInput, match="not one of this organization's tasks"):
        check_rule(Rule("affected", task_ids=(99,)), [7])
    with pytest.raises(BadInput, match="needs the tasks"):
        check_rule(Rule("weighted"), [7])
    with pytest.raises(BadInput, match="needs tasks, a qualification or a role"):
        check_rule(Rule("affected"), [7])
    with pytest.raises(BadInput, match="weeks"):
        check_rule(Rule("affected", task_ids=(7,), weeks=0), [7])
    check_rule(Rule("weighted", task_ids=(7,), weeks=8), [7])


def test_quorum_is_over_weight_never_heads_against_weight() -> None:
    # Ten members; two carry most of the hours. Two voting are 2 of 10 heads (20%), but 20/30 of the weight.
    electors = [Elector(1, 1, "a", Fraction(10)), Elector(2, 2, "b", Fraction(10))]
    electors += [Elector(i, i, f"m{i}", Fraction(10, 8)) for i in range(3, 11)]
    result = tally(YES_NO, electors, {1: "yes", 2: "yes"}, [], Rule(), OPEN, 50, 50)
    assert result.eligible == 30 and result.cast == 20 and result.passes()
    # …and the eight others with most of the heads but a third of the weight cannot meet a 50% quorum.
    few = tally(YES_NO, electors, {i: "no" for i in range(3, 11)}, [], Rule(), OPEN, 50, 50)
    assert few.cast == 10 and not few.quorum_met() and "33% of the weight" in few.why_not()


def test_threshold_leaves_abstentions_out_and_options_need_a_clear_leader() -> None:
    electors = [Elector(i, i, f"m{i}", Fraction(1)) for i in range(1, 5)]
    result = tally(YES_NO, electors, {1: "yes", 2: "yes", 3: "no", 4: "abstain"}, [], Rule(), OPEN, 50, 60)
    assert result.threshold_met() and result.decided() == "yes"  # 2 of 3 who took a side
    options = choices_of(["Mon", "Wed", "Fri"])
    assert options == ("Mon", "Wed", "Fri", "abstain")
    tie = tally(options, electors, {1: "Mon", 2: "Wed"}, [], Rule(), OPEN, 50, 50)
    assert tie.leader() is None and not tie.passes()
    clear = tally(options, electors, {1: "Mon", 2: "Mon", 3: "Wed"}, [], Rule(), OPEN, 50, 50)
    assert clear.decided() == "Mon"
    assert tie.why_not() == "no option led (a tie, or only abstentions)"
    short = tally(YES_NO, electors, {1: "yes", 2: "no", 3: "no"}, [], Rule(), OPEN, 50, 60)
    assert short.why_not() == "yes had 33% of the votes for and against, 60% needed"
    narrow = tally(options, electors, {1: "Mon", 2: "Mon", 3: "Wed"}, [], Rule(), OPEN, 50, 70)
    assert narrow.why_not() == "the leading option, Mon, had 67% of the votes on options, 70% needed"


def test_choices_are_yes_no_abstain_by_default_or_two_to_five_options() -> None:
    assert choices_of(parse_options(None)) == YES_NO
    with pytest.raises(BadInput, match="At most 5"):
        choices_of(parse_options("a;b;c;d;e;f"))
    with pytest.raises(BadInput, match="at least two"):
        choices_of(["only"])
    with pytest.raises(BadInput, match="Each option once"):
        choices_of(["a", "A"])


def test_a_delegate_votes_for_those_who_did_not_and_a_direct_vote_overrides() -> None:
    electors = [Elector(i, i, f"m{i}", Fraction(i)) for i in (1, 2, 3)]
    delegations = [Delegation(2, 1), Delegation(3, 1)]
    result = tally(YES_NO, electors, {1: "yes"}, delegations, Rule(), OPEN, 50, 50)
    assert result.totals["yes"] == 6 and result.delegated == 2 and result.delegated_weight == 5
    assert result.how[2] == ("yes", 1)
    overridden = tally(YES_NO, electors, {1: "yes", 3: "no"}, delegations, Rule(), OPEN, 50, 50)
    assert overridden.totals == {"yes": 3, "no": 3, "abstain": 0} and overridden.delegated == 1
    # One hop: 3 delegated to 2, who delegated to 1: 3's vote is not passed on.
    chain = tally(YES_NO, electors, {1: "no"}, [Delegation(2, 1), Delegation(3, 2)], Rule(), OPEN, 50, 50)
    assert chain.voters == 2 and 3 not in chain.how
    # A delegate outside the electorate carries nothing; nor an expired delegation.
    outside = tally(YES_NO, electors[1:], {1: "no"}, [Delegation(2, 1)], Rule(), OPEN, 50, 50)
    assert outside.voters == 0
    expired = tally(YES_NO, electors, {1: "no"}, [Delegation(2, 1, until=OPEN)], Rule(), OPEN, 50, 50)
    assert 2 not in expired.how


def test_a_scoped_delegation_applies_only_to_its_task_or_qualification_and_wins_over_all() -> None:
    electors = [Elector(i, i, f"m{i}", Fraction(1)) for i in (1, 2, 3)]
    dishes = Rule("affected", task_ids=(7,))
    delegations = [Delegation(3, 1), Delegation(3, 2, "task", "7")]
    on_dishes = tally(YES_NO, electors, {1: "yes", 2: "no"}, delegations, dishes, OPEN, 50, 50)
    assert on_dishes.how[3] == ("no", 2)
    elsewhere = tally(YES_NO, electors, {1: "yes", 2: "no"}, delegations, Rule(), OPEN, 50, 50)
    assert elsewhere.how[3] == ("yes", 1)
    first_aid = Rule("affected", qualification="First aid")
    scoped = [Delegation(3, 2, "qualification", "first AID")]
    assert tally(YES_NO, electors, {2: "no"}, scoped, first_aid, OPEN, 50, 50).how[3] == ("no", 2)


def test_delegations_to_oneself_outside_the_rota_or_in_a_loop_are_refused() -> None:
    assert "yourself" in (why_not_delegate(1, 1, True, []) or "")
    assert "not in this organization's rota" in (why_not_delegate(1, 2, False, []) or "")
    assert "loop" in (why_not_delegate(1, 2, True, [Delegation(2, 1)]) or "")
    assert why_not_delegate(1, 2, True, [Delegation(3, 1)]) is None


def test_early_close_only_once_everyone_voted_directly() -> None:
    electors = [Elector(1, 1, "a", Fraction(3)), Elector(2, 2, "b", Fraction(1))]
    by_delegation = tally(YES_NO, electors, {1: "yes"}, [Delegation(2, 1)], Rule(), OPEN, 50, 50)
    assert by_delegation.voters == 2 and not by_delegation.early()  # 2 may still override
    assert tally(YES_NO, electors, {1: "yes", 2: "no"}, [], Rule(), OPEN, 50, 50).early()


def test_merge_sides_keep_their_rules_through_the_shared_engine() -> None:
    side = Side(electorate=3, quorum_pct=50, threshold_pct=67, yes=1, no=1)
    assert side.quorum_met() and not side.threshold_met() and not side.complete
    assert Side(2, 50, 50, yes=2).complete


def test_deadlines_titles_bounds_and_secrecy() -> None:
    with pytest.raises(BadInput, match="needs a title"):
        check_proposal("  ", "", OPEN, OPEN + timedelta(hours=1))
    with pytest.raises(BadInput, match="in the past"):
        check_proposal("Oven", "", OPEN, OPEN - timedelta(hours=1))
    with pytest.raises(BadInput, match="at most 30 days"):
        check_proposal("Oven", "", OPEN, OPEN + timedelta(days=31))
    with pytest.raises(BadInput, match="quorum may be 20% to 80%"):
        Bounds(quorum_min=20, quorum_max=80).check(10, 60)
    with pytest.raises(BadInput, match="threshold may be"):
        Bounds().check(50, 40)
    assert ballot_visible(True, 1, 1) and not ballot_visible(True, 1, 2) and ballot_visible(False, 1, 2)
    assert weight_text(Fraction(5, 2)) == "2.5" and weight_text(Fraction(4, 3)) == "1.33"
