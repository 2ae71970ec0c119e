"""How the weekly rota looks in Discord: the post's embeds, the CSV, a member's job complex."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, time

import discord

from bot.app.facts import in_time_order
from bot.app.ports import ClaimNotice, Held, ModNotice, OrgFacts, Reminder, RotaFacts, ShiftReminder, SwapDecided
from bot.app.publication import by_member
from bot.app.swaps import SwapAnswered
from bot.app.week import MyJobs
from bot.domain.fairness import Fairness, fairness_of, summary, verdict
from bot.domain.report import Report
from bot.domain.rota import total_hours
from bot.domain.solver.model import hours_text
from bot.domain.solver.timed import DAYS, format_clock
from bot.domain.solver_ids import member_key
from bot.domain.weeks import week_days, week_name
from cogs.common import clip, literal, spreadsheet_safe

FIELDS_PER_EMBED = 25
EMBED_BUDGET = 5500  # of Discord's 6,000 characters per message, leaving room for titles and footers
COLOUR = discord.Colour.dark_green()


def week_label(week: str) -> str:
    first, last = week_days(week)
    start = datetime.combine(first, time(12), tzinfo=UTC)
    end = datetime.combine(last, time(12), tzinfo=UTC)
    return f"{week} ({discord.utils.format_dt(start, 'D')} – {discord.utils.format_dt(end, 'D')})"


def balance_lines(report: Report, names: dict[str, str] | None = None) -> list[str]:
    """The week's balance for everyone: in plain words (who is off their fair share); a week stored
    before fair shares were kept shows its figures."""
    if plain := summary(report, names or {}):
        return [plain, *warning_lines(report)]
    lines = []
    if working := report.working:
        shares = [m.hours_share for m in working]
        lines.append(f"Hours against availability: {min(shares):.0%}–{max(shares):.0%}")
    if report.desirability_range and report.empowerment_range:
        low, high = report.desirability_range
        lines.append(f"Average desirability per member: {low:.1f}–{high:.1f} (organization {report.average[0]:.1f})")
        low, high = report.empowerment_range
        lines.append(f"Average empowerment per member: {low:.1f}–{high:.1f} (organization {report.average[1]:.1f})")
    lines.append(f"Spread-sum {report.spread_sum:.2f} (0 = perfectly balanced)")
    return lines + warning_lines(report)


def warning_lines(report: Report) -> list[str]:
    lines = []
    if report.overload:
        lines.append(f"⚠️ The work exceeds everyone's hours: each member is about {report.overload:.0%} over.")
    if report.flagged:
        lines.append(f"{report.flagged} task(s) have too few ratings and count as neutral: `/rate` them.")
    return lines


ANY_TIME = "this week, any time"


def span_text(start: datetime, end: datetime) -> str:
    """A shift as Discord timestamps: each reader sees it in their own timezone (DST included)."""
    return f"{discord.utils.format_dt(start, 'f')}–{discord.utils.format_dt(end, 't')}"


def piece_when(item: Held, *, timed_week: bool = True) -> str:
    """When a piece happens: its Discord timestamps, or "this week, any time" (nothing in a week
    without work at set times, which reads as before)."""
    piece = item.assignment
    if piece.starts is not None and piece.ends is not None:
        return span_text(piece.starts, piece.ends)
    return ANY_TIME if timed_week else ""


def has_times(items: Sequence[Held]) -> bool:
    return any(item.assignment.timed for item in items)


def complex_text(items: Sequence[Held], *, timed_week: bool = False) -> str:
    """A member's row in the post: `Dishes (3 h), Baking (2 h ✓)`; in a week with work at set times,
    the shifts in time order, a task's several shifts together (`Phones (3 × 2 h: Mon…, Tue…, Wed…)`),
    then the flexible work (`this week, any time: Dishes (3 h)`)."""

    def done(item: Held) -> str:
        return " ✓" if item.assignment.done_at else ""

    if not timed_week:
        return ", ".join(f"{literal(i.task.name)} ({hours_text(i.assignment.hours)} h{done(i)})" for i in items)
    shifts: dict[str, list[Held]] = {}
    for item in in_time_order(items):
        if item.assignment.timed:
            shifts.setdefault(item.task.name, []).append(item)
    parts = []
    for name, pieces in shifts.items():
        hours = {p.assignment.hours for p in pieces}
        spans = ", ".join(piece_when(p) + done(p) for p in pieces)
        if len(pieces) == 1:
            parts.append(f"{literal(name)} ({hours_text(pieces[0].assignment.hours)} h, {spans})")
        elif len(hours) == 1:
            parts.append(f"{literal(name)} ({len(pieces)} × {hours_text(hours.pop())} h: {spans})")
        else:
            total = total_hours(p.assignment.hours for p in pieces)
            parts.append(f"{literal(name)} ({hours_text(total)} h: {spans})")
    flexible = [
        f"{literal(i.task.name)} ({hours_text(i.assignment.hours)} h{done(i)})"
        for i in in_time_order(items)
        if not i.assignment.timed
    ]
    if flexible:
        parts.append(f"{ANY_TIME}: {', '.join(flexible)}")
    return "; ".join(parts)


ROLE_NOTE = "⚠️ I could not move the <@&{role_id}> role: I need **Manage Roles** and a role above it."


def role_notes(unmoved_roles: Sequence[int]) -> list[str]:
    """The post's word on each task's role Discord refused to move."""
    return [ROLE_NOTE.format(role_id=role_id) for role_id in unmoved_roles]


def rota_embeds(
    org: OrgFacts,
    week: str,
    report: Report,
    held: Sequence[Held],
    notes: Sequence[str],
    footer: str,
    *,
    chart: bool = True,
) -> list[discord.Embed]:
    """The post: balance figures, then each member's job complex, within Discord's limits."""
    head = discord.Embed(title=clip(f"{org.name}: rota for week {week}", 256), colour=COLOUR)
    names = {member_key(h.member.id): literal(h.member.display_name) for h in held}
    head.description = clip("\n".join([week_label(week), "", *balance_lines(report, names), *notes]), 4096)
    if chart:
        head.set_image(url="attachment://balance.png")
    head.set_footer(text=footer)
    embeds, current, used = [head], head, len(head.description) + len(head.title or "") + 60
    members = sorted(by_member(held).values(), key=lambda items: items[0].member.display_name.lower())
    timed_week = has_times(held)
    for index, items in enumerate(members):
        member = items[0].member
        hours = total_hours(i.assignment.hours for i in items)
        name = clip(f"{literal(member.display_name)} — {hours_text(hours)} h{member_verdict(report, member.id)}", 256)
        value = clip(f"<@{member.user_id}>: {complex_text(items, timed_week=timed_week)}", 1024)
        cost = len(name) + len(value)
        remaining = len(members) - index
        if used + cost > EMBED_BUDGET - 100 or (len(embeds) == 10 and len(current.fields) >= FIELDS_PER_EMBED - 1):
            if len(current.fields) >= FIELDS_PER_EMBED:  # the note takes the last member's place
                current.remove_field(-1)
                remaining += 1
            current.add_field(name="…", value=f"and {remaining} more member(s): see the attached CSV.", inline=False)
            break
        if len(current.fields) >= FIELDS_PER_EMBED:
            current = discord.Embed(colour=COLOUR)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
        used += cost
    else:
        if len(embeds) < 10 and (about := task_notes(held, EMBED_BUDGET - 100 - used)):
            embeds.append(about)
    return embeds


def member_verdict(report: Report, member_id: int) -> str:
    """ " · fair" or " · unpleasant work a little above" after a member's hours in the post."""
    fairness = fairness_of(report, member_key(member_id))
    return f" · {verdict(fairness)}" if fairness is not None and fairness.ratio is not None else ""


