"""How the weekly rota looks in Discord: the post's embeds, the CSV, a member's job complex."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime, time
from decimal import Decimal

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
from bot.i18n import SOURCE_LANGUAGE, channel_language, gettext, ngettext
from bot.i18n.formatting import number, percent
from cogs.common import clip, literal, spreadsheet_safe

FIELDS_PER_EMBED = 25
EMBED_BUDGET = 5500  # of Discord's 6,000 characters per message, leaving room for titles and footers
COLOUR = discord.Colour.dark_green()


def week_label(week: str) -> str:
    first, last = week_days(week)
    start = datetime.combine(first, time(12), tzinfo=UTC)
    end = datetime.combine(last, time(12), tzinfo=UTC)
    return f"{week} ({discord.utils.format_dt(start, 'D')} – {discord.utils.format_dt(end, 'D')})"


def balance_lines(report: Report, names: dict[str, str] | None = None, language: str = SOURCE_LANGUAGE) -> list[str]:
    """The week's balance for everyone: in plain words (who is off their fair share); a week stored
    before fair shares were kept shows its figures."""
    if plain := summary(report, names or {}, language=language):
        return [plain, *warning_lines(report, language)]
    lines = []
    if working := report.working:
        shares = [m.hours_share for m in working]
        lines.append(
            gettext(
                language,
                "Hours against availability: {low}–{high}",
                low=percent(min(shares), language),
                high=percent(max(shares), language),
            )
        )
    if report.desirability_range and report.empowerment_range:
        low, high = report.desirability_range
        lines.append(
            gettext(
                language,
                "Average desirability per member: {low}–{high} (organization {average})",
                low=number(low, language, places=1),
                high=number(high, language, places=1),
                average=number(report.average[0], language, places=1),
            )
        )
        low, high = report.empowerment_range
        lines.append(
            gettext(
                language,
                "Average empowerment per member: {low}–{high} (organization {average})",
                low=number(low, language, places=1),
                high=number(high, language, places=1),
                average=number(report.average[1], language, places=1),
            )
        )
    lines.append(
        gettext(
            language, "Spread-sum {value} (0 = perfectly balanced)", value=number(report.spread_sum, language, places=2)
        )
    )
    return lines + warning_lines(report, language)


def warning_lines(report: Report, language: str = SOURCE_LANGUAGE) -> list[str]:
    lines = []
    if report.overload:
        lines.append(
            gettext(
                language,
                "⚠️ The work exceeds everyone's hours: each member is about {over} over.",
                over=percent(report.overload, language),
            )
        )
    if report.flagged:
        lines.append(
            ngettext(
                language,
                "{count} task has too few ratings and counts as neutral: `/rate` it.",
                "{count} tasks have too few ratings and count as neutral: `/rate` them.",
                report.flagged,
            )
        )
    return lines


def any_time(language: str) -> str:
    return gettext(language, "this week, any time")


def span_text(start: datetime, end: datetime) -> str:
    """A shift as Discord timestamps: each reader sees it in their own timezone (DST included)."""
    return f"{discord.utils.format_dt(start, 'f')}–{discord.utils.format_dt(end, 't')}"


def piece_when(item: Held, *, timed_week: bool = True, language: str = SOURCE_LANGUAGE) -> str:
    """When a piece happens: its Discord timestamps, or "this week, any time" (nothing in a week
    without work at set times, which reads as before)."""
    piece = item.assignment
    if piece.starts is not None and piece.ends is not None:
        return span_text(piece.starts, piece.ends)
    return any_time(language) if timed_week else ""


def has_times(items: Sequence[Held]) -> bool:
    return any(item.assignment.timed for item in items)


def complex_text(items: Sequence[Held], *, timed_week: bool = False, language: str = SOURCE_LANGUAGE) -> str:
    """A member's row in the post: `Dishes (3 h), Baking (2 h ✓)`; in a week with work at set times,
    the shifts in time order, a task's several shifts together (`Phones (3 × 2 h: Mon…, Tue…, Wed…)`),
    then the flexible work (`this week, any time: Dishes (3 h)`)."""

    def done(item: Held) -> str:
        return " ✓" if item.assignment.done_at else ""

    def hours(value: float | Decimal) -> str:
        return number(value, language)

    if not timed_week:
        return ", ".join(f"{literal(i.task.name)} ({hours(i.assignment.hours)} h{done(i)})" for i in items)
    shifts: dict[str, list[Held]] = {}
    for item in in_time_order(items):
        if item.assignment.timed:
            shifts.setdefault(item.task.name, []).append(item)
    parts = []
    for name, pieces in shifts.items():
        lengths = {p.assignment.hours for p in pieces}
        spans = ", ".join(piece_when(p, language=language) + done(p) for p in pieces)
        if len(pieces) == 1:
            parts.append(f"{literal(name)} ({hours(pieces[0].assignment.hours)} h, {spans})")
        elif len(lengths) == 1:
            parts.append(f"{literal(name)} ({len(pieces)} × {hours(lengths.pop())} h: {spans})")
        else:
            total = total_hours(p.assignment.hours for p in pieces)
            parts.append(f"{literal(name)} ({hours(total)} h: {spans})")
    flexible = [
        f"{literal(i.task.name)} ({hours(i.assignment.hours)} h{done(i)})"
        for i in in_time_order(items)
        if not i.assignment.timed
    ]
    if flexible:
        parts.append(f"{any_time(language)}: {', '.join(flexible)}")
    return "; ".join(parts)


def role_notes(unmoved_roles: Sequence[int], language: str = SOURCE_LANGUAGE) -> list[str]:
    """The post's word on each task's role Discord refused to move."""
    return [
        gettext(
            language,
            "⚠️ I could not move the <@&{role_id}> role: I need **Manage Roles** and a role above it.",
            role_id=role_id,
        )
        for role_id in unmoved_roles
    ]


def rota_embeds(
    org: OrgFacts,
    week: str,
    report: Report,
    held: Sequence[Held],
    notes: Sequence[str],
    footer: str,
    *,
    chart: bool = True,
    language: str | None = None,
) -> list[discord.Embed]:
    """The post: balance figures, then each member's job complex, within Discord's limits. In the
    organization's language unless `language` says otherwise (a private answer in the reader's)."""
    language = language or org.language
    title = gettext(language, "{org}: rota for week {week}", org=org.name, week=week)
    head = discord.Embed(title=clip(title, 256), colour=COLOUR)
    names = {member_key(h.member.id): literal(h.member.display_name) for h in held}
    head.description = clip("\n".join([week_label(week), "", *balance_lines(report, names, language), *notes]), 4096)
    if chart:
        head.set_image(url="attachment://balance.png")
    head.set_footer(text=footer)
    embeds, current, used = [head], head, len(head.description) + len(head.title or "") + 60
    members = sorted(by_member(held).values(), key=lambda items: items[0].member.display_name.lower())
    timed_week = has_times(held)
    for index, items in enumerate(members):
        member = items[0].member
        hours = total_hours(i.assignment.hours for i in items)
        shown = number(hours, language)
        name = clip(f"{literal(member.display_name)} — {shown} h{member_verdict(report, member.id, language)}", 256)
        value = clip(f"<@{member.user_id}>: {complex_text(items, timed_week=timed_week, language=language)}", 1024)
        cost = len(name) + len(value)
        remaining = len(members) - index
        if used + cost > EMBED_BUDGET - 100 or (len(embeds) == 10 and len(current.fields) >= FIELDS_PER_EMBED - 1):
            if len(current.fields) >= FIELDS_PER_EMBED:  # the note takes the last member's place
                current.remove_field(-1)
                remaining += 1
            more = ngettext(
                language,
                "and {count} more member: see the attached CSV.",
                "and {count} more members: see the attached CSV.",
                remaining,
            )
            current.add_field(name="…", value=more, inline=False)
            break
        if len(current.fields) >= FIELDS_PER_EMBED:
            current = discord.Embed(colour=COLOUR)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
        used += cost
    else:
        if len(embeds) < 10 and (about := task_notes(held, EMBED_BUDGET - 100 - used, language)):
            embeds.append(about)
    return embeds


def member_verdict(report: Report, member_id: int, language: str = SOURCE_LANGUAGE) -> str:
    """ " · fair" or " · unpleasant work a little above" after a member's hours in the post."""
    fairness = fairness_of(report, member_key(member_id))
    return f" · {verdict(fairness, language)}" if fairness is not None and fairness.ratio is not None else ""


