"""Merge-vote rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.votes import Side, decided_early, in_electorate, outcome, why_not_in_electorate


def test_quorum_and_threshold() -> None:
    assert Side(10, 50, 67, yes=4, no=1).passes()  # 50% turnout, 80% yes
    assert not Side(10, 50, 67, yes=4).passes()  # 40% turnout
    assert Side(10, 50, 67, yes=4).why_not() == "quorum not met (40% voted, 50% needed)"
    assert not Side(10, 50, 67, yes=3, no=2).passes()  # 60% yes < 67%
    assert "threshold not met" in Side(10, 50, 67, yes=3, no=2).why_not()
    assert Side(10, 50, 67, yes=3, no=1, abstain=1).passes()  # abstentions count for turnout only
    assert not Side(10, 50, 67, abstain=10).passes()  # nobody said yes


def test_outcome_needs_both_sides() -> None:
    assert outcome(Side(2, 50, 50, yes=2), Side(2, 50, 50, yes=1))
    assert not outcome(Side(2, 50, 50, yes=2), Side(2, 50, 50, no=2))


def test_early_close_only_when_everyone_has_voted() -> None:
    assert not decided_early(Side(4, 50, 67, yes=2), Side(4, 50, 67))
    assert not decided_early(Side(4, 50, 67, no=2), Side(2, 50, 50, yes=2))  # looks lost, but 2 may still vote
    assert decided_early(Side(3, 50, 67, yes=3), Side(2, 50, 50, yes=1, no=1))
    assert decided_early(Side(2, 50, 67, yes=1, abstain=1), Side(1, 50, 50, no=1))


def test_one_rule_says_who_may_vote_and_why_not() -> None:
    opened = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert why_not_in_electorate(True, opened - timedelta(days=9), opened) is None
    assert why_not_in_electorate(False, opened - timedelta(days=9), opened) == "you are not in the rota now"
    came_back = why_not_in_electorate(True, opened + timedelta(hours=2), opened)  # left, then re-joined in the vote
    assert came_back is not None and "after the vote opened" in came_back
    assert not in_electorate(True, opened + timedelta(hours=2), opened)
