"""What each member holds in a week once pieces changed hands: a swap or a claim moves the piece to
whoever really does it (the solver's choice stays recorded), and a claim is taken once, by the first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import claims, rotas
from storage.db import Database
from storage.models import Assignment, TaskClaim
from tests.storage.builders import member, org, rota, task

NOW = datetime(2026, 12, 9, 12, tzinfo=UTC)
WEEK = "2026-W50"


async def test_a_members_pieces_of_a_week_follow_swaps_and_claims(db: Database) -> None:
    async with db.transaction() as session:
        ours = await org(session, 1, "North")
        ana, ben, cleo, dan = [
            await member(session, ours.id, 10 + i, n) for i, n in enumerate(("Ana", "Ben", "Cleo", "Dan"))
        ]
        dishes, cooking, sweeping = (
            await task(session, ours.id, "Dishes", 2),
            await task(session, ours.id, "Cooking", 3),
            await task(session, ours.id, "Sweeping", 1),
        )
        week = await rota(session, ours.id, WEEK, [(dishes, ana, 2), (cooking, ben, 3), (sweeping, cleo, 1)])
        await rota(session, ours.id, "2026-W49", [(cooking, ana, 3)])  # another week: not this one's holdings
        pieces = {h.task.name: h.assignment for h in await rotas.holdings(session, week.id)}
        pieces["Dishes"].member_id = ben.id  # Ana's swap offer, accepted by Ben
        claim = TaskClaim(
            organization_id=ours.id,
            assignment_id=pieces["Sweeping"].id,
            from_member_id=cleo.id,
            deadline=NOW + timedelta(days=1),
        )
        session.add(claim)
        await session.flush()
        ids = {"org": ours.id, "rota": week.id, "claim": claim.id, "sweeping": pieces["Sweeping"].id}
        ana_id, dan_id = ana.id, dan.id
        people = {ana.id: "Ana", ben.id: "Ben", cleo.id: "Cleo", dan.id: "Dan"}
        tasks = {dishes.id: "Dishes", cooking.id: "Cooking", sweeping.id: "Sweeping"}
    async with db.transaction() as session:
        assert await claims.take(session, ids["claim"], dan_id, NOW)
        assert not await claims.take(session, ids["claim"], ana_id, NOW)  # too late: Dan was first
        (await session.get_one(Assignment, ids["sweeping"])).member_id = dan_id
    async with db.session() as session:
        shown = {
            (h.task.name, h.member.display_name, people[h.assignment.assigned_member_id])
            for h in await rotas.holdings(session, ids["rota"])
        }
        held = {
            row.display_name: (candidate.held_hours, {tasks[t] for t in candidate.held_tasks})
            for row, candidate in await claims.candidates(session, ids["org"], ids["rota"], WEEK)
        }
        only_ana = await claims.candidates(session, ids["org"], ids["rota"], WEEK, member_id=ana_id)
        taken = await session.get_one(TaskClaim, ids["claim"])
    assert shown == {("Dishes", "Ben", "Ana"), ("Cooking", "Ben", "Ben"), ("Sweeping", "Dan", "Cleo")}
    assert held == {"Ana": (0, set()), "Ben": (5, {"Dishes", "Cooking"}), "Cleo": (0, set()), "Dan": (1, {"Sweeping"})}
    assert [(row.display_name, candidate.held_hours) for row, candidate in only_ana] == [("Ana", 0)]
    assert (taken.status, taken.taker_member_id) == ("taken", dan_id)


async def test_a_claim_past_its_deadline_cannot_be_taken_and_closes_once(db: Database) -> None:
    async with db.transaction() as session:
        ours = await org(session, 1, "North")
        ana, ben = await member(session, ours.id, 10, "Ana"), await member(session, ours.id, 11, "Ben")
        dishes = await task(session, ours.id, "Dishes", 2)
        week = await rota(session, ours.id, WEEK, [(dishes, ana, 2)])
        piece = (await rotas.holdings(session, week.id))[0].assignment
        claim = TaskClaim(organization_id=ours.id, assignment_id=piece.id, from_member_id=ana.id, deadline=NOW)
        session.add(claim)
        await session.flush()
        claim_id, ben_id = claim.id, ben.id
    async with db.transaction() as session:
        assert not await claims.take(session, claim_id, ben_id, NOW)  # the deadline is the end
        assert await claims.expire(session, claim_id, NOW)
        assert not await claims.expire(session, claim_id, NOW)
    async with db.session() as session:
        closed = await session.get_one(TaskClaim, claim_id)
    assert (closed.status, closed.taker_member_id) == ("expired", None)