def task_notes(held: Sequence[Held], room: int, language: str = SOURCE_LANGUAGE) -> discord.Embed | None:
    """What the week's tasks involve (their descriptions), as far as `room` characters allow."""
    described = sorted({h.task.name: h.task.description for h in held if h.task.description}.items())
    lines: list[str] = []
    used = 40
    for name, description in described:
        line = f"**{literal(name)}**: {description}"
        if used + len(line) + 1 > min(room, 4096):
            lines.append(gettext(language, "…and {count} more in `/tasks`.", count=len(described) - len(lines)))
            break
        lines.append(line)
        used += len(line) + 1
    if not lines or room < 200:
        return None
    title = gettext(language, "What the tasks involve")
    return discord.Embed(title=title, description="\n".join(lines), colour=COLOUR)


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
    org: OrgFacts,
    week: str,
    items: Sequence[Held],
    fairness: Fairness | None = None,
    *,
    changed: bool = False,
    language: str | None = None,
) -> str:
    """The weekly DM: each task with what it involves, then the week against the fair share. Within a
    message's 2,000 characters, leaving room for the marker line. In the member's language (else the
    organization's)."""
    language = language or channel_language(org.language, items[0].member.language if items else None)
    name = literal(org.name)
    head = gettext(language, "Your jobs in **{org}** for week {week}:", org=name, week=week_label(week))
    if changed and items:  # a re-publication changed them
        head = gettext(
            language,
            "The rota of **{org}** for week {week} was re-published and your jobs changed. Now:",
            org=name,
            week=week_label(week),
        )
    elif changed:
        head = gettext(
            language,
            "The rota of **{org}** for week {week} was re-published and your jobs changed. You have no jobs that "
            "week now.",
            org=name,
            week=week_label(week),
        )
    timed_week = has_times(items)
    tasks = [
        f"• **{literal(i.task.name)}** ({number(i.assignment.hours, language)} h"
        + (f", {piece_when(i, language=language)}" if timed_week else "")
        + ")"
        + (f": {clip(i.task.description, 200)}" if i.task.description else "")
        for i in (in_time_order(items) if timed_week else items)
    ]
    fair = fairness.sentences(items[0].member.hours, language) if fairness is not None and items else []
    return clip("\n".join([head, *tasks, "", *fair]).rstrip(), 1900)