def task_notes(held: Sequence[Held], room: int) -> discord.Embed | None:
    """What the week's tasks involve (their descriptions), as far as `room` characters allow."""
    described = sorted({h.task.name: h.task.description for h in held if h.task.description}.items())
    lines: list[str] = []
    used = 40
    for name, description in described:
        line = f"**{literal(name)}**: {description}"
        if used + len(line) + 1 > min(room, 4096):
            lines.append(f"…and {len(described) - len(lines)} more in `/tasks`.")
            break
        lines.append(line)
        used += len(line) + 1
    if not lines or room < 200:
        return None
    return discord.Embed(title="What the tasks involve", description="\n".join(lines), colour=COLOUR)


def rota_csv(rota: RotaFacts, held: Sequence[Held]) -> bytes:
    """One row per piece; `day,start,end` (local, the planner's assignments.csv) for timed pieces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; a CR in a cell gets quoted too
    writer.writerow(("task", "member", "hours", "week", "day", "start", "end"))
    for item in held:
        piece = item.assignment
        timed = piece.day is not None and piece.start is not None and piece.end is not None
        row = (
            item.task.name,
            item.member.display_name,
            hours_text(piece.hours),
            rota.week,
            DAYS[piece.day] if timed and piece.day is not None else "",
            format_clock(piece.start) if timed and piece.start is not None else "",
            format_clock(piece.end) if timed and piece.end is not None else "",
        )
        writer.writerow(spreadsheet_safe(cell) for cell in row)
    return out.getvalue().encode()


def jobs_dm(
    org: OrgFacts, week: str, items: Sequence[Held], fairness: Fairness | None = None, *, changed: bool = False
) -> str:
    """The weekly DM: each task with what it involves, then the week against the fair share. Within a
    message's 2,000 characters, leaving room for the marker line."""
    head = f"Your jobs in **{literal(org.name)}** for week {week_label(week)}:"
    if changed:  # a re-publication changed them
        head = (
            f"The rota of **{literal(org.name)}** for week {week_label(week)} was re-published and your jobs changed."
        )
        head += " Now:" if items else " You have no jobs that week now."
    timed_week = has_times(items)
    tasks = [
        f"• **{literal(i.task.name)}** ({hours_text(i.assignment.hours)} h"
        + (f", {piece_when(i)}" if timed_week else "")
        + ")"
        + (f": {clip(i.task.description, 200)}" if i.task.description else "")
        for i in (in_time_order(items) if timed_week else items)
    ]
    fair = fairness.sentences(items[0].member.hours) if fairness is not None and items else []
    return clip("\n".join([head, *tasks, "", *fair]).rstrip(), 1900)


