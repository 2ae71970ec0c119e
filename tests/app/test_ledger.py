"""The hours ledger through the use cases: held after swaps and claims, done, corrections (audited),
who may see whose, the payroll export and the equal hourly rate."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.app import ledger
from bot.app.organizations import change_settings
from bot.app.publication import Publication
from bot.domain import ledger as rules
from bot.domain.errors import BadInput
from cogs.ledger import ledger_csv, ledger_embed, pay_csv
from storage import orgs
from storage.db import Database
from storage.models import Assignment, MemberRow, Organization, Rota
from tests.app.conftest import GUILD, MONDAY, make_org

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6), ("Accounts", 2.5, 5, 9)]
MOD = 900


async def two_weeks(db: Database, publication: Publication):
    org = await make_org(db, ["ana", "=ben"], TASKS)  # a name a spreadsheet would take for a formula
    await publication.publish(org.id, "2026-W49")
    await publication.publish(org.id, "2026-W50")
    return org


async def pieces(db: Database) -> list[tuple[str, Assignment]]:
    async with db.session() as session:
        result = await session.execute(select(Rota.week, Assignment).join(Rota, Rota.id == Assignment.rota_id))
        return [(week, a) for week, a in result]


async def test_held_follows_swaps_and_claims_and_done_is_what_was_marked(db, publication) -> None:
    org = await two_weeks(db, publication)
    ana, ben = org.members["ana"], org.members["=ben"]
    rows = await pieces(db)
    async with db.transaction() as session:  # in W49 ben's first piece goes to ana (a swap or a claim) and is done
        week49 = [a for week, a in rows if week == "2026-W49"]
        moved = next(a for a in week49 if a.member_id == ben.id)
        row = await session.get_one(Assignment, moved.id)
        row.member_id, row.done_at = ana.id, datetime(2026, 12, 2, tzinfo=UTC)
    rows = await pieces(db)
    shown = await ledger.show(
        db, GUILD, ana.user_id, moderator=False, member_user_id=None, first="2026-W49", last="2026-W50", now=MONDAY
    )
    expected = {
        week: sum(Decimal(repr(a.hours)) for w, a in rows if w == week and a.member_id == ana.id)
        for week in ("2026-W49", "2026-W50")
    }
    assert {w.week: w.held for w in shown.weeks} == {w: h for w, h in expected.items() if h}
    assert {w.week: w.done for w in shown.weeks}["2026-W49"] == Decimal(repr(moved.hours))
    assert shown.total.held == sum(expected.values()) and shown.total.done == Decimal(repr(moved.hours))
    assert shown.total.pay is None  # no rate yet


async def test_members_see_their_own_and_moderators_anyones(db, publication) -> None:
    org = await two_weeks(db, publication)
    ana, ben = org.members["ana"].user_id, org.members["=ben"].user_id
    with pytest.raises(BadInput, match="your own ledger"):
        await ledger.show(db, GUILD, ana, moderator=False, member_user_id=ben, first=None, last=None, now=MONDAY)
    theirs = await ledger.show(db, GUILD, MOD, moderator=True, member_user_id=ben, first=None, last=None, now=MONDAY)
    assert theirs.member.display_name == "=ben" and theirs.last == "2026-W49" and theirs.first == "2026-W42"
    with pytest.raises(BadInput, match="never in the rota"):
        await ledger.show(db, GUILD, MOD, moderator=True, member_user_id=77, first=None, last=None, now=MONDAY)
    with pytest.raises(BadInput, match="ISO week like 2026-W48"):
        await ledger.show(db, GUILD, ana, moderator=False, member_user_id=None, first="48", last=None, now=MONDAY)
    with pytest.raises(BadInput, match="after `to`"):
        await ledger.show(
            db, GUILD, ana, moderator=False, member_user_id=None, first="2026-W50", last="2026-W49", now=MONDAY
        )


async def test_corrections_are_audited_and_counted_and_the_export_pays_hours_done(db, publication) -> None:
    org = await two_weeks(db, publication)
    ana, ben = org.members["ana"], org.members["=ben"]
    with pytest.raises(BadInput, match="Say why"):
        await ledger.correct(db, GUILD, MOD, ana.user_id, "2026-W49", 2, "  ")
    with pytest.raises(BadInput, match="not 0"):
        await ledger.correct(db, GUILD, MOD, ana.user_id, "2026-W49", 0, "nothing")
    with pytest.raises(BadInput, match="never in the rota"):
        await ledger.correct(db, GUILD, MOD, 4242, "2026-W49", 1, "who?")
    done = await ledger.correct(db, GUILD, MOD, ana.user_id, "2026-w49", 1.5, "stayed late to close the kitchen")
    assert done.week == "2026-W49"
    async with db.session() as session:
        [entry, *_] = await orgs.recent_audit(session, org.id)
    assert (entry.action, entry.actor_id) == ("ledger.correct", MOD)
    assert entry.detail == f"<@{ana.user_id}> 2026-W49 +1.5 h: stayed late to close the kitchen"
    with pytest.raises(BadInput, match="in cents"):
        await change_settings(db, GUILD, MOD, hourly_rate=18.505)
    await change_settings(db, GUILD, MOD, hourly_rate=18.5, currency="eur")
    async with db.transaction() as session:  # everything ben holds in W49 was done
        week49 = {r.id for r in (await session.execute(select(Rota).where(Rota.week == "2026-W49"))).scalars()}
        for a in (await session.execute(select(Assignment).where(Assignment.member_id == ben.id))).scalars():
            if a.rota_id in week49:
                a.done_at = MONDAY
    export = await ledger.export(db, GUILD, "2026-W49", "2026-W50", MONDAY)
    rows = await pieces(db)
    ben_done = sum(Decimal(repr(a.hours)) for w, a in rows if w == "2026-W49" and a.member_id == ben.id)
    assert export.totals[ana.id].credited == Decimal("1.5") and export.totals[ana.id].pay == Decimal("27.75")
    assert export.totals[ben.id].pay == (ben_done * Decimal("18.5")).quantize(Decimal("0.01"))
    pay = list(csv.DictReader(io.StringIO(pay_csv(export).decode())))
    by_name = {row["member"]: row for row in pay}
    assert set(by_name) == {"ana", "'=ben"}  # spreadsheet-safe: the formula-like name is text
    assert by_name["ana"]["pay"] == "27.75" and by_name["ana"]["currency"] == "EUR"
    assert by_name["ana"]["corrections"] == "1.5" and by_name["ana"]["hours_held"] != "0"
    weekly = list(csv.DictReader(io.StringIO(ledger_csv(export).decode())))
    corrected = [r for r in weekly if r["member"] == "ana" and r["week"] == "2026-W49"]
    assert corrected[0]["reasons"] == "stayed late to close the kitchen (+1.5 h)"
    assert corrected[0]["correction"] == "1.5"
    assert Decimal(corrected[0]["hours_paid"]) == Decimal(corrected[0]["hours_done"]) + Decimal("1.5")
    await change_settings(db, GUILD, MOD, hourly_rate=0)  # 0 removes the rate: hours only
    assert (await ledger.export(db, GUILD, "2026-W49", "2026-W50", MONDAY)).totals[ana.id].pay is None


def test_a_long_period_fits_discords_embed_and_keeps_the_total() -> None:
    weeks = rules.ledger(
        [rules.Piece(f"{2025 + n // 52}-W{n % 52 + 1:02d}", 1, 3.25, True) for n in range(104)],
        [rules.Correction("2025-W10", 1, 1, "a long reason " * 20)],
    )
    total = rules.totals(weeks, Decimal("18.50"))[1]
    member = MemberRow(id=1, organization_id=1, user_id=5, display_name="bob", hours=10)
    shown = ledger.LedgerShown(
        Organization(name="Org", merge_code="X"), member, "2025-W01", "2026-W52", weeks, total, "EUR"
    )
    embed = ledger_embed(shown)
    assert embed.description is not None and len(embed.description) <= 4096
    assert embed.description.endswith("**339 h count for pay** = **6,271.50 EUR**.")
