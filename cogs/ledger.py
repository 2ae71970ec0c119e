"""`/ledger` (a member's hours per week, held and done) and `/mod ledger export|correct`."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING

import discord
from babel import numbers
from discord import app_commands

from bot.app import ledger as app
from bot.domain.ledger import LedgerWeek, money, signed_hours
from bot.domain.solver.model import exact_hours, hours_in, hours_text
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext
from bot.i18n.formatting import currency
from cogs.common import ModeratorGroup, answer_early, clip, db, register, reply, services, spreadsheet_safe
from cogs.languages import answer_language_here

if TYPE_CHECKING:
    from cogs.host import RotaBot

ledger_group = ModeratorGroup(name="ledger", description="The hours ledger: export for payroll, corrections")
WEEK_HELP = "an ISO week like 2026-W48"


def _hours(value: Decimal, language: str) -> str:
    return hours_in(value, language)


def _signed(value: Decimal, language: str) -> str:
    if language == SOURCE_LANGUAGE:
        return signed_hours(value)
    return ("+" if value > 0 else "") + hours_in(value, language)


def _money(amount: Decimal, code: str | None, language: str) -> str:
    if language == SOURCE_LANGUAGE:
        return money(amount, code)
    if code:
        return currency(amount, code, language)
    return numbers.format_decimal(amount, format="#,##0.00", locale=language)


def week_line(week: LedgerWeek, language: str = SOURCE_LANGUAGE) -> str:
    facts = {"week": week.week, "held": _hours(week.held, language), "done": _hours(week.done, language)}
    if week.corrected:
        return gettext(
            language,
            "**{week}**: held {held} h, done {done} h; corrections: {reasons}",
            reasons="; ".join(week.reasons),
            **facts,
        )
    return gettext(language, "**{week}**: held {held} h, done {done} h", **facts)


def _summary(shown: app.LedgerShown, language: str) -> str:
    total = shown.total
    facts = {
        "held": _hours(total.held, language),
        "done": _hours(total.done, language),
        "corrected": _signed(total.corrected, language),
        "credited": _hours(total.credited, language),
    }
    if total.pay is not None:
        pay = _money(total.pay, shown.currency, language)
        if total.corrected:
            return gettext(
                language,
                "Held {held} h, done {done} h, corrections {corrected} h: **{credited} h count for pay** = **{pay}**.",
                pay=pay,
                **facts,
            )
        return gettext(
            language, "Held {held} h, done {done} h: **{credited} h count for pay** = **{pay}**.", pay=pay, **facts
        )
    if total.corrected:
        return gettext(
            language,
            "Held {held} h, done {done} h, corrections {corrected} h: **{credited} h count for pay**.",
            **facts,
        )
    return gettext(language, "Held {held} h, done {done} h: **{credited} h count for pay**.", **facts)


def ledger_embed(shown: app.LedgerShown, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    title = gettext(
        language,
        "{member}: hours {first} to {last}",
        member=shown.member.display_name,
        first=shown.first,
        last=shown.last,
    )
    embed = discord.Embed(title=clip(title, 256), colour=discord.Colour.dark_green())
    lines = [week_line(w, language) for w in shown.weeks] or [gettext(language, "No hours in these weeks.")]
    summary = _summary(shown, language)
    # The weeks are cut short before the total is (a long period), never the total.
    embed.description = clip("\n".join(lines), 4096 - len(summary) - 2) + "\n\n" + summary
    embed.set_footer(
        text=gettext(
            language,
            "Held: the work you hold after swaps and claims. Done: what was marked done. "
            "Pay counts hours done plus moderators' corrections.",
        )
    )
    return embed


@app_commands.command(name="ledger", description="Your hours per week: held and done (moderators: anyone's)")
@app_commands.describe(
    member="Whose ledger (moderators only; default: yours)",
    from_=f"First week, {WEEK_HELP} (default: 7 weeks before `to`)",
    to=f"Last week, {WEEK_HELP} (default: this week)",
)
@app_commands.rename(from_="from")
@app_commands.guild_only()
async def ledger_command(
    interaction: discord.Interaction,
    member: discord.User | None = None,
    from_: app_commands.Range[str, 1, 10] | None = None,
    to: app_commands.Range[str, 1, 10] | None = None,
) -> None:
    shown = await app.show(
        db(interaction),
        interaction.guild_id,
        interaction.user.id,
        moderator=interaction.permissions.manage_guild,
        member_user_id=member.id if member else None,
        first=from_,
        last=to,
        now=services(interaction).now(),
    )
    language = await answer_language_here(interaction)
    await interaction.response.send_message(embed=ledger_embed(shown, language), ephemeral=True)


def ledger_csv(export: app.LedgerExport) -> bytes:
    """One row per member per week: for checking, and for payroll systems that pay weekly."""
    names = {m.id: m for m in export.members}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("week", "member", "discord_id", "hours_held", "hours_done", "correction", "hours_paid", "reasons"))
    for week in sorted(export.weeks, key=lambda w: (names[w.member_id].display_name.lower(), w.week)):
        member = names[week.member_id]
        writer.writerow(
            (
                week.week,
                spreadsheet_safe(member.display_name),
                member.user_id,
                hours_text(week.held),
                hours_text(week.done),
                hours_text(week.corrected),  # numbers as numbers: only the text cells need guarding
                hours_text(week.credited),
                spreadsheet_safe("; ".join(week.reasons)),
            )
        )
    return out.getvalue().encode()


def pay_csv(export: app.LedgerExport) -> bytes:
    """One row per member for the period: hours, and pay at the equal hourly rate if one is set."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        (
            "member",
            "discord_id",
            "from",
            "to",
            "hours_held",
            "hours_done",
            "corrections",
            "hours_paid",
            "hourly_rate",
            "pay",
            "currency",
        )
    )
    for member in export.members:
        total = export.totals[member.id]
        row = (
            spreadsheet_safe(member.display_name),
            member.user_id,
            export.first,
            export.last,
            hours_text(total.held),
            hours_text(total.done),
            hours_text(total.corrected),
            hours_text(total.credited),
            "" if export.rate is None else f"{export.rate:.2f}",
            "" if total.pay is None else f"{total.pay:.2f}",
            spreadsheet_safe(export.currency or ""),
        )
        writer.writerow(row)
    return out.getvalue().encode()