def my_jobs_embed(jobs: MyJobs, *, chart: bool = False) -> discord.Embed:
    """`/myjobs`: in a week with work at set times (anyone's, as the post reads), each shift's time
    and flexible work as "this week, any time"."""
    timed_week = jobs.timed_week or any(line.starts is not None for line in jobs.lines)
    lines = [
        f"• **{literal(line.task)}**: {hours_text(line.hours)} h"
        + (f", {span_text(line.starts, line.ends) if line.starts and line.ends else ANY_TIME}" if timed_week else "")
        + (" ✓ done" if line.done else "")
        + (f" — {line.why}" if line.why else "")
        + (f"\n  *{clip(line.description, 300)}*" if line.description else "")
        for line in jobs.lines
    ]
    embed = discord.Embed(title=f"Your jobs, week {jobs.week}", colour=COLOUR)
    if jobs.fairness is not None:
        fair = jobs.fairness.sentences(jobs.member_hours)
    else:
        fair = [f"{hours_text(jobs.total)} h of your {hours_text(jobs.member_hours)} h."]
    embed.description = clip("\n".join([*lines, "", *fair]), 4096)
    if chart:
        embed.set_image(url="attachment://you.png")
    return embed


def swap_answer_text(answer: SwapAnswered) -> str:
    if not answer.accepted:
        return f"<@{answer.taker_user_id}> declined to take **{literal(answer.task)}** from <@{answer.giver_user_id}>."
    return (
        f"<@{answer.taker_user_id}> took **{literal(answer.task)}** ({hours_text(answer.hours)} h) from "
        f"<@{answer.giver_user_id}> this week. The rota and the ledger now show who really does it."
    )


# -- the post's text, tasks given back, reminders, a swap's answer ----------------------------------


def post_head(org: OrgFacts, week: str) -> str:
    """The first words of the rota post (the mentions of its holders follow)."""
    return (
        f"**{literal(clip(org.name, 100))}**: the rota for **{week_name(week)}** is out. "
        "The buttons below show your jobs, mark one done, or give one back if you can't do it.\n"
    )


def when(moment: datetime) -> str:
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"


def claim_text(notice: ClaimNotice) -> str:
    at = span_text(notice.starts, notice.ends) if notice.starts and notice.ends else week_name(notice.week)
    task = f"**{literal(clip(notice.task, 100))}** ({hours_text(notice.hours)} h, {at})"
    if notice.state == "taken":
        return f"✅ <@{notice.taker_user_id}> took {task} from <@{notice.giver_user_id}>. Thank you!"
    if notice.state == "expired":
        who = f"<@&{notice.moderator_role_id}>" if notice.moderator_role_id else "Moderators"
        return (
            f"⚠️ Nobody claimed {task}, which <@{notice.giver_user_id}> can't do. {who}: please find someone "
            f"to do it; <@{notice.giver_user_id}> still holds it and can hand it over with `/swap` once someone agrees."
        )
    head = (
        f"🔁 <@{notice.giver_user_id}> can't do {task} and gives it back. First to press **Claim** takes it; "
        f"open until {when(notice.deadline)}."
    )
    if notice.starts is not None:  # a shift: who can take it is also who is free then
        if notice.mentions.user_ids:
            return head + "\nYou are free then, have room and can do it:\n"
        return head + "\nNobody is free then with room for it right now: anyone who can change that may claim it."
    if notice.mentions.user_ids:
        return head + "\nYou have room and can do it:\n"
    return head + "\nNobody has room for it right now: anyone who can make room may claim it."