def my_jobs_embed(jobs: MyJobs, *, chart: bool = False, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    """`/myjobs`: in a week with work at set times (anyone's, as the post reads), each shift's time
    and flexible work as "this week, any time"."""
    timed_week = jobs.timed_week or any(line.starts is not None for line in jobs.lines)
    done = gettext(language, "done")
    lines = [
        f"• **{literal(line.task)}**: {number(line.hours, language)} h"
        + (
            f", {span_text(line.starts, line.ends) if line.starts and line.ends else any_time(language)}"
            if timed_week
            else ""
        )
        + (f" ✓ {done}" if line.done else "")
        + (f" — {line.why}" if line.why else "")
        + (f"\n  *{clip(line.description, 300)}*" if line.description else "")
        for line in jobs.lines
    ]
    embed = discord.Embed(title=gettext(language, "Your jobs, week {week}", week=jobs.week), colour=COLOUR)
    if jobs.fairness is not None:
        fair = jobs.fairness.sentences(jobs.member_hours, language)
    else:
        fair = [
            gettext(
                language,
                "{hours} h of your {available} h.",
                hours=number(jobs.total, language),
                available=number(jobs.member_hours, language),
            )
        ]
    embed.description = clip("\n".join([*lines, "", *fair]), 4096)
    if chart:
        embed.set_image(url="attachment://you.png")
    return embed


def swap_answer_text(answer: SwapAnswered, language: str = SOURCE_LANGUAGE) -> str:
    task = literal(answer.task)
    if not answer.accepted:
        return gettext(
            language,
            "<@{taker}> declined to take **{task}** from <@{giver}>.",
            taker=answer.taker_user_id,
            task=task,
            giver=answer.giver_user_id,
        )
    return gettext(
        language,
        "<@{taker}> took **{task}** ({hours} h) from <@{giver}> this week. The rota and the ledger now show who "
        "really does it.",
        taker=answer.taker_user_id,
        task=task,
        hours=number(answer.hours, language),
        giver=answer.giver_user_id,
    )


# -- the post's text, tasks given back, reminders, a swap's answer ----------------------------------


def post_head(org: OrgFacts, week: str) -> str:
    """The first words of the rota post (the mentions of its holders follow)."""
    return (
        gettext(
            org.language,
            "**{org}**: the rota for **{week}** is out. The buttons below show your jobs, mark one done, or give one "
            "back if you can't do it.",
            org=literal(clip(org.name, 100)),
            week=week_name(week, language=org.language),
        )
        + "\n"
    )


def when(moment: datetime) -> str:
    return f"{discord.utils.format_dt(moment, 'f')} ({discord.utils.format_dt(moment, 'R')})"


def _notice_task(notice: ClaimNotice, *, hours: bool = True) -> str:
    language = notice.language
    at = (
        span_text(notice.starts, notice.ends)
        if notice.starts and notice.ends
        else week_name(notice.week, language=language)
    )
    if not hours:
        return f"**{literal(clip(notice.task, 100))}** ({at})"
    return f"**{literal(clip(notice.task, 100))}** ({number(notice.hours, language)} h, {at})"


def claim_text(notice: ClaimNotice) -> str:
    language, task = notice.language, _notice_task(notice)
    giver = notice.giver_user_id
    if notice.state == "taken":
        return gettext(
            language, "✅ <@{taker}> took {task} from <@{giver}>. Thank you!", taker=notice.taker_user_id, task=task,
            giver=giver,
        )  # fmt: skip
    if notice.state == "expired":
        if notice.moderator_role_id:
            return gettext(
                language,
                "⚠️ Nobody claimed {task}, which <@{giver}> can't do. <@&{role}>: please find someone to do it; "
                "<@{giver}> still holds it and can hand it over with `/swap` once someone agrees.",
                task=task,
                giver=giver,
                role=notice.moderator_role_id,
            )
        return gettext(
            language,
            "⚠️ Nobody claimed {task}, which <@{giver}> can't do. Moderators: please find someone to do it; "
            "<@{giver}> still holds it and can hand it over with `/swap` once someone agrees.",
            task=task,
            giver=giver,
        )
    head = gettext(
        language,
        "🔁 <@{giver}> can't do {task} and gives it back. First to press **Claim** takes it; open until {deadline}.",
        giver=giver,
        task=task,
        deadline=when(notice.deadline),
    )
    if notice.starts is not None:  # a shift: who can take it is also who is free then
        if notice.mentions.user_ids:
            return head + "\n" + gettext(language, "You are free then, have room and can do it:") + "\n"
        return (
            head
            + "\n"
            + gettext(
                language, "Nobody is free then with room for it right now: anyone who can change that may claim it."
            )
        )
    if notice.mentions.user_ids:
        return head + "\n" + gettext(language, "You have room and can do it:") + "\n"
    return head + "\n" + gettext(language, "Nobody has room for it right now: anyone who can make room may claim it.")


def claim_closed_text(notice: ClaimNotice) -> str:
    if notice.state == "taken":
        return claim_text(notice)
    task = _notice_task(notice, hours=False)
    if notice.state == "withdrawn":
        return gettext(
            notice.language,
            "This offer of {task} is closed: <@{giver}> did it after all, or it changed hands.",
            task=task,
            giver=notice.giver_user_id,
        )
    return gettext(notice.language, "This offer of {task} is closed: nobody claimed it in time.", task=task)


def reminder_text(reminder: Reminder) -> str:
    """The mid-week DM: the work not marked done yet; shifts already over (done, most likely, but not
    marked) apart from what is still to come."""
    language = reminder.language
    timed_week = any(start is not None for _, _, start, _ in reminder.tasks)
    now = reminder.sent_at
    week = week_name(reminder.week, language=language)
    org = literal(clip(reminder.org_name, 100))

    def line(name: str, hours: float, start: datetime | None, end: datetime | None) -> str:
        when = f", {span_text(start, end) if start and end else any_time(language)}" if timed_week else ""
        return f"• **{literal(clip(name, 100))}** ({number(hours, language)} h{when})"

    def more(count: int) -> str:
        return ngettext(
            language, "• and {count} more: `/myjobs` lists it", "• and {count} more: `/myjobs` lists them", count
        )

    over = [t for t in reminder.tasks if now is not None and t[3] is not None and t[3] <= now]
    ahead = [t for t in reminder.tasks if t not in over]
    lines = [line(*t) for t in ahead[:40]]
    if len(ahead) > 40:
        lines.append(more(len(ahead) - 40))
    parts = []
    if ahead:
        parts = [gettext(language, "A reminder from **{org}**: still to do in {week}:", org=org, week=week), *lines]
    if over:
        if ahead:
            said = gettext(language, "Over, but not marked done yet:")
        else:
            said = gettext(
                language,
                "A reminder from **{org}**: shifts of {week} that are over, but not marked done yet:",
                org=org,
                week=week,
            )
        parts += [said, *(line(*t) for t in over[:20])]
        if len(over) > 20:
            parts.append(more(len(over) - 20))
    return "\n".join(
        [
            *parts,
            gettext(
                language,
                "Mark work done with **Done…** under the rota post (or `/done`). Can't do one? **Can't do…** offers "
                "it to the others. `/notify setting:off about:reminders` stops these reminders.",
            ),
        ]
    )


def shift_reminder_text(reminder: ShiftReminder) -> str:
    """The DM before a shift: what, when (in the reader's own time), and how to get out of it."""
    language = reminder.language
    about = f"\n*{clip(reminder.description, 300)}*" if reminder.description else ""
    return "\n".join(
        [
            gettext(
                language,
                "⏰ A reminder from **{org}**: your shift **{task}** ({hours} h) starts {relative}: {span}.",
                org=literal(clip(reminder.org_name, 100)),
                task=literal(clip(reminder.task, 100)),
                hours=number(reminder.hours, language),
                relative=discord.utils.format_dt(reminder.starts, "R"),
                span=span_text(reminder.starts, reminder.ends),
            )
            + about,
            gettext(
                language,
                "Can't make it? **Can't do…** under the rota post offers it to the others, or `/swap` it. "
                "`/notify setting:off about:shifts` stops these reminders.",
            ),
        ]
    )


def swap_decided_text(decided: SwapDecided) -> str:
    language = decided.language
    task = (
        f"**{literal(clip(decided.task, 100))}** ({number(decided.hours, language)} h, "
        f"{week_name(decided.week, language=language)})"
    )
    if decided.accepted:
        return gettext(
            language,
            "<@{taker}> accepted your offer: {task} is theirs now. The rota shows it.",
            taker=decided.taker_user_id,
            task=task,
        )
    return gettext(
        language,
        "<@{taker}> declined your offer of {task}: it stays yours. Offer it to someone else with `/swap`, or to "
        "everyone who can take it with **Can't do…** under the rota post.",
        taker=decided.taker_user_id,
        task=task,
    )


def mod_notice_text(notice: ModNotice, origin: str) -> str:
    """A moderator's change to the whole federation, as the other servers' rota channels see it."""
    return clip(
        gettext(
            notice.language,
            "🛠️ <@{actor}> on **{origin}** changed **{org}**: `{action}` {detail}. `/mod audit` lists every change.",
            actor=notice.actor_id,
            origin=literal(origin),
            org=literal(notice.org_name),
            action=notice.action,
            detail=literal(clip(notice.detail, 300)),
        ),
        1800,
    )