@ledger_group.command(name="export", description="Download everyone's hours (and pay, if a rate is set) as CSV")
@app_commands.describe(from_=f"First week, {WEEK_HELP} (default: 7 weeks before `to`)", to=f"Last week, {WEEK_HELP}")
@app_commands.rename(from_="from")
async def ledger_export(
    interaction: discord.Interaction,
    from_: app_commands.Range[str, 1, 10] | None = None,
    to: app_commands.Range[str, 1, 10] | None = None,
) -> None:
    await answer_early(interaction)
    export = await app.export(db(interaction), interaction.guild_id, from_, to, services(interaction).now())
    period = f"{export.first}_{export.last}"
    files = [
        discord.File(io.BytesIO(pay_csv(export)), filename=f"pay_{period}.csv"),
        discord.File(io.BytesIO(ledger_csv(export)), filename=f"ledger_{period}.csv"),
    ]
    language = await answer_language_here(interaction)
    rate = (
        gettext(
            language,
            "Pay = hours done plus corrections × {rate} an hour, the same for everyone.",
            rate=_money(export.rate, export.currency, language),
        )
        if export.rate is not None
        else gettext(
            language, "No hourly rate is set, so the export shows hours only (`/mod org settings hourly_rate`)."
        )
    )
    text = ngettext(
        language,
        "The ledger of **{org}**, {first} to {last}: {count} member(s). `pay_…csv` has one row per member, "
        "`ledger_…csv` one per member and week. {rate}",
        "The ledger of **{org}**, {first} to {last}: {count} member(s). `pay_…csv` has one row per member, "
        "`ledger_…csv` one per member and week. {rate}",
        len(export.members),
        org=export.org.name,
        first=export.first,
        last=export.last,
        count=len(export.members),
        rate=rate,
    )
    if interaction.response.is_done():
        await interaction.followup.send(clip(text, 2000), files=files, ephemeral=True)
    else:
        await interaction.response.send_message(clip(text, 2000), files=files, ephemeral=True)


@ledger_group.command(name="correct", description="Add or take off hours in one week of a member's ledger (audited)")
@app_commands.describe(
    member="Whose ledger",
    week=f"Which week, {WEEK_HELP}",
    hours="Hours to add (negative to take off), e.g. 2 or -1.5",
    reason="Why: shown in the ledger, the export and the audit log",
)
async def ledger_correct(
    interaction: discord.Interaction,
    member: discord.User,
    week: app_commands.Range[str, 1, 10],
    hours: app_commands.Range[float, -168, 168],
    reason: app_commands.Range[str, 1, 300],
) -> None:
    done = await app.correct(db(interaction), interaction.guild_id, interaction.user.id, member.id, week, hours, reason)
    language = await answer_language_here(interaction)
    text = gettext(
        language,
        "Corrected {member}'s ledger for {week} by {hours} h ({reason}). It is in the audit log.",
        member=f"<@{done.member.user_id}>",
        week=done.week,
        hours=_signed(exact_hours(done.hours), language),
        reason=clip(done.reason, 300),
    )
    await reply(interaction, text)


async def setup(bot: RotaBot) -> None:
    register(bot, commands=[ledger_command], moderator=[ledger_group])