def claim_closed_text(notice: ClaimNotice) -> str:
    if notice.state == "taken":
        return claim_text(notice)
    at = span_text(notice.starts, notice.ends) if notice.starts and notice.ends else week_name(notice.week)
    task = f"**{literal(clip(notice.task, 100))}** ({at})"
    if notice.state == "withdrawn":
        return f"This offer of {task} is closed: <@{notice.giver_user_id}> did it after all, or it changed hands."
    return f"This offer of {task} is closed: nobody claimed it in time."


def reminder_text(reminder: Reminder) -> str:
    """The mid-week DM: the work not marked done yet; shifts already over (done, most likely, but not
    marked) apart from what is still to come."""
    timed_week = any(start is not None for _, _, start, _ in reminder.tasks)
    now = reminder.sent_at

    def line(name: str, hours: float, start: datetime | None, end: datetime | None) -> str:
        when = f", {span_text(start, end) if start and end else ANY_TIME}" if timed_week else ""
        return f"• **{literal(clip(name, 100))}** ({hours_text(hours)} h{when})"

    over = [t for t in reminder.tasks if now is not None and t[3] is not None and t[3] <= now]
    ahead = [t for t in reminder.tasks if t not in over]
    lines = [line(*t) for t in ahead[:40]]
    if len(ahead) > 40:
        lines.append(f"• and {len(ahead) - 40} more: `/myjobs` lists them")
    head = f"A reminder from **{literal(clip(reminder.org_name, 100))}**: "
    parts = [head + f"still to do in {week_name(reminder.week)}:", *lines] if ahead else []
    if over:
        said = (
            "over, but not marked done yet:"
            if ahead
            else f"shifts of {week_name(reminder.week)} that are over, but not marked done yet:"
        )
        parts += [(head + said) if not ahead else said.capitalize(), *(line(*t) for t in over[:20])]
        if len(over) > 20:
            parts.append(f"• and {len(over) - 20} more: `/myjobs` lists them")
    return "\n".join(
        [
            *parts,
            "Mark work done with **Done…** under the rota post (or `/done`). Can't do one? **Can't do…** offers it "
            "to the others. `/notify setting:off about:reminders` stops these reminders.",
        ]
    )


def shift_reminder_text(reminder: ShiftReminder) -> str:
    """The DM before a shift: what, when (in the reader's own time), and how to get out of it."""
    about = f"\n*{clip(reminder.description, 300)}*" if reminder.description else ""
    return "\n".join(
        [
            f"⏰ A reminder from **{literal(clip(reminder.org_name, 100))}**: your shift "
            f"**{literal(clip(reminder.task, 100))}** ({hours_text(reminder.hours)} h) starts "
            f"{discord.utils.format_dt(reminder.starts, 'R')}: {span_text(reminder.starts, reminder.ends)}.{about}",
            "Can't make it? **Can't do…** under the rota post offers it to the others, or `/swap` it. "
            "`/notify setting:off about:shifts` stops these reminders.",
        ]
    )


def swap_decided_text(decided: SwapDecided) -> str:
    task = f"**{literal(clip(decided.task, 100))}** ({hours_text(decided.hours)} h, {week_name(decided.week)})"
    if decided.accepted:
        return f"<@{decided.taker_user_id}> accepted your offer: {task} is theirs now. The rota shows it."
    return (
        f"<@{decided.taker_user_id}> declined your offer of {task}: it stays yours. Offer it to someone else "
        "with `/swap`, or to everyone who can take it with **Can't do…** under the rota post."
    )


def mod_notice_text(notice: ModNotice, origin: str) -> str:
    """A moderator's change to the whole federation, as the other servers' rota channels see it."""
    return clip(
        f"🛠️ <@{notice.actor_id}> on **{literal(origin)}** changed **{literal(notice.org_name)}**: "
        f"`{notice.action}` {literal(clip(notice.detail, 300))}. `/mod audit` lists every change.",
        1800,
    )
